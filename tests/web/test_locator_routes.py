"""GET /api/locate and GET /fragments/locator: the contract, bad input, escaping."""

from __future__ import annotations

import json
import re

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from kat_widgets.directory import Directory
from kat_widgets.fragments.assets import hashed_name

Client = TestClient[Litestar]


def test_locate_answers_the_contract_shape(client: Client) -> None:
    response = client.get("/api/locate", params={"q": "84020", "limit": 3})
    assert response.status_code == 200
    body = response.json()
    assert set(body["query"]) >= {"text", "lat", "lon", "precision", "label"}
    assert body["query"]["precision"] == "zip"
    assert body["query"]["label"] == "Near 84020, Draper, UT"
    assert [r["clinic"]["id"] for r in body["results"]] == ["draper", "american-fork", "murray"]
    first = body["results"][0]
    assert first["distance_mi"] == pytest.approx(first["distance_km"] / 1.609344, abs=1e-3)
    assert first["clinic"]["address_line"] == "721 E 12200 S, Draper, UT 84020"
    assert "staff" not in first["clinic"]
    assert first["booking_url"] == "/fragments/availability?clinic=draper&service=info-call"


def test_browser_coordinates_are_accepted(client: Client) -> None:
    body = client.get("/api/locate", params={"lat": 41.06, "lon": -111.97, "limit": 1}).json()
    assert body["query"]["precision"] == "coordinates"
    assert body["results"][0]["clinic"]["id"] == "layton"


def test_service_radius_and_another_state(client: Client) -> None:
    body = client.get(
        "/api/locate", params={"q": "Boise, ID", "radius_km": 50, "service": "iv"}
    ).json()
    assert body["nearest_anyway"] is True
    assert body["outside_region"] is True
    assert body["results"][0]["clinic"]["id"] == "layton"
    assert body["results"][0]["booking_url"].endswith("service=info-call")


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"q": ""}, 422, "q"),
        ({"q": "x" * 201}, 422, "q"),
        ({"q": "00000"}, 422, "q"),
        ({"q": "qwzx plmk"}, 422, "q"),
        ({"q": "<script>alert(1)</script>"}, 422, "q"),
        ({"lat": 95, "lon": 10}, 422, "lat"),
        ({"lat": 40}, 422, "lon"),
        ({"q": "84020", "service": "massage"}, 422, "service"),
        ({"q": "84020", "limit": 0}, 400, None),
        ({"q": "84020", "radius_km": -1}, 400, None),
        ({"lat": "north", "lon": 1}, 400, None),
    ],
)
def test_bad_input_is_a_4xx_with_a_message(
    client: Client, params: dict[str, object], status: int, field: str | None
) -> None:
    response = client.get("/api/locate", params=params)
    assert response.status_code == status
    body = response.json()
    assert body["status_code"] == status and body["detail"]
    if field:
        assert body["field"] == field
    assert "<script>" not in body["detail"]


def test_fragment_lists_clinics_with_distance_links_and_json_ld(client: Client) -> None:
    response = client.get("/fragments/locator", params={"q": "84107"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert 'id="kat-locator-murray"' in html
    assert re.search(r"<strong>0\.\d mi</strong> away", html)
    assert 'href="tel:+18336864687"' in html
    assert "https://www.google.com/maps/dir/?api=1&amp;destination=154%20E%20Myrtle" in html
    assert "https://maps.apple.com/?daddr=154%20E%20Myrtle" in html
    assert "openstreetmap.org/directions?route=%3B40.66400%2C-111.88500" in html
    assert (
        'href="/fragments/availability?clinic=murray&amp;service=info-call'
        '#kat-open-times-murray-info-call"' in html
    )
    assert "Open now" in html or "Closed now" in html
    assert "<svg" in html and 'role="img"' in html
    payload = html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    data = json.loads(payload)
    assert data["@graph"][0]["@type"] == "MedicalClinic"
    assert data["@graph"][0]["name"] == "Numinus Murray"


def test_directions_go_to_the_clinic_not_the_visitor(client: Client) -> None:
    html = client.get(
        "/fragments/locator", params={"q": "350 S 200 E, Salt Lake City, UT 84111"}
    ).text
    links = re.findall(r'href="(https://[^"]*(?:maps|openstreetmap)[^"]*)"', html)
    assert len(links) == 15
    assert not [link for link in links if "84111" in link or "350%20S" in link]


def test_fragment_without_a_query_is_just_the_form(client: Client) -> None:
    html = client.get("/fragments/locator").text
    assert '<label for="kat-locator-q">' in html
    assert 'method="get"' in html
    assert 'id="kat-locator-results"' not in html  # the form alone, no results
    assert f'<script src="/static/{hashed_name("locator.js")}" defer></script>' in html


def test_fragment_escapes_a_script_query(client: Client) -> None:
    response = client.get("/fragments/locator", params={"q": '"><script>alert(1)</script>'})
    assert response.status_code == 422
    html = response.text
    assert "<script>alert(1)" not in html
    assert 'value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html
    assert 'role="alert"' in html and 'aria-invalid="true"' in html


def test_fragment_far_away_visitor_gets_nearest_and_the_call(client: Client) -> None:
    html = client.get("/fragments/locator", params={"q": "10001"}).text
    assert "Our clinics are all in Utah" in html
    assert "These are the nearest clinics anyway" in html
    assert html.count(">Book a free informational call<") == 5
    assert "<svg" not in html  # too far apart for a useful map; the list is the view


def test_fragment_shows_km_when_configured(client: Client) -> None:
    from kat_widgets import Settings
    from kat_widgets.fragments import Widgets

    widgets = Widgets(Settings(distance_unit="km", secret_key="k" * 40))
    assert re.search(r"<strong>\d+\.\d km</strong>", str(widgets.locator("84020")))


def test_demo_page_shows_the_locator_above_the_clinic_list(client: Client) -> None:
    html = client.get("/", params={"q": "84663"}).text
    assert html.index('class="kat-widget kat-locator"') < html.index("kat-clinics")
    assert 'id="kat-locator-springville"' in html


def test_openapi_documents_locate(client: Client) -> None:
    schema = client.get("/schema/openapi.json").json()
    assert "/api/locate" in schema["paths"]


def test_fragment_far_utah_town_offers_the_call_without_claiming_another_state(
    client: Client,
) -> None:
    html = client.get("/fragments/locator", params={"q": "St. George, UT"}).text
    assert "These are the nearest clinics anyway" in html
    assert re.search(r"The free\s+informational call is by phone or video", html)
    assert "Our clinics are all in Utah" not in html


def test_widgets_demo_page_renders_from_python() -> None:
    from kat_widgets import Settings
    from kat_widgets.fragments import Widgets

    html = str(Widgets(Settings(secret_key="d" * 40)).demo_page())
    assert html.index("kat-locator") < html.index("kat-clinics")


def test_a_clinic_is_shaped_for_the_api_once_per_directory(directory: Directory) -> None:
    """#14: the same clinic object answers with the same shape; a reloaded one is shaped anew."""
    import copy

    from kat_widgets.web.schemas import clinic_out

    clinic = directory.clinics[0]
    first = clinic_out(clinic)
    assert clinic_out(clinic) is first
    reloaded = copy.deepcopy(clinic)
    again = clinic_out(reloaded)
    assert again is not first
    assert msgspec.json.encode(again) == msgspec.json.encode(first)
    assert first.id == clinic.id and first.address_line == clinic.address.one_line
