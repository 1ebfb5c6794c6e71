"""Slots, feeds and the open-times widget read busy times on the event loop only when those
reads cannot wait on another machine; otherwise in a worker thread (#14)."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest
from litestar.testing import TestClient

from kat_widgets import Settings, create_app
from kat_widgets.booking.storage import Storage
from kat_widgets.directory import Directory
from kat_widgets.scheduling import BusyTimes
from kat_widgets.scheduling.ics_import import CalendarBusySource
from kat_widgets.scheduling.types import busy_may_block, no_busy_times

NOW = dt.datetime(2027, 3, 8, 14, 0, tzinfo=dt.UTC)
PATHS = [
    "/api/clinics/draper/slots?service=info-call",
    "/calendars/draper/availability.ics",
    "/fragments/availability?clinic=draper&service=info-call",
]


class Recording:
    """A busy provider that notes where each read runs: on the event loop, or in a worker."""

    def __init__(self, *, may_block: bool | None) -> None:
        if may_block is not None:
            self.may_block = may_block
        self.places: set[str] = set()

    def _note(self) -> None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            self.places.add("worker")
        else:
            self.places.add("loop")

    def __call__(self, clinic_id: str, start: dt.datetime, end: dt.datetime) -> BusyTimes:
        self._note()
        return BusyTimes()

    def version(self, clinic_id: str) -> int:
        self._note()
        return 0


def _threads_used(tmp_path: Path, provider: Recording) -> set[str]:
    # no secret key: booking is off, so the provider is the whole of what is busy
    settings = Settings(data_dir=str(tmp_path))
    with TestClient(create_app(settings, busy_provider=provider, clock=lambda: NOW)) as client:
        for path in PATHS:
            assert client.get(path).status_code == 200, path
    return provider.places


def test_a_provider_that_says_nothing_is_read_in_a_worker_thread(tmp_path: Path) -> None:
    assert _threads_used(tmp_path, Recording(may_block=None)) == {"worker"}


def test_a_provider_that_cannot_block_is_read_on_the_loop(tmp_path: Path) -> None:
    assert _threads_used(tmp_path, Recording(may_block=False)) == {"loop"}


def test_which_providers_may_block(tmp_path: Path, directory: Directory) -> None:
    assert not busy_may_block(no_busy_times)
    assert busy_may_block(lambda clinic_id, start, end: BusyTimes())  # says nothing
    files = CalendarBusySource({"draper-navigator": str(tmp_path / "a.ics")}, directory)
    assert not busy_may_block(files)
    address = CalendarBusySource({"draper-navigator": "https://cal.example/a.ics"}, directory)
    assert busy_may_block(address)


@pytest.mark.parametrize(
    ("url", "blocks"),
    [
        ("sqlite:///{tmp}/kat.db", False),
        pytest.param("{postgres}", True, marks=pytest.mark.postgres),
    ],
)
def test_stored_bookings_block_on_a_database_server_only(
    tmp_path: Path, directory: Directory, request: pytest.FixtureRequest, url: str, blocks: bool
) -> None:
    from kat_widgets.booking.free import FreeTimes

    if "{postgres}" in url:
        url = request.getfixturevalue("postgres_url")
    storage = Storage(url.format(tmp=tmp_path))
    try:
        free = FreeTimes(directory, storage, clock=lambda: NOW)
        assert free.may_block is blocks
        files = CalendarBusySource({"draper-navigator": str(tmp_path / "a.ics")}, free.directory)
        address = CalendarBusySource({"draper-navigator": "http://x.example/a"}, free.directory)
        assert (
            FreeTimes(free.directory, storage, calendars=files, clock=lambda: NOW).may_block
            is blocks
        )
        assert FreeTimes(free.directory, storage, calendars=address, clock=lambda: NOW).may_block
    finally:
        storage.dispose()
