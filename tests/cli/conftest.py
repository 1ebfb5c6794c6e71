"""The environment the command-line tests run the CLI in."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A data folder and a booking database of the test's own, booking on, no rate limits."""
    monkeypatch.setenv("KAT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KAT_DATABASE_URL", f"sqlite:///{tmp_path / 'bookings.db'}")
    monkeypatch.setenv("KAT_SECRET_KEY", "s" * 40)
    monkeypatch.setenv("KAT_RATE_LIMIT_STORE", "off")
