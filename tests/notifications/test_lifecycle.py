"""The life of a booking after the 201: what is queued with each change, and what arrives."""

from __future__ import annotations

import datetime as dt
from typing import Any

import icalendar
import pytest
import sqlalchemy as sa
from standardwebhooks.webhooks import Webhook

from kat_widgets.booking.models import Outgoing
from kat_widgets.services import Services
from tests.booking.booking_support import at
from tests.booking.test_storage import new
from tests.notifications.conftest import PUBLIC, STAFF, WEBHOOK_SECRET, deliver_due, visitor
from tests.notifications.peers import SmtpHandler

DISCREET = ("ketamine", "experience", "therapy", "iv", "anxious", "depress")


def _rows(services: Services) -> list[tuple[str, str, str]]:
    outbox = services.booking.storage.outbox
    return sorted((m.event, m.channel, m.status) for m in outbox.messages(limit=1000))


def _calendar(message: Any) -> tuple[str, icalendar.Calendar]:
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    part = parts[0]
    return part.get_param("method"), icalendar.Calendar.from_ical(part.get_content())


def test_a_booking_queues_its_messages_in_its_own_transaction(services: Services) -> None:
    done = services.booking.book(visitor())
    assert _rows(services) == sorted(
        [
            ("created", "email", "pending"),
            ("created", "sms", "pending"),
            ("created", "staff-email", "pending"),
            ("created", "webhook", "pending"),
            ("reminder", "email", "pending"),
            ("reminder", "email", "pending"),
            ("reminder", "sms", "pending"),
            ("reminder", "sms", "pending"),
        ]
    )
    reminders = [
        m.due_at
        for m in services.booking.storage.outbox.messages(limit=100)
        if m.event == "reminder"
    ]
    start = done.booking.start
    assert sorted(set(reminders)) == [start - dt.timedelta(hours=24), start - dt.timedelta(hours=2)]


def test_a_change_that_rolls_back_queues_nothing(services: Services) -> None:
    storage = services.booking.storage
    twice = Outgoing(id="d" * 32, event="created", channel="webhook", due_at=at(9, 9))
    with pytest.raises(sa.exc.IntegrityError):
        storage.create(new(at(9, 10)), now=at(8, 9), messages=[twice, twice])
    assert storage.all_holds() == [] and storage.outbox.messages() == []


def test_no_channel_for_what_the_visitor_did_not_give(services: Services) -> None:
    services.booking.book(visitor(email=None, sms_reminders=False))
    channels = {channel for _, channel, _ in _rows(services)}
    assert channels == {"staff-email", "webhook"}  # no email, and no texts without a yes


def test_confirmation_reschedule_and_cancel_arrive_as_imip(
    services: Services, smtp: tuple[Any, SmtpHandler]
) -> None:
    booking = services.booking
    done = booking.book(visitor())
    assert set(deliver_due(services)) == {"sent"}
    to_visitor = [r for r in smtp[1].received if r.rcpt_tos == ["robin@example.com"]]
    assert len(to_visitor) == 1
    mail = to_visitor[0].message
    assert mail.get_content_type() == "multipart/alternative"
    kinds = [part.get_content_type() for part in mail.iter_parts()]
    assert kinds == ["text/plain", "text/html", "text/calendar"]
    method, calendar = _calendar(mail)
    assert method == "REQUEST" and calendar["METHOD"] == "REQUEST"
    event = calendar.events[0]
    uid = f"{done.booking.id}@kat-widgets"
    assert str(event["UID"]) == uid and int(event["SEQUENCE"]) == 0
    assert str(event["ORGANIZER"]) == "mailto:bookings@clinic.example"
    assert str(event["ATTENDEE"]) == "mailto:robin@example.com"
    assert done.booking.start == event.DTSTART
    subject = mail["Subject"].lower()
    assert not any(word in subject for word in DISCREET), subject
    text = mail.get_body(("plain",)).get_content()
    assert f"{PUBLIC}/bookings/{done.token}" in text
    assert "anxious" not in to_visitor[0].raw.decode("utf-8", "replace").lower()
    message_ids = {r.message["Message-ID"] for r in smtp[1].received}
    assert all(mid.endswith("@clinic.example>") for mid in message_ids)

    moved = booking.reschedule(done.token, at(10, 11))
    deliver_due(services)
    method, calendar = _calendar(_to_visitor(smtp)[-1])
    assert method == "REQUEST" and int(calendar.events[0]["SEQUENCE"]) == moved.sequence == 1
    assert str(calendar.events[0]["UID"]) == uid
    assert at(10, 11) == calendar.events[0].DTSTART

    booking.cancel(done.token)
    deliver_due(services)
    assert len(_to_visitor(smtp)) == 3
    method, calendar = _calendar(_to_visitor(smtp)[-1])
    assert method == "CANCEL" and calendar["METHOD"] == "CANCEL"
    assert str(calendar.events[0]["UID"]) == uid and int(calendar.events[0]["SEQUENCE"]) == 2
    assert str(calendar.events[0]["STATUS"]) == "CANCELLED"


def _to_visitor(smtp: tuple[Any, SmtpHandler]) -> list[Any]:
    return [r.message for r in smtp[1].received if r.rcpt_tos == ["robin@example.com"]]


def test_staff_alert_is_discreet_and_carries_the_staff_calendar(
    services: Services, smtp: tuple[Any, SmtpHandler]
) -> None:
    services.booking.book(visitor())
    deliver_due(services)
    alerts = [r for r in smtp[1].received if r.rcpt_tos == [STAFF]]
    assert len(alerts) == 1
    mail = alerts[0].message
    assert "anxious" not in alerts[0].raw.decode("utf-8", "replace")  # notes are off by default
    assert not any(word in mail["Subject"].lower() for word in DISCREET)
    attachment = next(mail.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    calendar = icalendar.Calendar.from_ical(attachment.get_content())
    assert calendar["METHOD"] == "PUBLISH"
    # PUBLISH names an ORGANIZER (RFC 5546 §3.2.1): the clinic at the sender address
    assert str(calendar.events[0]["ORGANIZER"]) == "mailto:bookings@clinic.example"
    assert "Robin" not in str(calendar.events[0]["SUMMARY"])


def test_webhooks_are_signed_per_standard_webhooks_and_carry_no_personal_data(
    services: Services, hooks: Any
) -> None:
    done = services.booking.book(visitor())
    services.booking.cancel(done.token)
    deliver_due(services)
    verifier = Webhook(WEBHOOK_SECRET)
    events = []
    for hit in hooks.hits:
        payload = verifier.verify(hit.body, hit.headers)  # raises if the signature is wrong
        events.append(payload["type"])
        text = hit.body.decode()
        for personal in ("Robin", "robin@example.com", "801-555-0123", "anxious"):
            assert personal not in text
        assert payload["data"]["booking_id"] == done.booking.id
        assert hit.headers["webhook-id"] and hit.headers["webhook-timestamp"]
    assert sorted(events) == ["booking.cancelled", "booking.created"]
    ids = [hit.headers["webhook-id"] for hit in hooks.hits]
    assert len(set(ids)) == len(ids)


def test_texts_reach_the_twilio_api_and_a_refused_number_is_parked(
    services: Services, sms_api: Any
) -> None:
    services.booking.book(visitor())
    services.booking.book(visitor(at(10, 11), phone="+1 801 555 0000", email="x@example.com"))
    deliver_due(services)
    bodies = [hit.body.decode() for hit in sms_api.hits]
    assert len(bodies) == 2
    parked = services.booking.storage.outbox.messages(status="parked")
    assert [(m.channel, m.last_error) for m in parked] == [("sms", "sms: HTTP 400 (code 21211)")]
    sent = next(b for b in bodies if "5550123" in b)
    assert "Body=" in sent and "ketamine" not in sent.lower()


def test_a_booking_made_in_spanish_is_written_to_in_spanish(
    services: Services, smtp: tuple[Any, SmtpHandler], sms_api: Any
) -> None:
    """#17: the confirmation, its subject and the text speak the language the visitor booked
    in, as discreetly as in English; the staff's alert stays in English."""
    services.booking.book(visitor(language="es"))
    deliver_due(services)
    mail = _to_visitor(smtp)[-1]
    subject = mail["Subject"]
    assert subject.startswith("Cita confirmada: ") and "(hora de la montaña)" in subject
    assert not any(word in subject.lower() for word in (*DISCREET, "ketamina", "terapia"))
    text = mail.get_body(("plain",)).get_content()
    assert text.startswith("Hola, Robin Example:")
    assert "Su cita está confirmada." in text
    assert "Qué:  Llamada informativa (20 minutos)" in text
    assert "Este correo no se revisa para emergencias." in text
    html = mail.get_body(("html",)).get_content()
    assert '<html lang="es">' in html and "Cambiar o cancelar" in html
    assert 'href="tel:988"' in html  # the crisis line stays a link
    staff = [r.message for r in smtp[1].received if r.rcpt_tos != ["robin@example.com"]]
    assert staff and all(not m["Subject"].startswith("Cita") for m in staff)
    body = next(hit.body.decode() for hit in sms_api.hits)
    from urllib.parse import parse_qs

    sent = parse_qs(body)["Body"][0]
    assert sent.startswith("Su cita está confirmada para el ") and "a las " in sent
    assert "Responda STOP" in sent and "ketamina" not in sent.lower()


def test_staff_cancel_tells_the_visitor_and_drops_the_reminders(
    services: Services, smtp: tuple[Any, SmtpHandler], hooks: Any, sms_api: Any
) -> None:
    """#18: a clinic cancelling for a visitor (inside the online cut-off too) reaches them as
    their own cancel does: a CANCEL invitation by email, a text, the webhook, the staff alert;
    no reminder is left, and the audit has one line."""
    from kat_widgets.booking.staff import StaffService

    booking = services.booking
    done = booking.book(visitor())
    deliver_due(services)
    received = len(smtp[1].received)
    staff = StaffService(booking)
    key, _ = staff.create_key(("draper",), ("bookings:write",))
    services.clock.now = done.booking.start - dt.timedelta(hours=3)  # type: ignore[attr-defined]
    cancelled = staff.cancel(key, done.booking.id)
    assert cancelled.status == "cancelled"
    assert staff.cancel(key, done.booking.id).status == "cancelled"  # again: no change
    assert set(deliver_due(services)) == {"sent"}
    to_visitor = [r for r in smtp[1].received[received:] if r.rcpt_tos == ["robin@example.com"]]
    assert len(to_visitor) == 1
    method, calendar = _calendar(to_visitor[0].message)
    assert method == "CANCEL" and calendar.events[0]["UID"] == f"{done.booking.id}@kat-widgets"
    assert "Appointment cancelled" in to_visitor[0].message["Subject"]
    assert any(r.rcpt_tos == [STAFF] for r in smtp[1].received[received:])
    assert any(b'"booking.cancelled"' in hit.body for hit in hooks.hits)
    assert "cancelled" in sms_api.hits[-1].body.decode().lower()
    pending = [m for m in booking.storage.outbox.messages(limit=100) if m.status == "pending"]
    assert pending == []  # the reminders were dropped with the visit
    assert [line.action for line in staff.audit_lines(days=365)] == [
        "keys.create",
        "bookings.cancel",
    ]
