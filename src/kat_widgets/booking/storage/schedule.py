"""What a clinic has booked, read for the slot engine, and the version that says it changed;
and the bookings with the staff and rooms each holds, for the staff feeds."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from kat_widgets.booking.models import BookingRecord
from kat_widgets.booking.schema import bookings, group_sessions, resource_holds, schedule_versions
from kat_widgets.booking.storage.records import record
from kat_widgets.scheduling.busy import GroupSeat, Hold, busy_times
from kat_widgets.scheduling.types import BusyTimes

__all__ = ["read_busy", "read_held", "read_version"]


def read_busy(
    conn: Connection,
    clinic_id: str,
    start: dt.datetime,
    end: dt.datetime,
    *,
    zone: dt.tzinfo,
    exclude_booking: str | None,
) -> BusyTimes:
    """Held spans, group sessions and confirmed starts at a clinic around ``[start, end)``."""
    h, s, b = resource_holds.c, group_sessions.c, bookings.c
    holds = sa.select(h.resource_id, h.start_utc, h.end_utc).where(
        h.clinic_id == clinic_id, h.start_utc < end, h.end_utc > start
    )
    sessions = (
        sa.select(s.service_id, s.start_utc, s.seats_taken, h.resource_id)
        .join_from(group_sessions, resource_holds, h.session_id == s.id, isouter=True)
        .where(s.clinic_id == clinic_id, s.start_utc < end, s.end_utc > start)
    )
    starts = sa.select(b.service_id, b.start_utc).where(
        b.clinic_id == clinic_id,
        b.status == "confirmed",
        b.start_utc >= start - dt.timedelta(days=1),
        b.start_utc < end + dt.timedelta(days=1),
    )
    if exclude_booking is not None:
        holds = holds.where(sa.or_(h.booking_id.is_(None), h.booking_id != exclude_booking))
        starts = starts.where(b.id != exclude_booking)
    return busy_times(
        [Hold(*row) for row in conn.execute(holds)],
        [GroupSeat(*row) for row in conn.execute(sessions)],
        [(row[0], row[1]) for row in conn.execute(starts)],
        zone=zone,
    )


def read_version(conn: Connection, clinic_id: str) -> int:
    """The clinic's schedule version: triggers bump it in every transaction that changes what
    :func:`read_busy` reads (0 before the first booking)."""
    version = conn.execute(
        sa.select(schedule_versions.c.version).where(schedule_versions.c.clinic_id == clinic_id)
    ).scalar_one_or_none()
    return int(version or 0)


_VERSION_SQL = {
    "qmark": "SELECT version FROM schedule_versions WHERE clinic_id = ?",  # sqlite3
    "format": "SELECT version FROM schedule_versions WHERE clinic_id = %s",
    "pyformat": "SELECT version FROM schedule_versions WHERE clinic_id = %s",  # psycopg
}


def quick_version(engine: Engine, clinic_id: str) -> int | None:
    """:func:`read_version` as one SELECT on the pool's own DB-API connection (``None``: the
    driver's parameter style is not one we wrote it for).

    A lone SELECT is its own transaction (SQLite in autocommit, PostgreSQL READ COMMITTED), so
    the Connection's begin, commit and events can be skipped: ~20 us instead of ~400 (#14).
    Raises the driver's or SQLAlchemy's errors, for the caller to name.
    """
    sql = _VERSION_SQL.get(engine.dialect.paramstyle)
    if sql is None:
        return None
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        try:
            cursor.execute(sql, (clinic_id,))
            row = cursor.fetchone()
        finally:
            cursor.close()
    finally:
        connection.close()  # back to the pool, which ends the read
    return int(row[0]) if row is not None and row[0] is not None else 0


def read_held(
    conn: Connection, start: dt.datetime, end: dt.datetime
) -> list[tuple[BookingRecord, tuple[str, ...]]]:
    """Confirmed bookings starting in ``[start, end)``, by start, each with the ids of the staff
    and rooms it holds: its own holds, or its group session's (one read, one transaction)."""
    h, b = resource_holds.c, bookings.c
    window = sa.and_(b.status == "confirmed", b.start_utc >= start, b.start_utc < end)
    rows = conn.execute(sa.select(bookings).where(window).order_by(b.start_utc, b.id)).all()
    own = sa.select(b.id, h.resource_id).join_from(bookings, resource_holds, h.booking_id == b.id)
    shared = sa.select(b.id, h.resource_id).join_from(
        bookings, resource_holds, h.session_id == b.session_id
    )
    held: dict[str, set[str]] = {}
    for query in (own.where(window), shared.where(window)):
        for booking_id, resource_id in conn.execute(query):
            held.setdefault(booking_id, set()).add(resource_id)
    return [(record(row), tuple(sorted(held.get(row.id, ())))) for row in rows]
