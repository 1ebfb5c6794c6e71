"""Hostile booking fields, through the JSON API and the plain-form POST, and into calendars.

Every field of ``POST /api/bookings`` and ``POST /fragments/booking`` gets each payload: the
answer may refuse it (422) but never with a 5xx or the payload as markup. A booking that is
accepted with a hostile name or note is then read back through every page and calendar: the
visitor's ``.ics`` never carries the name or note at all, and the staff feed with names on
escapes the name per RFC 5545 (it round-trips through ``icalendar``; no line break in a name
starts a property of its own; lines are folded at 75 octets).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import icalendar
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from kat_widgets import Settings, create_app
from kat_widgets.booking import BookingRecord
from kat_widgets.booking.calendar import staff_feed_ics
from kat_widgets.booking.tokens import calendar_key
from kat_widgets.directory import load_directory
from kat_widgets.settings import BUNDLED_DIRECTORY
from tests.booking.booking_support import booking_body

from .hostile_support import assert_safe
from .payloads import MARKER, PAYLOADS

FEED = "t" * 40
FIELDS = ["clinic_id", "service", "start", "name", "email", "phone", "note"]
# names a staff calendar must carry as text, not as iCalendar syntax
ICAL_NAMES = [
    "Robin\r\nATTENDEE:mailto:evil@example.com",
    "Robin\nEND:VEVENT\nBEGIN:VEVENT\nSUMMARY:injected",
    "Robin; Example, \\n: DESCRIPTION:x \\",
    "Zoë ✓ " + "long name " * 12,
]


class Slots:
    """Each booking takes the first slot still open (asked of the server), clinic after clinic."""

    def __init__(self) -> None:
        self.client: TestClient[Litestar] | None = None
        self.turn = 0

    def body(self, **changes: Any) -> dict[str, Any]:
        assert self.client is not None
        clinic = ("draper", "murray", "layton", "springville", "american-fork")[self.turn % 5]
        self.turn += 1
        now = dt.datetime.now(dt.UTC)
        answer = self.client.get(
            f"/api/clinics/{clinic}/slots",
            params={
                "service": "info-call",
                "start": (now + dt.timedelta(hours=2)).isoformat(),
                "end": (now + dt.timedelta(days=40)).isoformat(),
            },
        ).json()
        start = dt.datetime.fromisoformat(answer["slots"][0]["start"])
        return {**booking_body(clinic, start), **changes}


@pytest.fixture
def slots(client: TestClient[Litestar]) -> Slots:
    found = Slots()
    found.client = client
    return found


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient[Litestar]]:
    settings = Settings(
        data_dir=str(tmp_path_factory.mktemp("hostile-booking")),
        secret_key="h" * 40,
        staff_feed_token=FEED,
        staff_feed_names=True,
        rate_limit_store="off",
    )
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def _token(answer: dict[str, Any]) -> str:
    return str(answer["manage_url"]).rsplit("/", 1)[1]


def _read_back(client: TestClient[Litestar], token: str, where: str) -> None:
    """Every place the booking shows up again: JSON, manage page, visitor .ics."""
    for url in (
        f"/api/bookings/{token}",
        f"/bookings/{token}",
        f"/bookings/{token}?done=cancelled",
        f"/calendars/bookings/{calendar_key('h' * 40, token)}.ics",
    ):
        response = client.get(url)
        assert response.status_code == 200, (where, url)
        assert_safe(response, f"{where} -> {url}")
    visitor_ics = client.get(f"/calendars/bookings/{calendar_key('h' * 40, token)}.ics").text
    assert MARKER not in visitor_ics and "Robin" not in visitor_ics, where
    for event in icalendar.Calendar.from_ical(visitor_ics).walk("VEVENT"):
        assert MARKER not in str(event["SUMMARY"]), where


@pytest.mark.parametrize("field", FIELDS)
def test_json_booking_fields(client: TestClient[Litestar], slots: Slots, field: str) -> None:
    for payload in PAYLOADS:
        body = slots.body()
        for value in (payload, f"{body.get(field, '')}{payload}"):
            response = client.post("/api/bookings", json={**body, field: value})
            where = f"POST /api/bookings {field}={value!r}"
            assert_safe(response, where)
            if response.status_code == 201:
                _read_back(client, _token(response.json()), where)
                body = slots.body()  # that slot is taken now


def test_json_booking_with_a_hostile_idempotency_key_and_consent(
    client: TestClient[Litestar], slots: Slots
) -> None:
    for payload in PAYLOADS:
        body = slots.body()
        for changes, headers in (
            ({"consent": payload}, {}),
            ({}, {"Idempotency-Key": payload.encode("utf-8")}),
            ({"extra": payload}, {}),
        ):
            response = client.post("/api/bookings", json={**body, **changes}, headers=headers)
            assert_safe(response, f"{changes} {headers}")


@pytest.mark.parametrize("field", [*FIELDS, "consent", "idempotency_key"])
@pytest.mark.parametrize("page", [False, True], ids=["fragment", "page"])
def test_plain_form_booking_fields(
    client: TestClient[Litestar], slots: Slots, field: str, page: bool
) -> None:
    headers = {"Sec-Fetch-Dest": "document"} if page else {}
    for payload in PAYLOADS:
        form = {**slots.body(), "consent": "yes"}
        form[field] = payload
        response = client.post("/fragments/booking", data=form, headers=headers)
        where = f"POST /fragments/booking {field}={payload!r}"
        assert_safe(response, where)
        html = "text/html" in response.headers["content-type"]
        # no form can be drawn for an unknown clinic or service or a malformed start
        problem_page = "kat-problem" in response.text
        if html and response.status_code in (409, 422) and not problem_page:
            # the form again, input kept but inert
            assert MARKER in response.text or field in ("consent", "idempotency_key"), where
        if problem_page:  # a whole page when a browser navigated, else a fragment
            assert field in ("clinic_id", "service", "start"), where
            assert ("<!doctype html>" in response.text) == page, where
            assert response.status_code in (404, 422), where
        if response.status_code == 201:
            assert "/bookings/" in response.text, where


def test_manage_forms_with_hostile_input(client: TestClient[Litestar], slots: Slots) -> None:
    answer = client.post("/api/bookings", json=slots.body()).json()
    token = _token(answer)
    for payload in PAYLOADS:
        for url, data in (
            (f"/bookings/{token}/reschedule", {"start": payload}),
            (f"/api/bookings/{token}/reschedule", None),
        ):
            if data is None:
                response = client.post(url, json={"start": payload})
            else:
                response = client.post(url, data=data)
            assert_safe(response, f"{url} {payload!r}")
        paged = client.get(f"/bookings/{token}", params={"after": payload})
        assert_safe(paged, f"/bookings/<token>?after={payload!r}")
        assert paged.status_code == 422, payload


def _feed_lines_and_events(raw: bytes) -> list[icalendar.Event]:
    for line in raw.split(b"\r\n"):
        assert len(line) <= 75, line  # folded (RFC 5545 3.1)
        assert not line.startswith((b"ATTENDEE", b"SUMMARY:injected", b"X-INJECTED")), line
    events: list[icalendar.Event] = icalendar.Calendar.from_ical(raw).walk("VEVENT")
    assert all("ATTENDEE" not in event for event in events)
    return events


@pytest.mark.parametrize("name", [*ICAL_NAMES, *PAYLOADS])
def test_staff_feed_escapes_names_per_rfc_5545(
    client: TestClient[Litestar], slots: Slots, name: str
) -> None:
    response = client.post("/api/bookings", json=slots.body(name=name))
    if any(ch in name for ch in "\r\n"):  # a name is one line: refused before any calendar
        assert response.status_code == 422
        assert response.json()["field"] == "name"
        return
    assert response.status_code == 201, response.text
    booking_id = response.json()["booking"]["id"]
    feed = client.get(f"/calendars/staff/{FEED}.ics")
    assert feed.status_code == 200
    events = _feed_lines_and_events(feed.content)
    ours = [e for e in events if str(e["UID"]) == f"staff-{booking_id}@kat-widgets"]
    assert len(ours) == 1  # no event smuggled in by the name
    assert str(ours[0]["SUMMARY"]) == f"Booked: informational call ({name.strip()})"


def test_staff_feed_keeps_a_stored_multi_line_name_on_one_line() -> None:
    """Defence in depth: a name stored before validation refused line breaks."""
    now = dt.datetime.now(dt.UTC)
    record = BookingRecord(
        id="b1",
        clinic_id="draper",
        service_id="info-call",
        start=now + dt.timedelta(days=1),
        end=now + dt.timedelta(days=1, minutes=20),
        status="confirmed",
        sequence=0,
        token_hash="x",
        name="Robin\r\nATTENDEE:mailto:evil@example.com\nEND:VEVENT",
        email=None,
        phone=None,
        note=None,
        created_at=now,
        updated_at=now,
    )
    raw = staff_feed_ics([record], load_directory(BUNDLED_DIRECTORY), now=now, show_names=True)
    (event,) = _feed_lines_and_events(raw)
    assert str(event["SUMMARY"]) == (
        "Booked: informational call (Robin ATTENDEE:mailto:evil@example.com END:VEVENT)"
    )


@pytest.mark.parametrize("field", ["name", "note", "email"])
def test_a_nul_or_control_character_is_a_422_not_a_database_error(
    client: TestClient[Litestar], slots: Slots, field: str
) -> None:
    body = slots.body()
    response = client.post("/api/bookings", json={**body, field: f"{body.get(field, 'x')}\x00"})
    assert response.status_code == 422
    assert response.json()["field"] == field
