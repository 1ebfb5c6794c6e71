"""Cross-origin embedding: CORS allow-list, CSP frame-ancestors, origin-checked posts."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar, post
from litestar.middleware import DefineMiddleware
from litestar.testing import TestClient

from kat_widgets import Settings, create_app
from kat_widgets.web.security import SecurityMiddleware

ALLOWED = "https://clinic-partner.example"


def client_for(tmp_path: Path, *origins: str) -> TestClient:  # type: ignore[type-arg]
    settings = Settings(data_dir=str(tmp_path), secret_key="s" * 40, allowed_origins=tuple(origins))
    return TestClient(create_app(settings))


def test_security_headers_on_every_response(tmp_path: Path) -> None:
    with client_for(tmp_path, ALLOWED) as client:
        for path in ("/", "/healthz", "/api/clinics", "/static/widgets.css", "/nope"):
            headers = client.get(path).headers
            assert headers["x-content-type-options"] == "nosniff"
            assert headers["referrer-policy"] in ("same-origin", "no-referrer")
            csp = headers["content-security-policy"]
            assert f"frame-ancestors 'self' {ALLOWED}" in csp
            assert "script-src 'self'" in csp


def test_frame_ancestors_is_self_only_without_allow_list(tmp_path: Path) -> None:
    with client_for(tmp_path) as client:
        csp = client.get("/").headers["content-security-policy"]
        assert "frame-ancestors 'self';" in csp + ";"


def test_cors_allows_listed_origin(tmp_path: Path) -> None:
    with client_for(tmp_path, ALLOWED) as client:
        response = client.get("/fragments/clinics", headers={"Origin": ALLOWED})
        assert response.headers["access-control-allow-origin"] == ALLOWED
        assert "access-control-allow-credentials" not in response.headers
        preflight = client.options(
            "/api/clinics",
            headers={"Origin": ALLOWED, "Access-Control-Request-Method": "POST"},
        )
        assert preflight.status_code in (200, 204)
        assert preflight.headers["access-control-allow-origin"] == ALLOWED


def test_cors_refuses_other_origin(tmp_path: Path) -> None:
    with client_for(tmp_path, ALLOWED) as client:
        response = client.get("/fragments/clinics", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in response.headers


@post("/echo", sync_to_thread=False)
def echo() -> str:
    return "accepted"


def guarded_client() -> TestClient:  # type: ignore[type-arg]
    app = Litestar(
        [echo],
        middleware=[DefineMiddleware(SecurityMiddleware, allowed_origins=[ALLOWED])],
    )
    return TestClient(app)


def test_cross_origin_post_from_unknown_site_is_refused() -> None:
    with guarded_client() as client:
        response = client.post("/echo", headers={"Origin": "https://evil.example"})
        assert response.status_code == 403
        assert "not allowed to embed" in response.json()["detail"]
        assert response.headers["x-content-type-options"] == "nosniff"
        assert client.post("/echo", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
        assert client.post("/echo", headers={"Origin": "null"}).status_code == 403
        forged = {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}
        assert client.post("/echo", headers=forged).status_code == 403


def test_post_from_allowed_or_same_origin_is_accepted() -> None:
    with guarded_client() as client:
        assert client.post("/echo", headers={"Origin": ALLOWED}).text == "accepted"
        same = client.post("/echo", headers={"Origin": "http://testserver.local"})
        assert same.text == "accepted"
        assert client.post("/echo", headers={"Sec-Fetch-Site": "same-origin"}).status_code == 201
        # a same-origin form under Referrer-Policy: no-referrer arrives with Origin: null
        private = {"Origin": "null", "Sec-Fetch-Site": "same-origin"}
        assert client.post("/echo", headers=private).status_code == 201
        assert client.post("/echo").status_code == 201
