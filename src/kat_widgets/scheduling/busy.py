"""Build :class:`BusyTimes` from existing bookings, the way the engine expects them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import NamedTuple
from zoneinfo import ZoneInfo

from kat_widgets.scheduling.types import BusyTimes, Interval

__all__ = ["Booked", "busy_from_bookings"]


class Booked(NamedTuple):
    """One active booking as the engine needs it (take the fields from its :class:`Slot`)."""

    service_id: str
    start: dt.datetime
    hold: Interval
    resources: tuple[str, ...]


def busy_from_bookings(bookings: Iterable[Booked], *, zone: ZoneInfo) -> BusyTimes:
    """Busy spans per resource, seats and resources per group session, bookings per local day.

    Pass only bookings that still hold time (not cancelled). ``zone`` is the clinic's, for the
    per-day counts behind ``BookingPolicy.max_per_day``.
    """
    by_resource: dict[str, list[Interval]] = {}
    group_seats: dict[tuple[str, dt.datetime], int] = {}
    group_resources: dict[tuple[str, dt.datetime], tuple[str, ...]] = {}
    day_counts: dict[tuple[str, dt.date], int] = {}
    for booked in bookings:
        for resource in booked.resources:
            by_resource.setdefault(resource, []).append(booked.hold)
        key = (booked.service_id, booked.start.astimezone(dt.UTC))
        group_seats[key] = group_seats.get(key, 0) + 1
        group_resources.setdefault(key, booked.resources)
        day = (booked.service_id, booked.start.astimezone(zone).date())
        day_counts[day] = day_counts.get(day, 0) + 1
    return BusyTimes(
        by_resource=by_resource,
        group_seats=group_seats,
        group_resources=group_resources,
        day_counts=day_counts,
    )
