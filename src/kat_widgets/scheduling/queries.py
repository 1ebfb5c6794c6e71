"""What callers ask the scheduler: open slots in a range, a week of open times, a feed.

Each query validates its fields once (:class:`~kat_widgets.queries.Query`); the functions here
are the one domain call each delivery layer makes.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec
from msgspec import Meta

from kat_widgets.directory import Clinic, Directory, Service
from kat_widgets.errors import ValidationError
from kat_widgets.queries import Query
from kat_widgets.scheduling.cache import SlotCache
from kat_widgets.scheduling.timeparse import check_moment, parse_moment
from kat_widgets.scheduling.types import BusyProvider, Slot

__all__ = ["HorizonSlots", "OpenSlots", "SlotsQuery", "horizon_slots", "open_slots"]

ClinicId = Annotated[str, Meta(description="A clinic id (draper).")]
ServiceId = Annotated[str, Meta(description="A service id (info-call).")]
MomentText = Annotated[
    str,
    Meta(
        description="ISO 8601 date or date-time; without an offset it is read in the clinic's zone."
    ),
]
DEFAULT_DAYS = 7


class SlotsQuery(Query, frozen=True):
    """Open slots of one service at one clinic in ``[start, end)``."""

    clinic_id: ClinicId
    service: ServiceId
    start: MomentText | None = None
    """Default: now."""
    end: MomentText | None = None
    """Default: a week after ``start``."""


class OpenSlots(msgspec.Struct, frozen=True, kw_only=True):
    clinic: Clinic
    service: Service
    start: dt.datetime
    end: dt.datetime
    slots: tuple[Slot, ...]
    key: str
    """Names exactly these slots (see :class:`~kat_widgets.scheduling.cache.Found`)."""


def open_slots(
    directory: Directory,
    query: SlotsQuery,
    *,
    busy: BusyProvider,
    now: dt.datetime,
    cache: SlotCache | None = None,
) -> OpenSlots:
    """The open slots ``query`` asks for; unknown clinic or service: ``NotFoundError``.

    ``cache`` keeps slots between calls (pass the same one each time); without, a fresh one.
    """
    clinic = directory.clinic(query.clinic_id)
    service = directory.service(query.service)
    first = parse_moment(query.start, clinic.zone, field="start") if query.start else now
    last = (
        parse_moment(query.end, clinic.zone, field="end")
        if query.end
        else check_moment(first + dt.timedelta(days=DEFAULT_DAYS), "start")
    )
    if last <= first:
        raise ValidationError("end must be later than start", field="end")
    found = (cache or SlotCache()).find(
        directory, clinic.id, service.id, start=first, end=last, busy=busy, now=now
    )
    return OpenSlots(
        clinic=clinic,
        service=service,
        start=first,
        end=last,
        slots=tuple(found.slots),
        key=found.key,
    )


class HorizonSlots(msgspec.Struct, frozen=True, kw_only=True):
    clinic: Clinic
    service: Service
    end: dt.datetime
    slots: tuple[Slot, ...]
    key: str
    """Names exactly these slots (see :class:`~kat_widgets.scheduling.cache.Found`)."""


def horizon_slots(
    directory: Directory,
    clinic_id: str,
    service_id: str,
    *,
    busy: BusyProvider,
    now: dt.datetime,
    days: int | None = None,
    cache: SlotCache | None = None,
) -> HorizonSlots:
    """Every open slot from now to the service's booking horizon (or ``days``, if sooner).

    What the availability feed and ``kat-widgets export-ics`` publish.
    """
    clinic = directory.clinic(clinic_id)
    service = directory.service(service_id)
    horizon = service.policy.horizon_days
    end = now + dt.timedelta(days=horizon if days is None else max(0, min(days, horizon)))
    if end <= now:
        raise ValidationError("days must be at least 1", field="days")
    found = (cache or SlotCache()).find(
        directory, clinic.id, service.id, start=now, end=end, busy=busy, now=now
    )
    return HorizonSlots(
        clinic=clinic, service=service, end=end, slots=tuple(found.slots), key=found.key
    )
