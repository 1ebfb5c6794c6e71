"""Throwaway databases: a SQLite file, or ``CREATE DATABASE kat_test_<random>`` on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

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
