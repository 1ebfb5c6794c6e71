"""Shared fixtures. Tests needing PostgreSQL or Redis skip unless the environment names them.

- ``directory``: the bundled clinics.toml, loaded once per session (a Directory is immutable).
- ``settings`` -> ``app`` -> ``client``: a fresh data folder per test, the app built from it,
  and a Litestar test client. Override ``settings`` or ``app`` in a folder's conftest.py (the
  booking tests do: their app books through a throwaway database).
- ``root_path``: the ASGI ``root_path`` the client sends, ``""`` by default. A test that runs
  under a mount prefix parametrises it (``@pytest.mark.parametrize("root_path", ["/w"])``) or
  a module overrides the fixture.
- ``postgres_url`` / ``redis_url``: from ``KAT_TEST_POSTGRES_URL`` / ``KAT_TEST_REDIS_URL``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from logging.handlers import QueueListener
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from kat_widgets import Settings, create_app
from kat_widgets.directory import Directory, load_directory
from kat_widgets.settings import BUNDLED_DIRECTORY
from tests.booking.booking_support import fresh_postgres, sqlite_url
from tests.servers import deadline_s
from tests.sizes import full_size

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def _records_reach_their_handlers_within_their_test() -> Iterator[None]:
    """Litestar's logging queue (set up by any app a test creates) writes from a thread: a
    record logged late in one test could be written during the next, into a stream the first
    test's capture had closed, and "--- Logging error ---" with its traceback landed in the next
    test's stderr (CI once failed a "no Traceback" check so). Each test's records are written
    before it ends: stopping a listener writes what it holds, then it starts again."""
    yield
    loggers = [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
    listeners: dict[int, QueueListener] = {}
    for logger in loggers:
        for handler in getattr(logger, "handlers", ()):
            listener = getattr(handler, "listener", None)
            if isinstance(listener, QueueListener) and listener._thread is not None:  # type: ignore[attr-defined]
                listeners[id(listener)] = listener
    for listener in listeners.values():
        listener.stop()
        listener.start()


@pytest.fixture(scope="session")
def directory() -> Directory:
    return load_directory(BUNDLED_DIRECTORY)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=str(tmp_path / "kat-data"), secret_key="s" * 40)


@pytest.fixture
def app(settings: Settings) -> Litestar:
    return create_app(settings)


@pytest.fixture
def root_path() -> str:
    return ""


@pytest.fixture
def client(app: Litestar, root_path: str) -> Iterator[TestClient[Litestar]]:
    with TestClient(app, root_path=root_path) as test_client:
        yield test_client


def pytest_report_header() -> str:
    size = "full (KAT_TEST_FULL)" if full_size() else "quick (KAT_TEST_FULL=1 for full)"
    return f"kat-widgets: test sizes {size}; server deadline {deadline_s():.0f} s"


# marker -> (variable, example, what): a test with the marker or the ``<marker>_url`` fixture
SERVICES = {
    "postgres": ("KAT_TEST_POSTGRES_URL", "postgresql://user@host/db", "PostgreSQL"),
    "redis": ("KAT_TEST_REDIS_URL", "redis://host:6379/0", "Redis"),
}


def _service_url(marker: str) -> str:
    variable, example, what = SERVICES[marker]
    url = os.environ.get(variable, "").strip()
    if not url:
        pytest.skip(f"set {variable}={example} to run {what} tests")
    return url


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip before any fixture runs, from one line, so the summary has one line per service."""
    for marker in SERVICES:
        if item.get_closest_marker(marker) or f"{marker}_url" in getattr(item, "fixturenames", ()):
            _service_url(marker)


@pytest.fixture
def postgres_url() -> str:
    return _service_url("postgres")


@pytest.fixture
def redis_url() -> str:
    return _service_url("redis")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
        return
    with fresh_postgres(request.getfixturevalue("postgres_url")) as url:
        yield url
