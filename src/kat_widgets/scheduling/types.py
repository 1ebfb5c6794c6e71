"""The narrow interface between the slot engine and bookings: intervals, busy times, slots.

The engine is pure: bookings (and imported staff calendars) reach it only as ``BusyTimes``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import NamedTuple, cast

import msgspec

__all__ = [
    "BusyProvider",
    "BusyTimes",
    "Interval",
    "Slot",
    "busy_may_block",
    "busy_version",
    "merge_busy",
    "no_busy_times",
]


class Interval(NamedTuple):
    """A half-open span ``[start, end)`` of aware datetimes."""

    start: dt.datetime
    end: dt.datetime

    def overlaps(self, other: Interval) -> bool:
        return self.start < other.end and other.start < self.end


class Slot(msgspec.Struct, frozen=True, kw_only=True):
    """A bookable time for one service at one clinic.

    ``start``/``end`` are what the visitor sees (aware, in the clinic's zone). ``hold`` is the span
    the resources are held, buffers included. ``resources`` are the staff and room ids held
    together; ``seats_left`` counts free places for group services (1 for one-to-one).
    """

    clinic_id: str
    service_id: str
    start: dt.datetime
    end: dt.datetime
    hold: Interval
    resources: tuple[str, ...]
    seats_left: int = 1


class BusyTimes(msgspec.Struct, frozen=True, kw_only=True):
    """What is already taken, in UTC: per resource id, and seats used per group session."""

    by_resource: Mapping[str, Sequence[Interval]] = msgspec.field(default_factory=dict)
    """Busy spans per staff/room id (existing bookings with buffers, imported calendars)."""
    group_seats: Mapping[tuple[str, dt.datetime], int] = msgspec.field(default_factory=dict)
    """Seats taken per (service id, session start UTC) for group services."""
    group_resources: Mapping[tuple[str, dt.datetime], tuple[str, ...]] = msgspec.field(
        default_factory=dict
    )
    """Resources already holding a started group session, keyed like ``group_seats``.

    Later bookings of that session reuse them (their own hold is in ``by_resource``, so without
    this entry the session would look busy and no further seat would be offered: safe, not full).
    """
    day_counts: Mapping[tuple[str, dt.date], int] = msgspec.field(default_factory=dict)
    """Bookings per (service id, local date at the clinic), for ``BookingPolicy.max_per_day``."""


def merge_busy(*parts: BusyTimes) -> BusyTimes:
    """Combine busy times from several sources (bookings, imported calendars) into one."""
    by_resource: dict[str, list[Interval]] = {}
    group_seats: dict[tuple[str, dt.datetime], int] = {}
    group_resources: dict[tuple[str, dt.datetime], tuple[str, ...]] = {}
    day_counts: dict[tuple[str, dt.date], int] = {}
    for part in parts:
        for resource_id, intervals in part.by_resource.items():
            by_resource.setdefault(resource_id, []).extend(intervals)
        for key, seats in part.group_seats.items():
            group_seats[key] = group_seats.get(key, 0) + seats
        group_resources.update(part.group_resources)
        for day_key, count in part.day_counts.items():
            day_counts[day_key] = day_counts.get(day_key, 0) + count
    return BusyTimes(
        by_resource=by_resource,
        group_seats=group_seats,
        group_resources=group_resources,
        day_counts=day_counts,
    )


BusyProvider = Callable[[str, dt.datetime, dt.datetime], BusyTimes]
"""``provider(clinic_id, start, end) -> BusyTimes``: what is taken at a clinic in a range.

The web app asks its provider (``KatContext.busy_provider``) before computing slots; bookings
and imported staff calendars plug in there.
"""


def busy_version(provider: BusyProvider, clinic_id: str) -> Hashable | None:
    """What ``provider``'s answers for a clinic depend on, when it says (a ``version(clinic_id)``
    method): equal versions mean equal busy times. ``None``: it keeps no version, so whatever
    is computed from it must not be cached.
    """
    version = getattr(provider, "version", None)
    return None if version is None else cast(Hashable, version(clinic_id))


def busy_may_block(provider: BusyProvider) -> bool:
    """Whether asking ``provider`` (its version, its busy times) may wait on another machine: a
    database server, a calendar's address. A provider says it may not with a false
    ``may_block`` attribute; one that says nothing is taken to block. The web app asks from a
    thread only the providers that may (#14): a thread costs ~100 us a request.
    """
    return bool(getattr(provider, "may_block", True))


class _NothingBusy:
    """A :data:`BusyProvider` for which nothing is taken (its version never changes)."""

    def __call__(self, clinic_id: str, start: dt.datetime, end: dt.datetime) -> BusyTimes:
        return BusyTimes()

    def version(self, clinic_id: str) -> int:
        return 0

    may_block = False

    def __repr__(self) -> str:
        return "no_busy_times"


no_busy_times: BusyProvider = _NothingBusy()
"""A :data:`BusyProvider` for which nothing is taken."""
