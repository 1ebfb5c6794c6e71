"""The staff day sheet in Chromium (#18): axe-core 0 at phone and desktop widths, and a visit
cancelled with the keyboard alone (Tab to its button, Enter)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from kat_widgets import Settings
from kat_widgets.booking.staff import StaffService
from kat_widgets.services import build_services
from tests.booking.booking_support import booking_body, upcoming_slots

from .conftest import LiveServer, axe_violations, describe, screenshot
from .e2e_flow import flow_settings


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return flow_settings(tmp_path_factory.mktemp("day-sheet"))


@pytest.fixture(scope="module")
def kat(settings: Settings) -> Iterator[LiveServer]:
    with LiveServer(settings) as server:
        yield server


def day_link(settings: Settings) -> str:
    """A link made as `kat-widgets staff-link` makes it, in the server's own database."""
    services = build_services(settings)
    try:
        assert services.bookings is not None
        return StaffService(services.bookings).day_link("draper", hours=1)[0]
    finally:
        services.dispose()


@pytest.mark.parametrize("sized", [390, 1280], indirect=True)
def test_the_day_sheet_is_accessible_and_works_by_keyboard(
    kat: LiveServer, settings: Settings, sized: Any
) -> None:
    page = sized
    start = upcoming_slots("draper", 40)[-1 if page.kat_width == 390 else -2]
    name = f"Robin Example {page.kat_width}"
    body = booking_body("draper", start, name=name) | {"email": "robin@example.com"}
    assert httpx.post(f"{kat.url}/api/bookings", json=body, timeout=60).status_code == 201
    token = day_link(settings)
    local_day = start.astimezone(ZoneInfo("America/Denver")).date()
    page.goto(f"{kat.url}/staff/day/{token}?date={local_day}")
    page.get_by_role("heading", level=1).wait_for()
    assert page.locator("tbody tr").filter(has_text=name).count() == 1
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    screenshot(page, f"staff-day-sheet-{page.kat_width}")

    button = page.get_by_role("button", name="Cancel and tell the client").filter(has_text=name)
    for _ in range(30):  # Tab until the button has the focus
        if button.evaluate("b => b === document.activeElement"):
            break
        page.keyboard.press("Tab")
    assert button.evaluate("b => b === document.activeElement"), "the button is reachable by Tab"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.get_by_role("status").wait_for()
    assert "Cancelled; the client is being told." in page.get_by_role("status").inner_text()
    violations = axe_violations(page)
    assert violations == [], describe(violations)
