"""A week of open times for the open-times widget: which week, its days and slots, its neighbours.

The rules (this week by default, never before it nor past the booking horizon, the next week
when this one has nothing left) live here; the widget only draws the answer.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec
from msgspec import Meta

from kat_widgets.directory import Clinic, Directory, Service
from kat_widgets.queries import Query
from kat_widgets.scheduling.engine import free_slots
from kat_widgets.scheduling.timeparse import check_moment, week_start
from kat_widgets.scheduling.types import BusyProvider, Slot

__all__ = ["Week", "WeekQuery", "open_week"]

ClinicId = Annotated[str, Meta(description="A clinic id (draper).")]
ServiceId = Annotated[str, Meta(description="A service id (default: info-call).")]
WeekDate = Annotated[
    dt.date, Meta(description="Any date in the week to show (default: this week).")
]


class WeekQuery(Query, frozen=True):
    """One week of open times of a service at a clinic."""

    clinic: ClinicId
    service: ServiceId = "info-call"
    week: WeekDate | None = None


class Week(msgspec.Struct, frozen=True, kw_only=True):
    clinic: Clinic
    service: Service
    monday: dt.date
    days: tuple[dt.date, ...]
    slots: tuple[Slot, ...]
    """Open slots of the week, by start, in the clinic's zone."""
    previous: dt.date | None
    """Monday of the week before, if visitors may go there (not before this week)."""
    following: dt.date | None
    """Monday of the week after, if it starts within the booking horizon."""
    today: dt.date | None = None
    """The clinic's date now: days before it have passed (``None``: not known)."""


def _slots(
    directory: Directory,
    clinic: Clinic,
    service: Service,
    monday: dt.date,
    busy: BusyProvider,
    now: dt.datetime,
) -> list[Slot]:
    first = dt.datetime.combine(monday, dt.time(0), tzinfo=clinic.zone)
    last = dt.datetime.combine(monday + dt.timedelta(days=7), dt.time(0), tzinfo=clinic.zone)
    if last <= now:
        return []
    start = max(first, now)
    return free_slots(directory, clinic.id, service.id, start=start, end=last, busy=busy, now=now)


def open_week(
    directory: Directory, query: WeekQuery, *, busy: BusyProvider, now: dt.datetime
) -> Week:
    """The week ``query`` asks for, clamped to [this week, the horizon]."""
    clinic = directory.clinic(query.clinic)
    service = directory.service(query.service)
    today = now.astimezone(clinic.zone).date()
    this_week = week_start(today)
    asked = week_start(check_moment(query.week, "week")) if query.week is not None else None
    horizon_end = (now + dt.timedelta(days=service.policy.horizon_days)).astimezone(clinic.zone)
    last_day = horizon_end.date()
    monday = asked if asked is not None and this_week <= asked <= last_day else this_week
    slots = _slots(directory, clinic, service, monday, busy, now)
    if not slots and asked is None and monday + dt.timedelta(days=7) <= last_day:
        monday += dt.timedelta(days=7)  # nothing left this week: show the next one
        slots = _slots(directory, clinic, service, monday, busy, now)
    previous = monday - dt.timedelta(days=7)
    following = monday + dt.timedelta(days=7)
    return Week(
        clinic=clinic,
        service=service,
        monday=monday,
        days=tuple(monday + dt.timedelta(days=offset) for offset in range(7)),
        slots=tuple(slots),
        previous=previous if previous >= this_week else None,
        following=following if following <= last_day else None,
        today=today,
    )
