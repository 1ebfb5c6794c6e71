"""Rows of the booking tables as records, and the overlap check used by tests and load runs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import msgspec

from kat_widgets.booking.models import BookingRecord, NewBooking, OutboxMessage

__all__ = ["booking_values", "message", "overlapping", "record"]


_COLUMNS = {"start": "start_utc", "end": "end_utc"}
"""Where a booking's field is stored under another name (the column says it is UTC)."""
_WRITTEN = (
    "clinic_id",
    "service_id",
    "start",
    "end",
    "token_hash",
    "calendar_hash",
    "name",
    "email",
    "phone",
    "note",
    "sms_reminders",
    "language",
    "client_id",
)
"""The fields of a :class:`NewBooking` that are columns of ``bookings`` (the rest are holds)."""


_HELD = {"requested": "requested", "offered": "held"}
"""The approval column's states that a record shows as its status (the row stays confirmed)."""


def record(row: Any) -> BookingRecord:
    """A ``bookings`` row as a :class:`BookingRecord`."""
    values = {f: getattr(row, _COLUMNS.get(f, f)) for f in BookingRecord.__struct_fields__}
    values["sms_reminders"] = bool(values["sms_reminders"])  # SQLite may give 0/1
    values["answers"] = msgspec.json.decode(row.answers) if row.answers else None
    if row.status == "confirmed" and row.approval in _HELD:
        values["status"] = _HELD[row.approval]  # holds its time as confirmed does
    return BookingRecord(**values)


def booking_values(booking_id: str, new: NewBooking, *, now: dt.datetime) -> dict[str, Any]:
    """The ``bookings`` row a new booking is inserted as: confirmed, sequence 0."""
    written = {_COLUMNS.get(f, f): getattr(new, f) for f in _WRITTEN}
    return {
        "id": booking_id,
        **written,
        "status": "confirmed",
        "approval": "requested" if new.requested else ("offered" if new.offered else None),
        "held_token": new.held_token if new.requested or new.offered else None,
        "answers": msgspec.json.encode(new.answers).decode() if new.answers else None,
        "sequence": 0,
        "created_at": now,
        "updated_at": now,
    }


def overlapping(
    holds: Sequence[tuple[str, str, dt.datetime, dt.datetime]],
) -> list[tuple[Any, Any]]:
    """Pairs of holds of one resource that overlap (should always be empty)."""
    pairs = []
    latest: dict[tuple[str, str], tuple[str, str, dt.datetime, dt.datetime]] = {}
    for hold in sorted(holds, key=lambda h: (h[0], h[1], h[2])):
        key = (hold[0], hold[1])
        previous = latest.get(key)
        if previous is not None and hold[2] < previous[3]:
            pairs.append((previous, hold))
        if previous is None or hold[3] > previous[3]:
            latest[key] = hold
    return pairs


def message(row: Any) -> OutboxMessage:
    """An ``outbox`` row as an :class:`OutboxMessage` (its fields are the columns)."""
    return OutboxMessage(**{f: getattr(row, f) for f in OutboxMessage.__struct_fields__})
