"""Rows of the booking tables as records, and the overlap check used by tests and load runs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from kat_widgets.booking.models import BookingRecord, OutboxMessage

__all__ = ["message", "overlapping", "record"]


def record(row: Any) -> BookingRecord:
    """A ``bookings`` row as a :class:`BookingRecord`."""
    return BookingRecord(
        id=row.id,
        clinic_id=row.clinic_id,
        service_id=row.service_id,
        start=row.start_utc,
        end=row.end_utc,
        status=row.status,
        sequence=row.sequence,
        token_hash=row.token_hash,
        calendar_hash=row.calendar_hash,
        name=row.name,
        email=row.email,
        phone=row.phone,
        note=row.note,
        sms_reminders=bool(row.sms_reminders),
        language=row.language,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


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
    """An ``outbox`` row as an :class:`OutboxMessage`."""
    return OutboxMessage(
        id=row.id,
        booking_id=row.booking_id,
        event=row.event,
        channel=row.channel,
        target=row.target,
        due_at=row.due_at,
        status=row.status,
        attempts=row.attempts,
        claim=row.claim,
        sealed_token=row.sealed_token,
        last_error=row.last_error,
        created_at=row.created_at,
        sent_at=row.sent_at,
    )
