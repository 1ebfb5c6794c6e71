"""The waitlist widget in Chromium (#19): "Tell me when a time opens" at phone and desktop
widths, filled in and sent with the keyboard alone, axe-core 0 on the form, its errors, the
answer and the visitor's own page (where they leave the list)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

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
