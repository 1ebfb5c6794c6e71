"""Throwaway databases: a SQLite file, or ``CREATE DATABASE kat_test_<random>`` on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import os
import sys
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from kat_widgets.directory import load_directory
from kat_widgets.scheduling import find_slots
from kat_widgets.settings import BUNDLED_DIRECTORY
from tests.servers import ServerProcess, http_ok

SECRET = "k" * 40
# Monday 2027-03-08, 08:00 Mountain: the tests book the following days.
NOW = dt.datetime(2027, 3, 8, 15, 0, tzinfo=dt.UTC)
MOUNTAIN = dt.timezone(dt.timedelta(hours=-7))


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A March 2027 wall-clock time in Utah (MST, before the DST change on the 14th)."""
    return dt.datetime(2027, 3, day, hour, minute, tzinfo=MOUNTAIN)


@contextmanager
def fresh_postgres(server_url: str) -> Iterator[str]:
    """A new, empty database on the server of ``server_url``; dropped afterwards."""
    name = f"kat_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    params = conninfo_to_dict(server_url)
    params["dbname"] = name
    user = params.get("user", "postgres")
    host = params.get("host", "127.0.0.1")
    port = params.get("port", "5432")
    auth = f"{user}:{params['password']}@" if params.get("password") else f"{user}@"
    try:
        yield f"postgresql://{auth}{host}:{port}/{name}"
    finally:
        with psycopg.connect(make_conninfo(server_url), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def sqlite_url(folder: Path) -> str:
    return f"sqlite:///{folder / 'bookings.db'}"


class Server(ServerProcess):
    """``kat-widgets serve`` in its own process group, so kill -9 reaches every worker.

    With ``log_file`` it logs at debug level there (access log included); without, warnings go
    to a log file of its own in ``folder``. Either way a failed start shows the log's tail.
    """

    def __init__(
        self,
        folder: Path,
        database_url: str,
        *,
        workers: int = 3,
        log_file: Path | None = None,
        env: Mapping[str, str] | None = None,
        level: str = "",
        options: Sequence[str] = (),
    ) -> None:
        environment = {k: v for k, v in os.environ.items() if not k.startswith("KAT_")}
        environment.update(
            KAT_DATA_DIR=str(folder / "data"),
            KAT_DATABASE_URL=database_url,
            KAT_SECRET_KEY=SECRET,
            # every simulated visitor comes from 127.0.0.1: per-client limits would refuse them
            KAT_RATE_LIMIT_STORE="off",
        )
        environment.update(env or {})
        level = level or ("debug" if log_file else "warning")

        def command(port: int) -> list[str]:
            return [
                *(sys.executable, "-m", "kat_widgets", "serve", "--port", str(port)),
                *("--workers", str(workers), "--log-level", level),
                *options,
            ]

        super().__init__(
            "kat-widgets serve",
            command,
            log_file=log_file or folder / f"serve-{uuid.uuid4().hex[:8]}.log",
            ready=lambda port: http_ok(f"http://127.0.0.1:{port}/healthz"),
            cwd=folder,
            env=environment,
        )


def upcoming_slots(clinic_id: str, count: int) -> list[dt.datetime]:
    """The next ``count`` info-call starts at a clinic, from the real clock (server time)."""
    now = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)
    directory = load_directory(BUNDLED_DIRECTORY)
    slots = find_slots(
        directory, clinic_id, "info-call", start=now, end=now + dt.timedelta(days=30), now=now
    )
    assert len(slots) >= count
    return [slot.start for slot in slots[:count]]


def booking_body(clinic_id: str, start: dt.datetime, name: str = "Load Test") -> dict[str, Any]:
    return {
        "clinic_id": clinic_id,
        "service": "info-call",
        "start": start.isoformat(),
        "name": name,
        "email": "load@example.com",
        "consent": True,
    }
