"""Shared fixtures. Tests needing PostgreSQL or Redis skip unless the environment names them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from kat_widgets import Settings, create_app
from tests.booking.booking_support import fresh_postgres, sqlite_url

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=str(tmp_path / "kat-data"), secret_key="s" * 40)


@pytest.fixture
def app(settings: Settings) -> Litestar:
    return create_app(settings)


@pytest.fixture
def client(app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def postgres_url() -> str:
    url = os.environ.get("KAT_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("set KAT_TEST_POSTGRES_URL=postgresql://user@host/db to run PostgreSQL tests")
    return url


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("KAT_TEST_REDIS_URL")
    if not url:
        pytest.skip("set KAT_TEST_REDIS_URL=redis://host:6379/0 to run Redis tests")
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
        return
    with fresh_postgres(request.getfixturevalue("postgres_url")) as url:
        yield url
