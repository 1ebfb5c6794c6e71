"""The online geocoder is down or hangs: the locator answers offline, within its timeout.

The database is dead too (``KAT_DATABASE_URL`` on a closed port): finding a clinic needs neither.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from kat_widgets import create_app
from tests.degradation.test_database_down import DEAD_DATABASE
from tests.nominatim_server import FakeNominatim

ADDRESS = "721 E 12200 S, Draper, UT 84020"


@pytest.fixture
def fake() -> Iterator[FakeNominatim]:
    with FakeNominatim() as server:
        yield server


@pytest.fixture
def client(
    fake: FakeNominatim, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[TestClient[Litestar]]:
    for name, value in {
        "KAT_DATABASE_URL": DEAD_DATABASE,
        "KAT_DATA_DIR": str(tmp_path / "kat-data"),
        "KAT_SECRET_KEY": "g" * 40,
        "KAT_GEOCODER": "nominatim",
        "KAT_GEOCODER_USER_AGENT": "kat-widgets-tests/1.0 (tests@example.org)",
        "KAT_GEOCODER_DOMAIN": fake.domain,
        "KAT_GEOCODER_SCHEME": "http",
        "KAT_GEOCODER_TIMEOUT_S": "0.5",
        "KAT_GEOCODER_MIN_INTERVAL_S": "0",
    }.items():
        monkeypatch.setenv(name, value)
    with TestClient(create_app()) as test_client:
        yield test_client


def test_a_hanging_geocoder_gives_the_offline_answer_before_it_replies(
    fake: FakeNominatim, client: TestClient[Litestar]
) -> None:
    fake.mode, fake.delay_s = "slow", 5.0
    response = client.get("/api/locate", params={"q": ADDRESS, "limit": 1})
    assert response.status_code == 200
    body = response.json()
    assert body["query"]["precision"] == "zip"
    assert "unavailable right now" in body["query"]["note"]
    assert body["results"][0]["clinic"]["id"] == "draper"
    assert len(fake.requests) == 1  # it was asked once...
    assert fake.answered == 0  # ...and we answered without waiting for it: the timeout cut it


@pytest.mark.parametrize("mode", ["500", "429"])
def test_a_failing_geocoder_gives_the_offline_answer_in_the_fragment(
    fake: FakeNominatim, client: TestClient[Litestar], mode: str
) -> None:
    fake.mode = mode
    response = client.get("/fragments/locator", params={"q": ADDRESS})
    assert response.status_code == 200
    assert "Draper" in response.text
    assert "unavailable right now" in response.text


def test_an_unreachable_geocoder_gives_the_offline_answer(
    monkeypatch: pytest.MonkeyPatch, client: TestClient[Litestar]
) -> None:
    monkeypatch.setenv("KAT_GEOCODER_DOMAIN", "127.0.0.1:9")  # discard port: refused
    with TestClient(create_app()) as refused:
        response = refused.get("/api/locate", params={"q": ADDRESS, "limit": 1})
    assert response.status_code == 200
    assert response.json()["results"][0]["clinic"]["id"] == "draper"
