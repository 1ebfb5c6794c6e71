"""PostgreSQL (psycopg 3): several workers and hosts; the exclusion constraint keeps holds apart."""

from __future__ import annotations

import hashlib
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.engine import Connection, Engine

from kat_widgets.booking.models import NewBooking
from kat_widgets.booking.storage.base import Storage

__all__ = ["PostgresStorage"]

_MIGRATION_LOCK = 0x6B617477  # "katw"
# SQLSTATE (https://www.postgresql.org/docs/current/errcodes-appendix.html)
_REFUSALS = frozenset(
    {
        "23P01",  # exclusion_violation: overlapping holds of one resource
        "23514",  # check_violation: a group session over capacity
        "23503",  # foreign_key_violation: the group session was deleted meanwhile
    }
)
_RETRYABLE = frozenset({"40P01", "40001"})  # deadlock_detected, serialization_failure


def _sqlstate(error: BaseException | None) -> str | None:
    return getattr(error, "sqlstate", None)


def _advisory_key(*parts: str) -> int:
    digest = hashlib.sha256("\x00".join(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class PostgresStorage(Storage, dialect="postgresql"):
    """Row locks (``FOR UPDATE``) and transaction-scoped advisory locks order the writers."""

    def _create_engine(self, url: str) -> Engine:
        # not durable (a delivery process): the server may acknowledge a commit before it is
        # flushed; a crash of the server loses at most the last few, never consistency
        options = {} if self.durable_commits else {"options": "-c synchronous_commit=off"}
        return sa.create_engine(
            url,
            # whatever the server's default: counts taken after a lock must see what was
            # committed meanwhile (REPEATABLE READ would read an older snapshot)
            isolation_level="READ COMMITTED",
            # at most 10 connections per worker process: PostgreSQL's default limit is 100
            pool_size=5,
            max_overflow=5,
            pool_pre_ping=True,
            hide_parameters=True,
            connect_args={"connect_timeout": 5, **options},
        )

    def _lock_migrations(self, conn: Connection) -> None:
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})

    def _lock_day(self, conn: Connection, new: NewBooking) -> None:
        assert new.day is not None
        key = _advisory_key("kat-day", new.clinic_id, new.service_id, new.day[0].isoformat())
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})

    def _for_update(self, query: sa.Select[Any]) -> sa.Select[Any]:
        return query.with_for_update()

    def _insert_new(self, table: sa.Table) -> Any:
        return postgresql_insert(table).on_conflict_do_nothing()

    def _refused(self, error: BaseException | None) -> bool:
        return _sqlstate(error) in _REFUSALS

    def _retryable(self, error: BaseException | None) -> bool:
        return _sqlstate(error) in _RETRYABLE
