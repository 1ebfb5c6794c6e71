"""Visitors never see JSON: embed pages, fragments and broken links answer in HTML (#16).

JSON stays for ``/api/`` and for programs; a person (a navigation, an iframe, a fragment
fetched by embed.js) gets the message in the widget's style with the number to call.
"""

from __future__ import annotations

import re

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from kat_widgets.fragments.assets import hashed_name

FETCH = {"Sec-Fetch-Dest": "empty", "Accept": "text/html"}  # embed.js's fetch()
NAVIGATE = {"Sec-Fetch-Dest": "document", "Accept": "text/html,application/xhtml+xml"}
OLD_BROWSER = {"Accept": "text/html,application/xhtml+xml"}  # no Sec-Fetch-* headers

BAD_WIDGET_LINKS = [
    "/embed/availability?clinic=nope",
    "/embed/availability?clinic=draper&service=nope",
    "/embed/availability?clinic=draper&week=someday",
    "/embed/booking?clinic=nope&start=2027-03-09T10:00:00-07:00",
    "/embed/booking?clinic=draper&service=info-call&start=garbage",
    "/embed/no-such-widget",
]
BAD_FRAGMENTS = [
    "/fragments/availability?clinic=nope",
    "/fragments/availability?clinic=draper&week=someday",
    "/fragments/booking?clinic=draper&service=info-call&start=garbage",
    "/fragments/crisis-banner?lang=tlh",
]


def _problem(html: str) -> str:
    assert 'class="kat-widget kat-problem"' in html, html[:300]
    return html.split('class="kat-widget kat-problem"', 1)[1].split("</section>", 1)[0]


@pytest.mark.parametrize("path", BAD_WIDGET_LINKS)
@pytest.mark.parametrize("headers", [FETCH, NAVIGATE, OLD_BROWSER, {}], ids=lambda h: str(h)[:20])
def test_embed_pages_answer_errors_as_a_page(
    client: TestClient[Litestar], path: str, headers: dict[str, str]
) -> None:
    response = client.get(path, headers=headers)
    assert response.status_code in (404, 422)
    assert response.headers["content-type"].startswith("text/html")
    assert response.text.startswith("<!doctype html>")
    assert f"/static/{hashed_name('widgets.css')}" in response.text  # styled like the widgets
    problem = _problem(response.text)
    assert "<h1" in problem and 'href="tel:' in problem
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("path", BAD_FRAGMENTS)
def test_fragments_answer_errors_as_a_fragment_and_a_page_when_navigated(
    client: TestClient[Litestar], path: str
) -> None:
    fetched = client.get(path, headers=FETCH)
    assert fetched.status_code in (404, 422)
    assert fetched.headers["content-type"].startswith("text/html")
    assert re.match(r'\s*<section lang="en" [^>]*class="kat-widget kat-problem"', fetched.text)
    assert "<h2" in _problem(fetched.text)  # it sits in the host's page, under its heading
    navigated = client.get(path, headers=NAVIGATE)
    assert navigated.status_code == fetched.status_code
    assert navigated.text.startswith("<!doctype html>") and "<h1" in _problem(navigated.text)


def test_a_broken_link_is_a_page_for_people_and_json_for_programs(
    client: TestClient[Litestar],
) -> None:
    for headers in (NAVIGATE, OLD_BROWSER):
        page = client.get("/bookings-typo/abc", headers=headers)
        assert page.status_code == 404
        assert page.text.startswith("<!doctype html>")
        assert "We could not find this page." in _problem(page.text)
    program = client.get("/bookings-typo/abc", headers={"Accept": "application/json"})
    assert program.status_code == 404
    assert program.json()["status_code"] == 404


def test_the_api_keeps_json(client: TestClient[Litestar]) -> None:
    for headers in (FETCH, {"Accept": "application/json"}, {}):
        response = client.get("/api/clinics/nope/slots?service=info-call", headers=headers)
        assert response.status_code == 404, headers
        assert response.json()["detail"] == "No clinic with id 'nope'.", headers
