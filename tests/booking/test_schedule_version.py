"""The schedule version: every change to what a clinic has booked bumps it, in the same
transaction, so each worker's slot cache and the feed's ETag follow bookings made anywhere."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from kat_widgets import create_app
from kat_widgets.booking import BookingRequest, BookingService
from kat_widgets.booking.storage import Storage
from kat_widgets.booking.storage.schedule import read_version
from kat_widgets.scheduling import cache as cache_module
from kat_widgets.scheduling import free_slots
from kat_widgets.scheduling.cache import SlotCache
from kat_widgets.scheduling.engine import window_slots
from kat_widgets.settings import Settings
from tests.booking.booking_support import NOW, at
from tests.booking.conftest import Clock

FEED = "/calendars/draper/availability.ics"


def request(start: dt.datetime, service: str = "info-call") -> BookingRequest:
    return BookingRequest(
        clinic_id="draper",
        service=service,
        start=start,
        name="Robin Example",
        email="robin@example.com",
        consent=True,
    )


def test_every_change_to_a_clinic_bumps_its_version_and_only_its(
    service: BookingService, storage: Storage, clock: Clock
) -> None:
    seen = [storage.schedule_version("draper")]
    assert seen == [0]

    def changed() -> None:
        seen.append(storage.schedule_version("draper"))
        assert seen[-1] > seen[-2], seen

    done = service.book(request(at(9, 10)), public=False)
    changed()
    service.reschedule(done.token, at(9, 11))
    changed()
    service.cancel(done.token)
    changed()
    group = service.book(request(at(9, 10), "integration-group"), public=False)
    changed()
    service.cancel(group.token)
    changed()
    clock.now = at(9, 10) + dt.timedelta(days=400)
    assert service.purge(older_than_days=1) >= 1
    changed()
    assert storage.schedule_version("murray") == 0  # nothing booked there
    # the fast read (the pool's own connection) and the read inside a transaction agree
    with storage._tx(write=False) as conn:
        assert read_version(conn, "draper") == seen[-1]


def test_an_unreachable_database_is_the_usual_storage_error() -> None:
    from kat_widgets.errors import StorageUnavailableError
    from tests.degradation.test_database_down import DEAD_DATABASE

    dead = Storage(DEAD_DATABASE)
    try:
        with pytest.raises(StorageUnavailableError, match="not reachable"):
            dead.schedule_version("draper")
    finally:
        dead.dispose()


def test_reading_does_not_bump_it(service: BookingService, storage: Storage) -> None:
    done = service.book(request(at(9, 10)), public=False)
    before = storage.schedule_version("draper")
    service.view(done.token)
    service.manage(done.token)
    storage.busy("draper", at(9, 0), at(10, 0))
    assert storage.schedule_version("draper") == before


@pytest.fixture
def two_workers(
    service: BookingService, settings: Settings
) -> Iterator[tuple[TestClient[Litestar], TestClient[Litestar]]]:
    """Two apps on one database, as two worker processes are: each has its own slot cache."""
    storage = Storage(service.storage.url)
    other = BookingService(service.directory, settings, storage, clock=service.clock)
    first = create_app(settings, directory=service.directory, bookings=service)
    second = create_app(settings, directory=service.directory, bookings=other)
    with TestClient(first) as a, TestClient(second) as b:
        yield a, b
    storage.dispose()


def test_a_booking_made_in_another_worker_changes_this_workers_feed(
    two_workers: tuple[TestClient[Litestar], TestClient[Litestar]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    a, b = two_workers
    computed: list[int] = []

    def counted(*args: Any) -> Any:
        computed.append(1)
        return window_slots(*args)

    monkeypatch.setattr(cache_module, "window_slots", counted)
    first = a.get(FEED)
    assert first.status_code == 200 and len(computed) == 1
    again = a.get(FEED, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert len(computed) == 1  # a version lookup, not a recompute
    assert b.get(FEED).headers["etag"] == first.headers["etag"]  # the workers agree

    slot = a.get("/api/clinics/draper/slots", params={"service": "info-call"}).json()["slots"][0]
    booked = b.post(
        "/api/bookings",
        json={
            "clinic_id": "draper",
            "service": "info-call",
            "start": slot["start"],
            "name": "Robin Example",
            "email": "robin@example.com",
            "consent": True,
        },
    )
    assert booked.status_code == 201, booked.text
    changed = a.get(FEED, headers={"If-None-Match": first.headers["etag"]})
    assert changed.status_code == 200
    assert changed.headers["etag"] != first.headers["etag"]
    listed = a.get("/api/clinics/draper/slots", params={"service": "info-call"}).json()
    starts = [s["start"] for s in listed["slots"]]
    assert slot["start"] not in starts  # worker a's cache did not keep the booked time


def test_cached_slots_are_the_engines_for_any_range_and_any_later_now(
    service: BookingService,
) -> None:
    """Within the slack, every range gives what the engine computes afresh."""
    for start in (at(9, 10), at(9, 14), at(10, 9, 30), at(12, 16)):
        service.book(request(start), public=False)
    cache = SlotCache(slack_seconds=3600)
    rng = random.Random(7)
    for second in sorted(rng.randrange(0, 3600) for _ in range(60)):  # time moves on
        now = NOW + dt.timedelta(seconds=second)
        start = now + dt.timedelta(minutes=rng.randrange(-60, 60 * 24 * 10))
        end = start + dt.timedelta(minutes=rng.randrange(1, 60 * 24 * 5))
        asked = dict(start=start, end=end, busy=service.free, now=now)
        cached = cache.find(service.directory, "draper", "info-call", **asked)
        fresh = free_slots(service.directory, "draper", "info-call", **asked)
        assert cached.slots == fresh
    assert cache.computed == 1  # one computation served all sixty


def test_the_key_names_the_slots(service: BookingService) -> None:
    cache = SlotCache()
    asked = dict(start=NOW, end=NOW + dt.timedelta(days=3), busy=service.free, now=NOW)
    one = cache.find(service.directory, "draper", "info-call", **asked)
    assert cache.find(service.directory, "draper", "info-call", **asked).key == one.key
    assert SlotCache().find(service.directory, "draper", "info-call", **asked).key == one.key
    service.book(request(one.slots[0].start), public=False)
    two = cache.find(service.directory, "draper", "info-call", **asked)
    assert two.key != one.key and two.slots == one.slots[1:]
    narrower = dict(asked, end=NOW + dt.timedelta(days=2))
    assert cache.find(service.directory, "draper", "info-call", **narrower).key != two.key


def test_a_version_read_in_one_thread_sees_what_another_commits(
    service: BookingService, storage: Storage
) -> None:
    """#14: SQLite reads it on a connection each thread keeps; it must never hold a snapshot."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as reader:  # one thread: the same connection every time
        first = reader.submit(storage.schedule_version, "draper").result()
        done = service.book(request(at(9, 10)), public=False)
        second = reader.submit(storage.schedule_version, "draper").result()
        service.cancel(done.token)
        third = reader.submit(storage.schedule_version, "draper").result()
    assert first < second < third
    assert third == storage.schedule_version("draper")


def test_a_broken_version_reader_is_replaced_and_dispose_closes_them(tmp_path: Any) -> None:
    import sqlite3

    storage = Storage(f"sqlite:///{tmp_path}/kat.db")
    storage.migrate()
    readers = storage._readers  # type: ignore[attr-defined]
    assert storage.schedule_version("draper") == 0
    readers._local.connection.close()  # the file's connection broke under us
    assert storage.schedule_version("draper") == 0  # a fresh one, no error
    opened = list(readers._opened)
    assert len(opened) == 1
    storage.dispose()
    with pytest.raises(sqlite3.ProgrammingError):  # closed
        opened[0].execute("SELECT 1")


def test_a_database_in_memory_is_read_the_ordinary_way() -> None:
    storage = Storage("sqlite:///:memory:")
    try:
        assert storage._readers is None  # type: ignore[attr-defined]
    finally:
        storage.dispose()
