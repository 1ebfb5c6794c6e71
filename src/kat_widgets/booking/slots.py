"""Where bookings get their slots: a small protocol over the scheduling engine.

The service talks to ``SlotSource`` so tests (or an operator's own engine) can stand in for
:mod:`kat_widgets.scheduling`; :data:`ENGINE` is the real one.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from kat_widgets import scheduling
from kat_widgets.directory import Directory
from kat_widgets.scheduling.types import BusyTimes, Slot

__all__ = ["ENGINE", "EngineSlots", "SlotSource"]


class SlotSource(Protocol):
    """The two engine calls bookings need (signatures of :mod:`kat_widgets.scheduling`)."""

    def find_slots(
        self,
        directory: Directory,
        clinic_id: str,
        service_id: str,
        *,
        start: dt.datetime,
        end: dt.datetime,
        busy: BusyTimes,
        now: dt.datetime,
    ) -> list[Slot]: ...

    def slot_at(
        self,
        directory: Directory,
        clinic_id: str,
        service_id: str,
        start: dt.datetime,
        *,
        busy: BusyTimes,
        now: dt.datetime,
    ) -> Slot | None: ...


class EngineSlots:
    """:class:`SlotSource` backed by the pure scheduling engine."""

    def find_slots(
        self,
        directory: Directory,
        clinic_id: str,
        service_id: str,
        *,
        start: dt.datetime,
        end: dt.datetime,
        busy: BusyTimes,
        now: dt.datetime,
    ) -> list[Slot]:
        return scheduling.find_slots(
            directory, clinic_id, service_id, start=start, end=end, busy=busy, now=now
        )

    def slot_at(
        self,
        directory: Directory,
        clinic_id: str,
        service_id: str,
        start: dt.datetime,
        *,
        busy: BusyTimes,
        now: dt.datetime,
    ) -> Slot | None:
        return scheduling.slot_at(directory, clinic_id, service_id, start, busy=busy, now=now)


ENGINE = EngineSlots()
