"""What the booking use cases take and give: requests, stored records, answers (pure msgspec).

No SQL and no web here: the fragments render these, the store reads and writes them, the web
layer encodes them.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import msgspec

from kat_widgets.queries import Query
from kat_widgets.scheduling.types import Interval, Slot

__all__ = [
    "EMAIL_MAX",
    "NAME_MAX",
    "NOTE_MAX",
    "PHONE_MAX",
    "BookingFormQuery",
    "BookingRecord",
    "BookingRequest",
    "Channel",
    "Confirmation",
    "Event",
    "IdempotencyRecord",
    "Language",
    "ManageView",
    "MovePage",
    "NewBooking",
    "OutboxMessage",
    "OutboxStatus",
    "Outcome",
    "Outgoing",
    "RescheduleRequest",
    "StaffBookingRequest",
    "Status",
]

NAME_MAX = 200
EMAIL_MAX = 254
PHONE_MAX = 32
NOTE_MAX = 500
"""Longest accepted visitor fields (the columns are sized to match)."""

Status = Literal["confirmed", "cancelled", "requested", "held"]
"""``requested``: a service that needs approval, its time held until staff approve (then
``confirmed``) or decline (then ``cancelled``). ``held``: a time offered to a visitor on the
waitlist, until they claim it (then ``confirmed``) or the offer runs out."""
Outcome = Literal["attended", "no-show", "completed"]
"""What staff marked a past visit as (``completed``: the pathway step is done)."""
Language = Literal["en", "es"]
"""What a visitor may book in; every message we send later uses it."""
Event = Literal[
    "created",
    "rescheduled",
    "cancelled",
    "reminder",
    "requested",
    "approved",
    "declined",
    "offer",
]
Channel = Literal["email", "sms", "webhook", "staff-email"]
OutboxStatus = Literal["pending", "sending", "sent", "parked", "skipped"]


class BookingFormQuery(Query, frozen=True):
    """The booking widget: the form for ``start``, or (without one) the open times to pick from."""

    clinic: str
    service: str = "info-call"
    start: str | None = None
    """The chosen time as the open-times links carry it (ISO 8601 with offset)."""


class BookingRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The POST body: which slot, who, one way to reach them, an optional note, consent.

    Field rules (and their messages for a visitor) are checked by the booking service.
    """

    clinic_id: str
    service: str
    start: dt.datetime
    name: str
    email: str | None = None
    phone: str | None = None
    note: str | None = None
    consent: bool = False
    sms_reminders: bool = False
    """Text reminders to ``phone`` too (a separate, explicit yes; email needs none)."""
    language: Language = "en"
    referral: str | None = None
    """The token of a referral link, when a later step of care is booked from the link the
    clinic sent (or the manage page of the client's earlier booking gave)."""
    answers: dict[str, bool | str] | None = None
    """Answers to the service's intake questions (``GET .../questions``): ``true``/``false``,
    a choice's id, or a short text, by question id."""


class StaffBookingRequest(BookingRequest, forbid_unknown_fields=True, kw_only=True):
    """Booking on behalf of a client: a visitor's fields, and which client it is for."""

    client_id: str | None = None
    """The client (from an earlier booking's ``client_id``): their care-pathway rules apply.
    ``None``: a new client, who may book only what needs no earlier step."""


class RescheduleRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Move a booking: the new start (one of the times the manage page offers)."""

    start: dt.datetime
    sequence: int | None = None
    """The booking's ``sequence`` as last seen (or send ``If-Match``): a booking changed since
    is refused with 409 instead of being moved twice (two tabs, two devices)."""


class NewBooking(msgspec.Struct, frozen=True, kw_only=True):
    """What the store writes: the slot's times and holds plus the visitor's fields."""

    clinic_id: str
    service_id: str
    start: dt.datetime
    end: dt.datetime
    hold: Interval
    resources: tuple[str, ...]
    capacity: int
    token_hash: str
    calendar_hash: str | None = None
    day_cap: int | None = None
    """The service's ``max_per_day``: checked by the store, under a lock, not only by the engine."""
    day: tuple[dt.datetime, dt.datetime] | None = None
    """The clinic-local day of ``start`` as UTC ``[midnight, next midnight)``, for ``day_cap``."""
    name: str
    email: str | None
    phone: str | None
    note: str | None
    sms_reminders: bool = False
    language: Language = "en"
    client_id: str | None = None
    """The client record the booking belongs to (an opaque id; see ``booking.care``)."""
    requested: bool = False
    """Held for staff to approve (the service ``requires_approval``)."""
    offered: bool = False
    """Held for a visitor on the waitlist until they claim it."""
    held_token: str | None = None
    """With ``requested``: the manage token sealed for the confirmation staff approve later."""
    answers: dict[str, bool | str] | None = None


class BookingRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A stored booking (times in UTC)."""

    id: str
    clinic_id: str
    service_id: str
    start: dt.datetime
    end: dt.datetime
    status: Status
    sequence: int
    token_hash: str
    calendar_hash: str | None = None
    """Keyed hash of the read-only calendar key (``None`` for bookings older than it)."""
    name: str | None
    email: str | None
    phone: str | None
    note: str | None
    sms_reminders: bool = False
    language: Language = "en"
    outcome: Outcome | None = None
    """Set by staff after the visit (``None``: not marked yet)."""
    client_id: str | None = None
    """The client record it belongs to (``None``: booked before client records existed)."""
    answers: dict[str, bool | str] | None = None
    """The intake answers (personal: staff keys with ``names:read`` only; never in logs,
    calendars or webhooks)."""
    created_at: dt.datetime
    updated_at: dt.datetime


class IdempotencyRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A remembered POST: the request's keyed hash and the sealed manage token."""

    key_hash: str
    request_hash: str
    sealed_token: str


class Confirmation(msgspec.Struct, frozen=True, kw_only=True):
    """A booking and the secret token that manages it (only ever shown to its owner)."""

    booking: BookingRecord
    token: str
    replayed: bool = False


class MovePage(msgspec.Struct, frozen=True, kw_only=True):
    """One page of the times a booking may move to."""

    slots: tuple[Slot, ...]
    later: dt.datetime | None
    """Where the next page starts (``None``: nothing bookable past the horizon)."""
    paged: bool
    """This is not the first page (the visitor asked for times after some point)."""


class ManageView(msgspec.Struct, frozen=True, kw_only=True):
    """Everything the manage page shows, decided by the booking service."""

    record: BookingRecord
    calendar_key: str
    can_change: bool
    """Online cancel/reschedule is still open (confirmed, and before the cut-off)."""
    cancel_by: dt.datetime
    """When online changes close (the start minus ``cancel_cutoff_hours``)."""
    cutoff_hours: int
    moves: MovePage
    next_steps: tuple[str, ...] = ()
    """Services the client may book online next (their earlier steps are done)."""


class Outgoing(msgspec.Struct, frozen=True, kw_only=True):
    """A message a booking change owes, written to the outbox in the change's transaction."""

    id: str
    """The message's stable id: the email Message-ID, the webhook-id, in the logs."""
    event: Event
    channel: Channel
    due_at: dt.datetime
    target: str | None = None
    """Where a webhook goes (never personal data); the recipient of an email or text is read
    from the booking when it is sent."""
    sealed_token: str | None = None
    """The manage token, sealed with the secret key, for the links in the message."""


class OutboxMessage(msgspec.Struct, frozen=True, kw_only=True):
    """An outbox row as the delivery worker and ``kat-widgets outbox`` see it."""

    id: str
    booking_id: str
    event: Event
    channel: Channel
    target: str | None
    due_at: dt.datetime
    status: OutboxStatus
    attempts: int
    claim: str | None
    sealed_token: str | None
    last_error: str | None
    created_at: dt.datetime
    sent_at: dt.datetime | None
