"""Build :class:`BusyTimes` from what bookings hold, the way the engine expects it.

One builder, :func:`busy_times`, serves the booking store (rows read from its tables) and
:func:`busy_from_bookings` (bookings kept in memory, e.g. by a host without a database).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import NamedTuple
from zoneinfo import ZoneInfo

from kat_widgets.scheduling.types import BusyTimes, Interval

__all__ = ["Booked", "GroupSeat", "Hold", "busy_from_bookings", "busy_times"]


class Booked(NamedTuple):
    """One active booking as the engine needs it (take the fields from its :class:`Slot`)."""

    service_id: str
    start: dt.datetime
    hold: Interval
    resources: tuple[str, ...]


class Hold(NamedTuple):
    """A resource held over ``[start, end)`` (a one-to-one booking, or a group session's)."""

    resource_id: str
    start: dt.datetime
    end: dt.datetime


class GroupSeat(NamedTuple):
    """A group session: its seats taken, and one resource holding it (``None``: none yet)."""

    service_id: str
    start: dt.datetime
    seats_taken: int
    resource_id: str | None


def busy_times(
    holds: Iterable[Hold],
    sessions: Iterable[GroupSeat],
    starts: Iterable[tuple[str, dt.datetime]],
    *,
    zone: ZoneInfo | dt.tzinfo,
) -> BusyTimes:
    """Busy spans per resource, seats and resources per group session, bookings per local day.

    ``starts`` are (service id, start) of every booking that still holds its time; ``zone`` is
    the clinic's, for the per-day counts behind ``BookingPolicy.max_per_day``.
    """
    by_resource: dict[str, list[Interval]] = {}
    seats: dict[tuple[str, dt.datetime], int] = {}
    group_resources: dict[tuple[str, dt.datetime], set[str]] = {}
    day_counts: dict[tuple[str, dt.date], int] = {}
    for hold in holds:
        by_resource.setdefault(hold.resource_id, []).append(Interval(hold.start, hold.end))
    for session in sessions:
        key = (session.service_id, session.start.astimezone(dt.UTC))
        seats[key] = session.seats_taken
        if session.resource_id is not None:
            group_resources.setdefault(key, set()).add(session.resource_id)
    for service_id, start in starts:
        day = (service_id, start.astimezone(zone).date())
        day_counts[day] = day_counts.get(day, 0) + 1
    return BusyTimes(
        by_resource=by_resource,
        group_seats=seats,
        group_resources={key: tuple(sorted(ids)) for key, ids in group_resources.items()},
        day_counts=day_counts,
    )


def busy_from_bookings(bookings: Iterable[Booked], *, zone: ZoneInfo) -> BusyTimes:
    """:func:`busy_times` for bookings kept in memory (pass only those not cancelled).

    Each booking holds its own resources; bookings with the same service and start share one
    group session, count one seat each, and reuse the first one's resources.
    """
    holds: list[Hold] = []
    seats: dict[tuple[str, dt.datetime], int] = {}
    first: dict[tuple[str, dt.datetime], tuple[str, ...]] = {}
    starts: list[tuple[str, dt.datetime]] = []
    for booked in bookings:
        holds += [Hold(res, booked.hold.start, booked.hold.end) for res in booked.resources]
        key = (booked.service_id, booked.start.astimezone(dt.UTC))
        seats[key] = seats.get(key, 0) + 1
        first.setdefault(key, booked.resources)
        starts.append((booked.service_id, booked.start))
    sessions = [
        GroupSeat(service_id, start, taken, resource)
        for (service_id, start), taken in seats.items()
        for resource in first[(service_id, start)] or (None,)
    ]
    return busy_times(holds, sessions, starts, zone=zone)
