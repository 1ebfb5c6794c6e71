"""What clinic staff do through their API keys: read a clinic's bookings, mark visits, and the
audit of it all. Every action is checked against the key's scopes and clinics first, and leaves
one audit line (the key's id, the action, the booking or clinic, the time; nothing personal).
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from typing import TYPE_CHECKING, get_args

import msgspec

from kat_widgets.booking.care import DEFAULT_DAYS, Referral
from kat_widgets.booking.models import BookingRecord, BookingRequest, Outcome, StaffBookingRequest
from kat_widgets.booking.staff_keys import (
    ALL_CLINICS,
    SCOPES,
    Scope,
    StaffKey,
    key_secret_hash,
    new_key,
    parse_key,
)
from kat_widgets.booking.staff_links import DEFAULT_HOURS, MAX_HOURS, make_day_link, read_day_link
from kat_widgets.booking.tokens import unseal_held
from kat_widgets.errors import (
    AuthenticationError,
    BookingConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from kat_widgets.scheduling.timeparse import check_moment

if TYPE_CHECKING:
    from kat_widgets.booking.service import BookingService
    from kat_widgets.booking.storage.staff import AuditLine

__all__ = ["MAX_RANGE", "StaffService", "cancellable", "decidable", "markable"]

MAX_RANGE = dt.timedelta(days=31)
"""The longest span one listing covers."""
OUTCOMES: tuple[str, ...] = get_args(Outcome)


def _require_clinic(key: StaffKey, clinic_id: str) -> None:
    if not key.covers(clinic_id):
        raise PermissionDeniedError(f"This key is not for the clinic {clinic_id!r}.")


def markable(record: BookingRecord, outcome: Outcome, now: dt.datetime) -> bool:
    """Whether staff may mark ``record`` ``outcome`` at ``now``: a confirmed visit, once it
    has started (``completed``: once it has ended)."""
    moment = record.end if outcome == "completed" else record.start
    return record.status == "confirmed" and moment <= now


def cancellable(record: BookingRecord, now: dt.datetime) -> bool:
    """Whether staff may cancel ``record`` at ``now``: a confirmed (or requested) visit still
    ahead."""
    return record.status in ("confirmed", "requested") and record.start > now


def decidable(record: BookingRecord, now: dt.datetime) -> bool:
    """Whether staff may approve or decline ``record`` at ``now``: a request still ahead."""
    return record.status == "requested" and record.start > now


class StaffService:
    """Staff use cases over one booking service (its store, directory, secret and clock)."""

    def __init__(self, bookings: BookingService) -> None:
        self.bookings = bookings
        self.store = bookings.storage.staff
        self.directory = bookings.directory
        self.clock = bookings.clock

    # -- keys ---------------------------------------------------------------------------------

    def create_key(
        self, clinics: tuple[str, ...], scopes: tuple[str, ...], *, label: str | None = None
    ) -> tuple[StaffKey, str]:
        """A new key for ``clinics`` (ids, or ``*``) and ``scopes``: ``(the key, its text)``.
        The text is shown once; only a keyed hash of its secret is stored."""
        known = {clinic.id for clinic in self.directory.clinics}
        wrong = [c for c in clinics if c != ALL_CLINICS and c not in known]
        if not clinics or wrong:
            raise ValidationError(
                f"Unknown clinic {', '.join(wrong) or '(none given)'}; "
                f"clinics: {', '.join(sorted(known))} or {ALL_CLINICS} for all.",
                field="clinic",
            )
        unknown = [s for s in scopes if s not in SCOPES]
        if not scopes or unknown:
            raise ValidationError(
                f"Unknown scope {', '.join(unknown) or '(none given)'}; "
                f"scopes: {', '.join(SCOPES)}.",
                field="scope",
            )
        if label is not None and (len(label) > 100 or not label.isprintable()):
            raise ValidationError("A label is at most 100 printable characters.", field="label")
        key_id, secret, text = new_key()
        key = StaffKey(
            id=key_id,
            clinics=tuple(dict.fromkeys(clinics)),
            scopes=tuple(dict.fromkeys(scopes)),  # type: ignore[arg-type]
            label=label,
            created_at=self.clock(),
        )
        self.store.add_key(key, key_secret_hash(self._secret, key_id, secret))
        self.store.audit(key_id, "keys.create", now=key.created_at)
        return key, text

    def list_keys(self) -> list[StaffKey]:
        return self.store.keys()

    def revoke(self, key_id: str) -> None:
        """Stop a key or a day-sheet link at once (audited)."""
        now = self.clock()
        if not self.store.revoke(key_id, now=now):
            raise NotFoundError(f"No active key {key_id!r}.")
        self.store.audit(key_id, "keys.revoke", now=now)

    @property
    def _secret(self) -> str:
        return self.bookings.config.secret_key

    def day_link(
        self, clinic_id: str, *, hours: int = DEFAULT_HOURS
    ) -> tuple[str, StaffKey, dt.datetime]:
        """A signed day-sheet token for ``clinic_id``, valid ``hours``: ``(token, its key,
        expiry)``. The link is stored as a key (``keys list`` shows it, ``keys revoke`` stops
        it, the audit names it) whose secret is unusable: it opens the day sheet only."""
        self.directory.clinic(clinic_id)  # NotFoundError for an unknown clinic
        if not 1 <= hours <= MAX_HOURS:
            raise ValidationError(f"hours must be from 1 to {MAX_HOURS}.", field="hours")
        now = self.clock()
        expires = now + dt.timedelta(hours=hours)
        token, link_id = make_day_link(self._secret, clinic_id, expires)
        key = StaffKey(
            id=link_id,
            clinics=(clinic_id,),
            scopes=("bookings:read", "bookings:write", "names:read"),
            label=f"day sheet link until {expires:%Y-%m-%d %H:%M}Z",
            created_at=now,
        )
        self.store.add_key(key, "!" + secrets.token_hex(31))  # no secret hashes to this
        self.store.audit(link_id, "links.create", now=now, clinic_id=clinic_id)
        return token, key, expires

    def open_day_link(self, token: str) -> StaffKey:
        """The key a valid, unexpired, unrevoked day-sheet link stands for: its one clinic,
        every scope; :class:`AuthenticationError` otherwise."""
        clinic_id, link_id = read_day_link(self._secret, token, now=self.clock())
        found = self.store.key(link_id)
        if found is None or found[0].clinics != (clinic_id,):
            raise AuthenticationError("This staff link is not valid. Ask for a new one.")
        if found[0].revoked_at is not None:
            raise AuthenticationError("This staff link was revoked. Ask for a new one.")
        return found[0]

    # -- who is asking ------------------------------------------------------------------------

    def authorize(
        self, authorization: str | None, scope: Scope, clinic_id: str | None = None
    ) -> StaffKey:
        """The key an ``Authorization: Bearer ...`` header carries, if it may do ``scope`` (at
        ``clinic_id``): :class:`AuthenticationError` (401) for no key, a wrong or revoked one,
        :class:`PermissionDeniedError` (403) for a valid key without that scope or clinic."""
        kind, _, text = (authorization or "").strip().partition(" ")
        parsed = parse_key(text) if kind.lower() == "bearer" else None
        found = self.store.key(parsed[0]) if parsed else None
        if parsed is None or found is None:
            raise AuthenticationError("A valid staff key is needed: Authorization: Bearer <key>.")
        key, stored = found
        if not hmac.compare_digest(stored, key_secret_hash(self._secret, *parsed)):
            raise AuthenticationError("A valid staff key is needed: Authorization: Bearer <key>.")
        if key.revoked_at is not None:
            raise AuthenticationError("This staff key was revoked.")
        if not key.may(scope):
            raise PermissionDeniedError(f"This key may not do that (it needs {scope}).")
        if clinic_id is not None:
            _require_clinic(key, clinic_id)
        return key

    # -- actions ------------------------------------------------------------------------------

    def list_bookings(
        self, key: StaffKey, clinic_id: str, start: str | None = None, end: str | None = None
    ) -> list[BookingRecord]:
        """The clinic's bookings from ``start`` to ``end`` (see :meth:`span`; at most
        :data:`MAX_RANGE`)."""
        self.directory.clinic(clinic_id)  # NotFoundError for an unknown clinic
        _require_clinic(key, clinic_id)
        start_at, end_at = self.span(clinic_id, start, end)
        if end_at <= start_at or end_at - start_at > MAX_RANGE:
            raise ValidationError(
                "end must be after start, and at most 31 days after it.", field="end"
            )
        found = self.store.bookings(clinic_id, start_at, end_at)
        self.store.audit(key.id, "bookings.list", now=self.clock(), clinic_id=clinic_id)
        return found

    def span(
        self, clinic_id: str, start: str | None, end: str | None
    ) -> tuple[dt.datetime, dt.datetime]:
        """The range a listing asks for: ISO dates (the clinic's days: ``end`` is the last day
        shown) or date-times with an offset; by default the clinic's today."""
        zone = self.directory.clinic(clinic_id).zone  # NotFoundError for an unknown clinic
        today = self.clock().astimezone(zone).date()

        def moment(text: str | None, field: str, day_end: bool) -> dt.datetime | None:
            if text is None or not text.strip():
                return None
            text = text.strip()
            try:
                if len(text) == 10:
                    day = check_moment(dt.date.fromisoformat(text), field)
                    day += dt.timedelta(days=int(day_end))
                    return dt.datetime.combine(day, dt.time(0), zone)
                parsed = dt.datetime.fromisoformat(text)
            except ValueError:
                parsed = None
            if parsed is None or parsed.tzinfo is None:
                raise ValidationError(
                    f"{field} must be a date (2027-03-09) or a date-time with a UTC offset.",
                    field=field,
                )
            return check_moment(parsed, field)

        first = moment(start, "start", False) or dt.datetime.combine(today, dt.time(0), zone)
        last = moment(end, "end", True)
        if last is None:
            day = first.astimezone(zone).date() + dt.timedelta(days=1)
            last = dt.datetime.combine(day, dt.time(0), zone)
        return first.astimezone(dt.UTC), last.astimezone(dt.UTC)

    def booking(self, key: StaffKey, booking_id: str) -> BookingRecord:
        """A booking the key may act on (its clinic), or :class:`NotFoundError`."""
        record = self.bookings.storage.by_id(booking_id) if len(booking_id) <= 32 else None
        if record is None:
            raise NotFoundError("No such booking.")
        if not key.covers(record.clinic_id):  # not naming the clinic: the 403 says no more
            raise PermissionDeniedError("This key is not for this booking's clinic.")
        return record

    def mark(self, key: StaffKey, booking_id: str, outcome: Outcome) -> BookingRecord:
        """Mark a visit attended, missed (``no-show``) or ``completed``: only a confirmed one,
        once it has started (completed: once it has ended)."""
        if outcome not in OUTCOMES:
            raise ValidationError(f"status must be one of {', '.join(OUTCOMES)}.", field="status")
        record = self.booking(key, booking_id)
        now = self.clock()
        if record.status == "requested":
            raise BookingConflictError("This visit is still a request: approve it first.")
        if record.status != "confirmed":
            raise BookingConflictError("This booking was cancelled; it cannot be marked.")
        if not markable(record, outcome, now):
            raise BookingConflictError(
                f"This visit has not {'ended' if outcome == 'completed' else 'started'} yet; "
                f"it cannot be marked {outcome}."
            )
        marked = self.store.set_outcome(record.id, outcome, now=now, key_id=key.id)
        if marked is None:  # cancelled meanwhile
            raise BookingConflictError("This booking was cancelled; it cannot be marked.")
        return marked

    def book(
        self,
        key: StaffKey,
        request: BookingRequest | StaffBookingRequest,
        *,
        idempotency_key: str | None = None,
    ) -> BookingRecord:
        """Book on behalf of a visitor (on the phone, at the desk): any service the clinic
        offers, phone-only ones too, through the same database guarantee; the visitor gets
        the confirmation (and their manage link) as when they book themselves. The care
        pathway holds here too: for ``request.client_id``'s history (none: a new client)."""
        if not key.covers(request.clinic_id):
            self.directory.clinic(request.clinic_id)  # an unknown clinic is a 404 first
            _require_clinic(key, request.clinic_id)
        client_id = getattr(request, "client_id", None)
        if isinstance(request, StaffBookingRequest):
            fields = {f: getattr(request, f) for f in BookingRequest.__struct_fields__}
            request = BookingRequest(**fields)
        done = self.bookings.book(
            request,
            # the key's own namespace: a visitor's replay of the same key never gets its token
            idempotency_key=f"staff:{key.id}:{idempotency_key}" if idempotency_key else None,
            public=False,
            staff_key=key.id,
            client_id=client_id,
        )
        return done.booking

    def refer(
        self,
        key: StaffKey,
        clinic_id: str,
        service_id: str,
        *,
        client_id: str | None = None,
        booking_id: str | None = None,
        days: int = DEFAULT_DAYS,
    ) -> tuple[str, Referral]:
        """A referral link for one client to book ``service_id`` at ``clinic_id`` online:
        the client of ``booking_id`` (a booking the key may see), or ``client_id``, or a new
        client. ``(its token, shown once; the referral)``; audited."""
        clinic = self.directory.clinic(clinic_id)  # NotFoundError for an unknown clinic
        _require_clinic(key, clinic_id)
        service = self.directory.service(service_id)
        if booking_id is not None:
            record = self.booking(key, booking_id)
            if record.client_id is None or client_id not in (None, record.client_id):
                raise BookingConflictError(
                    "This booking has no client record to refer (or another client_id was "
                    "given): send client_id, or none for a new client."
                )
            client_id = record.client_id
        return self.bookings.care.issue(client_id, clinic, service, days=days, key_id=key.id)

    def cancel(self, key: StaffKey, booking_id: str) -> BookingRecord:
        """Cancel for a visitor (who is told, as when they cancel themselves; the cancellation
        carries no link). Inside the visitors' cut-off too; not once the visit has started.
        Again on a cancelled booking: no change."""
        record = self.booking(key, booking_id)
        if record.status == "cancelled":
            return record
        now = self.clock()
        if not cancellable(record, now):
            raise BookingConflictError(
                "This visit has already started; mark it attended or no-show instead."
            )
        notifications = self.bookings.notifications
        owed = notifications.owed("cancelled", record, token=None, now=now)
        cancelled = self.bookings.storage.cancel(
            record.id, now=now, messages=owed, staff_key=key.id
        )
        if cancelled is None:  # cancelled meanwhile, by the visitor or another key
            again = self.bookings.storage.by_id(record.id)
            if again is None:
                raise NotFoundError("No such booking.")
            return again
        notifications.kick(owed)
        self.bookings.waitlist.freed(cancelled)
        return cancelled

    def approve(self, key: StaffKey, booking_id: str) -> BookingRecord:
        """Confirm a requested visit: the visitor gets the confirmation (with the calendar
        invitation) and the reminders. Only a request still ahead; anything else is 409."""
        record = self._decidable(key, booking_id, "approved")
        now = self.clock()
        notifications = self.bookings.notifications
        sealed = self.bookings.storage.held_token(record.id)  # sealed when the visitor asked
        token = unseal_held(self._secret, record.token_hash, sealed) if sealed else None
        confirmed = msgspec.structs.replace(record, status="confirmed")  # what it will be
        owed = notifications.owed("approved", confirmed, token=token, now=now)
        approved = self.store.approve(record.id, now=now, key_id=key.id, messages=owed)
        if approved is None:  # declined or cancelled meanwhile
            raise BookingConflictError("This request was already decided or cancelled.")
        notifications.kick(owed)
        return approved

    def decline(self, key: StaffKey, booking_id: str) -> BookingRecord:
        """Decline a requested visit: its time is freed and the visitor is told, with the
        number to call. Only a request still ahead; anything else is 409."""
        record = self._decidable(key, booking_id, "declined")
        now = self.clock()
        notifications = self.bookings.notifications
        owed = notifications.owed("declined", record, token=None, now=now)
        declined = self.bookings.storage.cancel(
            record.id, now=now, messages=owed, staff_key=key.id, decline=True
        )
        if declined is None:  # approved or cancelled meanwhile
            raise BookingConflictError("This request was already decided or cancelled.")
        notifications.kick(owed)
        self.bookings.waitlist.freed(declined)
        return declined

    def _decidable(self, key: StaffKey, booking_id: str, verb: str) -> BookingRecord:
        record = self.booking(key, booking_id)
        if record.status != "requested":
            state = "cancelled" if record.status == "cancelled" else "not a request"
            raise BookingConflictError(f"This booking is {state}; it cannot be {verb}.")
        if not decidable(record, self.clock()):
            raise BookingConflictError(f"This visit has already started; it cannot be {verb}.")
        return record

    def audit_lines(self, *, days: int = 30, limit: int = 1000) -> list[AuditLine]:
        """Staff actions of the last ``days`` days, oldest first."""
        since = self.clock() - dt.timedelta(days=days)
        return self.store.audit_lines(since=since, limit=limit)
