"""The narrow interface between the slot engine and bookings: intervals, busy times, slots.

The engine is pure: bookings (and imported staff calendars) reach it only as ``BusyTimes``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import NamedTuple

import msgspec

__all__ = ["BusyTimes", "Interval", "Slot"]


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
