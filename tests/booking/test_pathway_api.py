"""The care pathway enforced in the booking transaction (#18), through the HTTP API, on SQLite
and PostgreSQL: client records, referral links from staff and from the manage page, and the
rules (completed steps, calendar-day spacing across a DST change, "after" from the end).

The app books through ``service`` (tests/booking/conftest.py), whose clock the tests move. It
starts on Monday 8 March 2027, 08:00 in Utah; daylight saving time starts on Sunday the 14th.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import TestClient

from kat_widgets.booking import BookingService
from kat_widgets.booking.staff import StaffService
from kat_widgets.booking.storage import Storage
from kat_widgets.errors import PathwayError
from kat_widgets.scheduling import find_slots
from tests.booking.conftest import Clock

PHONE = "686-4687"


@pytest.fixture
def root_path() -> str:
    return "/widgets"  # links in the answers carry the mount prefix


@pytest.fixture
def staff(service: BookingService) -> StaffService:
    return StaffService(service)


@pytest.fixture
def writer(staff: StaffService) -> dict[str, str]:
    text = staff.create_key(("draper",), ("bookings:read", "bookings:write"))[1]
    return {"Authorization": f"Bearer {text}"}


def open_starts(service: BookingService, service_id: str, day: dt.date) -> list[str]:
    """The open starts of ``service_id`` at Draper on ``day``, as the API writes them."""
    zone = service.directory.clinic("draper").zone
    begin = dt.datetime.combine(day, dt.time(0), zone)
    found = find_slots(
        service.directory,
        "draper",
        service_id,
        start=begin,
        end=begin + dt.timedelta(days=1),
        now=service.clock(),
    )
    return [s.start.astimezone(zone).isoformat() for s in found]


def slot(service: BookingService, service_id: str, day: dt.date, hour: int | None = None) -> str:
    """The first open start of ``service_id`` at Draper on ``day`` (at ``hour``, local)."""
    starts = [
        start
        for start in open_starts(service, service_id, day)
        if hour is None or dt.datetime.fromisoformat(start).hour == hour
    ]
    assert starts, (service_id, day, hour)
    return starts[0]


def body(service_id: str, start: str, **changes: Any) -> dict[str, Any]:
    return {
        "clinic_id": "draper",
        "service": service_id,
        "start": start,
        "name": "Robin Example",
        "email": "robin@example.com",
        "consent": True,
        **changes,
    }


def staff_book(
    client: TestClient[Litestar], writer: dict[str, str], service_id: str, start: str, **more: Any
) -> dict[str, Any]:
    made = client.post("/api/staff/bookings", json=body(service_id, start, **more), headers=writer)
    assert made.status_code == 201, made.text
    answer: dict[str, Any] = made.json()
    return answer


def complete(
    client: TestClient[Litestar], writer: dict[str, str], clock: Clock, booked: dict[str, Any]
) -> None:
    """Let the visit end, then mark it completed as staff do."""
    clock.now = max(clock.now, dt.datetime.fromisoformat(booked["end"]) + dt.timedelta(minutes=1))
    marked = client.post(
        f"/api/staff/bookings/{booked['id']}/status", json={"status": "completed"}, headers=writer
    )
    assert marked.status_code == 200, marked.text


def refer(
    client: TestClient[Litestar], writer: dict[str, str], service_id: str, **more: Any
) -> str:
    made = client.post(
        "/api/staff/referrals",
        json={"clinic_id": "draper", "service": service_id, **more},
        headers=writer,
    )
    assert made.status_code == 201, made.text
    url = str(made.json()["url"])
    assert url.startswith("/widgets/referrals/") and service_id not in url
    return url.rsplit("/", 1)[1]


def ready_for_dosing(
    client: TestClient[Litestar],
    writer: dict[str, str],
    clock: Clock,
    service: BookingService,
    day: dt.date = dt.date(2027, 3, 9),
) -> str:
    """A client with a completed assessment (on ``day``) and preparation (the day after)."""
    connect = staff_book(
        client, writer, "connect-assessment", slot(service, "connect-assessment", day)
    )
    complete(client, writer, clock, connect)
    client_id = str(connect["client_id"])
    prepare = staff_book(
        client,
        writer,
        "prepare-session",
        slot(service, "prepare-session", day + dt.timedelta(days=1)),
        client_id=client_id,
    )
    complete(client, writer, clock, prepare)
    return client_id


def test_each_step_waits_for_the_one_before_it_to_be_completed(
    client: TestClient[Litestar], writer: dict[str, str], clock: Clock, service: BookingService
) -> None:
    connect = staff_book(
        client,
        writer,
        "connect-assessment",
        slot(service, "connect-assessment", dt.date(2027, 3, 9)),
    )
    client_id = connect["client_id"]
    assert len(client_id) == 32
    # a referral for the preparation session, before the assessment happened: refused
    token = refer(client, writer, "prepare-session", booking_id=connect["id"])
    start = slot(service, "prepare-session", dt.date(2027, 3, 11))
    early = client.post("/api/bookings", json=body("prepare-session", start, referral=token))
    assert early.status_code == 422, early.text
    detail = early.json()["detail"]
    assert "Your assessment needs to come first" in detail and PHONE in detail
    # attended is not completed: only staff saying "completed" opens the next step
    clock.now = dt.datetime.fromisoformat(connect["end"]) + dt.timedelta(minutes=1)
    attended = client.post(
        f"/api/staff/bookings/{connect['id']}/status", json={"status": "attended"}, headers=writer
    )
    assert attended.status_code == 200
    still = client.post("/api/bookings", json=body("prepare-session", start, referral=token))
    assert still.status_code == 422
    complete(client, writer, clock, connect)
    booked = client.post("/api/bookings", json=body("prepare-session", start, referral=token))
    assert booked.status_code == 201, booked.text
    # the dosing session needs the preparation completed too, in the visitor's words
    dosing = refer(client, writer, "experience-im", client_id=client_id)
    later = slot(service, "experience-im", dt.date(2027, 3, 16))
    refused = client.post("/api/bookings", json=body("experience-im", later, referral=dosing))
    assert refused.status_code == 422
    assert refused.json()["detail"].startswith("Your preparation session needs to come first.")
    # staff see one client across the bookings
    listed = client.get(
        "/api/staff/bookings",
        params={"clinic": "draper", "start": "2027-03-09", "end": "2027-03-11"},
        headers=writer,
    ).json()["bookings"]
    assert {b["client_id"] for b in listed} == {client_id}


def test_dosing_sessions_are_seven_calendar_days_apart_across_the_dst_change(
    client: TestClient[Litestar], writer: dict[str, str], clock: Clock, service: BookingService
) -> None:
    client_id = ready_for_dosing(client, writer, clock, service)
    token = refer(client, writer, "experience-im", client_id=client_id)
    thursday = slot(service, "experience-im", dt.date(2027, 3, 11), hour=13)
    first = client.post("/api/bookings", json=body("experience-im", thursday, referral=token))
    assert first.status_code == 201, first.text
    # six days later: refused; the next Thursday, 167 hours later across the change: allowed
    wednesday = slot(service, "experience-im", dt.date(2027, 3, 17), hour=13)
    six = client.post("/api/bookings", json=body("experience-im", wednesday, referral=token))
    assert six.status_code == 422
    assert "at least 7 days between them" in six.json()["detail"]
    next_thursday = slot(service, "experience-im", dt.date(2027, 3, 18), hour=13)
    gap = dt.datetime.fromisoformat(next_thursday) - dt.datetime.fromisoformat(thursday)
    assert gap == dt.timedelta(hours=167)  # an hours-based "7 days" would refuse it
    seven = client.post("/api/bookings", json=body("experience-im", next_thursday, referral=token))
    assert seven.status_code == 201, seven.text
    # another route of the same step counts too (same step, not same service)
    oral = refer(client, writer, "experience-oral", client_id=client_id)
    friday = slot(service, "experience-oral", dt.date(2027, 3, 12))
    other = client.post("/api/bookings", json=body("experience-oral", friday, referral=oral))
    assert other.status_code == 422


def test_integration_is_after_the_end_of_the_dosing_session_not_its_start(
    client: TestClient[Litestar], writer: dict[str, str], clock: Clock, service: BookingService
) -> None:
    client_id = ready_for_dosing(client, writer, clock, service)
    dosing = staff_book(
        client,
        writer,
        "experience-im",
        slot(service, "experience-im", dt.date(2027, 3, 11), hour=9),
        client_id=client_id,
    )
    token = refer(client, writer, "integrate-session", client_id=client_id)
    start = dt.datetime.fromisoformat(dosing["start"])
    end = dt.datetime.fromisoformat(dosing["end"])
    assert end - start == dt.timedelta(minutes=120)
    during = start + dt.timedelta(minutes=30)  # 30 minutes into the dosing session
    assert during.isoformat() in open_starts(service, "integrate-session", dt.date(2027, 3, 11))
    refused = client.post(
        "/api/bookings", json=body("integrate-session", during.isoformat(), referral=token)
    )
    assert refused.status_code == 422
    assert "in the 14 days after a ketamine session" in refused.json()["detail"]
    after = slot(service, "integrate-session", dt.date(2027, 3, 11), hour=15)
    booked = client.post("/api/bookings", json=body("integrate-session", after, referral=token))
    assert booked.status_code == 201, booked.text
    # fifteen days after the session ended: past the window
    late = slot(service, "integrate-session", dt.date(2027, 3, 26))
    too_late = client.post("/api/bookings", json=body("integrate-session", late, referral=token))
    assert too_late.status_code == 422


def test_moving_a_dosing_session_checks_the_pathway_again(
    client: TestClient[Litestar], writer: dict[str, str], clock: Clock, service: BookingService
) -> None:
    client_id = ready_for_dosing(client, writer, clock, service)
    token = refer(client, writer, "experience-im", client_id=client_id)
    first = client.post(
        "/api/bookings",
        json=body(
            "experience-im", slot(service, "experience-im", dt.date(2027, 3, 11)), referral=token
        ),
    )
    assert first.status_code == 201
    second = client.post(
        "/api/bookings",
        json=body(
            "experience-im", slot(service, "experience-im", dt.date(2027, 3, 18)), referral=token
        ),
    )
    assert second.status_code == 201
    manage = str(second.json()["manage_url"]).rsplit("/", 1)[1]
    closer = slot(service, "experience-im", dt.date(2027, 3, 15))
    moved = client.post(f"/api/bookings/{manage}/reschedule", json={"start": closer})
    assert moved.status_code == 422 and "7 days" in moved.json()["detail"]
    # its own old time does not count against it: a move within the same day is fine
    same_day = slot(service, "experience-im", dt.date(2027, 3, 18), hour=13)
    assert (
        client.post(f"/api/bookings/{manage}/reschedule", json={"start": same_day}).status_code
        == 200
    )


def test_referral_links_that_cannot_be_used_say_so_with_the_number(
    client: TestClient[Litestar], writer: dict[str, str], clock: Clock, service: BookingService
) -> None:
    token = refer(client, writer, "prepare-session", days=2)
    start = slot(service, "prepare-session", dt.date(2027, 3, 11))
    other = client.post("/api/bookings", json=body("connect-assessment", start, referral=token))
    assert other.status_code == 422 and "for another visit" in other.json()["detail"]
    forged = client.post("/api/bookings", json=body("prepare-session", start, referral="x" * 43))
    assert forged.status_code == 422 and "not valid" in forged.json()["detail"]
    page = client.get("/referrals/" + "y" * 43, headers={"Sec-Fetch-Dest": "document"})
    assert page.status_code == 422 and "text/html" in page.headers["content-type"]
    assert "not valid" in page.text and PHONE in page.text
    clock.now += dt.timedelta(days=2)
    expired = client.get(f"/referrals/{token}", headers={"Sec-Fetch-Dest": "document"})
    assert expired.status_code == 422 and "has expired" in expired.text and PHONE in expired.text


def test_staff_referrals_refuse_what_a_key_may_not_do(
    client: TestClient[Litestar], writer: dict[str, str], staff: StaffService, storage: Storage
) -> None:
    path, wanted = "/api/staff/referrals", {"clinic_id": "draper", "service": "prepare-session"}
    assert client.post(path, json=wanted).status_code == 401
    reader = staff.create_key(("draper",), ("bookings:read",))[1]
    assert (
        client.post(path, json=wanted, headers={"Authorization": f"Bearer {reader}"}).status_code
        == 403
    )
    murray = wanted | {"clinic_id": "murray"}
    assert client.post(path, json=murray, headers=writer).status_code == 403
    assert (
        client.post(path, json=wanted | {"service": "nothing"}, headers=writer).status_code == 404
    )
    assert client.post(path, json=wanted | {"days": 0}, headers=writer).status_code == 400
    assert client.post(path, json=wanted | {"client_id": "me"}, headers=writer).status_code == 422
    assert (
        client.post(path, json=wanted | {"booking_id": "0" * 32}, headers=writer).status_code == 404
    )
    made = client.post(path, json=wanted, headers=writer)
    assert made.status_code == 201 and made.headers["cache-control"] == "no-store"
    token = made.json()["url"].rsplit("/", 1)[1]
    with storage.engine.connect() as conn:
        stored = [tuple(row) for row in conn.execute(sa.text("SELECT * FROM referrals"))]
        audit = [
            tuple(row) for row in conn.execute(sa.text("SELECT action, clinic_id FROM audit_log"))
        ]
    assert len(stored) == 1 and all(token not in str(value) for value in stored[0])
    assert ("referrals.create", "draper") in audit


def test_the_manage_page_offers_the_next_step_once_staff_completed_the_one_before(
    client: TestClient[Litestar], writer: dict[str, str], clock: Clock, service: BookingService
) -> None:
    connect = client.post(
        "/api/staff/bookings",
        json=body("connect-assessment", slot(service, "connect-assessment", dt.date(2027, 3, 9))),
        headers=writer,
    ).json()
    # the visitor's own manage link: staff booking sends it by email; read it from the store
    done = service.book(
        msgspec_request("info-call", slot(service, "info-call", dt.date(2027, 3, 9))),
        client_id=connect["client_id"],
    )
    page = client.get(f"/bookings/{done.token}")
    assert page.status_code == 200 and "Your next step" not in page.text
    complete(client, writer, clock, connect)
    page = client.get(f"/bookings/{done.token}")
    assert "Your next step" in page.text and "Prepare: preparation session" in page.text
    assert 'value="experience-im"' not in page.text  # preparation comes first
    moved = client.post(
        f"/bookings/{done.token}/next",
        data={"service": "prepare-session"},
        follow_redirects=False,
    )
    assert moved.status_code == 303, moved.text
    where = moved.headers["location"]
    assert where.startswith("/widgets/referrals/") and "prepare" not in where
    token = where.rsplit("/", 1)[1]
    times = client.get(f"/referrals/{token}")
    assert times.status_code == 200 and "Your next step: Prepare" in times.text
    start = slot(service, "prepare-session", dt.date(2027, 3, 11))
    form = client.get(f"/referrals/{token}", params={"start": start})
    assert f'name="referral" value="{token}"' in form.text
    posted = client.post(
        "/fragments/booking",
        data={
            "clinic_id": "draper",
            "service": "prepare-session",
            "start": start,
            "name": "Robin Example",
            "email": "robin@example.com",
            "consent": "yes",
            "referral": token,
        },
    )
    assert posted.status_code == 201, posted.text
    # a service that is not a next step is refused, on a page with the number
    wrong = client.post(
        f"/bookings/{done.token}/next",
        data={"service": "experience-iv"},
        headers={"Sec-Fetch-Dest": "document"},
        follow_redirects=False,
    )
    assert wrong.status_code == 422 and PHONE in wrong.text


def msgspec_request(service_id: str, start: str) -> Any:
    from kat_widgets.booking import BookingRequest

    return BookingRequest(
        clinic_id="draper",
        service=service_id,
        start=dt.datetime.fromisoformat(start),
        name="Robin Example",
        email="robin@example.com",
        consent=True,
    )


def test_two_dosing_sessions_booked_at_once_for_one_client_one_wins(
    client: TestClient[Litestar],
    writer: dict[str, str],
    clock: Clock,
    service: BookingService,
    staff: StaffService,
) -> None:
    client_id = ready_for_dosing(client, writer, clock, service)
    token, _ = service.care.issue(
        client_id, service.directory.clinic("draper"), service.directory.service("experience-im")
    )
    days = [dt.date(2027, 3, 15), dt.date(2027, 3, 16), dt.date(2027, 3, 17), dt.date(2027, 3, 18)]
    requests = [
        msgspec_request("experience-im", slot(service, "experience-im", day)) for day in days
    ]
    gate = threading.Barrier(len(requests))
    outcomes: list[str] = []

    def attempt(request: Any) -> None:
        import msgspec

        gate.wait()
        try:
            service.book(msgspec.structs.replace(request, referral=token))
            outcomes.append("booked")
        except PathwayError:
            outcomes.append("refused")

    threads = [threading.Thread(target=attempt, args=(r,)) for r in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["booked", "refused", "refused", "refused"]
    history = service.storage.clients.history(client_id)
    assert sum(entry.service_id == "experience-im" for entry in history) == 1


def test_a_refusal_speaks_the_visitors_language(
    client: TestClient[Litestar], writer: dict[str, str], service: BookingService
) -> None:
    token = refer(client, writer, "prepare-session")
    start = slot(service, "prepare-session", dt.date(2027, 3, 11))
    refused = client.post(
        "/api/bookings",
        json=body("prepare-session", start, referral=token, language="es"),
        headers={"Accept-Language": "es"},
    )
    assert refused.status_code == 422
    assert refused.json()["detail"].startswith(
        "Primero necesita su evaluación. Por favor, llámenos"
    )


def test_a_dosing_session_is_a_request_until_staff_approve_or_decline_it(
    client: TestClient[Litestar],
    writer: dict[str, str],
    clock: Clock,
    service: BookingService,
    staff: StaffService,
) -> None:
    client_id = ready_for_dosing(client, writer, clock, service)
    token = refer(client, writer, "experience-im", client_id=client_id)
    start = slot(service, "experience-im", dt.date(2027, 3, 16), hour=9)
    asked = client.post("/api/bookings", json=body("experience-im", start, referral=token))
    assert asked.status_code == 201, asked.text
    request = asked.json()["booking"]
    assert request["status"] == "requested"
    manage = str(asked.json()["manage_url"]).rsplit("/", 1)[1]
    page = client.get(f"/bookings/{manage}")
    assert "Requested: our care team will confirm it" in page.text
    # its time is held: nobody else gets it meanwhile
    other = ready_for_dosing(client, writer, clock, service, dt.date(2027, 3, 11))
    taken = client.post(
        "/api/staff/bookings", json=body("experience-im", start, client_id=other), headers=writer
    )
    assert taken.status_code == 409
    listed = client.get(
        "/api/staff/bookings",
        params={"clinic": "draper", "start": "2027-03-16"},
        headers=writer,
    ).json()["bookings"]
    booking_id = next(b["id"] for b in listed if b["status"] == "requested")
    path = f"/api/staff/bookings/{booking_id}"
    reader = staff.create_key(("draper",), ("bookings:read",))[1]
    refused = client.post(f"{path}/approve", headers={"Authorization": f"Bearer {reader}"})
    assert refused.status_code == 403
    assert client.post(f"{path}/approve").status_code == 401
    murray = staff.create_key(("murray",), ("bookings:write",))[1]
    elsewhere = client.post(f"{path}/approve", headers={"Authorization": f"Bearer {murray}"})
    assert elsewhere.status_code == 403
    clock.now = dt.datetime.fromisoformat(start) + dt.timedelta(hours=3)
    marked = client.post(f"{path}/status", json={"status": "attended"}, headers=writer)
    assert marked.status_code == 409 and "approve it first" in marked.json()["detail"]
    late = client.post(f"{path}/approve", headers=writer)
    assert late.status_code == 409 and "already started" in late.json()["detail"]
    clock.now = dt.datetime.fromisoformat(start) - dt.timedelta(days=2)
    approved = client.post(f"{path}/approve", headers=writer)
    assert approved.status_code == 200 and approved.json()["status"] == "confirmed"
    again = client.post(f"{path}/approve", headers=writer)
    assert again.status_code == 409 and "not a request" in again.json()["detail"]
    assert client.post(f"{path}/decline", headers=writer).status_code == 409
    assert "Status: <strong>Confirmed" in client.get(f"/bookings/{manage}").text

    # a second request, declined: its time is free again, and it is cancelled for good
    later = slot(service, "experience-im", dt.date(2027, 3, 23), hour=9)
    second = client.post("/api/bookings", json=body("experience-im", later, referral=token))
    assert second.status_code == 201 and second.json()["booking"]["status"] == "requested"
    second_id = next(
        b["id"]
        for b in client.get(
            "/api/staff/bookings",
            params={"clinic": "draper", "start": "2027-03-23"},
            headers=writer,
        ).json()["bookings"]
        if b["status"] == "requested"
    )
    declined = client.post(f"/api/staff/bookings/{second_id}/decline", headers=writer)
    assert declined.status_code == 200 and declined.json()["status"] == "cancelled"
    cancelled = client.post(f"/api/staff/bookings/{second_id}/approve", headers=writer)
    assert cancelled.status_code == 409 and "cancelled" in cancelled.json()["detail"]
    freed = client.post(
        "/api/staff/bookings", json=body("experience-im", later, client_id=other), headers=writer
    )
    assert freed.status_code == 201 and freed.json()["status"] == "confirmed"  # staff: no request
    actions = [line.action for line in staff.audit_lines(days=365)]
    assert actions.count("bookings.approve") == 1 and actions.count("bookings.decline") == 1
