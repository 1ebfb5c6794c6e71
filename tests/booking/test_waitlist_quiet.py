"""With no email or text configured (the embedded demo), the waitlist still takes places, but a
freed time is not held for a visitor nobody can tell: it stays open for everyone (#19)."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import TestClient

from kat_widgets.booking import BookingService
from tests.booking.test_api import FIRST, book, token_of


def test_a_freed_time_is_not_held_when_no_message_can_reach_the_visitor(
    client: TestClient[Litestar], service: BookingService
) -> None:
    taken = book(client)
    joined = client.post(
        "/api/waitlist",
        json={
            "clinic_id": "draper",
            "service": "info-call",
            "email": "wait@example.com",
            "consent": True,
        },
    )
    assert joined.status_code == 201, joined.text
    assert client.post(f"/api/bookings/{token_of(taken)}/cancel").status_code == 200
    place = joined.json()["manage_url"].rsplit("/", 1)[1]
    assert client.get(f"/api/waitlist/{place}").json()["waitlist"]["status"] == "waiting"
    again = book(client, name="Sam Example")  # the freed time is open to anyone
    assert again["booking"]["start"] == FIRST
