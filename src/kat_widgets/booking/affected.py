"""Bookings a change of the directory left outside the clinic's hours (a closure, a holiday,
shorter hours): ``kat-widgets check`` reports them, ``kat-widgets bookings affected`` lists
them and may cancel them (the visitors are told)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from kat_widgets.booking.models import BookingRecord
from kat_widgets.directory import Directory
from kat_widgets.errors import NotFoundError
from kat_widgets.scheduling.rules import within_hours

if TYPE_CHECKING:
    from kat_widgets.booking.storage import Storage

__all__ = ["AHEAD", "affected_bookings"]

AHEAD = dt.timedelta(days=800)
"""Far enough to cover every booking (the longest horizon is two years)."""


def affected_bookings(
    storage: Storage, directory: Directory, *, now: dt.datetime
) -> list[BookingRecord]:
    """Confirmed bookings still ahead whose time the clinic's hours no longer hold, or whose
    clinic or service the directory no longer lists, by start."""
    found = []
    for record in storage.between(now, now + AHEAD):
        try:
            clinic = directory.clinic(record.clinic_id)
        except NotFoundError:
            found.append(record)
            continue
        offered = directory.offers(clinic, record.service_id)
        if not offered or not within_hours(clinic, record.start, record.end):
            found.append(record)
    return found
