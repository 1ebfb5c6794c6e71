"""A clinic's day for the staff day sheet: its bookings and what may be done with each."""

from __future__ import annotations

import datetime as dt

import msgspec

from kat_widgets.booking.models import BookingRecord
from kat_widgets.booking.staff import StaffService, cancellable, decidable, markable
from kat_widgets.booking.staff_keys import StaffKey
from kat_widgets.errors import ValidationError
from kat_widgets.scheduling.timeparse import check_moment

__all__ = ["DayRow", "DaySheet", "day_sheet"]


class DayRow(msgspec.Struct, frozen=True, kw_only=True):
    record: BookingRecord
    can_mark: bool
    """Confirmed and started: attended or no-show may be set."""
    can_complete: bool
    """Confirmed and ended."""
    can_cancel: bool
    """Confirmed (or requested) and still ahead."""
    can_decide: bool = False
    """A request still ahead: approve or decline."""


class DaySheet(msgspec.Struct, frozen=True, kw_only=True):
    clinic_id: str
    day: dt.date
    previous: dt.date
    next: dt.date
    rows: tuple[DayRow, ...]


def day_sheet(staff: StaffService, key: StaffKey, clinic_id: str, day: str | None) -> DaySheet:
    """The clinic's bookings on ``day`` (ISO date; default the clinic's today), in order."""
    zone = staff.directory.clinic(clinic_id).zone
    now = staff.clock()
    if day:
        try:
            chosen = check_moment(dt.date.fromisoformat(day.strip()), "date")
        except ValueError:
            raise ValidationError("date must be a day like 2027-03-09.", field="date") from None
    else:
        chosen = now.astimezone(zone).date()
    text = chosen.isoformat()
    records = staff.list_bookings(key, clinic_id, text, text)
    rows = tuple(
        DayRow(
            record=record,
            can_mark=markable(record, "attended", now),
            can_complete=markable(record, "completed", now),
            can_cancel=cancellable(record, now) and record.status != "requested",
            can_decide=decidable(record, now),
        )
        for record in records
    )
    one = dt.timedelta(days=1)
    return DaySheet(
        clinic_id=clinic_id, day=chosen, previous=chosen - one, next=chosen + one, rows=rows
    )
