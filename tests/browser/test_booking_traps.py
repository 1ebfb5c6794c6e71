"""The booking flow's traps, as a visitor meets them in Chromium (the whole pages, no host)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from playwright.sync_api import expect

from .conftest import LiveServer, axe_violations, describe
from .test_booking_widget import _form_url


def _fill(page: Any, name: str) -> None:
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email", exact=True).fill("traps@example.com")
    page.get_by_label("You may contact me").check()


def test_back_and_send_again_shows_the_visitors_own_booking(
    live_server: LiveServer, page: Any
) -> None:
    page.goto(_form_url(live_server, "draper", 3))
    _fill(page, "Back Button")
    page.get_by_role("button", name="Book").click()
    expect(page.get_by_role("heading", name="You are booked")).to_be_visible()
    manage = page.get_by_role("link", name="Change or cancel this appointment")
    first = manage.get_attribute("href")
    page.go_back()
    expect(page.get_by_role("button", name="Book")).to_be_visible()
    _fill(page, "Back Button")  # as the browser kept it, or typed again
    page.get_by_role("button", name="Book").click()
    expect(page.get_by_role("heading", name="You are booked")).to_be_visible()
    assert page.get_by_text("was just taken").count() == 0
    assert manage.get_attribute("href") == first  # the same booking, not a second one


def test_the_error_summary_takes_focus_and_links_to_each_field(
    live_server: LiveServer, page: Any
) -> None:
    page.goto(_form_url(live_server, "american-fork", 4))
    page.get_by_label("Email", exact=True).fill("not-an-address")
    page.get_by_role("button", name="Book").click()
    summary = page.locator(".kat-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    links = summary.get_by_role("link")
    targets = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert "#kat-booking-name" in targets and "#kat-booking-email" in targets, targets
    summary.get_by_role("link").filter(has_text="email").first.click()
    expect(page.locator("#kat-booking-email")).to_be_focused()
    violations = axe_violations(page)
    assert violations == [], describe(violations)


def test_a_past_start_says_so_and_shows_no_form(live_server: LiveServer, page: Any) -> None:
    past = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(days=2)
    query = urlencode({"clinic": "murray", "service": "info-call", "start": past.isoformat()})
    page.goto(f"{live_server.url}/fragments/booking?{query}")
    expect(page.get_by_role("heading", name="This time has passed")).to_be_visible()
    assert page.locator("form.kat-booking-form").count() == 0
    assert page.get_by_role("button", name="Book").count() == 0
    expect(page.locator(".kat-time").first).to_be_visible()  # the open times to choose from
    violations = axe_violations(page)
    assert violations == [], describe(violations)
