from __future__ import annotations

import re
from typing import Any

from .conftest import LiveServer, axe_violations, describe, screenshot

SPOKEN = re.compile(
    r"^(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday) \d{1,2} [A-Z][a-z]+ \d{4}, "
    r"\d{1,2}:\d{2} (AM|PM) Mountain Time$"
)


def test_slot_links_read_the_full_date_time_and_zone(live_server: LiveServer, page: Any) -> None:
    page.goto(live_server.url + "/")
    grid = page.locator(".kat-availability")
    assert grid.locator("table caption").inner_text().startswith("Open times, week of")
    links = grid.get_by_role("link", name=SPOKEN)
    assert links.count() > 0
    first = links.first
    shown = first.evaluate(
        "el => [...el.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join('')"
    )
    assert re.fullmatch(r"\d{1,2}:\d{2} (AM|PM)", shown.strip())  # the rest is for screen readers
    assert "/fragments/booking?clinic=draper&service=info-call&start=" in first.get_attribute(
        "href"
    )
    headers = grid.locator("thead th[scope=col]")
    assert headers.count() == 7
    violations = axe_violations(page, context=".kat-availability")
    assert violations == [], describe(violations)
    screenshot(page, "availability-week")


def test_next_week_works_without_javascript(
    live_server: LiveServer, browser: Any, page: Any
) -> None:
    context = browser.new_context(java_script_enabled=False)
    no_js = context.new_page()
    try:
        no_js.goto(live_server.url + "/fragments/availability?clinic=draper&service=info-call")
        caption = no_js.locator("caption").inner_text()
        no_js.get_by_role("link", name="Next week").first.click()
        no_js.wait_for_load_state()
        assert "week=" in no_js.url
        assert no_js.locator("caption").inner_text() != caption
        assert no_js.get_by_role("link", name="Previous week").count() == 1
        url = no_js.url
    finally:
        context.close()
    with_js = page  # axe needs JavaScript; check the page we reached without it
    with_js.goto(url)
    violations = axe_violations(with_js, context=".kat-availability")
    assert violations == [], describe(violations)
