"""Through a real ``kat-widgets serve`` (several workers): one client's referral link used for
four dosing sessions in one week at the same moment books exactly one (#18).

The client's history is written first through the library on the server's own database (an
assessment and a preparation 20 days ago, marked completed by staff), as the clinic would have.
"""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from kat_widgets import Settings
from kat_widgets.booking import BookingRequest, BookingService
from kat_widgets.booking.staff import StaffService
from kat_widgets.booking.storage import Storage
from kat_widgets.directory import load_directory
from kat_widgets.scheduling import find_slots
from kat_widgets.settings import BUNDLED_DIRECTORY
from tests.booking.booking_support import SECRET, Server
from tests.booking.conftest import Clock
from tests.servers import deadline_s

pytestmark = pytest.mark.slow


def _visit(service_id: str, start: dt.datetime) -> BookingRequest:
    return BookingRequest(
        clinic_id="draper",
        service=service_id,
        start=start,
        name="Robin Example",
        email="robin@example.com",
        consent=True,
    )


def _client_ready_for_dosing(tmp_path: Path, database_url: str) -> tuple[BookingService, str]:
    """A client whose assessment and preparation staff marked completed; (service, client)."""
    directory = load_directory(BUNDLED_DIRECTORY)
    now = dt.datetime.now(dt.UTC)
    clock = Clock(now - dt.timedelta(days=21))
    settings = Settings(data_dir=str(tmp_path / "lib"), secret_key=SECRET)
    bookings = BookingService(directory, settings, Storage(database_url), clock=clock)
    bookings.storage.migrate()
    staff = StaffService(bookings)
    key = staff.authorize(
        "Bearer " + staff.create_key(("draper",), ("bookings:write",))[1], "bookings:write"
    )
    client_id: str | None = None
    for service_id in ("connect-assessment", "prepare-session"):
        start = clock.now + dt.timedelta(days=1)
        found = find_slots(
            directory,
            "draper",
            service_id,
            start=start,
            end=start + dt.timedelta(days=7),
            now=clock.now,
        )
        done = bookings.book(_visit(service_id, found[0].start), public=False, client_id=client_id)
        client_id = done.booking.client_id
        clock.now = done.booking.end + dt.timedelta(minutes=1)
        staff.mark(key, done.booking.id, "completed")
    clock.now = now
    assert client_id is not None
    return bookings, client_id


def _at_once(url: str, bodies: list[dict[str, Any]]) -> list[tuple[int, str]]:
    """POST every body at the same moment, one thread and connection each (threads, not an
    event loop: a browser test before this one may have left a loop running here)."""
    gate = threading.Barrier(len(bodies))

    def one(body: dict[str, Any]) -> tuple[int, str]:
        with httpx.Client(base_url=url, timeout=deadline_s()) as client:
            client.get("/healthz")  # connected before the gate opens
            gate.wait()
            response = client.post("/api/bookings", json=body)
            return response.status_code, response.text

    with ThreadPoolExecutor(len(bodies)) as pool:
        return list(pool.map(one, bodies))


def test_four_dosing_sessions_in_one_week_at_once_book_one(
    tmp_path: Path, database_url: str
) -> None:
    bookings, client_id = _client_ready_for_dosing(tmp_path, database_url)
    directory = bookings.directory
    token, _ = bookings.care.issue(
        client_id, directory.clinic("draper"), directory.service("experience-im")
    )
    zone = directory.clinic("draper").zone
    begin = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    found = find_slots(
        directory,
        "draper",
        "experience-im",
        start=begin,
        end=begin + dt.timedelta(days=6),
        now=begin,
    )
    by_day: dict[dt.date, dt.datetime] = {}
    for slot in found:
        by_day.setdefault(slot.start.astimezone(zone).date(), slot.start)
    starts = list(by_day.values())[:4]
    assert len(starts) == 4 and (starts[-1] - starts[0]).days < 7
    bodies = [
        {
            "clinic_id": "draper",
            "service": "experience-im",
            "start": start.isoformat(),
            "name": "Robin Example",
            "email": "robin@example.com",
            "consent": True,
            "referral": token,
        }
        for start in starts
    ]
    with Server(tmp_path, database_url, workers=3) as server:
        answers = _at_once(server.url, bodies)
    statuses = sorted(status for status, _ in answers)
    assert statuses == [201, 422, 422, 422], answers
    assert all("7 days" in text for status, text in answers if status == 422), answers
    history = bookings.storage.clients.history(client_id)
    assert [entry.service_id for entry in history].count("experience-im") == 1
    bookings.storage.dispose()
