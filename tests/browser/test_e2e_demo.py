"""End to end on the demo page: ZIP -> nearest clinic -> its open times -> book -> .ics."""

from __future__ import annotations

import base64
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

SIDE_BY_SIDE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>kat-widgets</title>
<style>body { margin: 0; padding: 24px; background: #e9edf1; display: flex; gap: 32px;
  align-items: flex-start; font: 15px system-ui, sans-serif; color: #1b1b1b; }
figure { margin: 0; } img { display: block; border: 1px solid #9aa4ad; border-radius: 8px;
  box-shadow: 0 2px 8px rgba(0,0,0,.15); } figcaption { margin-top: 8px; text-align: center; }
</style></head><body>
<figure><img src="data:image/png;base64,PHONE" width="312" alt="">
<figcaption>On a phone (390 px)</figcaption></figure>
<figure><img src="data:image/png;base64,DESKTOP" width="896" alt="">
<figcaption>On a desktop (1280 px)</figcaption></figure>
</body></html>"""


def _readme_picture(desktop_page: Any, desktop: bytes) -> None:
    """The phone's first screen beside the desktop's, as one picture (``readme-demo``)."""
    browser = desktop_page.context.browser
    phone_context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=1, is_mobile=True
    )
    try:
        phone_page = phone_context.new_page()
        phone_page.goto(desktop_page.url)
        phone_page.locator(".kat-locator-clinic").first.wait_for()
        phone_page.evaluate("window.scrollTo(0, 0)")  # the same first screen as the desktop's
        phone = phone_page.screenshot(full_page=False)
        html = SIDE_BY_SIDE.replace("PHONE", base64.b64encode(phone).decode()).replace(
            "DESKTOP", base64.b64encode(desktop).decode()
        )
        sheet = phone_context.new_page()
        sheet.set_viewport_size({"width": 1320, "height": 740})
        sheet.set_content(html)
        screenshot(sheet, "readme-demo", full_page=True)
    finally:
        phone_context.close()


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
    # the README's picture: the first screen of the same page on a phone beside a desktop
    # (docs/development.md#screenshots)
    page.evaluate("window.scrollTo(0, 0)")
    _readme_picture(page, page.screenshot(full_page=False))

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
