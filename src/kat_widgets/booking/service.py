"""Booking use cases: book, view, cancel, reschedule, purge; every booking rule lives here.

Pure of the web and of SQL: the store it is given does the SQL, and the database refuses double
bookings. This module picks the slot with the engine, retries when a concurrent writer took the
resources first, and turns the refusal into :class:`SlotTakenError` carrying the next free slots.
It also decides what visitors may do (the cut-off, the times a booking may move to); delivery
layers only show its answers.
"""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Callable
from typing import TYPE_CHECKING

import msgspec

from kat_widgets import i18n
from kat_widgets.booking import wording
from kat_widgets.booking.care import pathway_check
from kat_widgets.booking.care_service import CareService
from kat_widgets.booking.cutoff import MOVE_CHOICES, CutOff
from kat_widgets.booking.free import NEXT_FREE_DAYS, TAKEN, FreeTimes
from kat_widgets.booking.intake import check_answers
from kat_widgets.booking.models import (
    BookingRecord,
    BookingRequest,
    Confirmation,
    IdempotencyRecord,
    ManageView,
    Outgoing,
)
from kat_widgets.booking.outbox import NoNotifications, Notifications
from kat_widgets.booking.replay import replay
from kat_widgets.booking.rules import (
    check_idempotency_key,
    check_move_to,
    clean_request,
    new_booking,
    offered_service,
)
from kat_widgets.booking.staff_feeds import StaffFeeds
from kat_widgets.booking.tokens import (
    calendar_hash,
    calendar_key,
    keyed_hash,
    looks_like_token,
    new_token,
    seal,
    seal_held,
    token_hash,
)
from kat_widgets.booking.waitlist import WaitlistService
from kat_widgets.directory import Clinic, Directory, Service
from kat_widgets.errors import (
    BookingConflictError,
    ConfigurationError,
    HoldConflictError,
    IdempotencyConflictError,
    NotFoundError,
    SlotTakenError,
    ValidationError,
)
from kat_widgets.scheduling.types import BusyProvider, Slot, no_busy_times
from kat_widgets.settings import RetentionDays, Settings

if TYPE_CHECKING:
    from kat_widgets.booking.storage import Storage


__all__ = ["MOVE_CHOICES", "NEXT_FREE_DAYS", "BookingService", "utcnow"]

_ATTEMPTS = 3


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class BookingService(CutOff):
    """The use cases over one directory, one store and the scheduling engine."""

    def __init__(
        self,
        directory: Directory,
        settings: Settings,
        storage: Storage,
        *,
        calendars: BusyProvider = no_busy_times,
        clock: Callable[[], dt.datetime] = utcnow,
        notifications: Notifications | None = None,
    ) -> None:
        if not settings.booking.enabled:
            raise ConfigurationError("bookings need settings.secret_key to hash manage tokens")
        self.directory = directory
        self.settings = settings
        self.config = settings.booking
        self.storage = storage
        self.clock = clock
        self.free = FreeTimes(directory, storage, calendars=calendars, clock=clock)
        """What bookings and staff calendars leave free; also the web's ``busy_provider``."""
        self.notifications: Notifications = (
            notifications if notifications is not None else NoNotifications()
        )
        self.care = CareService(directory, storage, self.config.secret_key, clock)
        """Client records and referral links."""
        self.waitlist = WaitlistService(
            directory, storage, self.config.secret_key, clock, self.free, self.notifications
        )
        """Visitors waiting for a time; told of every time a change frees."""
        self.feeds = StaffFeeds(directory, storage, self.config, clock)
        """The staff calendar feeds: everything, per clinic, per staff member, per room."""

    def _write(
        self,
        clinic: Clinic,
        service: Service,
        start: dt.datetime,
        write: Callable[[Slot], BookingRecord],
        *,
        moving: str | None = None,
    ) -> BookingRecord:
        """Take the slot at ``start`` with ``write``; look again when a concurrent writer won."""
        for _ in range(_ATTEMPTS):
            slot = self.free.slot(clinic, service, start, moving=moving)
            try:
                return write(slot)
            except HoldConflictError:
                continue  # a concurrent booking won; look again with fresh holds
        raise SlotTakenError(
            i18n.gettext(TAKEN),
            next_slots=self.free.next_free(clinic, service, start, moving=moving),
        )

    # -- use cases ----------------------------------------------------------------------------

    def book(
        self,
        request: BookingRequest,
        *,
        idempotency_key: str | None = None,
        public: bool = True,
        staff_key: str | None = None,
        client_id: str | None = None,
    ) -> Confirmation:
        """Book the slot at ``request.start``; the same ``idempotency_key`` replays the result.

        ``public=False`` books services that are not offered online (staff, tests);
        ``staff_key``: the staff key booking on behalf (its audit line is written with it).
        The booking is for ``request.referral``'s client, else ``client_id``, else a new one;
        the care pathway is checked on that client's history in the booking's transaction.
        """
        key = self.config.secret_key
        idempotency: IdempotencyRecord | None = None
        if idempotency_key is not None:
            check_idempotency_key(idempotency_key)
            key_hash = keyed_hash(key, "idempotency-key", idempotency_key)
            request_hash = keyed_hash(
                key, "idempotency-request", msgspec.json.encode(request).decode()
            )
            earlier = replay(self.storage, key, key_hash, request_hash, idempotency_key)
            if earlier is not None:
                return earlier
        request = clean_request(request, self.clock())
        visitor = public or request.referral is not None  # (staff may leave questions out)
        client, public = self.care.client_for(request, client_id, public)
        clinic, service = offered_service(
            self.directory, request.clinic_id, request.service, public=public
        )
        answers = check_answers(self.directory, clinic, service, request.answers, visitor=visitor)
        request = msgspec.structs.replace(request, answers=answers)
        token = new_token()
        if idempotency_key is not None:
            idempotency = IdempotencyRecord(
                key_hash=key_hash,
                request_hash=request_hash,
                sealed_token=seal(key, idempotency_key, token),
            )
        digest = token_hash(key, token)
        calendar = calendar_hash(key, self.calendar_key(token))

        sent: list[Outgoing] = []
        requested = service.requires_approval and staff_key is None  # staff booking: approved

        held = seal_held(key, digest, token) if requested else None  # for its approval

        def create(slot: Slot) -> BookingRecord:
            new = new_booking(
                clinic,
                service,
                slot,
                request,
                digest,
                calendar,
                client,
                requested=requested,
                held_token=held,
            )
            now = self.clock()
            sent[:] = self.notifications.owed(
                "requested" if requested else "created", new, token=token, now=now
            )
            check = pathway_check(self.directory, clinic, service, slot.start)
            return self.storage.create(
                new,
                now=now,
                idempotency=idempotency,
                messages=sent,
                staff_key=staff_key,
                pathway=check,
            )

        try:
            record = self._write(clinic, service, request.start, create)
        except (SlotTakenError, IdempotencyConflictError):
            # A concurrent request with the same key may have won: replay its result.
            if idempotency_key is not None:
                earlier = replay(self.storage, key, key_hash, request_hash, idempotency_key)
                if earlier is not None:
                    return earlier
            raise
        self.notifications.kick(sent)
        return Confirmation(booking=record, token=token)

    def view(self, token: str) -> BookingRecord:
        """The booking a manage token opens; any wrong token is the same :class:`NotFoundError`."""
        if not looks_like_token(token):
            raise NotFoundError(wording.not_found())
        digest = token_hash(self.config.secret_key, token)
        record = self.storage.by_token_hash(digest)
        if record is None or not hmac.compare_digest(record.token_hash, digest):
            raise NotFoundError(wording.not_found())
        if record.calendar_hash is None:  # booked before calendar keys: give it one now
            key = calendar_hash(self.config.secret_key, self.calendar_key(token))
            record = self.storage.set_calendar_hash(record.id, key) or record
        return record

    def calendar_key(self, token: str) -> str:
        """The key of the booking's read-only .ics address (see :func:`tokens.calendar_key`)."""
        return calendar_key(self.config.secret_key, token)

    def view_calendar(self, key: str) -> BookingRecord:
        """The booking a calendar key opens (read-only).

        A manage token opens the file too: whoever holds it may do more than read, and .ics
        links handed out before calendar keys existed carry the token.
        """
        if not looks_like_token(key):
            raise NotFoundError(wording.not_found())
        digest = calendar_hash(self.config.secret_key, key)
        record = self.storage.by_calendar_hash(digest)
        stored = record.calendar_hash if record is not None else None
        if record is not None and stored is not None and hmac.compare_digest(stored, digest):
            return record
        return self.view(key)

    def manage(self, token: str, *, after: dt.datetime | None = None) -> ManageView:
        """What the manage page shows for ``token``: the booking, its links, what may change."""
        record = self.view(token)
        return ManageView(
            record=record,
            calendar_key=self.calendar_key(token),
            can_change=self.can_change(record),
            cancel_by=self.cancel_by(record),
            cutoff_hours=self.cutoff_hours(record.service_id),
            moves=self.move_choices(record, after),
            next_steps=tuple(service.id for service in self.care.next_steps(record)),
        )

    def refer_next(self, token: str, service_id: str) -> str:
        """A referral token for ``token``'s client to book one of the manage page's next steps."""
        return self.care.refer_next(self.view(token), service_id)

    # -- changes ----------------------------------------------------------------------------------

    def cancel(self, token: str) -> BookingRecord:
        """Cancel by token (again: no change); refused inside the cut-off."""
        record = self.view(token)
        if record.status == "cancelled":
            return record
        self._check_cutoff(record, "cancel")
        now = self.clock()
        owed = self.notifications.owed("cancelled", record, token=token, now=now)
        cancelled = self.storage.cancel(record.id, now=now, messages=owed)
        if cancelled is not None:
            self.notifications.kick(owed)
            self.waitlist.freed(cancelled)
        if cancelled is None:  # cancelled concurrently
            again = self.storage.by_id(record.id)
            if again is None:
                raise NotFoundError(wording.not_found())
            return again
        return cancelled

    def reschedule(
        self, token: str, start: dt.datetime, *, sequence: int | None = None
    ) -> BookingRecord:
        """Move a booking to another current slot of the same service and clinic.

        ``sequence``: the booking's sequence as the visitor last saw it; if it changed since
        (a move from another tab), :class:`StaleChangeError` (409) instead of a second move.
        """
        record = self.view(token)
        if record.status == "cancelled":
            raise BookingConflictError(wording.cancelled())
        self._check_cutoff(record, "reschedule")
        if start == record.start:
            return record
        clinic = self.directory.clinic(record.clinic_id)
        phone = self.directory.organization.phone_label(clinic.phone)
        hours = self.cutoff_hours(record.service_id)
        earliest = self.earliest_move(record)
        check_move_to(start, now=self.clock(), earliest=earliest, hours=hours, phone=phone)
        service = self.directory.service(record.service_id)
        stored = BookingRequest(
            clinic_id=clinic.id,
            service=service.id,
            start=start,
            name=record.name or "",
            email=record.email,
            phone=record.phone,
            note=record.note,
            sms_reminders=record.sms_reminders,
            language=record.language,
            answers=record.answers,
        )

        sent: list[Outgoing] = []

        def move(slot: Slot) -> BookingRecord:
            new = new_booking(
                clinic,
                service,
                slot,
                stored,
                record.token_hash,
                record.calendar_hash,
                record.client_id,
                requested=record.status == "requested",
            )
            now = self.clock()
            sent[:] = self.notifications.owed("rescheduled", new, token=token, now=now)
            check = pathway_check(self.directory, clinic, service, slot.start)
            moved = self.storage.reschedule(
                record.id, new, now=now, sequence=sequence, messages=sent, pathway=check
            )
            if moved is None:
                raise BookingConflictError(wording.cancelled())
            return moved

        moved = self._write(clinic, service, start, move, moving=record.id)
        self.notifications.kick(sent)
        self.waitlist.freed(record)  # its old time
        return moved

    def purge(self, older_than_days: int | None = None, *, dry_run: bool = False) -> int:
        """Delete bookings cancelled or past more than ``older_than_days`` (default: setting).
        The age must be a :data:`~kat_widgets.settings.RetentionDays` (1 to 3650 days): a
        negative or zero age would reach bookings that are still ahead. ``dry_run`` only counts."""
        days = self.config.retention_days if older_than_days is None else older_than_days
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
