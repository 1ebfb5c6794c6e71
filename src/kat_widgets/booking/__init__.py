"""Bookings: book, view, cancel and reschedule by secret token, with no double booking.

Importing this package imports no SQL toolkit: the store lives in
:mod:`kat_widgets.booking.storage` (``Storage(url)``), the only place that speaks SQL; the
database itself refuses overlapping holds. The names below are imported when first used, so a
fragment host that needs only :mod:`.models` (a form's query) never loads the use cases.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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


def __getattr__(name: str) -> Any:
    if name == "BookingService":
        from kat_widgets.booking.service import BookingService

        return BookingService
    if name in __all__:
        from kat_widgets.booking import models

        return getattr(models, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
