"""What the waitlist holds: a visitor's request to wait, the entry, and which freed times suit it
(pure; the use cases are in :mod:`kat_widgets.booking.waitlist`)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import msgspec

from kat_widgets.booking.models import Language
from kat_widgets.queries import Query

__all__ = [
    "OFFER_MINUTES",
    "WAIT_DAYS",
    "PartOfDay",
    "WaitlistEntry",
    "WaitlistFormQuery",
    "WaitlistRequest",
    "Weekday",
    "matches",
    "part_of_day",
]

OFFER_MINUTES = 30
"""How long an offered time is held for the visitor it was offered to."""
WAIT_DAYS = 30
"""How long a visitor stays on the waitlist."""
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PartOfDay = Literal["morning", "afternoon", "evening"]


def part_of_day(hour: int) -> PartOfDay:
    """The part of the day a local hour falls in: before noon, to 5 PM, after."""
    return "morning" if hour < 12 else "afternoon" if hour < 17 else "evening"


class WaitlistRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """``POST /api/waitlist``: which service where, one way to reach them, when they can come."""

    clinic_id: str
    service: str
    email: str | None = None
    phone: str | None = None
    consent: bool = False
    """They agree to be contacted by the email or phone given, about this wait."""
    earliest: dt.date | None = None
    """The first day they can come (clinic's days); default: any."""
    latest: dt.date | None = None
    """The last day they can come; default: any, until the wait ends."""
    days: tuple[Weekday, ...] = ()
    """The weekdays they can come (``mon``...``sun``); default: any."""
    parts_of_day: tuple[PartOfDay, ...] = ()
    """The parts of the day that suit (clinic's time): ``morning`` (before noon),
    ``afternoon`` (noon to 5 PM), ``evening`` (from 5 PM); default: any."""
    lang: Language = "en"
    """The language of the messages."""


class WaitlistEntry(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    token_hash: str
    clinic_id: str
    service_id: str
    email: str | None
    phone: str | None
    language: Language
    earliest: dt.date | None
    latest: dt.date | None
    days: tuple[str, ...]
    parts_of_day: tuple[str, ...] = ()
    status: Literal["waiting", "offered", "booked", "cancelled", "expired"]
    created_at: dt.datetime
    expires_at: dt.datetime
    claim_hash: str | None = None
    offer_booking_id: str | None = None
    offer_until: dt.datetime | None = None
    passed_start: dt.datetime | None = None


def matches(entry: WaitlistEntry, start: dt.datetime, zone: dt.tzinfo, now: dt.datetime) -> bool:
    """Whether a freed time at ``start`` suits ``entry``: still waiting, not ended, on one of
    its days (in the clinic's zone), and not the time it was offered and let pass."""
    local = start.astimezone(zone)
    day = local.date()
    return (
        (not entry.parts_of_day or part_of_day(local.hour) in entry.parts_of_day)
        and entry.status == "waiting"
        and now < entry.expires_at
        and (entry.earliest is None or entry.earliest <= day)
        and (entry.latest is None or day <= entry.latest)
        and (not entry.days or _WEEKDAYS[day.weekday()] in entry.days)
        and entry.passed_start != start
    )


class WaitlistFormQuery(Query, frozen=True):
    """The waitlist widget: "tell me when a time opens" for one service at one clinic."""

    clinic: str
    service: str = "info-call"
