"""The booking database is down: everything that does not need it still answers 200.

The app is built from ``KAT_*`` variables, as an operator runs it, with ``KAT_DATABASE_URL``
naming a PostgreSQL nobody listens on (port 1 refuses at once). What still works: the crisis
banner, the locator, the demo page and liveness. What says so: availability shows a "call us"
fallback, booking answers 503 with the phone number, readiness answers 503. Never a 500 and
never a stack trace.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from kat_widgets import create_app
from tests.booking.booking_support import booking_body, upcoming_slots

DEAD_DATABASE = "postgresql://nobody@127.0.0.1:1/none"
PHONE = "1-833-NUMINUS (686-4687)"
TEL = "tel:+18336864687"


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[TestClient[Litestar]]:
    monkeypatch.setenv("KAT_DATABASE_URL", DEAD_DATABASE)
    monkeypatch.setenv("KAT_DATA_DIR", str(tmp_path / "kat-data"))
    monkeypatch.setenv("KAT_SECRET_KEY", "d" * 40)
    with TestClient(create_app()) as test_client:
        yield test_client


def _no_trace(text: str) -> None:
    for leak in ("Traceback", "psycopg", "sqlalchemy", "OperationalError", "127.0.0.1:1"):
        assert leak not in text


def test_the_crisis_banner_still_answers(client: TestClient[Litestar]) -> None:
    response = client.get("/fragments/crisis-banner")
    assert response.status_code == 200
    assert "988" in response.text


def test_the_locator_fragment_and_api_still_answer(client: TestClient[Litestar]) -> None:
    fragment = client.get("/fragments/locator", params={"q": "84020"})
    assert fragment.status_code == 200
    assert "Draper" in fragment.text
    api = client.get("/api/locate", params={"q": "84020", "limit": 1})
    assert api.status_code == 200
    assert api.json()["results"][0]["clinic"]["id"] == "draper"


def test_availability_shows_the_call_us_fallback(client: TestClient[Litestar]) -> None:
    response = client.get(
        "/fragments/availability", params={"clinic": "draper", "service": "info-call"}
    )
    assert response.status_code == 200
    assert "Online booking is not available right now" in response.text
    assert PHONE in response.text
    assert f'href="{TEL}"' in response.text
    _no_trace(response.text)


def test_booking_answers_503_with_the_phone_number(client: TestClient[Litestar]) -> None:
    start = upcoming_slots("draper", 1)[0]
    response = client.post("/api/bookings", json=booking_body("draper", start))
    assert response.status_code == 503
    assert response.json() == {
        "status_code": 503,
        "detail": f"Online booking is not available right now. Please call us at {PHONE}.",
    }
    _no_trace(response.text)


def test_the_plain_booking_form_answers_503_with_the_phone_number(
    client: TestClient[Litestar],
) -> None:
    start = upcoming_slots("draper", 1)[0]
    form = {**booking_body("draper", start), "consent": "yes"}
    response = client.post("/fragments/booking", data=form)
    assert response.status_code == 503
    assert PHONE in response.text
    _no_trace(response.text)


def test_slots_and_the_availability_feed_answer_503_not_500(client: TestClient[Litestar]) -> None:
    slots = client.get("/api/clinics/draper/slots", params={"service": "info-call"})
    feed = client.get("/calendars/draper/availability.ics")
    for response in (slots, feed):
        assert response.status_code == 503
        assert PHONE in response.text
        _no_trace(response.text)


def test_the_demo_page_still_answers(client: TestClient[Litestar]) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert "Online booking is not available right now" in response.text
    assert PHONE in response.text
    _no_trace(response.text)


def test_readiness_fails_while_liveness_holds(client: TestClient[Litestar]) -> None:
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["detail"] == "The booking database is not reachable."
    assert client.get("/healthz").status_code == 200


NAVIGATE = {"Sec-Fetch-Dest": "document", "Sec-Fetch-Mode": "navigate"}


@pytest.mark.parametrize(
    "path", ["/bookings/" + "m" * 43, "/calendars/bookings/" + "c" * 43 + ".ics"]
)
def test_a_person_opening_their_links_gets_a_page_with_the_number(
    client: TestClient[Litestar], path: str
) -> None:
    # the manage link and the "add to calendar" link from the confirmation email
    response = client.get(path, headers=NAVIGATE)
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("text/html")
    assert PHONE in response.text
    _no_trace(response.text)
