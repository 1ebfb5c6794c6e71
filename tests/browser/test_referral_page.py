"""A referral link's page in Chromium (#18, #19): axe-core 0 at phone and desktop widths on its
open times and its form (with the service's intake questions), and a later step of care booked
with the keyboard alone, the questions answered too."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from kat_widgets import Settings
from kat_widgets.services import build_services

from .conftest import LiveServer, axe_violations, describe, screenshot
from .e2e_flow import flow_settings


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return flow_settings(tmp_path_factory.mktemp("referral"))


@pytest.fixture(scope="module")
def kat(settings: Settings) -> Iterator[LiveServer]:
    with LiveServer(settings) as server:
        yield server


def referral(settings: Settings, service_id: str) -> str:
    """A link made as ``POST /api/staff/referrals`` makes it, in the server's own database: a
    new client, for a step with no earlier step (Connect) so that booking it succeeds."""
    services = build_services(settings)
    try:
        assert services.bookings is not None
        directory = services.bookings.directory
        clinic, service = directory.clinic("draper"), directory.service(service_id)
        return services.bookings.care.issue(None, clinic, service)[0]
    finally:
        services.dispose()


def tab_to(page: Any, locator: Any, presses: int = 80) -> None:
    for _ in range(presses):
        if locator.evaluate("e => e === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError("not reachable by Tab")


@pytest.mark.parametrize("sized", [390, 1280], indirect=True)
def test_a_referral_is_accessible_and_books_by_keyboard(
    kat: LiveServer, settings: Settings, sized: Any
) -> None:
    page = sized
    token = referral(settings, "connect-assessment")
    page.goto(f"{kat.url}/referrals/{token}")
    heading = page.get_by_role("heading", name="Your next step: Connect")
    heading.wait_for()
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    screenshot(page, f"referral-times-{page.kat_width}")

    first = page.locator("a.kat-time:visible").first
    tab_to(page, first)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.get_by_label("Your name").wait_for()
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    tab_to(page, page.get_by_label("Your name"), presses=20)
    page.keyboard.type(f"Robin Example {page.kat_width}")
    tab_to(page, page.locator("#kat-booking-email"), presses=5)
    page.keyboard.type("robin@example.com")
    # the intake questions: a required yes-no (Space picks the focused radio), a choice
    tab_to(page, page.get_by_role("radio", name="Yes"), presses=10)
    page.keyboard.press("Space")
    spanish = page.get_by_role("radio", name="Spanish")
    tab_to(page, page.get_by_role("radio", name="English"), presses=5)
    page.keyboard.press("ArrowDown")  # arrows move within a radio group
    assert spanish.is_checked()
    tab_to(page, page.get_by_label("Who referred you to us"), presses=5)
    page.keyboard.type("A friend")
    tab_to(page, page.get_by_label("You may contact me"), presses=10)
    page.keyboard.press("Space")
    tab_to(page, page.locator("#kat-booking-submit"), presses=10)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.get_by_role("heading", name="You are booked").wait_for()
    violations = axe_violations(page)
    assert violations == [], describe(violations)
