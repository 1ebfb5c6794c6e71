"""Opening rules -> open intervals -> bookable slots (pure); iCalendar export and import."""

from __future__ import annotations

from kat_widgets.scheduling.types import BusyTimes, Interval, Slot

__all__ = ["BusyTimes", "Interval", "Slot"]
