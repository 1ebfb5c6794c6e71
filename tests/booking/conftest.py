"""Fixtures for booking tests: a fresh database per test on SQLite and (when set) PostgreSQL.

``settings`` and ``app`` override the shared ones (tests/conftest.py): the app books through
``service``, so the shared ``client`` fixture talks to it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar import Litestar

from kat_widgets import create_app
from kat_widgets.booking import BookingService
from kat_widgets.booking.storage import Storage
from kat_widgets.directory import Directory
from kat_widgets.settings import Settings
from tests.booking.booking_support import NOW, SECRET


@pytest.fixture
def storage(database_url: str) -> Iterator[Storage]:
    store = Storage(database_url)
    store.migrate()
    yield store
    store.dispose()


class Clock:
    """A settable clock for cut-off tests."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=str(tmp_path / "kat-data"), secret_key=SECRET)


@pytest.fixture
def service(
    directory: Directory, settings: Settings, storage: Storage, clock: Clock
) -> BookingService:
    return BookingService(directory, settings, storage, clock=clock)


@pytest.fixture
def app(service: BookingService, settings: Settings) -> Litestar:
    return create_app(settings, directory=service.directory, bookings=service)
