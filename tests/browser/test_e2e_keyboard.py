"""The demo-page flow with the keyboard only: Tab, Shift+Tab, Enter and Space, never a click.

Every focus stop must show a visible focus ring and sit on screen.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import LiveServer
from .e2e_flow import NEAREST, ZIP, flow_settings, ics_start, slot_start

FOCUSED = r"""() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    tag: el.tagName.toLowerCase(),
    id: el.id,
    cls: el.className || "",
    text: (el.textContent || el.value || "").replace(/\s+/g, " ").trim(),
    href: el.getAttribute("href"),
    ring: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
    on_screen: box.width > 0 && box.height > 0 && box.bottom > 0 && box.top < innerHeight,
    checked: el.checked === true,
  };
}"""


def focused(page: Any) -> dict[str, Any]:
    info: dict[str, Any] = page.evaluate(FOCUSED)
    return info


def tab_to(page: Any, wanted: Any, *, limit: int = 200) -> dict[str, Any]:
    """Press Tab until ``wanted(focus)``; every stop on the way must show its focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focus = focused(page)
        if focus["tag"] == "body":
            continue
        assert focus["ring"], f"no visible focus ring on {focus}"
        assert focus["on_screen"], f"focused element is off screen: {focus}"
        if wanted(focus):
            return focus
    raise AssertionError("never reached the wanted element with Tab")


@pytest.fixture(scope="module")
def kat(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with LiveServer(flow_settings(tmp_path_factory.mktemp("e2e-keyboard"))) as server:
        yield server


def test_book_with_the_keyboard_only(kat: LiveServer, page: Any, tmp_path: Path) -> None:
    page.goto(kat.url + "/")

    # The skip link comes first and jumps over the crisis bar and header.
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Skip to main content"
    assert focused(page)["on_screen"]
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"

    tab_to(page, lambda f: f["id"] == "kat-locator-q")
    page.keyboard.type(ZIP)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator(".kat-locator-place").inner_text() == f"Near {ZIP}, Draper, UT"

    book = tab_to(page, lambda f: "kat-locator-book" in f["cls"])
    assert book["text"] == f"Book a free informational call with {NEAREST}"
    # Shift+Tab goes back one stop, Tab returns to the same link.
    page.keyboard.press("Shift+Tab")
    assert focused(page)["href"] != book["href"]
    page.keyboard.press("Tab")
    assert focused(page)["href"] == book["href"]
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/fragments/availability?clinic=draper&service=info-call" in page.url

    slot = tab_to(page, lambda f: "kat-time" in f["cls"])
    booked = slot_start(kat.url + slot["href"])
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.get_by_role("heading", name="Book: Free informational call").wait_for()

    tab_to(page, lambda f: f["id"] == "kat-booking-name")
    page.keyboard.type("Keyboard Visitor")
    order = []
    for _ in range(5):
        page.keyboard.press("Tab")
        order.append(focused(page)["id"])
    assert order == [
        "kat-booking-email",
        "kat-booking-phone",
        "kat-booking-note",
        "kat-booking-consent",
        "kat-booking-submit",  # the Book button
    ]
    page.keyboard.press("Shift+Tab")  # back to the consent box
    page.keyboard.press("Space")
    assert focused(page)["checked"]
    for _ in range(3):
        page.keyboard.press("Shift+Tab")  # consent -> note -> phone -> email
    assert focused(page)["id"] == "kat-booking-email"
    page.keyboard.type("keyboard@example.com")
    submit = tab_to(page, lambda f: f["tag"] == "button")
    assert submit["text"].startswith("Book ")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.get_by_role("heading", name="You are booked").wait_for()

    tab_to(page, lambda f: f["text"] == "Download for your calendar (.ics)")
    with page.expect_download() as download_info:
        page.keyboard.press("Enter")
    saved = tmp_path / "appointment.ics"
    download_info.value.save_as(saved)
    assert ics_start(saved.read_bytes()) == booked
