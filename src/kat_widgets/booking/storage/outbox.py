"""The outbox's SQL: claim a message, finish it, park it, find what a crashed worker left.

A message is sent by whoever *claims* its row: one compare-and-set ``UPDATE ... WHERE
status = 'pending' AND due_at <= now`` sets a claim token and a lease. Under PostgreSQL's READ
COMMITTED a second claimer waits for the row lock, re-reads the status and updates nothing;
SQLite writers take turns. So two workers never send one message at the same time, whatever
queue woke them. Finishing requires the same claim token: a worker whose lease ran out and was
taken over cannot mark another's attempt.

Messages to one recipient about one booking go out in the order they were written: a message
is not claimed while an earlier one of the same booking, channel and target is still pending
or being sent (reminders aside: they are written early and due late). Several workers would
otherwise send a booking's "confirmed" and its "moved" at once, and the visitor (or a
partner's webhook receiver) could read the move before the booking. The check is in the
claim's own ``UPDATE``, and a message's status only moves on from pending or sending, so two
workers cannot both pass it in the wrong order. Finishing a message names the next one
waiting behind it (:meth:`OutboxStore.next_after`), so it goes out at once.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kat_widgets.booking.models import OutboxMessage, OutboxStatus
from kat_widgets.booking.schema import outbox
from kat_widgets.booking.storage.records import message

__all__ = ["OutboxStats", "OutboxStore"]

Transaction = Callable[..., AbstractContextManager[Connection]]
_ERROR_MAX = 200


class OutboxStats(msgspec.Struct, frozen=True, kw_only=True):
    """How far delivery is behind (``/readyz``, ``kat-widgets outbox stats``)."""

    pending: int
    """Waiting, due now or later (reminders)."""
    due: int
    """Pending and due now: what workers should be sending."""
    sending: int
    parked: int
    sent: int
    oldest_due_seconds: float | None
    """Age of the oldest message that is due and not sent (``None``: nothing is late)."""


class OutboxStore:
    """The outbox table of one booking store (``Storage.outbox``)."""

    def __init__(self, transaction: Transaction) -> None:
        self._tx = transaction

    def claim(
        self, message_id: str, *, now: dt.datetime, lease: dt.timedelta
    ) -> OutboxMessage | None:
        """Take a due, pending message for one attempt; ``None``: not due, done, or taken."""
        o = outbox.c
        token = secrets.token_hex(16)
        with self._tx() as conn:
            taken = conn.execute(
                sa.update(outbox)
                .where(o.id == message_id, o.status == "pending", o.due_at <= now)
                .where(~sa.exists(_earlier(outbox)))
                .values(
                    status="sending",
                    attempts=o.attempts + 1,
                    claim=token,
                    lease_until=now + lease,
                )
            )
            if taken.rowcount != 1:
                return None
            return self._one(conn, message_id)

    def _finish(self, claimed: OutboxMessage, **values: Any) -> bool:
        o = outbox.c
        with self._tx() as conn:
            done = conn.execute(
                sa.update(outbox)
                .where(o.id == claimed.id, o.claim == claimed.claim, o.status == "sending")
                .values(claim=None, lease_until=None, **values)
            )
            return bool(done.rowcount == 1)

    def sent(self, claimed: OutboxMessage, *, now: dt.datetime) -> bool:
        """Delivered: the sealed token goes (a sent message needs no link any more)."""
        return self._finish(claimed, status="sent", sent_at=now, sealed_token=None, last_error=None)

    def skip(self, claimed: OutboxMessage, *, reason: str) -> bool:
        """Not to be sent any more (a reminder for a visit cancelled or already past)."""
        return self._finish(claimed, status="skipped", sealed_token=None, last_error=reason)

    def release(self, claimed: OutboxMessage, *, retry_at: dt.datetime, error: str) -> bool:
        """A failed attempt: pending again from ``retry_at`` (backoff chosen by the caller)."""
        return self._finish(
            claimed, status="pending", due_at=retry_at, last_error=error[:_ERROR_MAX]
        )

    def park(self, claimed: OutboxMessage, *, error: str) -> bool:
        """Out of attempts (or refused for good): kept for ``kat-widgets outbox retry``."""
        return self._finish(claimed, status="parked", last_error=error[:_ERROR_MAX])

    def next_after(self, done: OutboxMessage, *, now: dt.datetime) -> str | None:
        """The message that waited for ``done`` (same booking, channel and target), if one is
        due: finishing ``done`` lets it be claimed."""
        o = outbox.c
        query = (
            sa.select(o.id)
            .where(
                o.booking_id == done.booking_id,
                o.channel == done.channel,
                _same_target(o.target, done.target),
                o.status == "pending",
                o.due_at <= now,
                o.created_at > done.created_at,
            )
            .order_by(o.created_at, o.id)
            .limit(1)
        )
        with self._tx(write=False) as conn:
            return conn.execute(query).scalar_one_or_none()

    def recover(self, *, now: dt.datetime, grace: dt.timedelta) -> list[str]:
        """What needs a new wake-up: sends whose lease ran out (a worker died) go back to
        pending, and pending messages due for more than ``grace`` without a wake-up since
        (a lost enqueue, a lost job) are returned, marked as kicked now."""
        o = outbox.c
        with self._tx() as conn:
            conn.execute(
                sa.update(outbox)
                .where(o.status == "sending", o.lease_until < now)
                .values(status="pending", claim=None, lease_until=None)
            )
            late = sa.and_(
                o.status == "pending",
                o.due_at <= now - grace,
                sa.or_(o.kicked_at.is_(None), o.kicked_at <= now - grace),
            )
            ids = [row[0] for row in conn.execute(sa.select(o.id).where(late).limit(500))]
            if ids:
                conn.execute(sa.update(outbox).where(o.id.in_(ids)).values(kicked_at=now))
            return ids

    def retry(self, message_id: str, *, now: dt.datetime) -> OutboxMessage | None:
        """A parked message, pending again now with fresh attempts; ``None`` if not parked."""
        o = outbox.c
        with self._tx() as conn:
            done = conn.execute(
                sa.update(outbox)
                .where(o.id == message_id, o.status == "parked")
                .values(status="pending", attempts=0, due_at=now, last_error=None, kicked_at=None)
            )
            return self._one(conn, message_id) if done.rowcount == 1 else None

    def get(self, message_id: str) -> OutboxMessage | None:
        with self._tx(write=False) as conn:
            return self._one(conn, message_id)

    def messages(
        self, *, status: OutboxStatus | None = None, booking_id: str | None = None, limit: int = 100
    ) -> list[OutboxMessage]:
        """Messages by due time, oldest first, optionally of one status or booking."""
        o = outbox.c
        query = sa.select(outbox).order_by(o.due_at, o.id).limit(limit)
        if status is not None:
            query = query.where(o.status == status)
        if booking_id is not None:
            query = query.where(o.booking_id == booking_id)
        with self._tx(write=False) as conn:
            return [message(row) for row in conn.execute(query)]

    def due(self, *, now: dt.datetime) -> list[str]:
        """Ids of pending messages due now, in the order they were written (to wake workers
        after a restart)."""
        o = outbox.c
        query = (
            sa.select(o.id)
            .where(o.status == "pending", o.due_at <= now)
            .order_by(o.created_at, o.id)
            .limit(1000)
        )
        with self._tx(write=False) as conn:
            return [row[0] for row in conn.execute(query)]

    def stats(self, *, now: dt.datetime) -> OutboxStats:
        o = outbox.c
        with self._tx(write=False) as conn:
            rows = conn.execute(sa.select(o.status, sa.func.count()).group_by(o.status))
            counts: dict[str, int] = {status: count for status, count in rows}
            due = sa.and_(o.status.in_(("pending", "sending")), o.due_at <= now)
            due_count, oldest = conn.execute(
                sa.select(sa.func.count(), sa.func.min(o.due_at)).where(due)
            ).one()
        if oldest is not None and oldest.tzinfo is None:  # SQLite keeps naive UTC text
            oldest = oldest.replace(tzinfo=dt.UTC)
        return OutboxStats(
            pending=counts.get("pending", 0),
            due=due_count,
            sending=counts.get("sending", 0),
            parked=counts.get("parked", 0),
            sent=counts.get("sent", 0),
            oldest_due_seconds=(now - oldest).total_seconds() if oldest is not None else None,
        )

    @staticmethod
    def _one(conn: Connection, message_id: str) -> OutboxMessage | None:
        row = conn.execute(sa.select(outbox).where(outbox.c.id == message_id)).one_or_none()
        return None if row is None else message(row)


def _same_target(column: Any, target: str | None) -> Any:
    return column.is_(None) if target is None else column == target


def _earlier(table: sa.Table) -> Any:
    """Rows of ``table`` that must go before the row being claimed: same booking, channel and
    target, written earlier, not finished, and not a reminder."""
    earlier = table.alias("earlier")
    e, o = earlier.c, table.c
    return (
        sa.select(e.id)
        .where(
            e.booking_id == o.booking_id,
            e.channel == o.channel,
            sa.or_(e.target == o.target, sa.and_(e.target.is_(None), o.target.is_(None))),
            e.status.in_(("pending", "sending")),
            e.event != "reminder",
            e.created_at < o.created_at,
        )
        .correlate(table)
    )
