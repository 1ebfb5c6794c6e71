"""The booking widget for iframes and embed.js: /embed/booking, and booking with no time yet."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from kat_widgets.fragments.assets import hashed_name

from .test_pages import START, form

GRID = {"clinic": "draper", "service": "info-call", "week": "2027-03-08"}
SLOT_HREF = "start=" + quote(START, safe="")


@pytest.fixture
def root_path() -> str:
    return "/w"  # every link and form action must carry the mount prefix


def test_booking_with_no_time_yet_offers_the_open_times(client: TestClient[Litestar]) -> None:
    for path in ("/fragments/booking", "/embed/booking"):
        response = client.get(path, params=GRID)
        assert response.status_code == 200, (path, response.text)
        assert 'class="kat-widget kat-availability"' in response.text
        assert (
            f'href="/w/fragments/booking?clinic=draper&amp;service=info-call&amp;{SLOT_HREF}'
            '#kat-booking"' in response.text
        )


def test_embed_booking_page_shows_the_form_for_a_time(client: TestClient[Litestar]) -> None:
    params = {"clinic": "draper", "service": "info-call", "start": START}
    page = client.get("/embed/booking", params=params)
    assert page.status_code == 200
    assert 'action="/w/fragments/booking"' in page.text
    assert 'data-kat-widget-page="booking"' in page.text
    assert f'src="/w/static/{hashed_name("embed-frame.js")}"' in page.text


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"service": "info-call"}, "clinic"),
        ({"clinic": "draper", "service": "info-call", "start": "tuesday"}, "start"),
        ({"clinic": "draper", "service": "info-call", "start": "2027-03-09T10:00"}, "start"),
        ({"clinic": "draper", "service": "experience-iv", "start": START}, "service"),
    ],
)
def test_embed_booking_rejects_bad_input_with_422(
    client: TestClient[Litestar], params: dict[str, str], field: str
) -> None:
    response = client.get("/embed/booking", params=params)
    assert response.status_code == 422
    # a person followed this link: our page saying what is wrong, with the number to call
    assert response.headers["content-type"].startswith("text/html")
    problem = response.text.split('class="kat-widget kat-problem"', 1)[1].split("</section>")[0]
    assert f'data-kat-field="{field}"' in problem
    assert 'href="tel:' in problem


def test_a_booked_time_is_no_longer_offered_in_the_iframe(client: TestClient[Litestar]) -> None:
    before = client.get("/embed/availability", params=GRID).text
    assert SLOT_HREF in before
    assert client.post("/fragments/booking", data=form()).status_code == 201
    for path in ("/embed/availability", "/embed/booking", "/fragments/availability"):
        assert SLOT_HREF not in client.get(path, params=GRID).text, path
