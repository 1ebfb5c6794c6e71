"""The schedule version of a clinic, read on a SQLite connection of the reading thread's own.

Every slots, feed and open-times request reads the version (see :mod:`.schedule`). Through the
pool that is a checkout, the SELECT and a check-in with its rollback: ~8 us, against ~3 us for
the SELECT alone (#14). Each thread here keeps one connection out of the pool, made by the
engine (so with the app's PRAGMAs: WAL, the busy timeout, autocommit) and detached from it.

In autocommit, each SELECT is its own read transaction; ``fetchall()`` steps the statement to
its end, which ends that transaction, so the next read sees every commit made meanwhile (a
statement left open would keep its snapshot). A file database only: each connection to
``:memory:`` is a database of its own.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from sqlalchemy.engine import Engine

__all__ = ["VersionReaders"]

log = logging.getLogger("kat_widgets.booking.storage")
_SQL = "SELECT version FROM schedule_versions WHERE clinic_id = ?"


class VersionReaders:
    """One detached DB-API connection per thread, for :meth:`read`; :meth:`close` ends them."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._local = threading.local()
        self._lock = threading.Lock()
        self._opened: list[Any] = []

    def read(self, clinic_id: str) -> int:
        """The version (0 before the first booking). A connection that fails is dropped and the
        read tried once more on a fresh one; the driver's error if that fails too."""
        for attempt in (1, 2):
            connection = getattr(self._local, "connection", None) or self._open()
            try:
                rows = connection.execute(_SQL, (clinic_id,)).fetchall()
            except Exception:
                self._drop(connection)
                if attempt == 2:
                    raise
                continue
            return int(rows[0][0] or 0) if rows else 0
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        with self._lock:
            opened, self._opened = self._opened, []
        for connection in opened:
            _close(connection)
        self._local = threading.local()

    def _open(self) -> Any:
        fairy = self.engine.raw_connection()
        fairy.detach()  # ours now: never returned to the pool, closed by close()
        connection = fairy.dbapi_connection
        with self._lock:
            self._opened.append(connection)
        self._local.connection = connection
        return connection

    def _drop(self, connection: Any) -> None:
        self._local.connection = None
        with self._lock:
            if connection in self._opened:
                self._opened.remove(connection)
        _close(connection)


def _close(connection: Any) -> None:
    try:
        connection.close()
    except Exception as exc:  # closing is best effort: the process may be ending
        log.debug("closing a version reader: %s", type(exc).__name__)
