"""End to end on the demo page: ZIP -> nearest clinic -> its open times -> book -> .ics."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import LiveServer, axe_violations, describe, screenshot
from .e2e_flow import (
    NEAREST,
    SLOT_NAME,
    ZIP,
    fill_booking_form,
    flow_settings,
    ics_start,
    slot_start,
)


@pytest.fixture(scope="module")
def kat(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with LiveServer(flow_settings(tmp_path_factory.mktemp("e2e-demo"))) as server:
        yield server


def test_find_the_nearest_clinic_book_its_free_call_and_download_the_ics(
    kat: LiveServer, page: Any, tmp_path: Path
) -> None:
    page.goto(kat.url + "/")
    header = page.get_by_role("banner")
    expect(header.get_by_role("link", name="1-833-NUMINUS (686-4687)")).to_be_visible()
    screenshot(page, "demo-page")

    page.get_by_label("ZIP code, city or address").fill(ZIP)
    page.get_by_role("button", name="Find clinics").click()
    page.wait_for_url(f"**/?q={ZIP}*")
    first = page.locator(".kat-locator-clinic").first
    assert first.locator("h4").inner_text().endswith(NEAREST)
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    screenshot(page, "demo-locator-results")
    # the README's picture: the first screen of the same page (docs/development.md#screenshots)
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "readme-demo", full_page=False)

    first.get_by_role("link", name=f"Book a free informational call with {NEAREST}").click()
    heading = page.get_by_role("heading", name=f"Free informational call at {NEAREST}")
    heading.wait_for()
    assert "/fragments/availability?clinic=draper&service=info-call" in page.url
    slot = page.get_by_role("link", name=SLOT_NAME).first
    booked = slot_start(slot.get_attribute("href"))
    screenshot(page, "availability-page")

    slot.click()
    page.get_by_role("heading", name="Book: Free informational call").wait_for()
    fill_booking_form(page, name="Demo Visitor", email="demo@example.com")
    screenshot(page, "booking-form")
    page.get_by_role("button", name="Book ").click()

    page.get_by_role("heading", name="You are booked").wait_for()
    assert page.get_by_text("Demo Visitor").count() == 0  # no personal data echoed back
    expect(page.get_by_role("link", name="1-833-NUMINUS (686-4687)").first).to_be_visible()
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    screenshot(page, "booking-confirmation")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download for your calendar (.ics)").click()
    download = download_info.value
    assert download.suggested_filename == "appointment.ics"
    saved = tmp_path / "appointment.ics"
    download.save_as(saved)
    assert ics_start(saved.read_bytes()) == booked

    page.get_by_role("link", name="Change or cancel this appointment").click()
    page.get_by_role("heading", name="Your appointment").wait_for()
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    screenshot(page, "manage-page")


def test_the_same_flow_works_without_javascript(kat: LiveServer, browser: Any) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(kat.url + "/")
        page.get_by_label("ZIP code, city or address").fill(ZIP)
        page.get_by_role("button", name="Find clinics").click()
        page.get_by_role("link", name=f"Book a free informational call with {NEAREST}").click()
        page.get_by_role("link", name=SLOT_NAME).first.click()
        fill_booking_form(page, name="No Script", email="noscript@example.com")
        page.get_by_role("button", name="Book ").click()
        expect(page.get_by_role("heading", name="You are booked")).to_be_visible()
        ics = page.get_by_role("link", name="Download for your calendar (.ics)").get_attribute(
            "href"
        )
        response = page.request.get(kat.url + ics)
        assert response.ok and response.headers["content-type"].startswith("text/calendar")
        ics_start(response.body())
    finally:
        context.close()
