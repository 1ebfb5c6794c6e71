"""Booking use cases: book, view, cancel, reschedule. Pure of the web; storage does the SQL.

The database refuses double bookings; this module picks the slot with the engine, retries when
a concurrent writer took the resources first, and turns the refusal into :class:`SlotTakenError`
carrying the next free slots.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
from collections.abc import Callable

import msgspec

from kat_widgets.booking.storage import (
    BookingRecord,
    HoldConflict,
    IdempotencyRecord,
    NewBooking,
    Storage,
)
from kat_widgets.booking.tokens import (
    calendar_hash,
    calendar_key,
    keyed_hash,
    looks_like_token,
    new_token,
    seal,
    token_hash,
    unseal,
)
from kat_widgets.directory import Clinic, Directory, Service
from kat_widgets.errors import (
    BookingConflictError,
    NotFoundError,
    SlotTakenError,
    ValidationError,
)
from kat_widgets.scheduling import find_slots, slot_at
from kat_widgets.scheduling.types import BusyProvider, BusyTimes, Slot, merge_busy, no_busy_times
from kat_widgets.settings import RetentionDays, Settings

__all__ = ["BookingRequest", "BookingService", "Confirmation", "utcnow"]

NOTE_MAX = 500
NAME_MAX = 200
NEXT_SLOTS = 3
NEXT_FREE_DAYS = 14
"""How far :meth:`BookingService.next_free` looks ahead from where it starts."""
# no spaces or markup anywhere; the domain is dot-separated labels (IDN letters allowed)
_EMAIL_RE = re.compile(
    r"^[^@\s<>\x00-\x1f\x7f]{1,64}@[^@\s<>()\[\]\\,;:\"'.]+(\.[^@\s<>()\[\]\\,;:\"'.]+)*\.(?:[^\W\d_]{2,}|xn--[\w-]+)$"
)
_PHONE_RE = re.compile(r"^\+?[0-9 ().-]{7,32}$")
_KEY_RE = re.compile(r"^[\x21-\x7e]{8,255}$")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# a name is one line: it becomes a calendar title for staff
_NAME_BREAK_RE = re.compile(r"[\t\n\r\x85\u2028\u2029]")
_ATTEMPTS = 3


def _local_day(start: dt.datetime, clinic: Clinic) -> tuple[dt.datetime, dt.datetime]:
    """The clinic-local calendar day holding ``start``, as UTC ``[midnight, next midnight)``.

    Built from wall-clock midnights, so DST days are 23 or 25 hours long as they should be.
    """
    day = start.astimezone(clinic.zone).date()
    first = dt.datetime.combine(day, dt.time(0), tzinfo=clinic.zone)
    last = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=clinic.zone)
    return first.astimezone(dt.UTC), last.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class BookingRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The POST body: which slot, who, one way to reach them, an optional note, consent."""

    clinic_id: str
    service: str
    start: dt.datetime
    name: str
    email: str | None = None
    phone: str | None = None
    note: str | None = None
    consent: bool = False


class Confirmation(msgspec.Struct, frozen=True, kw_only=True):
    """A booking and the secret token that manages it (only ever shown to its owner)."""

    booking: BookingRecord
    token: str
    replayed: bool = False


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def _validate(request: BookingRequest, now: dt.datetime) -> BookingRequest:
    """Field checks with a message per field; returns the request with whitespace trimmed."""
    errors: dict[str, str] = {}
    name, email, phone, note = (
        _clean(request.name),
        _clean(request.email),
        _clean(request.phone),
        _clean(request.note),
    )
    if not name:
        errors["name"] = "Please tell us your name."
    elif len(name) > NAME_MAX:
        errors["name"] = f"Please use at most {NAME_MAX} letters for your name."
    elif _CONTROL_RE.search(name) or _NAME_BREAK_RE.search(name):
        errors["name"] = "Please write your name on one line, without special characters."
    if email and (len(email) > 254 or not _EMAIL_RE.match(email)):
        errors["email"] = "Please check the email address, e.g. name@example.com."
    if phone and (not _PHONE_RE.match(phone) or sum(ch.isdigit() for ch in phone) < 10):
        errors["phone"] = "Please give a phone number with area code, e.g. 801-555-0123."
    if not email and not phone and "email" not in errors and "phone" not in errors:
        errors["email"] = "Please give an email address or a phone number so we can reach you."
    if note and len(note) > NOTE_MAX:
        errors["note"] = f"Please keep the note to {NOTE_MAX} characters ({len(note)} now)."
    elif note and _CONTROL_RE.search(note):  # e.g. NUL, which PostgreSQL text refuses
        errors["note"] = "Please remove special characters from the note."
    if request.consent is not True:
        errors["consent"] = "Please confirm that we may contact you about this appointment."
    if request.start.tzinfo is None:
        errors["start"] = "The start time needs a UTC offset, e.g. 2027-03-09T10:00:00-07:00."
    elif request.start <= now:
        errors["start"] = "This time has passed. Please choose a later time."
    if errors:
        first = next(iter(errors))
        raise ValidationError(errors[first], field=first, fields=errors)
    return msgspec.structs.replace(request, name=name, email=email, phone=phone, note=note)


class BookingService:
    """The use cases over one directory, one store and the scheduling engine."""

    def __init__(
        self,
        directory: Directory,
        settings: Settings,
        storage: Storage,
        *,
        calendars: BusyProvider = no_busy_times,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        if not settings.secret_key:
            raise ValueError("bookings need settings.secret_key to hash manage tokens")
        self.directory = directory
        self.settings = settings
        self.storage = storage
        self.calendars = calendars
        self.clock = clock

    # -- lookups ------------------------------------------------------------------------------

    def _offered(self, clinic_id: str, service_id: str, *, public: bool) -> tuple[Clinic, Service]:
        clinic = self.directory.clinic(clinic_id)
        service = self.directory.service(service_id)
        if not self.directory.offers(clinic, service_id):
            raise NotFoundError(f"{clinic.name} does not offer {service.name}.")
        if public and not service.public:
            raise ValidationError(
                f"{service.name} cannot be booked online. Please call us at {clinic.phone}.",
                field="service",
            )
        return clinic, service

    def busy(
        self,
        clinic: Clinic,
        start: dt.datetime,
        end: dt.datetime,
        *,
        exclude_booking: str | None = None,
    ) -> BusyTimes:
        """Stored holds and imported calendars around ``[start, end)`` (a day of margin)."""
        margin = dt.timedelta(days=1)
        stored = self.storage.busy(
            clinic.id,
            start - margin,
            end + margin,
            zone=clinic.zone,
            exclude_booking=exclude_booking,
        )
        return merge_busy(stored, self.calendars(clinic.id, start - margin, end + margin))

    def busy_provider(self, clinic_id: str, start: dt.datetime, end: dt.datetime) -> BusyTimes:
        """A scheduling ``BusyProvider``: what the slots API and widgets must treat as taken."""
        return self.busy(self.directory.clinic(clinic_id), start, end)

    def next_free(
        self,
        clinic: Clinic,
        service: Service,
        after: dt.datetime,
        count: int = NEXT_SLOTS,
        *,
        moving: str | None = None,
    ) -> list[Slot]:
        """Up to ``count`` bookable slots from ``after`` on (within ``NEXT_FREE_DAYS``).

        ``moving``: the id of a booking being moved, which does not block times for itself.
        """
        now = self.clock()
        after = max(after, now)
        days = min(NEXT_FREE_DAYS, service.policy.horizon_days)
        end = after + dt.timedelta(days=days)
        try:
            found = find_slots(
                self.directory,
                clinic.id,
                service.id,
                start=after,
                end=end,
                busy=self.busy(clinic, after, end, exclude_booking=moving),
                now=now,
            )
        except ValidationError:
            return []
        return found[:count]

    def _slot(
        self, clinic: Clinic, service: Service, start: dt.datetime, *, moving: str | None = None
    ) -> Slot:
        """The slot at ``start`` given the stored holds; typed errors when there is none."""
        now = self.clock()
        busy = self.busy(clinic, start, start + dt.timedelta(minutes=1), exclude_booking=moving)
        slot = slot_at(self.directory, clinic.id, service.id, start, busy=busy, now=now)
        if slot is not None:
            return slot
        free = slot_at(self.directory, clinic.id, service.id, start, busy=BusyTimes(), now=now)
        if free is None:
            raise ValidationError(
                "That time is not offered. Please choose one of the available times.",
                field="start",
            )
        raise SlotTakenError(
            "Sorry, that time was just taken. Please choose another time.",
            next_slots=self.next_free(clinic, service, start, moving=moving),
        )

    def _new(
        self,
        clinic: Clinic,
        service: Service,
        slot: Slot,
        request: BookingRequest,
        digest: str,
        calendar: str | None,
    ) -> NewBooking:
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
            day=_local_day(slot.start, clinic),
            name=request.name,
            email=request.email,
            phone=request.phone,
            note=request.note,
        )

    # -- use cases ----------------------------------------------------------------------------

    def book(
        self,
        request: BookingRequest,
        *,
        idempotency_key: str | None = None,
        public: bool = True,
    ) -> Confirmation:
        """Book the slot at ``request.start``; the same ``idempotency_key`` replays the result."""
        key = self.settings.secret_key
        idempotency: IdempotencyRecord | None = None
        if idempotency_key is not None:
            if not _KEY_RE.match(idempotency_key):
                raise ValidationError(
                    "Idempotency-Key must be 8 to 255 visible ASCII characters.",
                    field="Idempotency-Key",
                )
            key_hash = keyed_hash(key, "idempotency-key", idempotency_key)
            request_hash = keyed_hash(
                key, "idempotency-request", msgspec.json.encode(request).decode()
            )
            earlier = self._replay(key_hash, request_hash, idempotency_key)
            if earlier is not None:
                return earlier
        request = _validate(request, self.clock())
        clinic, service = self._offered(request.clinic_id, request.service, public=public)
        token = new_token()
        if idempotency_key is not None:
            idempotency = IdempotencyRecord(
                key_hash=key_hash,
                request_hash=request_hash,
                sealed_token=seal(key, idempotency_key, token),
            )
        try:
            return self._book(clinic, service, request, token, idempotency)
        except (SlotTakenError, KeyError):
            # A concurrent request with the same key may have won: replay its result.
            if idempotency_key is not None:
                earlier = self._replay(key_hash, request_hash, idempotency_key)
                if earlier is not None:
                    return earlier
            raise

    def _book(
        self,
        clinic: Clinic,
        service: Service,
        request: BookingRequest,
        token: str,
        idempotency: IdempotencyRecord | None,
    ) -> Confirmation:
        digest = token_hash(self.settings.secret_key, token)
        calendar = calendar_hash(self.settings.secret_key, self.calendar_key(token))
        for _ in range(_ATTEMPTS):
            slot = self._slot(clinic, service, request.start)
            try:
                record = self.storage.create(
                    self._new(clinic, service, slot, request, digest, calendar),
                    now=self.clock(),
                    idempotency=idempotency,
                )
            except HoldConflict:
                continue  # a concurrent booking won; look again with fresh holds
            return Confirmation(booking=record, token=token)
        raise SlotTakenError(
            "Sorry, that time was just taken. Please choose another time.",
            next_slots=self.next_free(clinic, service, request.start),
        )

    def _replay(
        self, key_hash: str, request_hash: str, idempotency_key: str
    ) -> Confirmation | None:
        found = self.storage.idempotent(key_hash)
        if found is None:
            return None
        record, booking = found
        if not hmac.compare_digest(record.request_hash, request_hash):
            raise ValidationError(
                "This Idempotency-Key was already used for a different booking request.",
                field="Idempotency-Key",
            )
        token = unseal(self.settings.secret_key, idempotency_key, record.sealed_token)
        return Confirmation(booking=booking, token=token, replayed=True)

    def view(self, token: str) -> BookingRecord:
        """The booking a manage token opens; any wrong token is the same :class:`NotFoundError`."""
        if not looks_like_token(token):
            raise NotFoundError("We could not find a booking for this link.")
        digest = token_hash(self.settings.secret_key, token)
        record = self.storage.by_token_hash(digest)
        if record is None or not hmac.compare_digest(record.token_hash, digest):
            raise NotFoundError("We could not find a booking for this link.")
        if record.calendar_hash is None:  # booked before calendar keys: give it one now
            key = calendar_hash(self.settings.secret_key, self.calendar_key(token))
            record = self.storage.set_calendar_hash(record.id, key) or record
        return record

    def calendar_key(self, token: str) -> str:
        """The key of the booking's read-only .ics address (see :func:`tokens.calendar_key`)."""
        return calendar_key(self.settings.secret_key, token)

    def view_calendar(self, key: str) -> BookingRecord:
        """The booking a calendar key opens (read-only).

        A manage token opens the file too: whoever holds it may do more than read, and .ics
        links handed out before calendar keys existed carry the token.
        """
        if not looks_like_token(key):
            raise NotFoundError("We could not find a booking for this link.")
        digest = calendar_hash(self.settings.secret_key, key)
        record = self.storage.by_calendar_hash(digest)
        stored = record.calendar_hash if record is not None else None
        if record is not None and stored is not None and hmac.compare_digest(stored, digest):
            return record
        return self.view(key)

    def can_change(self, record: BookingRecord) -> bool:
        """Whether online cancel/reschedule is still open (before the cut-off)."""
        cutoff = dt.timedelta(hours=self.settings.cancel_cutoff_hours)
        return record.status == "confirmed" and record.start - self.clock() >= cutoff

    def _check_cutoff(self, record: BookingRecord, verb: str) -> None:
        clinic = self.directory.clinic(record.clinic_id)
        hours = self.settings.cancel_cutoff_hours
        if record.start - self.clock() < dt.timedelta(hours=hours):
            raise BookingConflictError(
                f"Please call us to {verb} within {hours} hours of your visit: {clinic.phone}."
            )

    def cancel(self, token: str) -> BookingRecord:
        """Cancel by token (again: no change); refused inside the cut-off."""
        record = self.view(token)
        if record.status == "cancelled":
            return record
        self._check_cutoff(record, "cancel")
        cancelled = self.storage.cancel(record.id, now=self.clock())
        if cancelled is None:  # cancelled concurrently
            again = self.storage.by_id(record.id)
            if again is None:
                raise NotFoundError("We could not find a booking for this link.")
            return again
        return cancelled

    def reschedule(self, token: str, start: dt.datetime) -> BookingRecord:
        """Move a booking to another current slot of the same service and clinic."""
        record = self.view(token)
        if record.status != "confirmed":
            raise BookingConflictError("This booking was cancelled; please book a new time.")
        self._check_cutoff(record, "reschedule")
        if start.tzinfo is None:
            raise ValidationError("The start time needs a UTC offset.", field="start")
        if start <= self.clock():
            raise ValidationError(
                "This time has passed. Please choose a later time.", field="start"
            )
        clinic = self.directory.clinic(record.clinic_id)
        service = self.directory.service(record.service_id)
        if start == record.start:
            return record
        stored = BookingRequest(
            clinic_id=clinic.id,
            service=service.id,
            start=start,
            name=record.name or "",
            email=record.email,
            phone=record.phone,
            note=record.note,
        )
        for _ in range(_ATTEMPTS):
            slot = self._slot(clinic, service, start, moving=record.id)
            try:
                moved = self.storage.reschedule(
                    record.id,
                    self._new(
                        clinic, service, slot, stored, record.token_hash, record.calendar_hash
                    ),
                    now=self.clock(),
                )
            except HoldConflict:
                continue
            if moved is None:
                raise BookingConflictError("This booking was cancelled; please book a new time.")
            return moved
        raise SlotTakenError(
            "Sorry, that time was just taken. Please choose another time.",
            next_slots=self.next_free(clinic, service, start, moving=record.id),
        )

    def purge(self, older_than_days: int | None = None, *, dry_run: bool = False) -> int:
        """Delete bookings cancelled or past more than ``older_than_days`` (default: setting).

        The age must be a :data:`~kat_widgets.settings.RetentionDays` (1 to 3650 days): a
        negative or zero age would reach bookings that are still ahead. ``dry_run`` only counts.
        """
        days = self.settings.retention_days if older_than_days is None else older_than_days
        try:
            days = msgspec.convert(days, RetentionDays)
        except msgspec.ValidationError:
            raise ValidationError(
                f"The age must be a whole number of days from 1 to 3650, got {days!r}.",
                field="older_than_days",
            ) from None
        now = self.clock()
        return self.storage.purge(
            now - dt.timedelta(days=days),
            now=now,
            idempotency_before=now - dt.timedelta(days=1),
            dry_run=dry_run,
        )
