"""Races a visitor or a crowd can cause: two tabs moving one booking, a group's last seat
cancelled while people book it. Every answer is a booking or a clear refusal, never an error."""

from __future__ import annotations

import datetime as dt
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import TestClient

from kat_widgets.booking import BookingService
from kat_widgets.errors import SlotTakenError, StaleChangeError
from tests.booking.booking_support import at
from tests.booking.test_api import SECOND, book, token_of
from tests.booking.test_service import request

THIRD = "2027-03-09T11:00:00-07:00"


def test_a_second_move_from_a_stale_tab_is_refused(service: BookingService) -> None:
    done = service.book(request(at(10, 10), "Robin Example"))
    seen = done.booking.sequence
    service.reschedule(done.token, at(10, 11), sequence=seen)
    with pytest.raises(StaleChangeError, match="changed meanwhile"):
        service.reschedule(done.token, at(10, 12), sequence=seen)
    assert service.view(done.token).start == at(10, 11)


def test_ten_simultaneous_moves_of_one_booking_one_wins(service: BookingService) -> None:
    done = service.book(request(at(10, 10), "Robin Example"))
    clinic, info = service.directory.clinic("draper"), service.directory.service("info-call")
    times = [slot.start for slot in service.free.next_free(clinic, info, at(11, 8), 10)]
    assert len(times) == 10

    def move(start: dt.datetime) -> str:
        try:
            service.reschedule(done.token, start, sequence=0)
        except StaleChangeError:
            return "stale"
        return "moved"

    with ThreadPoolExecutor(10) as pool:
        outcomes = list(pool.map(move, times))
    assert outcomes.count("moved") == 1 and outcomes.count("stale") == 9
    record = service.view(done.token)
    assert record.sequence == 1 and record.start == times[outcomes.index("moved")]


def test_if_match_on_the_json_api(client: TestClient[Litestar]) -> None:
    token = token_of(book(client))
    etag = client.get(f"/api/bookings/{token}").headers["etag"]
    assert etag == '"0"'
    url = f"/api/bookings/{token}/reschedule"
    moved = client.post(url, json={"start": SECOND}, headers={"If-Match": etag})
    assert moved.status_code == 200 and moved.headers["etag"] == '"1"'
    stale = client.post(url, json={"start": THIRD}, headers={"If-Match": etag})
    assert stale.status_code == 409 and "changed meanwhile" in stale.json()["detail"]
    bad = client.post(url, json={"start": THIRD}, headers={"If-Match": "x"})
    assert bad.status_code == 422 and bad.json()["field"] == "If-Match"
    in_body = client.post(url, json={"start": THIRD, "sequence": 0})
    assert in_body.status_code == 409
    assert client.get(f"/api/bookings/{token}").json()["booking"]["start"] == SECOND


def test_a_stale_manage_form_is_refused_with_the_page(client: TestClient[Litestar]) -> None:
    token = token_of(book(client))
    form = {"start": SECOND, "sequence": "0"}
    first = client.post(f"/bookings/{token}/reschedule", data=form, follow_redirects=False)
    assert first.status_code == 303
    again = client.post(f"/bookings/{token}/reschedule", data={"start": THIRD, "sequence": "0"})
    assert again.status_code == 409 and "changed meanwhile" in again.text
    assert "<!doctype html>" in again.text.lower()


def test_cancelling_the_last_seat_while_a_crowd_books_the_group(
    service: BookingService,
) -> None:
    """The cancel deletes the group session (its last seat) while bookers join it: each booker
    gets a seat or "taken", never an error (PostgreSQL used to answer 500 here)."""
    capacity = service.directory.service("integration-group").capacity
    crowd = 30
    slow = threading.local()

    @sa.event.listens_for(service.storage.engine, "commit")
    def _hold_the_lock(conn: object) -> None:  # the cancel holds its locks a moment longer
        if getattr(slow, "on", False):
            time.sleep(0.3)

    for round_ in range(8):
        start = at(9 + round_ % 3, 10) + dt.timedelta(hours=2 * (round_ // 3))
        first = service.book(request(start, "First Member", "integration-group"), public=False)
        gate = threading.Barrier(crowd + 1)

        def book(seat: int, start: dt.datetime = start, gate: threading.Barrier = gate) -> str:
            gate.wait()
            try:
                service.book(request(start, f"Member {seat}", "integration-group"), public=False)
            except SlotTakenError:
                return "taken"
            return "booked"

        def cancel(token: str = first.token, gate: threading.Barrier = gate) -> str:
            gate.wait()
            slow.on = True
            try:
                service.cancel(token)
            finally:
                slow.on = False
            return "cancelled"

        with ThreadPoolExecutor(crowd + 1) as pool:
            futures = [pool.submit(cancel), *(pool.submit(book, seat) for seat in range(crowd))]
            outcomes = [future.result() for future in futures]  # raises on any other error
        booked = outcomes.count("booked")
        assert booked in (capacity - 1, capacity)  # the freed seat may go before the crowd is done
        hour = dt.timedelta(hours=1)
        busy = service.storage.busy("draper", start - hour, start + 3 * hour)
        seats = busy.group_seats.get(("integration-group", start.astimezone(dt.UTC)), 0)
        assert seats == booked  # the session counts exactly the confirmed seats
