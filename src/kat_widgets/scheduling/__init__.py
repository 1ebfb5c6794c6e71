"""Opening rules -> open intervals -> bookable slots (pure); iCalendar export and import."""

from __future__ import annotations

from kat_widgets.scheduling.busy import Booked, busy_from_bookings
from kat_widgets.scheduling.engine import find_slots, free_slots, slot_at
from kat_widgets.scheduling.pathway import HistoryEntry, check_pathway
from kat_widgets.scheduling.types import BusyTimes, Interval, Slot, merge_busy

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
