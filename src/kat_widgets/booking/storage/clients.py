"""The client records' SQL: holding a client while a booking checks the pathway, the client's
history as the pathway reads it, and referral links."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kat_widgets.booking.care import PathwayCheck, Referral
from kat_widgets.booking.models import NewBooking
from kat_widgets.booking.schema import bookings, clients, referrals
from kat_widgets.booking.storage.staff import write_audit
from kat_widgets.scheduling.pathway import HistoryEntry

__all__ = ["ClientStore", "check_client", "history", "hold_client"]

Transaction = Callable[..., AbstractContextManager[Connection]]


def hold_client(
    conn: Connection,
    client_id: str,
    *,
    now: dt.datetime,
    insert_new: Callable[[sa.Table], Any],
    for_update: Callable[[sa.Select[Any]], sa.Select[Any]],
) -> None:
    """Make sure the client's record exists and hold it until the transaction ends: two
    bookings for one client check the pathway one after the other, each seeing the other."""
    conn.execute(insert_new(clients).values(id=client_id, created_at=now))
    conn.execute(for_update(sa.select(clients.c.id).where(clients.c.id == client_id))).one()


def check_client(
    conn: Connection,
    new: NewBooking,
    pathway: PathwayCheck | None,
    insert_new: Callable[[sa.Table], Any],
    for_update: Callable[[sa.Select[Any]], sa.Select[Any]],
    *,
    now: dt.datetime,
    moving: str | None = None,
) -> None:
    """Hold ``new``'s client (if it has one) and run ``pathway`` on their history, leaving
    out ``moving`` (the booking being moved)."""
    if new.client_id is None:
        return
    hold_client(conn, new.client_id, now=now, insert_new=insert_new, for_update=for_update)
    if pathway is not None:
        pathway(history(conn, new.client_id, exclude=moving))


def history(conn: Connection, client_id: str, *, exclude: str | None = None) -> list[HistoryEntry]:
    """The client's bookings as the pathway reads them: what staff marked a visit (an outcome)
    or else its status; ``exclude``: the booking being moved."""
    c = bookings.c
    query = sa.select(c.service_id, c.start_utc, c.status, c.outcome, c.end_utc).where(
        c.client_id == client_id
    )
    if exclude is not None:
        query = query.where(c.id != exclude)
    return [
        HistoryEntry(row.service_id, row.start_utc, row.outcome or row.status, row.end_utc)
        for row in conn.execute(query)
    ]


class ClientStore:
    """The client side of one booking store (``Storage.clients``)."""

    def __init__(self, transaction: Transaction) -> None:
        self._tx = transaction

    def history(self, client_id: str) -> list[HistoryEntry]:
        with self._tx(write=False) as conn:
            return history(conn, client_id)

    def add_referral(self, token_hash: str, referral: Referral, *, now: dt.datetime) -> None:
        """Store a referral (and, when a staff key issued it, its audit line)."""
        with self._tx() as conn:
            conn.execute(
                sa.insert(referrals).values(
                    token_hash=token_hash,
                    client_id=referral.client_id,
                    clinic_id=referral.clinic_id,
                    service_id=referral.service_id,
                    expires_at=referral.expires_at,
                    created_at=referral.created_at,
                    key_id=referral.key_id,
                )
            )
            if referral.key_id is not None:
                write_audit(
                    conn, referral.key_id, "referrals.create", now, None, referral.clinic_id
                )

    def referral(self, token_hash: str) -> Referral | None:
        with self._tx(write=False) as conn:
            row = conn.execute(
                sa.select(referrals).where(referrals.c.token_hash == token_hash)
            ).one_or_none()
        if row is None:
            return None
        return Referral(
            client_id=row.client_id,
            clinic_id=row.clinic_id,
            service_id=row.service_id,
            expires_at=row.expires_at,
            created_at=row.created_at,
            key_id=row.key_id,
        )
