"""Bookings: book, view, cancel and reschedule by secret token, with no double booking.

``storage`` is the only module that speaks SQL; the database itself refuses overlapping holds.
"""

from __future__ import annotations

from kat_widgets.booking.service import BookingRequest, BookingService, Confirmation
from kat_widgets.booking.storage import BookingRecord, Storage

__all__ = [
    "BookingRecord",
    "BookingRequest",
    "BookingService",
    "Confirmation",
    "Storage",
]
