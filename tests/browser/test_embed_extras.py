"""embed.js on a partner page: one crisis chip per page, "Use my location", "Back to results"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from .conftest import axe_violations, describe
from .e2e_flow import NEAREST, ZIP, partner_site

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Partner page</title></head><body><main><h1>Find care</h1>
<div data-kat-widget="locator"></div>
<div data-kat-widget="availability" data-clinic="draper" data-service="info-call"></div>
<div data-kat-widget="clinics"></div>
</main><script src="KAT/embed.js" defer></script></body></html>"""


def _visible_chips(page: Any) -> int:
    count: int = page.evaluate(
        """() => [...document.querySelectorAll('[data-kat-widget]')]
            .flatMap((host) => host.shadowRoot
              ? [...host.shadowRoot.querySelectorAll('.kat-crisis--link')] : [])
            .filter((chip) => chip.checkVisibility()).length"""
    )
    return count


def test_one_chip_my_location_and_back_to_results(page: Any, tmp_path: Path) -> None:
    with partner_site(tmp_path) as (site, origin, kat):
        (site / "index.html").write_text(PAGE.replace("KAT", kat.url), encoding="utf-8")
        page.context.grant_permissions(["geolocation"], origin=origin)
        page.context.set_geolocation({"latitude": 40.5247, "longitude": -111.8638})
        page.goto(origin + "/index.html")
        locator = page.locator("[data-kat-widget=locator]")
        page.locator("[data-kat-widget=availability] .kat-time").first.wait_for(state="attached")
        page.locator("[data-kat-widget=clinics] .kat-clinic").first.wait_for()
        # three widgets, each of which carries a "Get help now" chip: one is shown
        page.wait_for_function("() => document.querySelector('script[data-kat-locator-js]')")
        assert _visible_chips(page) == 1

        locator.get_by_role("button", name="Use my location").click()
        first = locator.locator(".kat-locator-clinic").first
        first.wait_for()
        assert first.locator("h4").inner_text().endswith(NEAREST)
        assert page.url == origin + "/index.html"  # in place
        assert _visible_chips(page) == 1

        first.get_by_role("link", name=f"Book a free informational call with {NEAREST}").click()
        locator.get_by_role("heading", name=f"Free informational call at {NEAREST}").wait_for()
        back = locator.get_by_role("button", name="Back to results")
        expect(back).to_be_visible()
        violations = axe_violations(page)
        assert violations == [], describe(violations)
        back.click()
        expect(locator.locator(".kat-locator-clinic").first).to_be_visible()
        expect(locator.locator("#kat-locator-results")).to_be_focused()
        assert locator.get_by_role("button", name="Back to results").count() == 0


def test_a_typed_search_focuses_the_results(page: Any, tmp_path: Path) -> None:
    with partner_site(tmp_path) as (site, origin, kat):
        (site / "index.html").write_text(PAGE.replace("KAT", kat.url), encoding="utf-8")
        page.goto(origin + "/index.html")
        locator = page.locator("[data-kat-widget=locator]")
        locator.get_by_label("ZIP code, city or address").fill(ZIP)
        locator.get_by_role("button", name="Find clinics").click()
        expect(locator.locator("#kat-locator-results")).to_be_focused()
        # a search is not a step to go back from
        assert locator.get_by_role("button", name="Back to results").count() == 0
