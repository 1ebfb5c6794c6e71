"""Opening rules -> open intervals -> bookable slots (pure); iCalendar export and import.

The names below are imported from their modules when first used: a module that needs only
:mod:`.types` (an interval, a slot) does not load the engine and the clinic directory with it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kat_widgets.scheduling.busy import Booked, busy_from_bookings
    from kat_widgets.scheduling.engine import find_slots, free_slots, slot_at
    from kat_widgets.scheduling.pathway import HistoryEntry, check_pathway
    from kat_widgets.scheduling.types import BusyTimes, Interval, Slot, merge_busy

_HOMES = {
    "Booked": "busy",
    "busy_from_bookings": "busy",
    "find_slots": "engine",
    "free_slots": "engine",
    "slot_at": "engine",
    "HistoryEntry": "pathway",
    "check_pathway": "pathway",
    "BusyTimes": "types",
    "Interval": "types",
    "Slot": "types",
    "merge_busy": "types",
}
__all__ = [
    "Booked",
    "BusyTimes",
    "HistoryEntry",
    "Interval",
    "Slot",
    "busy_from_bookings",
    "check_pathway",
    "find_slots",
    "free_slots",
    "merge_busy",
    "slot_at",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
