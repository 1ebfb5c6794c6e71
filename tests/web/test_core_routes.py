from __future__ import annotations

from litestar import Litestar
from litestar.testing import TestClient


def test_healthz(client: TestClient[Litestar]) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_api_clinics_returns_the_five_seed_clinics(client: TestClient[Litestar]) -> None:
    response = client.get("/api/clinics")
    assert response.status_code == 200
    clinics = {c["id"]: c for c in response.json()["clinics"]}
    assert clinics["draper"]["address_line"] == "721 E 12200 S, Draper, UT 84020"
    assert clinics["murray"]["address"] == {
        "street": "154 E Myrtle Ave",
        "unit": "Suite 204",
        "city": "Murray",
        "region": "UT",
        "postal_code": "84107",
        "country": "US",
    }
    assert sorted(clinics) == ["american-fork", "draper", "layton", "murray", "springville"]
    assert "staff" not in clinics["draper"]
    assert clinics["draper"]["hours"][0] == {
        "days": ["mon", "tue", "wed", "thu"],
        "opens": "08:00",
        "closes": "18:00",
    }


def test_demo_page_lists_clinics_and_regulatory_note(client: TestClient[Litestar]) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert '<html lang="en">' in html
    assert "672 W 400 S Suite 201, Springville, UT 84663" in html
    assert 'href="tel:+18336864687"' in html
    assert "Spravato" in html


def test_unknown_path_is_json_404(client: TestClient[Litestar]) -> None:
    response = client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.json()["status_code"] == 404


def test_openapi_documents_clinics(client: TestClient[Litestar]) -> None:
    schema = client.get("/schema/openapi.json").json()
    assert "/api/clinics" in schema["paths"]
    assert "/healthz" in schema["paths"]
