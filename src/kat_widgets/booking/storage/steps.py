"""The store's shared steps inside one transaction: holds, seats, daily caps, purging.

Each function runs on a connection inside the caller's transaction; the backend's locks arrive
as ``for_update`` (lock the rows a query reads) and ``lock_day`` (writers of one day take turns).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kat_widgets.booking.models import BookingRecord, IdempotencyRecord, NewBooking, Outgoing
from kat_widgets.booking.schema import (
    bookings,
    clients,
    group_sessions,
    idempotency_keys,
    outbox,
    referrals,
    resource_holds,
    waitlist,
)
from kat_widgets.booking.storage.records import record
from kat_widgets.errors import HoldConflictError, StaleChangeError

__all__ = [
    "acquire",
    "by_id",
    "claim_day",
    "confirm_held",
    "delete_past",
    "free_confirmed",
    "idempotent",
    "release",
    "skip_reminders",
    "write_outbox",
]

ForUpdate = Callable[[sa.Select[Any]], sa.Select[Any]]
InsertNew = Callable[[sa.Table], Any]
"""An INSERT that skips a row whose unique key exists (``ON CONFLICT DO NOTHING``)."""
_SESSION_TRIES = 5
LockDay = Callable[[Connection, NewBooking], None]


def by_id(conn: Connection, booking_id: str) -> BookingRecord | None:
    row = conn.execute(sa.select(bookings).where(bookings.c.id == booking_id)).one_or_none()
    return None if row is None else record(row)


def _locked(conn: Connection, booking_id: str, for_update: ForUpdate) -> BookingRecord | None:
    query = for_update(sa.select(bookings).where(bookings.c.id == booking_id))
    row = conn.execute(query).one_or_none()
    return None if row is None else record(row)


def free_confirmed(
    conn: Connection,
    booking_id: str,
    *,
    now: dt.datetime,
    for_update: ForUpdate,
    sequence: int | None = None,
    requested: bool = False,
    **changes: Any,
) -> bool:
    """Lock a confirmed booking, free its holds and apply ``changes`` with a new sequence.

    ``False`` (nothing changed) when the booking is missing or cancelled (or, with
    ``requested``, no longer waiting for approval); :class:`StaleChangeError` when
    ``sequence`` is given and is no longer the booking's.
    """
    current = _locked(conn, booking_id, for_update)
    if current is None or current.status == "cancelled":
        return False
    if requested and current.status != "requested":
        return False
    if sequence is not None and current.sequence != sequence:
        raise StaleChangeError(
            "This appointment was changed meanwhile (perhaps in another window). "
            "Please look at it again before changing it."
        )
    release(conn, booking_id)
    conn.execute(
        sa.update(bookings)
        .where(bookings.c.id == booking_id)
        .values(
            **changes,
            sequence=bookings.c.sequence + 1,
            session_id=None,
            updated_at=now,
        )
    )
    return True


def claim_day(conn: Connection, booking_id: str, new: NewBooking, *, lock_day: LockDay) -> None:
    """Refuse (:class:`HoldConflictError`) when ``new``'s day already has ``day_cap`` bookings.

    Writers of one (clinic, service, day) take turns (``lock_day``), and the count runs
    after the lock, so two requests can never both see "one left" and both book it.
    """
    if new.day_cap is None or new.day is None:
        return
    first, last = new.day
    lock_day(conn, new)
    c = bookings.c
    taken = conn.execute(
        sa.select(sa.func.count())
        .select_from(bookings)
        .where(
            c.clinic_id == new.clinic_id,
            c.service_id == new.service_id,
            c.status == "confirmed",
            c.start_utc >= first,
            c.start_utc < last,
            c.id != booking_id,
        )
    ).scalar_one()
    if taken >= new.day_cap:
        raise HoldConflictError("the day is full")


def acquire(
    conn: Connection,
    booking_id: str,
    new: NewBooking,
    *,
    for_update: ForUpdate,
    insert_new: InsertNew,
) -> None:
    """Take ``new``'s holds for ``booking_id``: its own, or a seat in the group session."""
    holds = [
        {
            "clinic_id": new.clinic_id,
            "resource_id": resource,
            "start_utc": new.hold.start,
            "end_utc": new.hold.end,
        }
        for resource in sorted(new.resources)
    ]
    if new.capacity <= 1:
        if holds:
            conn.execute(
                sa.insert(resource_holds),
                [{**hold, "booking_id": booking_id} for hold in holds],
            )
        return
    session_id = _join_session(conn, new, holds, for_update=for_update, insert_new=insert_new)
    conn.execute(
        sa.update(bookings).where(bookings.c.id == booking_id).values(session_id=session_id)
    )


def _join_session(
    conn: Connection,
    new: NewBooking,
    holds: list[dict[str, Any]],
    *,
    for_update: ForUpdate,
    insert_new: InsertNew,
) -> int:
    """A seat in ``new``'s group session, starting the session (with its holds) if none is.

    Racing writers never fail each other: the session row is locked before its seat count
    changes, a session another writer is starting is joined once it exists (``insert_new``
    skips the duplicate instead of raising), and one a cancellation deleted meanwhile is
    looked for again (and started anew).
    """
    s = group_sessions.c
    find = for_update(
        sa.select(s.id).where(
            s.clinic_id == new.clinic_id,
            s.service_id == new.service_id,
            s.start_utc == new.start,
        )
    )
    for _ in range(_SESSION_TRIES):
        session_id = conn.execute(find).scalar_one_or_none()
        if session_id is None:
            started = conn.execute(
                insert_new(group_sessions)
                .values(
                    clinic_id=new.clinic_id,
                    service_id=new.service_id,
                    start_utc=new.start,
                    end_utc=new.end,
                    capacity=new.capacity,
                    seats_taken=1,
                )
                .returning(s.id)
            ).scalar_one_or_none()
            if started is None:
                continue  # another writer started it just now: join theirs
            if holds:
                conn.execute(
                    sa.insert(resource_holds), [{**hold, "session_id": started} for hold in holds]
                )
            return int(started)
        taken = conn.execute(
            sa.update(group_sessions)
            .where(s.id == session_id)
            .values(seats_taken=s.seats_taken + 1)
        )
        if taken.rowcount == 1:
            return int(session_id)
        # deleted meanwhile (its last seat was cancelled): look again
    raise HoldConflictError("the group session kept changing; try again")


def release(conn: Connection, booking_id: str) -> None:
    """Free ``booking_id``'s holds or seat; an emptied group session goes with its holds."""
    conn.execute(sa.delete(resource_holds).where(resource_holds.c.booking_id == booking_id))
    session_id = conn.execute(
        sa.select(bookings.c.session_id).where(bookings.c.id == booking_id)
    ).scalar_one_or_none()
    if session_id is None:
        return
    s = group_sessions.c
    conn.execute(
        sa.update(group_sessions).where(s.id == session_id).values(seats_taken=s.seats_taken - 1)
    )
    empty = conn.execute(
        sa.select(s.id).where(s.id == session_id, s.seats_taken == 0)
    ).scalar_one_or_none()
    if empty is not None:
        conn.execute(
            sa.update(bookings).where(bookings.c.session_id == session_id).values(session_id=None)
        )
        conn.execute(sa.delete(resource_holds).where(resource_holds.c.session_id == session_id))
        conn.execute(sa.delete(group_sessions).where(s.id == session_id))


def delete_past(
    conn: Connection, before: dt.datetime, idempotency_before: dt.datetime, *, dry_run: bool
) -> int:
    """Delete bookings cancelled or ended before ``before`` with their holds, group sessions
    that ended, idempotency keys older than ``idempotency_before``, referrals expired before
    ``before`` and client records older than it left with no booking and no referral; returns
    how many bookings (``dry_run``: only counts them)."""
    c = bookings.c
    old = sa.or_(sa.and_(c.status == "cancelled", c.updated_at < before), c.end_utc < before)
    ids = [row[0] for row in conn.execute(sa.select(c.id).where(old))]
    if dry_run:
        return len(ids)
    keys = idempotency_keys.c
    conn.execute(sa.delete(idempotency_keys).where(keys.created_at < idempotency_before))
    if ids:
        conn.execute(sa.delete(idempotency_keys).where(keys.booking_id.in_(ids)))
        conn.execute(sa.delete(resource_holds).where(resource_holds.c.booking_id.in_(ids)))
        conn.execute(sa.delete(bookings).where(c.id.in_(ids)))
    ended = sa.select(group_sessions.c.id).where(group_sessions.c.end_utc < before)
    conn.execute(sa.delete(resource_holds).where(resource_holds.c.session_id.in_(ended)))
    conn.execute(sa.delete(group_sessions).where(group_sessions.c.end_utc < before))
    conn.execute(sa.delete(referrals).where(referrals.c.expires_at < before))
    conn.execute(sa.delete(waitlist).where(waitlist.c.expires_at < before))
    conn.execute(
        sa.delete(clients).where(
            clients.c.created_at < before,
            ~sa.exists().where(bookings.c.client_id == clients.c.id),
            ~sa.exists().where(referrals.c.client_id == clients.c.id),
        )
    )
    return len(ids)


def write_outbox(
    conn: Connection, booking_id: str, messages: Sequence[Outgoing], *, now: dt.datetime
) -> None:
    """Queue ``messages`` for ``booking_id`` in the caller's transaction (the outbox)."""
    if not messages:
        return
    conn.execute(
        sa.insert(outbox),
        [
            {
                "id": message.id,
                "booking_id": booking_id,
                "event": message.event,
                "channel": message.channel,
                "target": message.target,
                "due_at": message.due_at,
                "status": "pending",
                "attempts": 0,
                "sealed_token": message.sealed_token,
                "created_at": now,
            }
            for message in messages
        ],
    )


def skip_reminders(conn: Connection, booking_id: str) -> None:
    """Reminders not sent yet will not be: the visit moved or was cancelled."""
    o = outbox.c
    conn.execute(
        sa.update(outbox)
        .where(o.booking_id == booking_id, o.event == "reminder", o.status == "pending")
        .values(status="skipped", sealed_token=None, claim=None)
    )


def idempotent(conn: Connection, key_hash: str) -> tuple[IdempotencyRecord, BookingRecord] | None:
    """The remembered POST of ``key_hash`` and the booking it made, if both are there."""
    row = conn.execute(
        sa.select(idempotency_keys).where(idempotency_keys.c.key_hash == key_hash)
    ).one_or_none()
    booking = by_id(conn, row.booking_id) if row is not None else None
    if row is None or booking is None:
        return None
    remembered = IdempotencyRecord(
        key_hash=row.key_hash, request_hash=row.request_hash, sealed_token=row.sealed_token
    )
    return remembered, booking


def confirm_held(
    conn: Connection, booking_id: str, state: str, *, becomes: str | None, now: dt.datetime
) -> bool:
    """Confirm a booking held in ``state`` (``requested``, ``offered``): its approval becomes
    ``becomes`` and its sealed token is dropped, only if it is still held so (one of two
    racing deciders wins). Whether it was."""
    b = bookings.c
    done = conn.execute(
        sa.update(bookings)
        .where(b.id == booking_id, b.status == "confirmed", b.approval == state)
        .values(approval=becomes, held_token=None, updated_at=now)
    )
    return bool(done.rowcount == 1)
