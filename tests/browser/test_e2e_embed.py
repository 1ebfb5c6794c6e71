"""End to end on a partner's site: embed.js (Shadow DOM) and an iframe with the resize snippet."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .conftest import ROOT, axe_violations, describe, screenshot
from .e2e_flow import (
    NEAREST,
    SLOT_NAME,
    ZIP,
    fill_booking_form,
    ics_start,
    partner_site,
    slot_start,
)

EXAMPLE = ROOT / "examples" / "static_html" / "index.html"
DOCS = ROOT / "docs" / "embedding.md"
LISTEN = """() => {
  window.katEvents = [];
  document.addEventListener("kat:booking-created", (event) => katEvents.push({
    type: event.type,
    detail: event.detail,
    widget: event.target.getAttribute("data-kat-widget"),
  }));
}"""


def test_book_inside_the_shadow_dom_of_the_static_example(page: Any, tmp_path: Path) -> None:
    with partner_site(tmp_path) as (site, origin, kat):
        html = EXAMPLE.read_text(encoding="utf-8").replace("http://127.0.0.1:8000", kat.url)
        (site / "index.html").write_text(html, encoding="utf-8")
        page.goto(origin + "/index.html")
        page.evaluate(LISTEN)

        banner = page.locator("[data-kat-widget=crisis-banner]")
        banner.get_by_role("link", name=re.compile("988")).first.wait_for()
        widget = page.locator("[data-kat-widget=availability]")
        widget.get_by_role("heading", name=f"Free informational call at {NEAREST}").wait_for()
        widget.get_by_role("link", name=SLOT_NAME).first.wait_for()
        page.locator("[data-kat-widget=clinics]").locator(".kat-clinic").first.wait_for()
        violations = axe_violations(page)
        assert violations == [], describe(violations)
        screenshot(page, "embed-static-page")

        locator = page.locator("[data-kat-widget=locator]")
        locator.get_by_label("ZIP code, city or address").fill(ZIP)
        locator.get_by_role("button", name="Find clinics").click()
        first = locator.locator(".kat-locator-clinic").first
        first.wait_for()
        assert first.locator("h4").inner_text().endswith(NEAREST)
        assert page.url == origin + "/index.html"  # in place, inside the shadow root
        screenshot(page, "embed-locator-results")

        first.get_by_role("link", name=f"Book a free informational call with {NEAREST}").click()
        locator.get_by_role("heading", name=f"Free informational call at {NEAREST}").wait_for()
        slot = locator.get_by_role("link", name=SLOT_NAME).first
        booked = slot_start(slot.get_attribute("href"))
        booked_href = quote(booked.isoformat(), safe="")
        # offered there too: once in the week grid, once in the phone's day list
        assert widget.locator(f'.kat-week a[href*="{booked_href}"]').count() == 1
        assert widget.locator(f'.kat-day-list a[href*="{booked_href}"]').count() == 1
        slot.click()
        locator.get_by_role("heading", name="Book: Free informational call").wait_for()
        fill_booking_form(locator, name="Embed Visitor", email="embed@example.com")
        locator.get_by_role("button", name="Book ").click()
        locator.get_by_role("heading", name="You are booked").wait_for()
        assert page.url == origin + "/index.html"
        screenshot(page, "embed-booking-confirmation")

        events = page.evaluate("window.katEvents")
        assert events == [{"type": "kat:booking-created", "detail": None, "widget": "locator"}]
        # The page's other open-times widget reloads and stops offering the booked time.
        page.wait_for_function(
            """(start) => !document.querySelector('[data-kat-widget=availability]')
                .shadowRoot.querySelector(`a[href*="${start}"]`)""",
            arg=booked_href,
        )
        assert widget.get_by_role("link", name=SLOT_NAME).count() > 0

        with page.expect_download() as download_info:
            locator.get_by_role("link", name="Download for your calendar (.ics)").click()
        saved = tmp_path / "appointment.ics"
        download_info.value.save_as(saved)
        assert ics_start(saved.read_bytes()) == booked


def _documented_iframe_snippet(kat_url: str, src: str) -> str:
    """The parent-page snippet from docs/embedding.md, pointed at ``kat_url``."""
    section = DOCS.read_text(encoding="utf-8").split("## 2. An iframe", 1)[1]
    snippet = section.split("```html", 1)[1].split("```", 1)[0]
    assert "kat:resize" in snippet
    return snippet.replace("https://widgets.example-clinic.org", kat_url).replace(
        "/embed/clinics", src
    )


def test_iframe_reports_its_height_and_the_booking(page: Any, tmp_path: Path) -> None:
    with partner_site(tmp_path) as (site, origin, kat):
        snippet = _documented_iframe_snippet(
            kat.url, "/embed/availability?clinic=draper&amp;service=info-call"
        )
        (site / "iframe.html").write_text(
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            "<title>Partner page with an iframe</title></head><body><main>"
            "<h1>Book a free informational call</h1>"
            "<script>window.katMessages = []; addEventListener('message', (event) => {"
            f" if (event.origin === '{kat.url}') katMessages.push(event.data); }});</script>"
            f"{snippet}</main></body></html>",
            encoding="utf-8",
        )
        page.goto(origin + "/iframe.html")
        iframe = page.locator("iframe")
        page.wait_for_function("katMessages.some(m => m.type === 'kat:resize' && m.height > 300)")
        reported = page.evaluate("katMessages.filter(m => m.type === 'kat:resize').at(-1).height")
        page.wait_for_function(
            f"document.querySelector('iframe').getBoundingClientRect().height === {reported}"
        )
        assert iframe.bounding_box()["height"] > 150  # taller than an iframe's default
        screenshot(page, "iframe-availability")

        frame = page.frame_locator("iframe")
        slot = frame.get_by_role("link", name=SLOT_NAME).first
        slot.click()
        frame.get_by_role("heading", name="Book: Free informational call").wait_for()
        fill_booking_form(frame, name="Iframe Visitor", email="iframe@example.com")
        frame.get_by_role("button", name="Book ").click()
        frame.get_by_role("heading", name="You are booked").wait_for()
        page.wait_for_function("katMessages.some(m => m.type === 'kat:booking-created')")
        created = page.evaluate("katMessages.filter(m => m.type === 'kat:booking-created')")
        assert created == [{"type": "kat:booking-created", "widget": "booking"}]
        assert all(set(m) <= {"type", "widget", "height"} for m in page.evaluate("katMessages"))
        screenshot(page, "iframe-booking-confirmation")


def test_a_booking_that_cannot_be_sent_says_so_in_the_widget(page: Any, tmp_path: Path) -> None:
    with partner_site(tmp_path) as (site, origin, kat):
        html = EXAMPLE.read_text(encoding="utf-8").replace("http://127.0.0.1:8000", kat.url)
        (site / "index.html").write_text(html, encoding="utf-8")
        page.goto(origin + "/index.html")
        widget = page.locator("[data-kat-widget=availability]")
        widget.get_by_role("link", name=SLOT_NAME).first.click()
        widget.get_by_role("heading", name="Book: Free informational call").wait_for()
        fill_booking_form(widget, name="Unlucky Visitor", email="unlucky@example.com")
        refusal = "Too many tries. Please wait a minute, or call us at 1-833-686-4687."
        page.route(
            "**/fragments/booking",
            lambda route: route.fulfill(
                status=429,
                json={"status_code": 429, "detail": refusal},
                headers={"Access-Control-Allow-Origin": origin},
            ),
        )
        widget.get_by_role("button", name="Book ").click()
        alert = widget.get_by_role("alert").filter(has_text="Too many tries")
        alert.wait_for()
        assert alert.evaluate("el => el === el.getRootNode().activeElement")
        assert widget.get_by_label("Your name").input_value() == "Unlucky Visitor"  # kept

        page.unroute("**/fragments/booking")
        page.route("**/fragments/booking", lambda route: route.abort())
        widget.get_by_role("button", name="Book ").click()
        widget.get_by_role("alert").filter(has_text="could not be sent").wait_for()
        violations = axe_violations(page)
        assert violations == [], describe(violations)
        screenshot(page, "embed-booking-send-failed")
