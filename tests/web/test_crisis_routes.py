"""GET /fragments/crisis-banner and the banner on the demo page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from kat_widgets import Settings, create_app
from kat_widgets.fragments.assets import hashed_name


def test_default_banner_is_the_utah_bar_in_english(client: TestClient[Litestar]) -> None:
    response = client.get("/fragments/crisis-banner")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert 'class="kat-crisis kat-crisis--bar"' in html and 'lang="en"' in html
    assert 'href="tel:988"' in html and 'href="tel:911"' in html


@pytest.mark.parametrize("variant", ["bar", "card", "inline"])
def test_region_language_and_variant_are_parameters(
    client: TestClient[Litestar], variant: str
) -> None:
    response = client.get(
        "/fragments/crisis-banner", params={"region": "US-UT", "lang": "es", "variant": variant}
    )
    assert response.status_code == 200
    assert f"kat-crisis--{variant}" in response.text
    assert "AYUDA" in response.text and 'lang="es"' in response.text


def test_canada_in_french(client: TestClient[Litestar]) -> None:
    html = client.get("/fragments/crisis-banner?region=CA&lang=fr&variant=card").text
    assert "Jeunesse, J&#39;écoute" in html and "AYUDA" not in html


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("region=Narnia%20North", "region"),
        ("lang=tlh", "lang"),
        ("variant=modal", "variant"),
        ("region=%3Cscript%3E", "region"),
    ],
)
def test_bad_parameters_answer_422_with_a_message(
    client: TestClient[Litestar], query: str, field: str
) -> None:
    response = client.get(f"/fragments/crisis-banner?{query}")
    assert response.status_code == 422
    # a fragment route answers in HTML, errors too: embed.js shows it in place of the widget
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert re.match(r'\s*<section lang="en" [^>]*class="kat-widget kat-problem"', html)
    assert f'data-kat-field="{field}"' in html and "use" in html
    assert "<script>" not in html


def test_demo_page_starts_with_the_bar_after_the_skip_link(client: TestClient[Litestar]) -> None:
    html = client.get("/").text
    skip = html.index("Skip to main content")
    bar = html.index('class="kat-crisis kat-crisis--bar"')
    assert skip < bar < html.index("<header")
    assert f"/static/{hashed_name('crisis.css')}" in html
    assert client.get("/static/crisis.css").status_code == 200


def test_banner_route_works_with_the_database_unreachable(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=str(tmp_path),
        secret_key="d" * 40,
        database_url="postgresql://nobody@127.0.0.1:1/none",
    )
    with TestClient(create_app(settings)) as dead_db_client:
        response = dead_db_client.get("/fragments/crisis-banner?variant=card")
    assert response.status_code == 200
    assert "988 Suicide &amp; Crisis Lifeline" in response.text


def test_openapi_documents_the_fragment(client: TestClient[Litestar]) -> None:
    schema = client.get("/schema/openapi.json").json()
    parameters = schema["paths"]["/fragments/crisis-banner"]["get"]["parameters"]
    assert {p["name"] for p in parameters} == {"region", "lang", "variant"}
