"""From the search box to a confirmed booking with the keyboard: how many key presses (#16).

Counted from the moment the results appear, Tab, Shift+Tab, Enter and Space (typing the name
and the email address is not counted: it is the same for every design). The goal is at most 12;
the test asserts the exact path so a change that adds a stop shows up here, and prints the count.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import LiveServer
from .e2e_flow import NEAREST, ZIP, flow_settings
from .test_e2e_keyboard import focused

MOST = 12


@pytest.fixture(scope="module")
def kat(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with LiveServer(flow_settings(tmp_path_factory.mktemp("keyboard-count"))) as server:
        yield server


class Keys:
    """Presses keys on ``page`` and counts them; every stop must show its focus ring."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.count = 0

    def press(self, key: str) -> dict[str, Any]:
        self.page.keyboard.press(key)
        self.count += 1
        focus = focused(self.page)
        if focus["tag"] != "body":
            assert focus["ring"], f"no visible focus ring after {key}: {focus}"
            assert focus["on_screen"], f"focus off screen after {key}: {focus}"
        return focus

    def follow(self, key: str = "Enter") -> None:
        """Press ``key`` on a link or button that loads the next page."""
        with self.page.expect_navigation():
            self.page.keyboard.press(key)
        self.count += 1


@pytest.mark.parametrize("width", [390, 1280])
def test_search_to_booking_in_at_most_twelve_presses(
    kat: LiveServer, browser: Any, width: int, tmp_path: Path
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    try:
        page.goto(kat.url + "/")
        page.get_by_label("ZIP code, city or address").focus()
        page.keyboard.type(ZIP)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        page.locator(".kat-locator-clinic").first.wait_for()  # the results appear: count from here

        keys = Keys(page)
        book = keys.press("Tab")
        assert book["text"] == f"Book a free informational call with {NEAREST}", book
        keys.follow()
        page.get_by_role("heading", name=f"Free informational call at {NEAREST}").wait_for()
        time = keys.press("Tab")
        assert "kat-time" in time["cls"], time  # the first open time, on a phone and a desktop
        keys.follow()
        page.get_by_role("heading", name="Book: Free informational call").wait_for()
        assert keys.press("Tab")["id"] == "kat-booking-name"
        page.keyboard.type("Counted Visitor")
        assert keys.press("Tab")["id"] == "kat-booking-email"
        page.keyboard.type("counted@example.com")
        assert keys.press("Tab")["id"] == "kat-booking-phone"
        assert keys.press("Tab")["id"] == "kat-booking-note"
        assert keys.press("Tab")["id"] == "kat-booking-consent"
        assert keys.press("Space")["checked"]
        assert keys.press("Tab")["id"] == "kat-booking-submit"
        keys.follow()
        page.get_by_role("heading", name="You are booked").wait_for()
        print(f"\nkeyboard: results to confirmed booking in {keys.count} presses ({width} px)")
        assert keys.count <= MOST
    finally:
        context.close()
