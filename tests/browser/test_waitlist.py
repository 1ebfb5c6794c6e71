"""The waitlist widget in Chromium (#19): "Tell me when a time opens" at phone and desktop
widths, filled in and sent with the keyboard alone, axe-core 0 on the form, its errors, the
answer and the visitor's own page (where they leave the list); then an offer, read at an SMTP
server on loopback, booked from its page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
import pytest

from kat_widgets import Settings

from .conftest import LiveServer, axe_violations, describe, screenshot
from .e2e_flow import flow_settings


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return flow_settings(tmp_path_factory.mktemp("waitlist"))


@pytest.fixture(scope="module")
def kat(settings: Settings) -> Iterator[LiveServer]:
    with LiveServer(settings) as server:
        yield server


def tab_to(page: Any, locator: Any, presses: int = 60) -> None:
    for _ in range(presses):
        if locator.evaluate("e => e === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError("not reachable by Tab")


def clean(page: Any) -> None:
    violations = axe_violations(page)
    assert violations == [], describe(violations)


@pytest.mark.parametrize("sized", [390, 1280], indirect=True)
def test_joining_and_leaving_the_waitlist_by_keyboard(kat: LiveServer, sized: Any) -> None:
    page = sized
    page.goto(f"{kat.url}/embed/availability?clinic=draper&service=info-call")
    link = page.get_by_role("link", name="No time that suits you? Tell me when a time opens")
    tab_to(page, link, presses=200)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.get_by_role("heading", name="Tell me when a time opens").wait_for()
    clean(page)
    screenshot(page, f"waitlist-form-{page.kat_width}")

    submit = page.get_by_role("button", name="Tell me when a time opens")
    tab_to(page, submit)
    with page.expect_navigation():
        page.keyboard.press("Enter")  # nothing filled in: the errors, next to the fields
    page.get_by_role("alert").wait_for()
    clean(page)

    tab_to(page, page.get_by_role("textbox", name="Email"))
    page.keyboard.type("robin@example.com")
    tab_to(page, page.get_by_label("Wednesday"), presses=20)
    page.keyboard.press("Space")
    tab_to(page, page.get_by_label("You may contact me"), presses=20)
    page.keyboard.press("Space")
    tab_to(page, page.get_by_role("button", name="Tell me when a time opens"), presses=10)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.get_by_role("heading", name="You are on the waitlist").wait_for()
    clean(page)
    screenshot(page, f"waitlist-joined-{page.kat_width}")

    place = page.get_by_role("link", name="See or leave your place on the waitlist")
    tab_to(page, place)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.get_by_role("heading", name="Your place on the waitlist").wait_for()
    clean(page)
    leave = page.get_by_role("button", name="Leave the waitlist")
    tab_to(page, leave)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.get_by_role("status").wait_for()
    assert "You have left the waitlist." in page.get_by_role("status").inner_text()
    clean(page)


@pytest.fixture(scope="module")
def mailed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, Any]]:
    """A live server that sends its messages to an SMTP server on loopback."""
    from tests.notifications.peers import smtp_server

    with smtp_server() as (controller, handler):
        base = flow_settings(tmp_path_factory.mktemp("waitlist-mail"))
        settings = msgspec.structs.replace(
            base,
            smtp_url=f"smtp://127.0.0.1:{controller.port}",
            mail_from="bookings@clinic.example",
            public_url="https://clinic.example",
        )
        with LiveServer(settings) as server:
            yield server, handler


@pytest.mark.parametrize("sized", [390, 1280], indirect=True)
def test_an_offer_is_booked_by_keyboard(mailed: tuple[LiveServer, Any], sized: Any) -> None:
    """A booking is cancelled, the visitor waiting gets the offer by email; its page (axe 0)
    books the time with Tab and Enter, and the confirmation follows (axe 0)."""
    import re

    import httpx

    from tests.booking.booking_support import booking_body, upcoming_slots
    from tests.servers import deadline_s, wait_until

    server, handler = mailed
    page = sized
    email = f"wait-{page.kat_width}@example.com"
    start = upcoming_slots("draper", 30)[-1 if page.kat_width == 390 else -2]
    with httpx.Client(base_url=server.url, timeout=deadline_s()) as http:
        booked = http.post("/api/bookings", json=booking_body("draper", start))
        assert booked.status_code == 201, booked.text
        day = start.astimezone(ZoneInfo("America/Denver")).date().isoformat()
        wait = {"clinic_id": "draper", "service": "info-call", "email": email, "consent": True}
        joined = http.post("/api/waitlist", json=wait | {"earliest": day, "latest": day})
        assert joined.status_code == 201, joined.text
        token = booked.json()["manage_url"].rsplit("/", 1)[1]
        assert http.post(f"/api/bookings/{token}/cancel").status_code == 200

    def offer() -> str | None:
        for received in handler.received:
            if received.rcpt_tos == [email]:
                text = received.message.get_body(("plain",)).get_content()
                found = re.search(r"/waitlist/claims/([A-Za-z0-9_-]{43})", text)
                if found:
                    return found.group(1)
        return None

    wait_until(lambda: offer() is not None, what="the offer email")
    claim = offer()
    page.goto(f"{server.url}/waitlist/claims/{claim}")
    page.get_by_role("heading", name="A time has opened for you").wait_for()
    clean(page)
    screenshot(page, f"waitlist-offer-{page.kat_width}")
    button = page.get_by_role("button", name=re.compile("^Book "))
    tab_to(page, button)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.get_by_role("heading", name="You are booked").wait_for()
    clean(page)
