"""The waitlist: when a clinic is full, "tell me when a time opens", and offers of freed times.

A visitor leaves one contact, consent, and the days they can come (``earliest``, ``latest``,
weekdays). When a matching time frees up (a cancellation, a move, a declined request, an offer
not taken), the first visitor waiting gets an offer by email or text with a claim link. The time
is held for them for :data:`OFFER_MINUTES` by a booking row in the ``held`` state, which owns
the time's holds: the database's no-overlap guarantee covers it, and nobody else is shown it.
Claiming turns that row into their booking (one claim wins, however many arrive at once);
unclaimed, :meth:`WaitlistService.sweep` frees it and offers it to the next visitor waiting.
Entries end after :data:`WAIT_DAYS` days and are purged with the bookings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

import msgspec

from kat_widgets.booking.care import new_client_id
from kat_widgets.booking.models import BookingRecord, BookingRequest, Confirmation
from kat_widgets.booking.outbox import Notifications
from kat_widgets.booking.rules import clean_request, new_booking, online_service
from kat_widgets.booking.tokens import (
    calendar_hash,
    calendar_key,
    keyed_hash,
    looks_like_token,
    new_token,
    seal_held,
    token_hash,
    unseal_held,
)
from kat_widgets.booking.waitlist_models import (
    OFFER_MINUTES,
    WAIT_DAYS,
    WaitlistEntry,
    WaitlistRequest,
    matches,
)
from kat_widgets.directory import Clinic, Directory, Service
from kat_widgets.errors import (
    BookingConflictError,
    HoldConflictError,
    NotFoundError,
    SlotTakenError,
    ValidationError,
)
from kat_widgets.i18n import gettext as _
from kat_widgets.scheduling.types import Slot

if TYPE_CHECKING:
    from kat_widgets.booking.free import FreeTimes
    from kat_widgets.booking.storage import Storage

__all__ = ["WaitlistService"]


class WaitlistService:
    """The waitlist over one directory and store; the booking service owns one
    (``BookingService.waitlist``) and tells it of every time it frees."""

    def __init__(
        self,
        directory: Directory,
        storage: Storage,
        secret_key: str,
        clock: Callable[[], dt.datetime],
        free: FreeTimes,
        notifications: Notifications,
    ) -> None:
        self.directory = directory
        self.storage = storage
        self._secret = secret_key
        self.clock = clock
        self.free = free
        self.notifications = notifications

    def _phone(self, clinic_id: str) -> str:
        organization = self.directory.organization
        return organization.phone_label(self.directory.clinic(clinic_id).phone)

    # -- the visitor's wait ---------------------------------------------------------------------

    def join(self, request: WaitlistRequest) -> tuple[WaitlistEntry, str]:
        """Put a visitor on the waitlist: ``(the entry, its manage token, shown once)``."""
        clinic, service = online_service(self.directory, request.clinic_id, request.service)
        self.sweep()  # also here: a deployment without a delivery worker still passes offers on
        now = self.clock()
        contact = clean_request(  # the same contact and consent checks as a booking's
            BookingRequest(
                clinic_id=clinic.id,
                service=service.id,
                start=now + dt.timedelta(days=1),
                name="-",
                email=request.email,
                phone=request.phone,
                consent=request.consent,
            ),
            now,
        )
        today = now.astimezone(clinic.zone).date()
        if request.latest is not None and (
            request.latest < today or (request.earliest and request.latest < request.earliest)
        ):
            raise ValidationError(
                _("The last day must be today or later, and not before the first day."),
                field="latest",
            )
        token = new_token()
        entry = WaitlistEntry(
            id=new_client_id(),
            token_hash=self._hash(token),
            clinic_id=clinic.id,
            service_id=service.id,
            email=contact.email,
            phone=contact.phone,
            language=request.lang,
            earliest=request.earliest,
            latest=request.latest,
            days=tuple(dict.fromkeys(request.days)),
            parts_of_day=tuple(dict.fromkeys(request.parts_of_day)),
            status="waiting",
            created_at=now,
            expires_at=now + dt.timedelta(days=WAIT_DAYS),
        )
        self.storage.waitlist.add(entry)
        return entry, token

    def _hash(self, token: str) -> str:
        return keyed_hash(self._secret, "waitlist-token", token)

    def view(self, token: str) -> WaitlistEntry:
        """The entry a waitlist token opens; any wrong token is the same :class:`NotFoundError`."""
        found = (
            self.storage.waitlist.by_token(self._hash(token)) if looks_like_token(token) else None
        )
        if found is None:
            raise NotFoundError(_("We could not find a waitlist place for this link."))
        return found

    def cancel(self, token: str) -> WaitlistEntry:
        """Leave the waitlist (again: no change); a time held for them is freed and offered on."""
        entry = self.view(token)
        if entry.status not in ("waiting", "offered"):
            return entry
        held = self.storage.waitlist.leave(entry.id, now=self.clock())
        if held is not None:
            self.freed(held)
        return self.view(token)

    # -- offers -----------------------------------------------------------------------------------

    def freed(self, record: BookingRecord) -> WaitlistEntry | None:
        """A time was freed (``record`` cancelled or moved away): offer it to the first visitor
        waiting for it, if any; the entry offered, or ``None``."""
        waiting = self.storage.waitlist.waiting(record.clinic_id, record.service_id)
        if not waiting:  # most cancellations: one indexed read, no slot computed
            return None
        clinic = self.directory.clinic(record.clinic_id)
        service = self.directory.service(record.service_id)
        try:
            slot = self.free.slot(clinic, service, record.start)
        except (SlotTakenError, ValidationError, NotFoundError):
            return None  # not a time anyone may book now (past, too soon, taken again)
        return self._offer(clinic, service, slot, waiting, self.clock())

    def open_times(self) -> int:
        """Offer open times that suit visitors waiting (after new hours or a closure lifted:
        ``kat-widgets waitlist offer``); the sweep does not, it passes on freed times only.
        Returns how many were offered."""
        now = self.clock()
        offered = 0
        for clinic_id, service_id in self.storage.waitlist.wanted():
            clinic = self.directory.clinic(clinic_id)
            service = self.directory.service(service_id)
            waiting = self.storage.waitlist.waiting(clinic_id, service_id)
            for slot in self.free.next_free(clinic, service, now, count=1000):
                if self._offer(clinic, service, slot, waiting, now) is not None:
                    offered += 1
                    waiting = self.storage.waitlist.waiting(clinic_id, service_id)
                if not waiting:
                    break
        return offered

    def _offer(
        self,
        clinic: Clinic,
        service: Service,
        slot: Slot,
        waiting: list[WaitlistEntry],
        now: dt.datetime,
    ) -> WaitlistEntry | None:
        """Hold ``slot`` for the first of ``waiting`` it suits and tell them; that entry."""
        for entry in waiting:
            if not matches(entry, slot.start, clinic.zone, now):
                continue
            claim, token = new_token(), new_token()
            digest = token_hash(self._secret, token)
            visit = BookingRequest(
                clinic_id=clinic.id,
                service=service.id,
                start=slot.start,
                name="",
                email=entry.email,
                phone=entry.phone,
                consent=True,
                sms_reminders=entry.phone is not None,
                language=entry.language,
            )
            held = new_booking(
                clinic,
                service,
                slot,
                visit,
                digest,
                calendar_hash(self._secret, calendar_key(self._secret, token)),
                new_client_id(),
                held_token=seal_held(self._secret, digest, token),
            )
            held = msgspec.structs.replace(held, offered=True)
            owed = self.notifications.owed("offer", held, token=claim, now=now)
            if not any(message.channel in ("email", "sms") for message in owed):
                continue  # no email or text reaches them (none configured): hold nothing
            until = now + dt.timedelta(minutes=OFFER_MINUTES)
            offer = self.storage.waitlist.offer(
                entry.id, self._claim_hash(claim), until, slot.start
            )
            try:
                self.storage.create(held, now=now, messages=owed, also=offer)
            except (HoldConflictError, BookingConflictError):
                return None  # taken meanwhile, or this entry was offered elsewhere
            self.notifications.kick(owed)
            return self.storage.waitlist.by_id(entry.id)
        return None

    def _gone(self, entry: WaitlistEntry) -> BookingConflictError:
        return BookingConflictError(
            _(
                "This time was already booked with this link, or the offer has passed. "
                "Please call us at {phone}."
            ).format(phone=self._phone(entry.clinic_id))
        )

    def _claim_hash(self, claim: str) -> str:
        return keyed_hash(self._secret, "waitlist-claim", claim)

    def offered(self, claim: str) -> tuple[WaitlistEntry, BookingRecord]:
        """The offer a claim link stands for, still open; :class:`BookingConflictError` (409)
        with the number when it was used, has passed or was withdrawn (reads only: the offer
        page opens with it)."""
        entry = None
        if looks_like_token(claim):
            entry = self.storage.waitlist.by_claim(self._claim_hash(claim))
        record = None
        if entry is not None and entry.offer_booking_id is not None:
            record = self.storage.by_id(entry.offer_booking_id)
        if entry is None:
            raise NotFoundError(_("We could not find this offer. It may have passed."))
        if entry.status != "offered" or record is None or record.status != "held":
            raise self._gone(entry)
        if entry.offer_until is not None and self.clock() >= entry.offer_until:
            raise BookingConflictError(
                _(
                    "This offer has passed and the time went to the next person waiting. "
                    "You are still on the waitlist. Questions? Call us at {phone}."
                ).format(phone=self._phone(entry.clinic_id))
            )
        return entry, record

    def claim(self, claim: str) -> Confirmation:
        """Book the offered time: the held row becomes the visitor's booking (201). One claim
        wins however many arrive at once; the others get :class:`BookingConflictError`."""
        self.sweep()  # as when joining: offers that ran out pass on first
        entry, record = self.offered(claim)
        sealed = self.storage.held_token(record.id)
        if sealed is None:
            raise BookingConflictError(_("This offer has passed."))
        token = unseal_held(self._secret, record.token_hash, sealed)
        now = self.clock()
        confirmed = msgspec.structs.replace(record, status="confirmed")
        owed = self.notifications.owed("created", confirmed, token=token, now=now)
        booked = self.storage.waitlist.claim(entry.id, record.id, now=now, messages=owed)
        if booked is None:
            raise self._gone(entry)
        self.notifications.kick(owed)
        return Confirmation(booking=booked, token=token)

    def sweep(self) -> int:
        """Offers that ran out go to the next visitor waiting; waits that ended end. Returns
        how many offers were passed on (the delivery worker runs this; any call may)."""
        now = self.clock()
        passed = 0
        for entry in self.storage.waitlist.offers_ended(now):
            held = self.storage.waitlist.pass_on(entry.id, now=now)
            if held is not None:
                passed += 1
                self.freed(held)
        self.storage.waitlist.expire(now)
        return passed
