"""The waitlist (#19) through the HTTP API on SQLite and PostgreSQL, every channel on against
loopback peers: three visitors wait, a booking is cancelled, the first gets the offer (read at
the SMTP server), the time is hidden from everyone else while it is held, the offer runs out
and passes to the second, and twenty claims of one offer at once make exactly one booking."""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from kat_widgets import create_app
from kat_widgets.services import Services
from tests.booking.booking_support import at
from tests.notifications.conftest import PUBLIC, deliver_due, visitor
from tests.notifications.peers import SmtpHandler

VISITORS = ("ana@example.com", "ben@example.com", "cam@example.com")
CLAIM = re.compile(r"/waitlist/claims/([A-Za-z0-9_-]{43})")


@pytest.fixture
def client(services: Services) -> Iterator[TestClient[Litestar]]:
    # one test client stands for many visitors here: no per-visitor budget
    settings = msgspec.structs.replace(services.settings, rate_limit_store="off")
    app = create_app(settings, directory=services.directory, bookings=services.booking)
    with TestClient(app) as test_client:
        yield test_client


def _join(client: TestClient[Litestar], email: str, **more: Any) -> dict[str, Any]:
    body = {
        "clinic_id": "draper",
        "service": "info-call",
        "email": email,
        "consent": True,
        "earliest": "2027-03-10",
        "latest": "2027-03-10",
        **more,
    }
    joined = client.post("/api/waitlist", json=body)
    assert joined.status_code == 201, joined.text
    answer: dict[str, Any] = joined.json()
    return answer


def _offers_to(smtp: tuple[Any, SmtpHandler], email: str) -> list[str]:
    """The claim tokens in the offers ``email`` received."""
    found = []
    for received in smtp[1].received:
        if received.rcpt_tos == [email] and received.message["Subject"].startswith("A time"):
            text = received.message.get_body(("plain",)).get_content()
            assert f"{PUBLIC}/waitlist/claims/" in text
            found += CLAIM.findall(text)
    return found


def _open(client: TestClient[Litestar], start: dt.datetime) -> bool:
    slots = client.get(
        "/api/clinics/draper/slots",
        params={"service": "info-call", "start": "2027-03-10T00:00:00-07:00"},
    ).json()["slots"]
    return any(dt.datetime.fromisoformat(s["start"]) == start for s in slots)


def test_a_freed_time_goes_to_the_first_waiting_then_the_next(
    client: TestClient[Litestar], services: Services, smtp: tuple[Any, SmtpHandler]
) -> None:
    booking = services.booking
    start = at(10, 10)
    taken = booking.book(visitor(start))
    places = [_join(client, email) for email in VISITORS]
    assert all(place["waitlist"]["status"] == "waiting" for place in places)
    assert places[0]["manage_url"].startswith("/waitlist/")
    deliver_due(services)
    assert not _open(client, start)

    cancelled = client.post(f"/api/bookings/{taken.token}/cancel")
    assert cancelled.status_code == 200, cancelled.text
    deliver_due(services)
    [first_claim] = _offers_to(smtp, VISITORS[0])
    assert _offers_to(smtp, VISITORS[1]) == []
    offer = [r.message for r in smtp[1].received if r.rcpt_tos == [VISITORS[0]]][-1]
    assert "ketamine" not in offer["Subject"].lower()
    assert [p.get_content_type() for p in offer.iter_parts()] == ["text/plain", "text/html"]
    token = places[0]["manage_url"].rsplit("/", 1)[1]
    assert client.get(f"/api/waitlist/{token}").json()["waitlist"]["status"] == "offered"
    # held: nobody else is shown it or can book it
    assert not _open(client, start)
    other = client.post(
        "/api/bookings",
        json={
            "clinic_id": "draper",
            "service": "info-call",
            "start": start.isoformat(),
            "name": "Dee Example",
            "email": "dee@example.com",
            "consent": True,
        },
    )
    assert other.status_code == 409
    page = client.get(f"/waitlist/claims/{first_claim}")
    assert page.status_code == 200 and "A time has opened for you" in page.text

    services.clock.now += dt.timedelta(minutes=31)  # type: ignore[attr-defined]
    assert services.notifications is not None
    services.notifications.queue.sweep()  # the delivery sweep passes ended offers on
    deliver_due(services)
    late = client.post(f"/api/waitlist/claims/{first_claim}")
    assert late.status_code == 409 and "call us" in late.json()["detail"].lower()
    [second_claim] = _offers_to(smtp, VISITORS[1])
    assert client.get(f"/api/waitlist/{token}").json()["waitlist"]["status"] == "waiting"

    claimed = client.post(f"/api/waitlist/claims/{second_claim}")
    assert claimed.status_code == 201, claimed.text
    assert claimed.json()["booking"]["status"] == "confirmed"
    assert (
        claimed.json()["booking"]["start"]
        == start.astimezone(services.directory.clinic("draper").zone).isoformat()
    )
    assert client.post(f"/api/waitlist/claims/{second_claim}").status_code == 409
    deliver_due(services)
    confirmations = [
        r.message
        for r in smtp[1].received
        if r.rcpt_tos == [VISITORS[1]] and r.message["Subject"].startswith("Appointment confirmed")
    ]
    assert len(confirmations) == 1  # with the visitor's own manage link
    manage = claimed.json()["manage_url"].rsplit("/", 1)[1]
    assert f"{PUBLIC}/bookings/{manage}" in confirmations[0].get_body(("plain",)).get_content()
    assert _offers_to(smtp, VISITORS[2]) == []


def test_twenty_claims_of_one_offer_at_once_make_one_booking(
    client: TestClient[Litestar], services: Services, smtp: tuple[Any, SmtpHandler]
) -> None:
    booking = services.booking
    taken = booking.book(visitor(at(10, 11)))
    _join(client, VISITORS[0])
    booking.cancel(taken.token)
    deliver_due(services)
    [claim] = _offers_to(smtp, VISITORS[0])
    gate = threading.Barrier(20)
    statuses: list[int] = []

    def attempt() -> None:  # through the HTTP API: twenty requests in flight at once
        gate.wait()
        statuses.append(client.post(f"/api/waitlist/claims/{claim}").status_code)

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201] + [409] * 19
    confirmed = [
        b for b in booking.storage.between(at(10, 0), at(11, 0)) if b.status == "confirmed"
    ]
    assert len(confirmed) == 1 and confirmed[0].email == VISITORS[0]


def test_leaving_frees_a_held_time_for_the_next_and_bad_input_is_refused(
    client: TestClient[Litestar], services: Services, smtp: tuple[Any, SmtpHandler]
) -> None:
    booking = services.booking
    taken = booking.book(visitor(at(10, 12)))
    first = _join(client, VISITORS[0])
    _join(client, VISITORS[1])
    # a visitor who can only come on Thursdays is not offered a Wednesday, nor one who can only
    # come in the evening a time at noon
    _join(client, VISITORS[2], days=["thu"], earliest=None, latest=None)
    _join(client, "eve@example.com", parts_of_day=["evening"])
    booking.cancel(taken.token)
    deliver_due(services)
    assert len(_offers_to(smtp, VISITORS[0])) == 1
    token = first["manage_url"].rsplit("/", 1)[1]
    left = client.post(f"/api/waitlist/{token}/cancel")
    assert left.status_code == 200 and left.json()["waitlist"]["status"] == "cancelled"
    deliver_due(services)
    assert len(_offers_to(smtp, VISITORS[1])) == 1
    assert _offers_to(smtp, VISITORS[2]) == [] and _offers_to(smtp, "eve@example.com") == []
    page = client.post(f"/waitlist/{token}/cancel", follow_redirects=False)
    assert page.status_code == 303

    def refused(**body: Any) -> dict[str, Any]:
        wanted = {"clinic_id": "draper", "service": "info-call", "consent": True} | body
        answer = client.post("/api/waitlist", json=wanted)
        assert answer.status_code in (400, 404, 422), answer.text
        result: dict[str, Any] = answer.json()
        return result

    assert "email" in refused()["detail"].lower()  # no contact
    assert refused(email="x@example.com", consent=False)["field"] == "consent"
    assert refused(email="not-an-email")["field"] == "email"
    assert refused(email="x@example.com", latest="2027-03-01")["field"] == "latest"
    assert refused(email="x@example.com", days=["someday"])["status_code"] == 400
    assert refused(email="x@example.com", service="experience-iv")["field"] == "service"
    assert client.get("/api/waitlist/" + "z" * 43).status_code == 404
    assert client.post("/api/waitlist/claims/" + "z" * 43).status_code == 404


def test_open_times_are_offered_after_new_hours(
    client: TestClient[Litestar], services: Services, smtp: tuple[Any, SmtpHandler]
) -> None:
    """``kat-widgets waitlist offer``: times open now (new hours, a lifted closure) that suit a
    visitor waiting are offered, first come first; the sweep alone offers only freed times."""
    _join(client, VISITORS[0])
    _join(client, VISITORS[1], earliest="2027-03-12", latest="2027-03-12")
    booking = services.booking
    assert booking.waitlist.sweep() == 0
    deliver_due(services)
    assert _offers_to(smtp, VISITORS[0]) == []
    assert booking.waitlist.open_times() == 2
    deliver_due(services)
    assert len(_offers_to(smtp, VISITORS[0])) == 1 and len(_offers_to(smtp, VISITORS[1])) == 1
    held = [b for b in booking.storage.between(at(10, 0), at(13, 0)) if b.status == "held"]
    zone = services.directory.clinic("draper").zone
    assert sorted(b.start.astimezone(zone).day for b in held) == [10, 12]
    assert booking.waitlist.open_times() == 0  # nobody is waiting any more


def test_which_freed_times_suit_a_place() -> None:
    from zoneinfo import ZoneInfo

    from kat_widgets.booking.waitlist_models import WaitlistEntry, matches

    zone, now = ZoneInfo("America/Denver"), at(8, 8)
    place = WaitlistEntry(
        id="a" * 32,
        token_hash="a" * 64,
        clinic_id="draper",
        service_id="info-call",
        email="wait@example.com",
        phone=None,
        language="en",
        earliest=dt.date(2027, 3, 10),
        latest=dt.date(2027, 3, 17),
        days=("wed", "thu"),
        parts_of_day=("morning", "evening"),
        status="waiting",
        created_at=now,
        expires_at=now + dt.timedelta(days=30),
    )
    assert matches(place, at(10, 9), zone, now)  # a Wednesday morning
    assert matches(place, at(11, 17), zone, now)  # a Thursday evening
    assert not matches(place, at(10, 12), zone, now)  # noon is the afternoon
    assert not matches(place, at(12, 9), zone, now)  # a Friday
    assert not matches(place, at(9, 9), zone, now)  # before the first day
    assert not matches(place, at(24, 9), zone, now)  # after the last
    # the day is the clinic's: 23:30 in Utah is already the next day in UTC
    late = dt.datetime(2027, 3, 11, 6, 30, tzinfo=dt.UTC)  # Wednesday 23:30 in Utah
    assert matches(place, late, zone, now)
    assert not matches(msgspec.structs.replace(place, passed_start=at(10, 9)), at(10, 9), zone, now)
    assert not matches(msgspec.structs.replace(place, status="offered"), at(10, 9), zone, now)


def test_an_offer_withdrawn_before_its_email_went_out_is_not_sent(
    client: TestClient[Litestar], services: Services, smtp: tuple[Any, SmtpHandler]
) -> None:
    booking = services.booking
    taken = booking.book(visitor(at(10, 13)))
    deliver_due(services)
    place = _join(client, VISITORS[0])
    booking.cancel(taken.token)  # the offer is queued, not sent yet
    pending = [m.event for m in booking.storage.outbox.messages(limit=50) if m.status == "pending"]
    assert "offer" in pending
    token = place["manage_url"].rsplit("/", 1)[1]
    assert client.post(f"/api/waitlist/{token}/cancel").json()["waitlist"]["status"] == "cancelled"
    deliver_due(services)
    assert _offers_to(smtp, VISITORS[0]) == []
    offers = [m for m in booking.storage.outbox.messages(limit=50) if m.event == "offer"]
    assert offers and all(m.status == "skipped" for m in offers)
