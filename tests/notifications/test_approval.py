"""A service that ``requires_approval`` (#18), with every channel on against loopback peers: the
visitor is told they asked, then that staff confirmed it (with the invitation, their links and
the reminders) or could not; nothing reaches their calendar before it is confirmed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from kat_widgets.booking.staff import StaffService
from kat_widgets.booking.staff_keys import StaffKey
from kat_widgets.scheduling import find_slots
from kat_widgets.services import Services
from tests.notifications.conftest import PUBLIC, deliver_due, visitor
from tests.notifications.peers import SmtpHandler
from tests.notifications.test_lifecycle import DISCREET, _calendar

ROBIN = ["robin@example.com"]


def _first(services: Services, service_id: str, after: dt.datetime) -> dt.datetime:
    found = find_slots(
        services.booking.directory,
        "draper",
        service_id,
        start=after,
        end=after + dt.timedelta(days=7),
        now=services.clock(),
    )
    return found[0].start


def _ready(services: Services) -> tuple[StaffService, StaffKey, str]:
    """Staff key, and a client whose assessment and preparation are marked completed."""
    booking, staff = services.booking, StaffService(services.booking)
    key, _ = staff.create_key(("draper",), ("bookings:write",))
    client_id: str | None = None
    for service_id in ("connect-assessment", "prepare-session"):
        start = _first(services, service_id, services.clock() + dt.timedelta(hours=2))
        done = booking.book(visitor(start, service=service_id), public=False, client_id=client_id)
        client_id = done.booking.client_id
        services.clock.now = done.booking.end + dt.timedelta(minutes=1)  # type: ignore[attr-defined]
        staff.mark(key, done.booking.id, "completed")
    assert client_id is not None
    deliver_due(services)
    return staff, key, client_id


def _to_robin(smtp: tuple[Any, SmtpHandler], since: int) -> list[Any]:
    return [r.message for r in smtp[1].received[since:] if r.rcpt_tos == ROBIN]


def test_a_request_then_its_approval_reach_the_visitor(
    services: Services, smtp: tuple[Any, SmtpHandler], hooks: Any, sms_api: Any
) -> None:
    staff, key, client_id = _ready(services)
    booking = services.booking
    directory = booking.directory
    token, _ = booking.care.issue(
        client_id, directory.clinic("draper"), directory.service("experience-im")
    )
    start = _first(services, "experience-im", services.clock() + dt.timedelta(days=3))
    seen = len(smtp[1].received)
    asked = booking.book(visitor(start, service="experience-im", referral=token))
    assert asked.booking.status == "requested"
    pending = [m for m in booking.storage.outbox.messages(limit=100) if m.status == "pending"]
    assert {m.event for m in pending} == {"requested"}  # no reminder for a request
    assert set(deliver_due(services)) == {"sent"}
    [mail] = _to_robin(smtp, seen)
    assert mail["Subject"].startswith("Appointment requested: ")
    assert not any(word in mail["Subject"].lower() for word in DISCREET)
    kinds = [part.get_content_type() for part in mail.iter_parts()]
    assert kinds == ["text/plain", "text/html"]  # nothing for the calendar yet
    text = mail.get_body(("plain",)).get_content()
    assert "Our care team will review it" in text and f"{PUBLIC}/bookings/{asked.token}" in text
    assert any(b'"booking.requested"' in hit.body for hit in hooks.hits)
    assert "appointment request" in sms_api.hits[-1].body.decode().replace("+", " ")

    seen = len(smtp[1].received)
    approved = staff.approve(key, asked.booking.id)
    assert approved.status == "confirmed"
    events = {m.event for m in booking.storage.outbox.messages(limit=100) if m.status == "pending"}
    assert events == {"approved", "reminder"}
    deliver_due(services)
    [mail] = _to_robin(smtp, seen)
    assert mail["Subject"].startswith("Appointment confirmed: ")
    method, calendar = _calendar(mail)
    assert method == "REQUEST" and str(calendar.events[0]["STATUS"]) == "CONFIRMED"
    assert str(calendar.events[0]["UID"]) == f"{asked.booking.id}@kat-widgets"
    # the links are the visitor's own, though staff approved it (the token was kept sealed)
    assert f"{PUBLIC}/bookings/{asked.token}" in mail.get_body(("plain",)).get_content()
    assert any(b'"booking.approved"' in hit.body for hit in hooks.hits)
    assert booking.storage.held_token(asked.booking.id) is None


def test_a_declined_request_frees_its_time_and_says_to_call(
    services: Services, smtp: tuple[Any, SmtpHandler], hooks: Any
) -> None:
    staff, key, client_id = _ready(services)
    booking = services.booking
    directory = booking.directory
    token, _ = booking.care.issue(
        client_id, directory.clinic("draper"), directory.service("experience-iv")
    )
    start = _first(services, "experience-iv", services.clock() + dt.timedelta(days=3))
    asked = booking.book(visitor(start, service="experience-iv", referral=token))
    held = booking.storage.all_holds()
    asked_holds = [hold for hold in held if hold[2] == start]
    deliver_due(services)
    seen = len(smtp[1].received)
    declined = staff.decline(key, asked.booking.id)
    assert declined.status == "cancelled"
    left = booking.storage.all_holds()
    assert len(left) == len(held) - len(asked_holds) and asked_holds
    assert all(hold[2] != start for hold in left)
    deliver_due(services)
    [mail] = _to_robin(smtp, seen)
    assert mail["Subject"].startswith("Appointment request not confirmed: ")
    assert [p.get_content_type() for p in mail.iter_parts()] == ["text/plain", "text/html"]
    text = mail.get_body(("plain",)).get_content()
    assert "could not confirm" in text and "/bookings/" not in text  # no link to a dead visit
    assert any(b'"booking.declined"' in hit.body for hit in hooks.hits)
    pending = [m for m in booking.storage.outbox.messages(limit=100) if m.status == "pending"]
    assert pending == []
