"""The visitor's own time beside the clinic's (times.js, #16), in pages and through embed.js."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import LiveServer, axe_violations, describe, screenshot
from .e2e_flow import partner_site
from .test_booking_widget import _form_url

AVAILABILITY = "/fragments/availability?clinic=draper&service=info-call"
EMBED_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Partner page</title></head><body><main><h1>Book a call</h1>
<div data-kat-widget="availability" data-clinic="draper" data-service="info-call"></div>
</main><script src="KAT/embed.js" defer></script></body></html>"""


@pytest.fixture
def visitor_page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A page whose browser is set to the zone the test names (``request.param``)."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, bypass_csp=True, timezone_id=request.param
    )
    page = context.new_page()
    yield page
    context.close()


def _clock(text: str) -> int:
    """Minutes after midnight of "9:30 AM"."""
    match = re.search(r"(\d{1,2}):(\d{2}) ([AP]M)", text)
    assert match, text
    hour, minute = int(match.group(1)) % 12, int(match.group(2))
    return (hour + (12 if match.group(3) == "PM" else 0)) * 60 + minute


@pytest.mark.parametrize("visitor_page", ["America/Los_Angeles"], indirect=True)
def test_a_visitor_in_another_zone_sees_their_own_time_too(
    live_server: LiveServer, visitor_page: Any
) -> None:
    page = visitor_page
    page.goto(live_server.url + AVAILABILITY)
    note = page.locator("[data-kat-zone]")
    expect(note).to_contain_text("Your device is set to Pacific")
    times = page.locator(".kat-day-first .kat-time")
    expect(times.first.locator(".kat-your-time")).to_be_visible()
    for index in range(min(times.count(), 4)):
        link = times.nth(index)
        shown = "a => [...a.childNodes].filter((n) => n.nodeType === 3).map((n) => n.data).join('')"
        clinic = _clock(link.evaluate(shown))  # the clinic's time: the link's own text
        yours = _clock(link.locator(".kat-your-time").inner_text())
        assert (clinic - yours) % (24 * 60) == 60  # Mountain is an hour ahead of Pacific
        assert link.locator(".kat-your-time").inner_text().endswith("your time")
    screenshot(page, "availability-your-time-390")
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.goto(_form_url(live_server, "draper", 2))
    strong = page.locator("strong[data-kat-start]")
    expect(strong).to_contain_text("your time)")


@pytest.mark.parametrize("visitor_page", ["America/Boise", "America/Denver"], indirect=True)
def test_a_visitor_on_the_clinics_clock_sees_nothing_extra(
    live_server: LiveServer, visitor_page: Any
) -> None:
    page = visitor_page
    page.goto(live_server.url + AVAILABILITY)
    page.wait_for_function("() => window.KatTimes !== undefined")
    page.wait_for_function("() => document.querySelector('[data-kat-zone-done]')")
    assert page.locator(".kat-your-time").count() == 0
    assert "Your device" not in page.locator("[data-kat-zone]").inner_text()


@pytest.mark.parametrize("visitor_page", ["Asia/Tokyo"], indirect=True)
def test_embed_js_shows_the_visitors_time_in_its_widget(visitor_page: Any, tmp_path: Path) -> None:
    page = visitor_page
    with partner_site(tmp_path) as (site, origin, kat):
        (site / "index.html").write_text(EMBED_PAGE.replace("KAT", kat.url), encoding="utf-8")
        page.goto(origin + "/index.html")
        widget = page.locator("[data-kat-widget=availability]")
        expect(widget.locator(".kat-day-first .kat-your-time").first).to_be_visible()
        # Tokyo is on the next day for most of Utah's working hours: the weekday is said
        text = widget.locator(".kat-day-first .kat-your-time").first.inner_text()
        assert re.match(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2}:\d{2} [AP]M your time$", text)
        assert page.locator("script[data-kat-times-js]").count() == 1
