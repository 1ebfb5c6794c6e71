"""The staff tables' SQL: keys, the audit log, a clinic's bookings, and marking a visit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kat_widgets.booking.models import BookingRecord, Outcome, Outgoing
from kat_widgets.booking.schema import audit_log, bookings, staff_keys
from kat_widgets.booking.staff_keys import StaffKey
from kat_widgets.booking.storage.records import record
from kat_widgets.booking.storage.steps import confirm_held, write_outbox

__all__ = ["AuditLine", "StaffStore", "write_audit"]

Transaction = Callable[..., AbstractContextManager[Connection]]


class AuditLine(msgspec.Struct, frozen=True, kw_only=True):
    """One staff action: which key, what, on which booking or clinic, when."""

    at: dt.datetime
    key_id: str
    action: str
    booking_id: str | None
    clinic_id: str | None


def _key(row: Any) -> tuple[StaffKey, str]:
    key = StaffKey(
        id=row.id,
        clinics=tuple(row.clinics.split(",")),
        scopes=tuple(row.scopes.split(",")),
        label=row.label,
        created_at=row.created_at,
        revoked_at=row.revoked_at,
    )
    return key, row.secret_hash


def write_audit(
    conn: Connection,
    key_id: str,
    action: str,
    now: dt.datetime,
    booking_id: str | None,
    clinic_id: str | None,
) -> None:
    conn.execute(
        sa.insert(audit_log).values(
            at=now, key_id=key_id, action=action, booking_id=booking_id, clinic_id=clinic_id
        )
    )


class StaffStore:
    """The staff side of one booking store (``Storage.staff``)."""

    def __init__(self, transaction: Transaction) -> None:
        self._tx = transaction

    def add_key(self, key: StaffKey, secret_hash: str) -> None:
        with self._tx() as conn:
            conn.execute(
                sa.insert(staff_keys).values(
                    id=key.id,
                    secret_hash=secret_hash,
                    clinics=",".join(key.clinics),
                    scopes=",".join(key.scopes),
                    label=key.label,
                    created_at=key.created_at,
                )
            )

    def key(self, key_id: str) -> tuple[StaffKey, str] | None:
        """The key and its secret's stored hash."""
        with self._tx(write=False) as conn:
            row = conn.execute(sa.select(staff_keys).where(staff_keys.c.id == key_id)).first()
        return _key(row) if row is not None else None

    def keys(self) -> list[StaffKey]:
        with self._tx(write=False) as conn:
            rows = conn.execute(sa.select(staff_keys).order_by(staff_keys.c.created_at)).all()
        return [_key(row)[0] for row in rows]

    def revoke(self, key_id: str, *, now: dt.datetime) -> bool:
        k = staff_keys.c
        with self._tx() as conn:
            done = conn.execute(
                sa.update(staff_keys)
                .where(k.id == key_id, k.revoked_at.is_(None))
                .values(revoked_at=now)
            )
        return done.rowcount == 1

    def bookings(self, clinic_id: str, start: dt.datetime, end: dt.datetime) -> list[BookingRecord]:
        """A clinic's bookings starting in ``[start, end)``, cancelled ones too, by start."""
        b = bookings.c
        query = (
            sa.select(bookings)
            .where(b.clinic_id == clinic_id, b.start_utc >= start, b.start_utc < end)
            .order_by(b.start_utc, b.id)
        )
        with self._tx(write=False) as conn:
            return [record(row) for row in conn.execute(query)]

    def set_outcome(
        self, booking_id: str, outcome: Outcome, *, now: dt.datetime, key_id: str
    ) -> BookingRecord | None:
        """Mark a confirmed booking, and its audit line, in one transaction; ``None`` when it
        is not (any more) confirmed (nothing written)."""
        b = bookings.c
        with self._tx() as conn:
            done = conn.execute(
                sa.update(bookings)
                .where(b.id == booking_id, b.status == "confirmed", b.approval.is_(None))
                .values(outcome=outcome, updated_at=now)
            )
            if done.rowcount != 1:
                return None
            marked = record(conn.execute(sa.select(bookings).where(b.id == booking_id)).one())
            write_audit(conn, key_id, f"bookings.{outcome}", now, booking_id, marked.clinic_id)
            return marked

    def approve(
        self,
        booking_id: str,
        *,
        now: dt.datetime,
        key_id: str,
        messages: Sequence[Outgoing] = (),
    ) -> BookingRecord | None:
        """Confirm a requested booking, queue ``messages`` and write its audit line in one
        transaction; ``None`` when it is not (any more) waiting for approval."""
        b = bookings.c
        with self._tx() as conn:
            if not confirm_held(conn, booking_id, "requested", becomes="approved", now=now):
                return None
            write_outbox(conn, booking_id, messages, now=now)
            approved = record(conn.execute(sa.select(bookings).where(b.id == booking_id)).one())
            write_audit(conn, key_id, "bookings.approve", now, booking_id, approved.clinic_id)
            return approved

    def audit(
        self,
        key_id: str,
        action: str,
        *,
        now: dt.datetime,
        booking_id: str | None = None,
        clinic_id: str | None = None,
    ) -> None:
        with self._tx() as conn:
            write_audit(conn, key_id, action, now, booking_id, clinic_id)

    def audit_lines(self, *, since: dt.datetime, limit: int = 1000) -> list[AuditLine]:
        a = audit_log.c
        # the newest ``limit`` lines of the window, then oldest first
        newest = a.at.desc(), a.id.desc()
        query = sa.select(audit_log).where(a.at >= since).order_by(*newest).limit(limit)
        with self._tx(write=False) as conn:
            lines = [
                AuditLine(
                    at=row.at,
                    key_id=row.key_id,
                    action=row.action,
                    booking_id=row.booking_id,
                    clinic_id=row.clinic_id,
                )
                for row in conn.execute(query)
            ]
        return lines[::-1]
