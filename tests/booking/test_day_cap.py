"""A service's ``max_per_day`` holds in the database, under concurrency, on clinic-local days."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import msgspec
import pytest

from kat_widgets.booking import BookingRequest, BookingService
from kat_widgets.booking.storage import Storage
from kat_widgets.directory import Directory
from kat_widgets.errors import SlotTakenError
from kat_widgets.settings import Settings
from tests.booking.booking_support import at

CAP = 3


def _capped_directory(directory: Directory) -> Directory:
    """The bundled directory with the informational call capped at ``CAP`` a day."""
    services = tuple(
        msgspec.structs.replace(s, policy=msgspec.structs.replace(s.policy, max_per_day=CAP))
        if s.id == "info-call"
        else s
        for s in directory.data.services
    )
    return Directory(msgspec.structs.replace(directory.data, services=services))


@pytest.fixture
def capped(
    directory: Directory, settings: Settings, storage: Storage, clock: object
) -> BookingService:
    limited = _capped_directory(directory)
    return BookingService(limited, settings, storage, clock=clock)  # type: ignore[arg-type]


def request(start: dt.datetime, name: str) -> BookingRequest:
    return BookingRequest(
        clinic_id="draper",
        service="info-call",
        start=start,
        name=name,
        email="visitor@example.com",
        consent=True,
    )


def test_simultaneous_bookings_of_different_times_stop_at_the_daily_cap(
    capped: BookingService,
) -> None:
    _race_for_one_day(capped)


def _race_for_one_day(capped: BookingService) -> None:
    day = capped.free.next_free(
        capped.directory.clinic("draper"), capped.directory.service("info-call"), at(10, 0), 12
    )
    starts = [slot.start for slot in day if slot.start.date() == day[0].start.date()]
    assert len(starts) > CAP + 2  # more free times that day than the cap allows

    def attempt(index: int) -> str:
        try:
            capped.book(request(starts[index], f"Visitor {index}"))
        except SlotTakenError:
            return "refused"
        return "booked"

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(attempt, range(len(starts))))
    assert outcomes.count("booked") == CAP
    first, last = at(10, 0) - dt.timedelta(hours=10), at(10, 0) + dt.timedelta(hours=14)
    assert len(capped.storage.between(first, last)) == CAP


def test_cancelling_frees_a_place_and_moving_within_the_day_is_allowed(
    capped: BookingService,
) -> None:
    times = [at(10, 9), at(10, 10), at(10, 11), at(10, 13), at(10, 14)]
    done = [capped.book(request(start, f"Visitor {i}")) for i, start in enumerate(times[:CAP])]
    with pytest.raises(SlotTakenError):
        capped.book(request(times[3], "One too many"))
    moved = capped.reschedule(done[0].token, times[4])  # same day: it does not count twice
    assert moved.start == times[4]
    capped.cancel(done[1].token)
    assert capped.book(request(times[3], "Now there is room")).booking.status == "confirmed"


@pytest.mark.parametrize(
    ("date", "hours"), [("2027-03-14", 23), ("2027-11-07", 25), ("2027-03-10", 24)]
)
def test_the_capped_day_is_the_clinic_local_day_across_dst(
    directory: Directory, date: str, hours: int
) -> None:
    from kat_widgets.booking.rules import local_day

    clinic = directory.clinic("draper")
    noon = dt.datetime.fromisoformat(f"{date}T12:00").replace(tzinfo=clinic.zone)
    first, last = local_day(noon, clinic)
    assert first.astimezone(clinic.zone).isoformat().startswith(f"{date}T00:00")
    assert last - first == dt.timedelta(hours=hours)


@pytest.mark.postgres
def test_the_cap_holds_when_the_server_defaults_to_repeatable_read(
    directory: Directory, settings: Settings, clock: object, postgres_url: str
) -> None:
    """The count after the advisory lock needs a fresh snapshot: the engine pins READ COMMITTED."""
    import psycopg

    from tests.booking.booking_support import fresh_postgres

    with fresh_postgres(postgres_url) as url:
        name = url.rsplit("/", 1)[1]
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute(
                f"ALTER DATABASE \"{name}\" SET default_transaction_isolation = 'repeatable read'"
            )
        storage = Storage(url)
        try:
            storage.migrate()
            limited = _capped_directory(directory)
            service = BookingService(limited, settings, storage, clock=clock)  # type: ignore[arg-type]
            _race_for_one_day(service)
        finally:
            storage.dispose()


def test_the_manage_page_offers_other_times_on_a_full_day(
    capped: BookingService, settings: Settings
) -> None:
    import re

    from litestar.testing import TestClient

    from kat_widgets import create_app

    day = [at(10, 9), at(10, 10), at(10, 11)]
    done = [capped.book(request(start, f"Visitor {i}")) for i, start in enumerate(day)]
    app = create_app(settings, directory=capped.directory, bookings=capped)
    with TestClient(app) as client:
        page = client.get(
            f"/bookings/{done[0].token}", params={"after": "2027-03-10T00:00:00-07:00"}
        ).text
    offered = re.findall(r'name="start" value="(2027-03-10T[^"]+)"', page)
    assert offered, page  # the day is full, but moving within it does not add a booking
    assert day[1].isoformat() not in offered and day[2].isoformat() not in offered
