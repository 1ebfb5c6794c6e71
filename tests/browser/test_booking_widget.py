from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from playwright.sync_api import expect

from kat_widgets.directory import load_directory
from kat_widgets.fragments.assets import hashed_name
from kat_widgets.scheduling import find_slots
from kat_widgets.settings import BUNDLED_DIRECTORY

from .conftest import LiveServer, axe_violations, describe, screenshot


def _form_url(server: LiveServer, clinic_id: str, index: int) -> str:
    now = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)
    slots = find_slots(
        load_directory(BUNDLED_DIRECTORY),
        clinic_id,
        "info-call",
        start=now + dt.timedelta(days=3),
        end=now + dt.timedelta(days=20),
        now=now,
    )
    query = urlencode(
        {"clinic": clinic_id, "service": "info-call", "start": slots[index].start.isoformat()}
    )
    return f"{server.url}/fragments/booking?{query}"


def _host(page: Any, server: LiveServer, url: str) -> None:
    """Show the fragment the way a host page would: inside a page with the stylesheet."""
    import httpx

    fragment = httpx.get(url, timeout=10).text
    page.goto(f"{server.url}/healthz")
    page.set_content(
        '<!doctype html><html lang="en"><head><title>Book</title>'
        f'<link rel="stylesheet" href="/static/{hashed_name("widgets.css")}"></head>'
        f'<body><main id="main">{fragment}</main></body></html>'
    )


def test_booking_form_and_its_errors_have_no_axe_violations(
    live_server: LiveServer, page: Any
) -> None:
    _host(page, live_server, _form_url(live_server, "layton", 0))
    violations = axe_violations(page, context=".kat-booking")
    assert violations == [], describe(violations)
    page.get_by_role("button", name="Book").click()
    expect(page.locator("#kat-booking-name-error")).to_be_visible()
    violations = axe_violations(page, context=".kat-booking")
    assert violations == [], describe(violations)
    screenshot(page, "booking-form-errors")


def test_book_and_cancel_with_javascript_off(live_server: LiveServer, browser: Any) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(_form_url(live_server, "springville", 1))
        page.get_by_label("Your name").fill("Browser Test")
        page.get_by_label("Email", exact=True).fill("browser@example.com")
        page.get_by_label("You may contact me").check()
        page.get_by_role("button", name="Book").click()
        expect(page.get_by_role("heading", name="You are booked")).to_be_visible()
        page.get_by_role("link", name="Change or cancel this appointment").click()
        page.get_by_role("link", name="Cancel this appointment").click()
        # the second step: nothing is cancelled until the visitor says yes
        question = page.get_by_role("heading", name="Cancel this appointment?")
        expect(question).to_be_visible()
        expect(page.get_by_text("Status: Confirmed")).to_be_visible()
        page.get_by_role("button", name="Yes, cancel it").click()
        status = page.get_by_role("status")
        expect(status).to_have_text(
            "Your appointment is cancelled. You can book again at any time."
        )
        expect(page.get_by_text("Status: Cancelled")).to_be_visible()
    finally:
        context.close()


def test_manage_page_has_no_axe_violations(live_server: LiveServer, page: Any) -> None:
    page.goto(_form_url(live_server, "murray", 2))
    page.get_by_label("Your name").fill("Axe Test")
    page.get_by_label("Phone", exact=True).fill("801-555-0199")
    page.get_by_label("You may contact me").check()
    page.get_by_role("button", name="Book").click()
    page.get_by_role("link", name="Change or cancel this appointment").click()
    expect(page.get_by_role("heading", name="Your appointment")).to_be_visible()
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    screenshot(page, "booking-manage")
