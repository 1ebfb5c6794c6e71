"""The shared rate-limit store (Redis) is down: requests go through unlimited, never a 500."""

from __future__ import annotations

from pathlib import Path

import pytest
from litestar.testing import TestClient

from kat_widgets import create_app
from tests.booking.booking_support import booking_body, upcoming_slots


def test_a_dead_redis_lets_locate_and_booking_through(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("KAT_RATE_LIMIT_STORE", "redis://127.0.0.1:1/0")  # nothing listens
    monkeypatch.setenv("KAT_DATA_DIR", str(tmp_path / "kat-data"))
    monkeypatch.setenv("KAT_SECRET_KEY", "r" * 40)
    with TestClient(create_app()) as client:
        located = client.get("/api/locate", params={"q": "84020", "limit": 1})
        booked = client.post(
            "/api/bookings", json=booking_body("draper", upcoming_slots("draper", 1)[0])
        )
    assert located.status_code == 200
    assert located.json()["results"][0]["clinic"]["id"] == "draper"
    assert booked.status_code == 201
