"""SQLite: the embedded default (a file in WAL mode; writers take turns, ``BEGIN IMMEDIATE``)."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine, make_url

from kat_widgets.booking.storage.base import Storage
from kat_widgets.booking.storage.sqlite_version import VersionReaders
from kat_widgets.errors import StorageUnavailableError

__all__ = ["SQLiteStorage"]

log = logging.getLogger("kat_widgets.booking.storage")

# extended result codes (https://www.sqlite.org/rescode.html): the overlap trigger's RAISE(ABORT)
# and the group seats CHECK
_REFUSALS = frozenset({"SQLITE_CONSTRAINT_TRIGGER", "SQLITE_CONSTRAINT_CHECK"})


class SQLiteStorage(Storage, dialect="sqlite"):
    """One writer at a time: every write transaction begins IMMEDIATE, so counts taken inside
    it (daily caps, seats) cannot change before it commits; reads begin DEFERRED."""

    def _create_engine(self, url: str) -> Engine:
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        # hide_parameters: SQL errors and logs never show the values (names, emails, notes)
        engine = sa.create_engine(url, connect_args={"timeout": 30}, hide_parameters=True)

        durable = self.durable_commits

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA busy_timeout = 30000")
            cursor.execute("PRAGMA journal_mode = WAL")
            # FULL: each commit reaches the disk before it returns (WAL); NORMAL: the last
            # commits may be lost to a power cut, the file never corrupted
            cursor.execute(f"PRAGMA synchronous = {'FULL' if durable else 'NORMAL'}")
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(connection: Connection) -> None:
            mode = connection.get_execution_options().get("kat_begin", "IMMEDIATE")
            connection.exec_driver_sql(f"BEGIN {mode}")

        return engine

    def __init__(self, url: str, *, durable_commits: bool = True) -> None:
        super().__init__(url, durable_commits=durable_commits)
        database = self.engine.url.database
        in_memory = database in (None, "", ":memory:") or "mode=memory" in str(self.engine.url)
        self._readers = None if in_memory else VersionReaders(self.engine)

    def schedule_version(self, clinic_id: str) -> int:
        """Read on a connection of this thread's own (:mod:`.sqlite_version`); a database in
        memory, whose every connection is another database, the ordinary way."""
        readers = self._readers
        if readers is None:
            return super().schedule_version(clinic_id)
        try:
            return readers.read(clinic_id)
        except sqlite3.Error as exc:
            log.warning("booking database error: %s", type(exc).__name__)
            raise StorageUnavailableError("The booking database is not reachable.") from None

    def dispose(self) -> None:
        if self._readers is not None:
            self._readers.close()
        super().dispose()

    def _reading(self, conn: Connection) -> Connection:
        return conn.execution_options(kat_begin="DEFERRED")

    def _insert_new(self, table: sa.Table) -> Any:
        return sqlite_insert(table).on_conflict_do_nothing()

    def _refused(self, error: BaseException | None) -> bool:
        return getattr(error, "sqlite_errorname", None) in _REFUSALS
