"""The plain static HTML example on another origin, using embed.js against a live server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from kat_widgets import Settings
from tests.servers import dead_port, static_files

from .conftest import LiveServer, screenshot

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "static_html" / "index.html"


@pytest.fixture
def static_site(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    with static_files(tmp_path) as origin:
        yield origin, tmp_path


def test_static_page_renders_widget_in_shadow_dom(
    static_site: tuple[str, Path], tmp_path: Path, page: Any
) -> None:
    origin, folder = static_site
    settings = Settings(
        data_dir=str(tmp_path / "data"), secret_key="e" * 40, allowed_origins=(origin,)
    )
    with LiveServer(settings) as kat:
        html = EXAMPLE.read_text(encoding="utf-8").replace("http://127.0.0.1:8000", kat.url)
        (folder / "index.html").write_text(html, encoding="utf-8")
        page.goto(origin + "/index.html")
        page.wait_for_function(
            "document.querySelector('[data-kat-widget=clinics]').shadowRoot?.querySelector('h2')"
        )
        text = page.evaluate(
            "document.querySelector('[data-kat-widget=clinics]').shadowRoot.textContent"
        )
        assert "721 E 12200 S, Draper, UT 84020" in text
        # widgets.css reaches the shadow root: the clinic cards get their border.
        page.wait_for_function(
            "getComputedStyle(document.querySelector('[data-kat-widget=clinics]').shadowRoot"
            ".querySelector('.kat-clinic')).borderTopStyle === 'solid'"
        )
        screenshot(page, "embed-static-page")


def test_widget_keeps_fallback_link_when_server_is_down(
    static_site: tuple[str, Path], page: Any
) -> None:
    origin, folder = static_site
    with dead_port() as port:
        dead = f"http://127.0.0.1:{port}"
        html = EXAMPLE.read_text(encoding="utf-8").replace("http://127.0.0.1:8000", dead)
        (folder / "index.html").write_text(html, encoding="utf-8")
        page.goto(origin + "/index.html")
        page.wait_for_timeout(500)
        link = page.get_by_role("link", name="See our clinics")
        expect(link).to_be_visible()
        assert link.get_attribute("href") == f"{dead}/embed/clinics"


FIRST_CARD_BORDER = """() => {
  const card = document.querySelector('[data-kat-widget=clinics]').shadowRoot
    ?.querySelector('.kat-clinic');
  return card ? getComputedStyle(card).borderTopStyle : null;
}"""
"""The clinic card's border as the card is first seen: 'solid' once widgets.css applies."""


def _example_against(kat: LiveServer, folder: Path, origin: str, page: Any) -> None:
    html = EXAMPLE.read_text(encoding="utf-8").replace("http://127.0.0.1:8000", kat.url)
    (folder / "index.html").write_text(html, encoding="utf-8")
    page.goto(origin + "/index.html")


def test_a_widget_is_never_shown_before_its_stylesheets(
    static_site: tuple[str, Path], tmp_path: Path, page: Any
) -> None:
    """Slow stylesheets (a phone on a poor connection): the fragment arrives first, but the
    widget shows it only once the sheets apply, never as a flash of bare HTML."""
    origin, folder = static_site
    settings = Settings(
        data_dir=str(tmp_path / "data"), secret_key="e" * 40, allowed_origins=(origin,)
    )
    held: list[str] = []

    def slow_sheet(route: Any) -> None:
        held.append(route.request.url)
        page.wait_for_timeout(1500)  # the fragments (not delayed) arrive meanwhile
        route.continue_()

    with LiveServer(settings) as kat:
        page.route("**/static/*.css", slow_sheet)
        _example_against(kat, folder, origin, page)
        first_seen = page.wait_for_function(FIRST_CARD_BORDER, polling="raf").json_value()
    assert held, "the stylesheets were not requested through the delay"
    assert first_seen == "solid"


def test_a_widget_whose_fragment_fails_keeps_the_hosts_fallback(
    static_site: tuple[str, Path], tmp_path: Path, page: Any
) -> None:
    origin, folder = static_site
    settings = Settings(
        data_dir=str(tmp_path / "data"), secret_key="e" * 40, allowed_origins=(origin,)
    )
    with LiveServer(settings) as kat:
        page.route("**/fragments/clinics*", lambda route: route.abort())
        _example_against(kat, folder, origin, page)
        # the other widgets show; the failed one keeps the host's link, through the slot
        expect(page.locator("[data-kat-widget=availability] .kat-time").first).to_be_attached()
        link = page.get_by_role("link", name="See our clinics")
        expect(link).to_be_visible()
        assert link.get_attribute("href") == f"{kat.url}/embed/clinics"
