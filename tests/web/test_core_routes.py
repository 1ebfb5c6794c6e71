from __future__ import annotations

from pathlib import Path

from litestar import Litestar
from litestar.testing import TestClient

from kat_widgets import Settings, create_app


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
    assert '<html lang="en" data-kat-theme="auto">' in html
    assert "672 W 400 S Suite 201, Springville, UT 84663" in html
    assert 'href="tel:+18336864687"' in html
    assert "Spravato" in html


def test_demo_page_offers_the_open_times_of_the_clinic_nearest_the_search(
    client: TestClient[Litestar],
) -> None:
    before = client.get("/").text
    assert "Free informational call at Numinus Draper" in before
    assert "search above to book with the clinic nearest you" in before
    layton = client.get("/", params={"q": "84041"}).text  # Layton, UT
    assert "Free informational call at Numinus Layton" in layton
    assert "Numinus Layton, the clinic nearest to your search" in layton
    invalid = client.get("/", params={"q": "<not a place>"}).text
    assert "Free informational call at Numinus Draper" in invalid


def test_unknown_path_is_json_404(client: TestClient[Litestar]) -> None:
    response = client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.json()["status_code"] == 404


def test_openapi_documents_clinics(client: TestClient[Litestar]) -> None:
    schema = client.get("/schema/openapi.json").json()
    assert "/api/clinics" in schema["paths"]
    assert "/healthz" in schema["paths"]
    assert "/readyz" in schema["paths"]


def test_readyz_says_ready_when_the_booking_database_answers(client: TestClient[Litestar]) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


def test_readyz_is_503_with_a_message_when_the_database_is_down(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=str(tmp_path / "kat-data"),
        secret_key="s" * 40,
        database_url="postgresql://nobody@127.0.0.1:1/none",
    )
    with TestClient(create_app(settings)) as client:
        ready = client.get("/readyz")
        live = client.get("/healthz")
    assert ready.status_code == 503
    assert ready.json()["detail"] == "The booking database is not reachable."
    assert "Traceback" not in ready.text
    assert live.status_code == 200


def test_readyz_is_ready_without_booking(tmp_path: Path) -> None:
    with TestClient(create_app(Settings(data_dir=str(tmp_path / "kat-data")))) as client:
        response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}
