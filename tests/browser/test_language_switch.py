"""The language switch inside embeds (#17): embed.js's in each widget, the iframe page's, and
the choice kept through the next pages even when the browser prefers the other language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from .conftest import axe_violations, describe
from .e2e_flow import NEAREST, ZIP, partner_site

PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>A partner's page</title></head>
<body>
  <main>
    <h1>Find care near you</h1>
    <div data-kat-widget="locator"><a href="{kat}/embed/locator">Find a clinic</a></div>
    <div data-kat-widget="clinics" data-kat-languages="off">
      <a href="{kat}/embed/clinics">See our clinics</a>
    </div>
  </main>
  <script src="{kat}/embed.js" defer></script>
</body>
</html>
"""


def _shadow(page: Any, widget: str, expression: str) -> Any:
    return page.evaluate(
        f"document.querySelector('[data-kat-widget={widget}]').shadowRoot{expression}"
    )


def test_embed_js_switches_a_widget_in_place_and_keeps_the_choice(
    browser: Any, tmp_path: Path
) -> None:
    # a browser that prefers Spanish, on an English page
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="es-US", bypass_csp=True
    )
    page = context.new_page()
    try:
        with partner_site(tmp_path) as (site, origin, kat):
            (site / "index.html").write_text(PAGE.format(kat=kat.url), encoding="utf-8")
            page.goto(origin + "/index.html")
            locator = page.locator("[data-kat-widget=locator]")
            field = locator.get_by_label("Código postal, ciudad o dirección")
            field.wait_for()
            assert _shadow(page, "locator", ".querySelector('.kat-widget').lang") == "es"
            # the host said data-kat-languages="off" for its clinic list: no switch there
            page.locator("[data-kat-widget=clinics]").locator(".kat-clinic").first.wait_for()
            assert _shadow(page, "clinics", ".querySelector('.kat-embed-languages')") is None

            # the visitor chooses English, with the keyboard
            english = locator.get_by_role("link", name="English")
            assert english.get_attribute("hreflang") == "en"
            english.focus()
            page.keyboard.press("Enter")
            field = locator.get_by_label("ZIP code, city or address")
            field.wait_for()
            assert page.url == origin + "/index.html"  # in place
            assert _shadow(page, "locator", ".querySelector('.kat-widget').lang") == "en"

            # the next pages stay English though the browser asks for Spanish
            field.fill(ZIP)
            locator.get_by_role("button", name="Find clinics").click()
            first = locator.locator(".kat-locator-clinic").first
            first.wait_for()
            first.get_by_role("link", name=f"Book a free informational call with {NEAREST}").click()
            locator.get_by_role("heading", name=f"Free informational call at {NEAREST}").wait_for()
            expect(locator.get_by_role("button", name="Back to results")).to_be_visible()
            violations = axe_violations(page)
            assert violations == [], describe(violations)

            # and back to Spanish: embed.js's own words come from the server, in Spanish too
            locator.get_by_role("link", name="Español").click()
            expect(locator.get_by_role("button", name="Volver a los resultados")).to_be_visible()
            assert _shadow(page, "locator", ".querySelector('.kat-widget').lang") == "es"
    finally:
        context.close()


def test_an_iframe_page_switches_and_keeps_the_choice(browser: Any, tmp_path: Path) -> None:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="es-US", bypass_csp=True
    )
    page = context.new_page()
    try:
        with partner_site(tmp_path) as (_site, _origin, kat):
            page.goto(kat.url + "/embed/locator?q=" + ZIP)
            assert page.evaluate("document.documentElement.lang") == "es"
            page.get_by_role("navigation", name="Idioma").get_by_role(
                "link", name="English"
            ).click()
            page.wait_for_load_state("load")
            assert page.evaluate("document.documentElement.lang") == "en"
            first = page.locator(".kat-locator-clinic").first
            first.get_by_role("link", name=f"Book a free informational call with {NEAREST}").click()
            page.get_by_role("heading", name=f"Free informational call at {NEAREST}").wait_for()
            assert page.evaluate("document.documentElement.lang") == "en"
            violations = axe_violations(page)
            assert violations == [], describe(violations)
    finally:
        context.close()
