"""The visitor's pages at phone, tablet and desktop widths: nothing pans sideways, the open
times are a day list on a phone and a week grid where it fits, axe-core finds nothing."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from .conftest import LiveServer, axe_violations, describe, screenshot
from .test_booking_widget import _form_url

WIDTHS = (320, 390, 768, 1280)
SHOTS = {320: "availability-320", 390: "availability-390", 768: "availability-768"}
SHOTS[1280] = "availability-1280"
FORM_SHOTS = {320: "booking-form-errors-320", 390: "booking-form-errors-390"}
"""Screenshot names spelled out: the docs test checks the gallery shows only these."""
NO_PAN = "() => document.documentElement.scrollWidth <= window.innerWidth"


@pytest.mark.parametrize("sized", WIDTHS, indirect=True)
def test_open_times_fit_every_width(live_server: LiveServer, sized: Any) -> None:
    page, width = sized, sized.kat_width
    query = urlencode({"clinic": "draper", "service": "info-call"})
    page.goto(f"{live_server.url}/fragments/availability?{query}")
    grid, days = page.locator(".kat-week"), page.locator(".kat-day-list")
    if width < 768:
        expect(days).to_be_visible()
        expect(grid).to_be_hidden()
        expect(days.locator(".kat-day-first .kat-time").first).to_be_visible()
    else:
        expect(grid).to_be_visible()
        expect(days).to_be_hidden()
    assert page.evaluate(NO_PAN), f"the page pans sideways at {width} px"
    box = page.locator(".kat-time:visible").first.bounding_box()
    assert box is not None and box["height"] >= 24 and box["width"] >= 24
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    screenshot(page, SHOTS[width])


@pytest.mark.parametrize("sized", [320, 390], indirect=True)
def test_demo_and_booking_form_fit_a_phone(live_server: LiveServer, sized: Any) -> None:
    page, width = sized, sized.kat_width
    page.goto(live_server.url + "/?q=84020")
    assert page.evaluate(NO_PAN), f"the demo page pans sideways at {width} px"
    page.goto(_form_url(live_server, "layton", 5))
    page.get_by_role("button", name="Book").click()
    expect(page.locator(".kat-error-summary")).to_be_focused()
    assert page.evaluate(NO_PAN), f"the booking form pans sideways at {width} px"
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    screenshot(page, FORM_SHOTS[width])
