"""The booking rules that need no database: visitor fields, online services, start times.

Used by the booking service and by the fragments (a host rendering a form has no store).
"""

from __future__ import annotations

import datetime as dt
import re

import msgspec

from kat_widgets.booking import wording
from kat_widgets.booking.models import (
    EMAIL_MAX,
    NAME_MAX,
    NOTE_MAX,
    PHONE_MAX,
    BookingRequest,
    NewBooking,
)
from kat_widgets.directory import Clinic, Directory, Service
from kat_widgets.errors import NotFoundError, ValidationError
from kat_widgets.i18n import gettext as _
from kat_widgets.scheduling.timeparse import EARLIEST, LATEST, check_moment
from kat_widgets.scheduling.types import Slot

__all__ = [
    "check_idempotency_key",
    "check_move_to",
    "clean_request",
    "local_day",
    "new_booking",
    "offered_service",
    "online_service",
    "parse_start",
]

# no spaces or markup anywhere; the domain is dot-separated labels (IDN letters allowed)
_EMAIL_RE = re.compile(
    r"^[^@\s<>\x00-\x1f\x7f]{1,64}@[^@\s<>()\[\]\\,;:\"'.]+(\.[^@\s<>()\[\]\\,;:\"'.]+)*\.(?:[^\W\d_]{2,}|xn--[\w-]+)$"
)
_PHONE_RE = re.compile(rf"^\+?[0-9 ().-]{{7,{PHONE_MAX}}}$")
_KEY_RE = re.compile(r"^[\x21-\x7e]{8,255}$")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# a name is one line: it becomes a calendar title for staff
_NAME_BREAK_RE = re.compile(r"[\t\n\r\x85\u2028\u2029]")


def offered_service(
    directory: Directory, clinic_id: str, service_id: str, *, public: bool
) -> tuple[Clinic, Service]:
    """The clinic and service of a booking: :func:`online_service` for visitors (``public``),
    or any service the clinic offers (staff booking on behalf, tests)."""
    if public:
        return online_service(directory, clinic_id, service_id)
    clinic = directory.clinic(clinic_id)
    service = directory.service(service_id)
    if not directory.offers(clinic, service_id):
        raise NotFoundError(wording.not_offered(clinic.name, directory.translate(service.name)))
    return clinic, service


def online_service(directory: Directory, clinic_id: str, service_id: str) -> tuple[Clinic, Service]:
    """The clinic and service of a visitor's booking: offered there, and bookable online.

    ``NotFoundError`` for an unknown clinic or service or one the clinic does not offer;
    ``ValidationError`` (with the clinic's number) for a service booked by phone only.
    """
    clinic = directory.clinic(clinic_id)
    service = directory.service(service_id)
    if not directory.offers(clinic, service_id):
        raise NotFoundError(wording.not_offered(clinic.name, directory.translate(service.name)))
    if not service.public:
        phone = directory.organization.phone_label(clinic.phone)
        raise ValidationError(
            _("{service} cannot be booked online. Please call us at {phone}.").format(
                service=directory.translate(service.name), phone=phone
            ),
            field="service",
        )
    return clinic, service


def parse_start(text: str | None, *, field: str = "start", bounded: bool = True) -> dt.datetime:
    """A visitor's chosen time: ISO 8601 with a UTC offset, as the open-times links carry it.

    ``bounded``: inside :data:`~kat_widgets.scheduling.timeparse.EARLIEST`..``LATEST`` (off for
    a point the caller clamps itself, such as the manage page's ``after``).
    """
    try:
        start = dt.datetime.fromisoformat((text or "").strip())
    except ValueError:
        start = None
    if start is None or start.tzinfo is None:
        raise ValidationError(
            f"{field} must be an ISO 8601 date-time with a UTC offset", field=field
        )
    return check_moment(start, field) if bounded else start


def check_move_to(
    start: dt.datetime, *, now: dt.datetime, earliest: dt.datetime, hours: int, phone: str
) -> None:
    """A time a booking may move to: with an offset, in range, ahead, past the cut-off."""
    if start.tzinfo is None:
        raise ValidationError("The start time needs a UTC offset.", field="start")
    check_moment(start, "start")
    if start <= now:
        raise ValidationError(_("This time has passed. Please choose a later time."), field="start")
    if start < earliest:
        raise ValidationError(wording.move_too_soon(hours, phone), field="start")


def check_idempotency_key(key: str) -> None:
    if not _KEY_RE.match(key):
        raise ValidationError(
            "Idempotency-Key must be 8 to 255 visible ASCII characters.", field="Idempotency-Key"
        )


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def clean_request(request: BookingRequest, now: dt.datetime) -> BookingRequest:
    """Field checks with a message per field; returns the request with whitespace trimmed."""
    errors: dict[str, str] = {}
    name, email, phone, note = (
        _clean(request.name),
        _clean(request.email),
        _clean(request.phone),
        _clean(request.note),
    )
    if not name:
        errors["name"] = _("Please tell us your name.")
    elif len(name) > NAME_MAX:
        errors["name"] = _("Please use at most {count} letters for your name.").format(
            count=NAME_MAX
        )
    elif _CONTROL_RE.search(name) or _NAME_BREAK_RE.search(name):
        errors["name"] = _("Please write your name on one line, without special characters.")
    if email and (len(email) > EMAIL_MAX or not _EMAIL_RE.match(email)):
        errors["email"] = _("Please check the email address, e.g. name@example.com.")
    if phone and (not _PHONE_RE.match(phone) or sum(ch.isdigit() for ch in phone) < 10):
        errors["phone"] = _("Please give a phone number with area code, e.g. 801-555-0123.")
    if not email and not phone and "email" not in errors and "phone" not in errors:
        errors["email"] = _("Please give an email address or a phone number so we can reach you.")
    if note and len(note) > NOTE_MAX:
        errors["note"] = _("Please keep the note to {most} characters ({count} now).").format(
            most=NOTE_MAX, count=len(note)
        )
    elif note and _CONTROL_RE.search(note):  # e.g. NUL, which PostgreSQL text refuses
        errors["note"] = _("Please remove special characters from the note.")
    if request.consent is not True:
        errors["consent"] = _("Please confirm that we may contact you about this appointment.")
    if request.start.tzinfo is None:
        errors["start"] = _("The start time needs a UTC offset, e.g. 2027-03-09T10:00:00-07:00.")
    elif not EARLIEST <= request.start < LATEST:
        errors["start"] = _("That time is not offered. Please choose one of the available times.")
    elif request.start <= now:
        errors["start"] = _("This time has passed. Please choose a later time.")
    if errors:
        first = next(iter(errors))
        raise ValidationError(errors[first], field=first, fields=errors)
    return msgspec.structs.replace(request, name=name, email=email, phone=phone, note=note)


def local_day(start: dt.datetime, clinic: Clinic) -> tuple[dt.datetime, dt.datetime]:
    """The clinic-local calendar day holding ``start``, as UTC ``[midnight, next midnight)``.

    Built from wall-clock midnights, so DST days are 23 or 25 hours long as they should be.
    """
    day = start.astimezone(clinic.zone).date()
    first = dt.datetime.combine(day, dt.time(0), tzinfo=clinic.zone)
    last = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=clinic.zone)
    return first.astimezone(dt.UTC), last.astimezone(dt.UTC)


def new_booking(
    clinic: Clinic,
    service: Service,
    slot: Slot,
    request: BookingRequest,
    digest: str,
    calendar: str | None,
    client_id: str | None = None,
    *,
    requested: bool = False,
    held_token: str | None = None,
) -> NewBooking:
    """What the store writes for ``request`` in ``slot`` (times, holds, caps, the visitor)."""
    return NewBooking(
        clinic_id=clinic.id,
        service_id=service.id,
        start=slot.start,
        end=slot.end,
        hold=slot.hold,
        resources=slot.resources,
        capacity=service.capacity,
        token_hash=digest,
        calendar_hash=calendar,
        day_cap=service.policy.max_per_day,
        day=local_day(slot.start, clinic),
        name=request.name,
        email=request.email,
        phone=request.phone,
        note=request.note,
        sms_reminders=request.sms_reminders,
        language=request.language,
        client_id=client_id,
        requested=requested,
        held_token=held_token,
        answers=request.answers,
    )
