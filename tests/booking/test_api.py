"""The booking JSON API through the Litestar test client, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pytest
import sqlalchemy as sa
from icalendar import Calendar
from litestar import Litestar
from litestar.testing import TestClient

from kat_widgets import create_app
from kat_widgets.booking import BookingService
from kat_widgets.booking.storage import Storage
from kat_widgets.booking.tokens import calendar_key, token_hash
from kat_widgets.settings import Settings
from tests.booking.booking_support import NOW, SECRET

FIRST = "2027-03-09T10:00:00-07:00"
SECOND = "2027-03-09T10:30:00-07:00"


def body(**changes: Any) -> dict[str, Any]:
    base = {
        "clinic_id": "draper",
        "service": "info-call",
        "start": FIRST,
        "name": "Robin Example",
        "email": "robin@example.com",
        "consent": True,
    }
    base.update(changes)
    return {key: value for key, value in base.items() if value is not None}


@pytest.fixture
def root_path() -> str:
    return "/widgets"  # the URLs in the answers must carry the mount prefix


def book(client: TestClient[Litestar], **changes: Any) -> dict[str, Any]:
    response = client.post("/api/bookings", json=body(**changes))
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    return answer


def token_of(answer: dict[str, Any]) -> str:
    return str(answer["manage_url"]).rsplit("/", 1)[1]


def test_book_returns_201_with_urls_under_the_mount_prefix(client: TestClient[Litestar]) -> None:
    answer = book(client)
    booking = answer["booking"]
    assert booking["clinic_id"] == "draper" and booking["service"] == "info-call"
    assert booking["start"] == FIRST and booking["end"] == "2027-03-09T10:20:00-07:00"
    assert booking["status"] == "confirmed"
    token = token_of(answer)
    assert len(token) == 43
    assert answer["manage_url"] == f"/widgets/bookings/{token}"
    calendar = calendar_key(SECRET, token)
    assert answer["ics_url"] == f"/widgets/calendars/bookings/{calendar}.ics"
    assert token not in answer["ics_url"]
    assert "Robin" not in str(answer["add_to_calendar"])


def test_second_booking_of_the_slot_is_409_with_next_free_slots(
    client: TestClient[Litestar],
) -> None:
    book(client)
    response = client.post("/api/bookings", json=body(name="Someone Else"))
    assert response.status_code == 409
    answer = response.json()
    assert answer["status_code"] == 409 and "taken" in answer["detail"]
    assert answer["next_slots"][0] == {
        "start": SECOND,
        "end": "2027-03-09T10:50:00-07:00",
    }


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "  "}, "name"),
        ({"email": "not-an-email"}, "email"),
        ({"email": None}, "email"),
        ({"email": None, "phone": "12"}, "phone"),
        ({"note": "x" * 501}, "note"),
        ({"consent": False}, "consent"),
        ({"start": "2027-03-01T10:00:00-07:00"}, "start"),
        ({"start": "2027-03-09T10:10:00-07:00"}, "start"),
        ({"start": "2027-03-09T10:00:00"}, "start"),
        ({"start": "tomorrow"}, "start"),
        ({"service": "experience-iv"}, "service"),
        ({"consent": "yes"}, "consent"),
        ({"shoe_size": 42}, None),
    ],
)
def test_invalid_input_is_422_with_the_field_and_nothing_is_written(
    client: TestClient[Litestar],
    storage: Storage,
    changes: dict[str, Any],
    field: str | None,
) -> None:
    response = client.post("/api/bookings", json=body(**changes))
    assert response.status_code == 422, response.text
    answer = response.json()
    assert answer["detail"]
    assert answer.get("field") == field
    assert storage.all_holds() == []


def test_several_problems_are_reported_per_field(client: TestClient[Litestar]) -> None:
    response = client.post("/api/bookings", json=body(name="", email="x", consent=False))
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"name", "email", "consent"}


@pytest.mark.parametrize("raw", [b"", b"[]", b"{", b'{"clinic_id": 3}'])
def test_json_of_the_wrong_shape_is_422(client: TestClient[Litestar], raw: bytes) -> None:
    response = client.post(
        "/api/bookings", content=raw, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["detail"]


def test_unknown_clinic_or_service_is_404(client: TestClient[Litestar]) -> None:
    assert client.post("/api/bookings", json=body(clinic_id="ogden")).status_code == 404
    assert client.post("/api/bookings", json=body(service="massage")).status_code == 404


def test_view_by_token_and_wrong_tokens_are_404(client: TestClient[Litestar]) -> None:
    answer = book(client)
    token = token_of(answer)
    viewed = client.get(f"/api/bookings/{token}")
    assert viewed.status_code == 200
    assert viewed.json()["booking"] == answer["booking"]
    flipped = ("A" if token[0] != "A" else "B") + token[1:]
    for wrong in (flipped, "short", "x" * 43, token + "x"):
        response = client.get(f"/api/bookings/{wrong}")
        assert response.status_code == 404
        assert response.json()["detail"] == "We could not find a booking for this link."


def test_only_the_keyed_hash_of_the_token_is_stored(
    client: TestClient[Litestar], storage: Storage
) -> None:
    token = token_of(book(client))
    with storage.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT * FROM bookings")).all()
    assert token not in repr(rows)
    assert rows[0].token_hash == token_hash(SECRET, token)


def test_cancel_frees_the_slot_and_is_idempotent(client: TestClient[Litestar]) -> None:
    token = token_of(book(client))
    response = client.post(f"/api/bookings/{token}/cancel")
    assert response.status_code == 200
    assert response.json()["booking"]["status"] == "cancelled"
    assert client.post(f"/api/bookings/{token}/cancel").status_code == 200
    book(client, name="Next Person")
    response = client.post(f"/api/bookings/{token}/reschedule", json={"start": SECOND})
    assert response.status_code == 409


def test_cancel_inside_the_cutoff_says_to_call(client: TestClient[Litestar], clock: Any) -> None:
    token = token_of(book(client))
    clock.now = dt.datetime(2027, 3, 8, 18, 0, tzinfo=dt.UTC)  # 23 hours before the visit
    response = client.post(f"/api/bookings/{token}/cancel")
    assert response.status_code == 409
    assert "within 24 hours" in response.json()["detail"]
    assert "801" in response.json()["detail"] or "+1" in response.json()["detail"]
    assert client.get(f"/api/bookings/{token}").json()["booking"]["status"] == "confirmed"


def test_reschedule_moves_the_booking_and_frees_the_old_slot(
    client: TestClient[Litestar],
) -> None:
    token = token_of(book(client))
    response = client.post(f"/api/bookings/{token}/reschedule", json={"start": SECOND})
    assert response.status_code == 200, response.text
    assert response.json()["booking"]["start"] == SECOND
    book(client, name="Another Person")  # the first slot is free again
    taken = client.post(f"/api/bookings/{token}/reschedule", json={"start": FIRST})
    assert taken.status_code == 409
    assert client.get(f"/api/bookings/{token}").json()["booking"]["start"] == SECOND


def test_reschedule_rejects_bad_bodies(client: TestClient[Litestar]) -> None:
    token = token_of(book(client))
    for bad in ({}, {"start": "soon"}, {"start": SECOND, "extra": 1}):
        assert client.post(f"/api/bookings/{token}/reschedule", json=bad).status_code == 422


def test_idempotency_key_replays_the_first_result(
    client: TestClient[Litestar], storage: Storage
) -> None:
    headers = {"Idempotency-Key": "retry-key-0001"}
    first = client.post("/api/bookings", json=body(), headers=headers)
    again = client.post("/api/bookings", json=body(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(storage.all_holds()) == 1
    other = client.post("/api/bookings", json=body(start=SECOND), headers=headers)
    assert other.status_code == 422
    assert other.json()["field"] == "Idempotency-Key"
    short = client.post("/api/bookings", json=body(start=SECOND), headers={"Idempotency-Key": "1"})
    assert short.status_code == 422


def _calendar(client: TestClient[Litestar], token: str) -> Calendar:
    response = client.get(f"/calendars/bookings/{calendar_key(SECRET, token)}.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def test_ics_sequence_booked_moved_cancelled(client: TestClient[Litestar]) -> None:
    # the visitor's own event, not an iTIP message: no METHOD, no ORGANIZER, no ATTENDEE, so
    # calendar apps import an ordinary event the visitor can edit (docs/calendars.md)
    token = token_of(book(client))
    published = _calendar(client, token)
    event = published.events[0]
    assert "METHOD" not in published
    assert "ORGANIZER" not in event and "ATTENDEE" not in event
    assert event["SEQUENCE"] == 0 and event["STATUS"] == "CONFIRMED"
    text = published.to_ical().decode()
    assert "Robin" not in text and "robin@example.com" not in text
    assert event.start.astimezone(dt.UTC) == dt.datetime(2027, 3, 9, 17, 0, tzinfo=dt.UTC)
    client.post(f"/api/bookings/{token}/reschedule", json={"start": SECOND})
    moved = _calendar(client, token)
    assert moved.events[0]["UID"] == event["UID"] and moved.events[0]["SEQUENCE"] == 1
    assert moved.events[0].start.astimezone(dt.UTC) == dt.datetime(
        2027, 3, 9, 17, 30, tzinfo=dt.UTC
    )
    client.post(f"/api/bookings/{token}/cancel")
    cancelled = _calendar(client, token)
    assert "METHOD" not in cancelled
    assert cancelled.events[0]["UID"] == event["UID"]
    assert cancelled.events[0]["SEQUENCE"] == 2
    assert cancelled.events[0]["STATUS"] == "CANCELLED"
    assert "ORGANIZER" not in cancelled.events[0] and "ATTENDEE" not in cancelled.events[0]
    assert not cancelled.events[0].subcomponents  # no reminder for a cancelled visit
    text = cancelled.to_ical().decode()
    assert "Robin" not in text and "robin@example.com" not in text
    assert client.get("/calendars/bookings/nope.ics").status_code == 404


def test_staff_feed_needs_its_token_and_hides_names(
    service: BookingService, settings: Settings
) -> None:
    import msgspec

    feed = "f" * 40
    with_feed = msgspec.structs.replace(settings, staff_feed_token=feed)
    # the feeds are the booking service's: it is built from the same settings as the app
    service = BookingService(service.directory, with_feed, service.storage, clock=service.clock)
    app = create_app(with_feed, directory=service.directory, bookings=service)
    with TestClient(app) as client:
        book(client)
        assert client.get("/calendars/staff/wrong.ics").status_code == 404
        response = client.get(f"/calendars/staff/{feed}.ics")
        assert response.status_code == 200
        text = response.text
        assert "Booked: informational call" in text
        assert "Robin" not in text and "robin@example.com" not in text
        assert response.headers["content-type"] == "text/calendar; charset=utf-8"
        # PUBLISH: each event names the clinic as ORGANIZER (RFC 5546 §3.2.1), never a person
        calendar = Calendar.from_ical(response.content)
        assert calendar["METHOD"] == "PUBLISH"
        organizers = {str(event["ORGANIZER"]) for event in calendar.events}
        assert organizers == {f"mailto:{settings.mail_from or 'bookings@kat-widgets.invalid'}"}
        assert calendar.events[0]["ORGANIZER"].params["CN"] == "Numinus Draper"
        # its own UIDs (a CalDAV collection may hold the visitor's copy too), a name, a refresh
        feed = Calendar.from_ical(response.content)
        assert str(feed["NAME"]) == str(feed["X-WR-CALNAME"]) == "Numinus Utah: booked visits"
        assert "REFRESH-INTERVAL;VALUE=DURATION:PT15M" in text and "X-PUBLISHED-TTL:PT15M" in text
        assert all(str(event["UID"]).startswith("staff-") for event in feed.events)


def test_calendar_files_say_their_charset_once_and_the_cancelled_one_its_name(
    client: TestClient[Litestar],
) -> None:
    token = token_of(book(client))
    path = f"/calendars/bookings/{calendar_key(SECRET, token)}.ics"
    published = client.get(path)
    assert published.headers["content-type"] == "text/calendar; charset=utf-8"
    assert 'filename="appointment.ics"' in published.headers["content-disposition"]
    assert client.post(f"/api/bookings/{token}/cancel").status_code == 200
    cancelled = client.get(path)
    assert b"STATUS:CANCELLED" in cancelled.content and b"METHOD" not in cancelled.content
    assert cancelled.headers["content-type"] == "text/calendar; charset=utf-8"  # no method=
    # the page links it as download="appointment-cancelled.ics": the answer says the same
    assert 'filename="appointment-cancelled.ics"' in cancelled.headers["content-disposition"]
    assert client.get("/embed.js").headers["content-type"] == "text/javascript; charset=utf-8"


def test_database_unreachable_is_503_with_the_phone_number(
    directory: Any, settings: Settings
) -> None:
    storage = Storage("postgresql://nobody@127.0.0.1:9/none")
    bookings = BookingService(directory, settings, storage, clock=lambda: NOW)
    app = create_app(settings, directory=directory, bookings=bookings)
    with TestClient(app) as client:
        response = client.post("/api/bookings", json=body())
        assert response.status_code == 503
        assert response.json() == {
            "status_code": 503,
            "detail": "Online booking is not available right now. "
            "Please call us at 1-833-NUMINUS (686-4687).",
        }
        assert client.get("/healthz").status_code == 200


def test_a_full_booking_flow_logs_no_personal_data(
    client: TestClient[Litestar], caplog: pytest.LogCaptureFixture
) -> None:
    secret_bits = ["Robin Example", "robin@example.com", "801-555-0142", "private note text"]
    with caplog.at_level(logging.DEBUG):
        answer = book(client, phone="801-555-0142", note="private note text")
        token = token_of(answer)
        client.get(f"/api/bookings/{token}")
        client.get(answer["ics_url"].removeprefix("/widgets"))
        client.post(f"/api/bookings/{token}/reschedule", json={"start": SECOND})
        client.post("/api/bookings", json=body(start=SECOND, note="private note text"))
        client.post("/api/bookings", json=body(email="robin@example", note="private note text"))
        client.post(f"/api/bookings/{token}/cancel")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    logged += "\n".join(str(record.args) for record in caplog.records)
    assert caplog.records, "expected some log output to check"
    for bit in secret_bits:
        assert bit not in logged
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("kat_widgets"))
    assert ours, "expected request log lines from kat_widgets"
    for secret in (token, calendar_key(SECRET, token)):  # the test client's httpx logs URLs
        assert secret not in ours


def test_the_slots_api_no_longer_offers_a_booked_time(client: TestClient[Litestar]) -> None:
    def offered() -> list[str]:
        response = client.get(
            "/api/clinics/draper/slots",
            params={"service": "info-call", "start": "2027-03-09", "end": "2027-03-10"},
        )
        assert response.status_code == 200
        return [slot["start"] for slot in response.json()["slots"]]

    assert FIRST in offered()
    token = token_of(book(client))
    assert FIRST not in offered() and SECOND in offered()
    client.post(f"/api/bookings/{token}/cancel")
    assert FIRST in offered()


def test_demo_page_still_works_when_the_database_is_down(
    directory: Any, settings: Settings
) -> None:
    storage = Storage("postgresql://nobody@127.0.0.1:9/none")
    bookings = BookingService(directory, settings, storage, clock=lambda: NOW)
    app = create_app(settings, directory=directory, bookings=bookings)
    with TestClient(app) as client:
        page = client.get("/")
        assert page.status_code == 200
        assert "Online booking is not available right now" in page.text
        slots = client.get("/api/clinics/draper/slots", params={"service": "info-call"})
        assert slots.status_code == 503


def test_the_calendar_address_opens_the_file_and_nothing_else(
    client: TestClient[Litestar], storage: Storage
) -> None:
    answer = book(client)
    token = token_of(answer)
    ics = answer["ics_url"].removeprefix("/widgets")
    calendar = ics.rsplit("/", 1)[1].removesuffix(".ics")
    assert client.get(ics).status_code == 200
    # the calendar key is not a manage token ...
    assert client.get(f"/api/bookings/{calendar}").status_code == 404
    assert client.get(f"/bookings/{calendar}").status_code == 404
    assert client.post(f"/api/bookings/{calendar}/cancel").status_code == 404
    # the manage token may do more than read, so it opens the file too (older .ics links)
    assert client.get(f"/calendars/bookings/{token}.ics").status_code == 200
    # moving the visit keeps the calendar address; cancelling turns the event CANCELLED
    moved = client.post(f"/api/bookings/{token}/reschedule", json={"start": SECOND})
    assert moved.status_code == 200 and moved.json()["ics_url"] == answer["ics_url"]
    assert client.post(f"/api/bookings/{token}/cancel").status_code == 200
    cancelled = Calendar.from_ical(client.get(ics).content)
    assert str(cancelled.events[0]["STATUS"]) == "CANCELLED" and "METHOD" not in cancelled
    with storage.engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT token_hash, calendar_hash FROM bookings")).one()
    assert calendar not in stored and token not in stored  # only keyed hashes are kept


def test_a_retry_with_the_same_key_gives_the_same_calendar_address(
    client: TestClient[Litestar],
) -> None:
    headers = {"Idempotency-Key": "calendar-retry-1"}
    first = client.post("/api/bookings", json=body(), headers=headers).json()
    again = client.post("/api/bookings", json=body(), headers=headers).json()
    assert again["ics_url"] == first["ics_url"]


def test_bookings_made_before_calendar_keys_open_their_file_by_manage_token(
    client: TestClient[Litestar], storage: Storage
) -> None:
    answer = book(client)
    token = token_of(answer)
    with storage.engine.begin() as conn:
        conn.execute(sa.text("UPDATE bookings SET calendar_hash = NULL"))
    response = client.get(f"/calendars/bookings/{token}.ics")  # the link they were given
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    # opening the booking gives it a calendar key, and the links now emitted work
    viewed = client.get(f"/api/bookings/{token}").json()
    assert viewed["ics_url"] == answer["ics_url"]
    assert client.get(viewed["ics_url"].removeprefix("/widgets")).status_code == 200
    page = client.get(f"/bookings/{token}").text
    assert answer["ics_url"] in page
    assert client.get(f"/calendars/bookings/{token}.ics").status_code == 200


def test_the_apis_refusals_speak_the_visitors_language(client: TestClient[Litestar]) -> None:
    """A partner's own page calling the JSON API shows our messages to its visitors: they
    follow ``?lang=`` or ``Accept-Language`` like the widgets (English otherwise)."""
    spanish = {"Accept-Language": "es-MX,es;q=0.9"}
    token = token_of(book(client))
    too_soon = client.post(
        f"/api/bookings/{token}/reschedule",
        json={"start": "2027-03-08T15:00:00-07:00"},
        headers=spanish,
    )
    assert too_soon.status_code == 422
    assert too_soon.json()["detail"].startswith("En línea, una cita se puede mover")
    assert client.post(f"/api/bookings/{token}/cancel").status_code == 200
    again = client.post(f"/api/bookings/{token}/reschedule?lang=es", json={"start": SECOND})
    assert again.status_code == 409
    assert again.json()["detail"] == "Esta cita fue cancelada; por favor, reserve un nuevo horario."
    missing = client.get("/api/bookings/" + "x" * 43, headers=spanish)
    assert missing.json()["detail"] == "No encontramos una cita para este enlace."
    english = client.get("/api/bookings/" + "x" * 43)
    assert english.json()["detail"] == "We could not find a booking for this link."
