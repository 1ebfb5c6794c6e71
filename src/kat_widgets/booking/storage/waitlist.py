"""The waitlist's SQL: entries, offers (a held booking row owns the offered time's holds),
claims that turn the held row into the visitor's booking, offers passed on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kat_widgets.booking.models import BookingRecord, Outgoing
from kat_widgets.booking.schema import waitlist
from kat_widgets.booking.storage.steps import (
    by_id,
    confirm_held,
    free_confirmed,
    skip_reminders,
    write_outbox,
)
from kat_widgets.booking.waitlist_models import WaitlistEntry
from kat_widgets.errors import BookingConflictError

__all__ = ["WaitlistStore"]

Transaction = Callable[..., AbstractContextManager[Connection]]
ForUpdate = Callable[[sa.Select[Any]], sa.Select[Any]]


def _entry(row: Any) -> WaitlistEntry:
    values = {f: getattr(row, f) for f in WaitlistEntry.__struct_fields__ if f != "parts_of_day"}
    values["days"] = tuple(row.days.split(",")) if row.days else ()
    values["parts_of_day"] = tuple(row.parts.split(",")) if row.parts else ()
    return WaitlistEntry(**values)


class WaitlistStore:
    """The waitlist of one booking store (``Storage.waitlist``)."""

    def __init__(self, transaction: Transaction, for_update: ForUpdate) -> None:
        self._tx = transaction
        self._for_update = for_update

    def add(self, entry: WaitlistEntry) -> None:
        values = {f: getattr(entry, f) for f in WaitlistEntry.__struct_fields__}
        values["days"] = ",".join(entry.days) or None
        values["parts"] = ",".join(values.pop("parts_of_day")) or None
        with self._tx() as conn:
            last = conn.execute(sa.select(sa.func.max(waitlist.c.position))).scalar()
            conn.execute(sa.insert(waitlist).values(**values, position=(last or 0) + 1))

    def _one(self, condition: sa.ColumnElement[bool]) -> WaitlistEntry | None:
        with self._tx(write=False) as conn:
            row = conn.execute(sa.select(waitlist).where(condition)).one_or_none()
        return None if row is None else _entry(row)

    def by_id(self, entry_id: str) -> WaitlistEntry | None:
        return self._one(waitlist.c.id == entry_id)

    def by_token(self, token_hash: str) -> WaitlistEntry | None:
        return self._one(waitlist.c.token_hash == token_hash)

    def by_claim(self, claim_hash: str) -> WaitlistEntry | None:
        return self._one(waitlist.c.claim_hash == claim_hash)

    def waiting(self, clinic_id: str, service_id: str) -> list[WaitlistEntry]:
        """Who waits for this service at this clinic, first come first."""
        w = waitlist.c
        query = (
            sa.select(waitlist)
            .where(w.clinic_id == clinic_id, w.service_id == service_id, w.status == "waiting")
            .order_by(w.created_at, w.position, w.id)
        )
        with self._tx(write=False) as conn:
            return [_entry(row) for row in conn.execute(query)]

    def wanted(self) -> list[tuple[str, str]]:
        """The (clinic, service) pairs someone is waiting for."""
        w = waitlist.c
        query = sa.select(w.clinic_id, w.service_id).where(w.status == "waiting").distinct()
        with self._tx(write=False) as conn:
            return [(row[0], row[1]) for row in conn.execute(query)]

    def offers_ended(self, now: dt.datetime) -> list[WaitlistEntry]:
        w = waitlist.c
        query = sa.select(waitlist).where(w.status == "offered", w.offer_until <= now)
        with self._tx(write=False) as conn:
            return [_entry(row) for row in conn.execute(query)]

    def offer(
        self, entry_id: str, claim_hash: str, until: dt.datetime, start: dt.datetime
    ) -> Callable[[Connection, str], None]:
        """The step that marks ``entry_id`` offered, run in the held booking's own transaction
        (``Storage.create(also=...)``): if the entry stopped waiting meanwhile, nothing is held."""

        def mark(conn: Connection, booking_id: str) -> None:
            w = waitlist.c
            done = conn.execute(
                sa.update(waitlist)
                .where(w.id == entry_id, w.status == "waiting")
                .values(
                    status="offered",
                    claim_hash=claim_hash,
                    offer_booking_id=booking_id,
                    offer_until=until,
                )
            )
            if done.rowcount != 1:
                raise BookingConflictError("this waitlist place is no longer waiting")

        return mark

    def claim(
        self, entry_id: str, booking_id: str, *, now: dt.datetime, messages: Sequence[Outgoing]
    ) -> BookingRecord | None:
        """Turn the held row into the visitor's booking and queue its confirmation, in one
        transaction; ``None`` when the offer was already claimed, withdrawn or has run out."""
        w = waitlist.c
        with self._tx() as conn:
            row = conn.execute(self._for_update(sa.select(waitlist).where(w.id == entry_id))).one()
            if row.status != "offered" or row.offer_until is None or row.offer_until <= now:
                return None
            if not confirm_held(conn, booking_id, "offered", becomes=None, now=now):
                return None
            conn.execute(sa.update(waitlist).where(w.id == entry_id).values(status="booked"))
            write_outbox(conn, booking_id, messages, now=now)
            return by_id(conn, booking_id)

    def _release(self, conn: Connection, row: Any, now: dt.datetime) -> BookingRecord | None:
        """Free the time held for ``row``'s offer (its held booking cancelled, holds gone)."""
        if row.status != "offered" or row.offer_booking_id is None:
            return None
        booking_id = row.offer_booking_id
        changes: dict[str, Any] = {"status": "cancelled", "approval": "lapsed", "held_token": None}
        if not free_confirmed(conn, booking_id, now=now, for_update=self._for_update, **changes):
            return None
        skip_reminders(conn, booking_id)
        return by_id(conn, booking_id)

    def pass_on(self, entry_id: str, *, now: dt.datetime) -> BookingRecord | None:
        """An offer ran out: free its time and put the visitor back to waiting (never offered
        that same time again); the freed booking row, to offer the time on, or ``None``."""
        w = waitlist.c
        with self._tx() as conn:
            row = conn.execute(self._for_update(sa.select(waitlist).where(w.id == entry_id))).one()
            if row.offer_until is None or row.offer_until > now:
                return None
            freed = self._release(conn, row, now)
            if freed is not None:
                conn.execute(
                    sa.update(waitlist)
                    .where(w.id == entry_id)
                    .values(
                        status="waiting",
                        offer_booking_id=None,
                        offer_until=None,
                        passed_start=freed.start,
                    )
                )
            return freed

    def leave(self, entry_id: str, *, now: dt.datetime) -> BookingRecord | None:
        """The visitor leaves the waitlist; the booking row a time was held by, if one was."""
        w = waitlist.c
        with self._tx() as conn:
            row = conn.execute(self._for_update(sa.select(waitlist).where(w.id == entry_id))).one()
            if row.status not in ("waiting", "offered"):
                return None
            freed = self._release(conn, row, now)
            conn.execute(sa.update(waitlist).where(w.id == entry_id).values(status="cancelled"))
            return freed

    def expire(self, now: dt.datetime) -> int:
        """Waits that reached their end (not an open offer: it runs its course first)."""
        w = waitlist.c
        with self._tx() as conn:
            done = conn.execute(
                sa.update(waitlist)
                .where(w.status == "waiting", w.expires_at <= now)
                .values(status="expired")
            )
            return int(done.rowcount)
