"""Bookings: book, view, cancel and reschedule by secret token, with no double booking.

Importing this package imports no SQL toolkit: the store lives in
:mod:`kat_widgets.booking.storage` (``Storage(url)``), the only place that speaks SQL; the
database itself refuses overlapping holds.
"""

from __future__ import annotations

from kat_widgets.booking.models import (
    BookingRecord,
    BookingRequest,
    Confirmation,
    ManageView,
    MovePage,
    RescheduleRequest,
)
from kat_widgets.booking.service import BookingService

__all__ = [
    "BookingRecord",
    "BookingRequest",
    "BookingService",
    "Confirmation",
    "ManageView",
    "MovePage",
    "RescheduleRequest",
]
