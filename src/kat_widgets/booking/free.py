"""What is free at a clinic once bookings and staff calendars are counted (no SQL here)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING

from kat_widgets.directory import Clinic, Directory, Service
from kat_widgets.errors import SlotTakenError, ValidationError
from kat_widgets.i18n import N_
from kat_widgets.i18n import gettext as _
from kat_widgets.scheduling import find_slots, slot_at
from kat_widgets.scheduling.types import (
    BusyProvider,
    BusyTimes,
    Slot,
    busy_may_block,
    busy_version,
    merge_busy,
    no_busy_times,
)

if TYPE_CHECKING:
    from kat_widgets.booking.storage import Storage

__all__ = ["NEXT_FREE_DAYS", "NEXT_SLOTS", "TAKEN", "FreeTimes"]

NEXT_SLOTS = 3
NEXT_FREE_DAYS = 14
"""How far :meth:`FreeTimes.next_free` looks ahead from where it starts."""
TAKEN = N_("Sorry, that time was just taken. Please choose another time.")


class FreeTimes:
    """Slots as the engine computes them, minus stored holds and imported staff calendars."""

    def __init__(
        self,
        directory: Directory,
        storage: Storage,
        *,
        calendars: BusyProvider = no_busy_times,
        clock: Callable[[], dt.datetime],
    ) -> None:
        self.directory = directory
        self.storage = storage
        self.calendars = calendars
        self.clock = clock

    def busy(
        self,
        clinic: Clinic,
        start: dt.datetime,
        end: dt.datetime,
        *,
        exclude_booking: str | None = None,
    ) -> BusyTimes:
        """Stored holds and imported calendars around ``[start, end)`` (a day of margin)."""
        margin = dt.timedelta(days=1)
        stored = self.storage.busy(
            clinic.id,
            start - margin,
            end + margin,
            zone=clinic.zone,
            exclude_booking=exclude_booking,
        )
        return merge_busy(stored, self.calendars(clinic.id, start - margin, end + margin))

    def busy_provider(self, clinic_id: str, start: dt.datetime, end: dt.datetime) -> BusyTimes:
        """A scheduling ``BusyProvider``: what the slots API and widgets must treat as taken."""
        return self.busy(self.directory.clinic(clinic_id), start, end)

    __call__ = busy_provider
    """This object is the ``BusyProvider`` itself, so its :meth:`version` goes with it."""

    @property
    def may_block(self) -> bool:
        """Whether a read may wait on another machine: a database server (SQLite is a local
        file, read in WAL mode beside writers) or a calendar's address."""
        return self.storage.dialect != "sqlite" or busy_may_block(self.calendars)

    def version(self, clinic_id: str) -> Hashable | None:
        """Stored holds and imported calendars, each by its version (``None``: the calendars
        keep none, so nothing computed from them may be cached). Read before the busy times
        themselves, so a cache never files newer answers under an older version."""
        calendars = busy_version(self.calendars, clinic_id)
        if calendars is None:
            return None
        return (self.storage.schedule_version(clinic_id), calendars)

    def next_free(
        self,
        clinic: Clinic,
        service: Service,
        after: dt.datetime,
        count: int = NEXT_SLOTS,
        *,
        moving: str | None = None,
    ) -> list[Slot]:
        """Up to ``count`` bookable slots from ``after`` on (within ``NEXT_FREE_DAYS``).

        ``moving``: the id of a booking being moved, which does not block times for itself.
        """
        now = self.clock()
        after = max(after, now)
        days = min(NEXT_FREE_DAYS, service.policy.horizon_days)
        end = after + dt.timedelta(days=days)
        try:
            found = find_slots(
                self.directory,
                clinic.id,
                service.id,
                start=after,
                end=end,
                busy=self.busy(clinic, after, end, exclude_booking=moving),
                now=now,
            )
        except ValidationError:
            return []
        return found[:count]

    def slot(
        self, clinic: Clinic, service: Service, start: dt.datetime, *, moving: str | None = None
    ) -> Slot:
        """The slot at ``start`` given the stored holds; typed errors when there is none."""
        now = self.clock()
        busy = self.busy(clinic, start, start + dt.timedelta(minutes=1), exclude_booking=moving)
        slot = slot_at(self.directory, clinic.id, service.id, start, busy=busy, now=now)
        if slot is not None:
            return slot
        free = slot_at(self.directory, clinic.id, service.id, start, busy=BusyTimes(), now=now)
        if free is None:
            raise ValidationError(
                _("That time is not offered. Please choose one of the available times."),
                field="start",
            )
        raise SlotTakenError(
            _(TAKEN), next_slots=self.next_free(clinic, service, start, moving=moving)
        )
