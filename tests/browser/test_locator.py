from __future__ import annotations

from typing import Any

from .conftest import LiveServer, axe_violations, describe, screenshot


def test_locator_on_the_demo_page_has_no_axe_violations(live_server: LiveServer, page: Any) -> None:
    page.goto(live_server.url + "/?q=84020")
    assert page.locator(".kat-locator-place").inner_text() == "Near 84020, Draper, UT"
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    screenshot(page, "locator-results")


def test_locator_fragment_error_and_far_away_states_have_no_axe_violations(
    live_server: LiveServer, page: Any
) -> None:
    for query in ("%3Cscript%3Ealert(1)%3C%2Fscript%3E", "10001", "Boise%2C+ID"):
        page.goto(f"{live_server.url}/?q={query}")
        violations = axe_violations(page)
        assert violations == [], describe(violations)


def test_the_form_works_without_javascript(live_server: LiveServer, browser: Any) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.get_by_label("ZIP code, city or address").fill("84663")
    page.get_by_role("button", name="Find clinics").click()
    page.wait_for_url("**/?q=84663*")
    assert page.locator(".kat-locator-clinic h4").first.inner_text().endswith("Numinus Springville")
    assert page.get_by_role("button", name="Use my location").count() == 0
    context.close()


def test_use_my_location_fills_coordinates_and_searches(
    live_server: LiveServer, browser: Any
) -> None:
    context = browser.new_context(
        geolocation={"latitude": 41.0921, "longitude": -111.9701},
        permissions=["geolocation"],
        bypass_csp=True,  # only so the test can inject axe-core
    )
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="Use my location").click()
    page.wait_for_url("**lat=41.09*")
    assert page.locator(".kat-locator-place").inner_text() == "Near your location"
    assert page.locator(".kat-locator-clinic h4").first.inner_text().endswith("Numinus Layton")
    assert all(url.startswith(live_server.url) for url in requests)
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    screenshot(page, "locator-my-location")
    context.close()
