"""What we send, built from a booking as it is now: emails (text, HTML, iMIP), texts, webhooks.

Discreet by rule: subjects and texts (a lock screen shows them) name no condition, no treatment
and no drug; the visitor's note is never in anything sent to the visitor, a webhook or a text.
Webhook payloads carry ids, clinic, service and times only.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import json
from email.message import EmailMessage
from email.utils import format_datetime
from functools import cache
from typing import Literal

import jinja2
import msgspec

from kat_widgets import i18n
from kat_widgets.booking.calendar import attendee_invitation, staff_event_ics
from kat_widgets.booking.models import BookingRecord, Event
from kat_widgets.directory import Directory
from kat_widgets.fragments.environment import clock, tel_href
from kat_widgets.fragments.scheduling import short_day, spoken_time, zone_name
from kat_widgets.i18n import N_
from kat_widgets.i18n import gettext as _
from kat_widgets.scheduling.ics_export import discreet_title

__all__ = ["Letter", "Links", "sms_text", "staff_letter", "visitor_letter", "webhook_body"]

# what the visitor gets is in the language they booked in (the staff's alerts, in English)
_POLICY = email.policy.SMTP.clone(max_line_length=998)
"""RFC 5322's hard limit, not its 78-character advice: when the server speaks SMTPUTF8, the
standard library folds a long UTF-8 subject right after ``Subject:`` and readers then show it
with a leading space (seen with a Babel time's narrow no-break space, "10:30 AM")."""

_SUBJECTS: dict[Event, str] = {
    "created": N_("Appointment confirmed: {when}"),
    "rescheduled": N_("Appointment moved: {when}"),
    "cancelled": N_("Appointment cancelled: {when}"),
    "reminder": N_("Reminder: appointment {when}"),
    "requested": N_("Appointment requested: {when}"),
    "approved": N_("Appointment confirmed: {when}"),
    "declined": N_("Appointment request not confirmed: {when}"),
    "offer": N_("A time has opened: {when}"),
}
_LEADS: dict[Event, str] = {
    "created": N_("Your appointment is confirmed."),
    "rescheduled": N_("Your appointment has moved to a new time."),
    "cancelled": N_("Your appointment is cancelled."),
    "reminder": N_("A reminder of your upcoming appointment."),
    "requested": N_(
        "We have your request. Our care team will review it and write to you when your "
        "appointment is confirmed. The time is kept for you meanwhile."
    ),
    "approved": N_("Your appointment is confirmed."),
    "declined": N_(
        "We could not confirm the appointment you asked for. Please call us and we will find "
        "the right next step with you."
    ),
    "offer": N_(
        "A time you were waiting for has opened. It is held for you for 30 minutes: book it "
        "with the link below, or it goes to the next person waiting."
    ),
}
_SMS_LEADS: dict[Event, str] = {
    "created": N_("Your appointment is confirmed for"),
    "rescheduled": N_("Your appointment has moved to"),
    "cancelled": N_("Your appointment is cancelled:"),
    "reminder": N_("Reminder: your appointment is"),
    "requested": N_("We have your appointment request for"),
    "approved": N_("Your appointment is confirmed for"),
    "declined": N_("We could not confirm your appointment request for"),
    "offer": N_("A time has opened for you, held for 30 minutes:"),
}
_STAFF: dict[Event, tuple[str, str]] = {
    "created": ("New booking", "A visitor booked online."),
    "rescheduled": ("Booking moved", "A visitor moved their booking online."),
    "cancelled": ("Booking cancelled", "A visitor cancelled their booking online."),
    "reminder": ("Reminder", "A visit is coming up."),
    "requested": ("Booking requested", "A visitor asked for a visit that needs approval."),
    "approved": ("Booking approved", "Staff approved a requested visit."),
    "declined": ("Request declined", "Staff declined a requested visit."),
}
WEBHOOK_TYPES: dict[Event, str] = {
    "created": "booking.created",
    "rescheduled": "booking.rescheduled",
    "cancelled": "booking.cancelled",
    "requested": "booking.requested",
    "approved": "booking.approved",
    "declined": "booking.declined",
}


class Links(msgspec.Struct, frozen=True, kw_only=True):
    """The visitor's own links: the manage page and the read-only calendar file."""

    manage_url: str
    ics_url: str


class Letter(msgspec.Struct, frozen=True, kw_only=True):
    """An email before addressing: subject, both bodies, and a calendar part if any."""

    subject: str
    text: str
    html: str
    calendar: bytes | None = None
    calendar_method: str | None = None
    """``REQUEST`` or ``CANCEL`` inside the message (iMIP), ``PUBLISH`` as an attachment."""


@cache
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("kat_widgets", "templates/messages"),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext, i18n.ngettext, newstyle=True
    )
    return env


def _render(template: str, **context: object) -> str:
    return _env().get_template(template).render(**context)


def _visit(record: BookingRecord, directory: Directory) -> dict[str, object]:
    clinic = directory.clinic(record.clinic_id)
    service = directory.service(record.service_id)
    local = record.start.astimezone(clinic.zone)
    phone = directory.organization.phone_label(clinic.phone)
    where = (
        _("A phone or video call with {clinic}").format(clinic=clinic.name)
        if service.mode == "phone-video"
        else f"{clinic.name}, {clinic.address.one_line}"
    )
    return {
        "when": spoken_time(local, clinic.timezone),
        "when_short": _("{day} at {time} {zone}").format(
            day=short_day(local.date()), time=clock(local), zone=zone_name(clinic.timezone)
        ),
        "where": where,
        "what": discreet_title(service).capitalize(),
        "minutes": round((record.end - record.start).total_seconds() / 60),
        "phone": phone,
        "phone_digits": tel_href(clinic.phone).removeprefix("tel:"),
        "organization": directory.organization.name,
        "clinic": clinic.name,
    }


def visitor_letter(
    event: Event,
    record: BookingRecord,
    directory: Directory,
    *,
    links: Links,
    now: dt.datetime,
    organizer: str,
) -> Letter:
    """The visitor's email for ``event``, with the visit as an iMIP invitation (REQUEST) or
    cancellation (CANCEL) from ``organizer`` to the visitor's address; in the booking's language.
    """
    with i18n.using(record.language):
        visit = _visit(record, directory)
        subject = _(_SUBJECTS[event]).format(when=visit["when"])
        context = {
            **visit,
            "event": event,
            "lead": _(_LEADS[event]),
            "name": record.name or "",
            "subject": subject,
            "language": record.language,
            "manage_url": links.manage_url,
            "ics_url": links.ics_url,
        }
        text, html = _render("visitor.txt", **context), _render("visitor.html", **context)
    if event in ("requested", "declined", "offer"):  # their calendar waits for a confirmation
        return Letter(subject=subject, text=text, html=html)
    method: Literal["REQUEST", "CANCEL"] = "CANCEL" if record.status == "cancelled" else "REQUEST"
    calendar = attendee_invitation(record, directory, now=now, organizer=organizer, method=method)
    return Letter(
        subject=subject,
        text=text,
        html=html,
        calendar=calendar,
        calendar_method=method,
    )


def staff_letter(
    event: Event,
    record: BookingRecord,
    directory: Directory,
    *,
    now: dt.datetime,
    note: bool,
    organizer: str = "",
) -> Letter:
    """The clinic's alert: who, when, what; the note only when the operator turned it on. The
    attached visit is the staff feed's event (METHOD:PUBLISH, ORGANIZER the clinic at
    ``organizer``)."""
    visit = _visit(record, directory)
    title, lead = _STAFF[event]
    clinic = directory.clinic(record.clinic_id)
    local = record.start.astimezone(clinic.zone)
    subject = f"{title}: {clinic.name}, {local:%a} {local.day} {local:%b} {clock(local)}"
    context = {
        **visit,
        "subject": subject,
        "lead": lead,
        "service": directory.service(record.service_id).name,
        "status": record.status,
        "name": record.name or "",
        "email": record.email,
        "phone": record.phone,
        "sms_reminders": record.sms_reminders,
        "note": record.note if note else None,
        "reference": record.id,
    }
    return Letter(
        subject=subject,
        text=_render("staff.txt", **context),
        html=_render("staff.html", **context),
        calendar=staff_event_ics(record, directory, now=now, organizer=organizer),
        calendar_method="PUBLISH",
    )


def sms_text(event: Event, record: BookingRecord, directory: Directory, *, links: Links) -> str:
    """One short, discreet text (no treatment, no note), in the booking's language."""
    with i18n.using(record.language):
        visit = _visit(record, directory)
        lead = _(_SMS_LEADS[event])
        context = {**visit, "event": event, "lead": lead, "manage_url": links.manage_url}
        return " ".join(_render("sms.txt", **context).split())


def webhook_body(
    event: Event, record: BookingRecord, directory: Directory, *, now: dt.datetime
) -> bytes:
    """The Standard Webhooks payload: ``type``, ``timestamp`` and ids, clinic, service, times."""
    zone = directory.clinic(record.clinic_id).zone
    payload = {
        "type": WEBHOOK_TYPES[event],
        "timestamp": now.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "data": {
            "booking_id": record.id,
            "clinic_id": record.clinic_id,
            "service": record.service_id,
            "start": record.start.astimezone(zone).isoformat(),
            "end": record.end.astimezone(zone).isoformat(),
            "status": record.status,
            "sequence": record.sequence,
        },
    }
    return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()


def email_message(
    letter: Letter, *, message_id: str, sender: str, to: list[str], now: dt.datetime
) -> EmailMessage:
    """``multipart/alternative`` (text, inline-styled HTML, the iMIP ``text/calendar`` part
    whose ``method`` matches its METHOD), or with a PUBLISH file attached for staff."""
    domain = sender.rpartition("@")[2] or "kat-widgets.invalid"
    message = EmailMessage(policy=_POLICY)
    message["Subject"] = letter.subject
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Date"] = format_datetime(now.astimezone(dt.UTC))
    message["Message-ID"] = f"<{message_id}@{domain}>"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(letter.text)
    message.add_alternative(letter.html, subtype="html")
    if letter.calendar is not None and letter.calendar_method in ("REQUEST", "CANCEL"):
        message.add_alternative(
            letter.calendar.decode("utf-8"),
            subtype="calendar",
            params={"method": letter.calendar_method},
        )
    elif letter.calendar is not None:
        message.add_attachment(
            letter.calendar,
            maintype="text",
            subtype="calendar",
            filename="visit.ics",
            params={"method": "PUBLISH"},
        )
    return message
