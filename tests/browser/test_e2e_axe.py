"""axe-core finds no WCAG 2.2 AA violation on any widget page; each state is photographed.

The confirmation, manage and searched demo pages are checked along the flow in test_e2e_demo.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from playwright.sync_api import expect

from .conftest import LiveServer, axe_violations, describe, screenshot
from .e2e_flow import flow_settings

DRAPER_CALL = "clinic=draper&service=info-call"
PAGES = {
    "embed-locator": "/embed/locator",
    "embed-locator-results": "/embed/locator?q=84020",
    "embed-locator-error": "/embed/locator?q=99999",
    "embed-availability": f"/embed/availability?{DRAPER_CALL}",
    "embed-booking-choose-time": f"/embed/booking?{DRAPER_CALL}",
    "embed-crisis-card": "/embed/crisis-banner",
    "crisis-bar": "/embed/crisis-banner?variant=bar",
    "embed-crisis-inline": "/embed/crisis-banner?variant=inline",
    "embed-crisis-spanish": "/embed/crisis-banner?lang=es",
    "embed-clinics": "/embed/clinics",
}


@pytest.fixture(scope="module")
def kat(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with LiveServer(flow_settings(tmp_path_factory.mktemp("e2e-axe"))) as server:
        yield server


def _first_slot(kat: LiveServer) -> str:
    answer = httpx.get(f"{kat.url}/api/clinics/draper/slots?service=info-call", timeout=10)
    start: str = answer.json()["slots"][0]["start"]
    return start


@pytest.mark.parametrize("name", sorted(PAGES))
def test_widget_page_has_no_axe_violations(kat: LiveServer, page: Any, name: str) -> None:
    response = page.goto(kat.url + PAGES[name])
    assert response.status == 200
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    screenshot(page, name)


def test_embed_booking_form_and_its_errors_have_no_axe_violations(
    kat: LiveServer, page: Any
) -> None:
    query = urlencode({"clinic": "draper", "service": "info-call", "start": _first_slot(kat)})
    page.goto(f"{kat.url}/embed/booking?{query}")
    expect(page.get_by_role("heading", name="Book: Free informational call")).to_be_visible()
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    screenshot(page, "embed-booking-form")

    page.get_by_role("button", name="Book ").click()  # nothing filled in
    page.get_by_text("Please check").first.wait_for()
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    screenshot(page, "embed-booking-errors")
