from __future__ import annotations

from typing import Any

from .conftest import LiveServer, axe_violations, describe, screenshot


def test_demo_page_has_no_axe_violations(live_server: LiveServer, page: Any) -> None:
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "Ketamine-assisted therapy in Utah"
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    screenshot(page, "demo-page")


def test_skip_link_is_first_in_keyboard_order(live_server: LiveServer, page: Any) -> None:
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
