"""Cross-origin embedding: CORS allow-list, CSP frame-ancestors, origin-checked posts."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar, get, post
from litestar.testing import TestClient

from kat_widgets import Settings, create_app
from kat_widgets.web.gate import request_gate
from kat_widgets.web.security import OriginPolicy

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


@get("/echo-get", sync_to_thread=False)
def echo_get() -> str:
    return "read"


def guarded_client(*hosts: str) -> TestClient:  # type: ignore[type-arg]
    policy = OriginPolicy(allowed_origins=[ALLOWED], allowed_hosts=hosts or ["testserver.local"])
    middleware = request_gate(policy=policy, add_headers=True)
    return TestClient(Litestar([echo, echo_get], middleware=[middleware]))


def unlisted_client(base_url: str) -> TestClient:  # type: ignore[type-arg]
    middleware = request_gate(policy=OriginPolicy(allowed_origins=[ALLOWED]), add_headers=True)
    return TestClient(Litestar([echo, echo_get], middleware=[middleware]), base_url=base_url)


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


def test_dns_rebinding_host_is_not_our_origin() -> None:
    # evil.example rebinds its name to our address: its page posts with Origin == Host
    rebound = {"Host": "evil.example", "Origin": "http://evil.example"}
    with unlisted_client("http://127.0.0.1:8000") as client:
        assert client.post("/echo", headers=rebound).status_code == 403
        same_site = {"Host": "evil.example", "Sec-Fetch-Site": "same-origin"}
        assert client.post("/echo", headers=same_site).status_code == 403
        # the demo on loopback keeps its own same-origin forms
        own = {"Origin": "http://127.0.0.1:8000", "Sec-Fetch-Site": "same-origin"}
        assert client.post("/echo", headers=own).status_code == 201
    with guarded_client("clinic.example") as client:
        assert client.post("/echo", headers=rebound).status_code == 400


def test_host_allow_list_refuses_other_hosts_and_accepts_wildcards() -> None:
    with guarded_client("clinic.example", "*.partners.example") as client:
        assert client.get("/echo-get", headers={"Host": "clinic.example:8443"}).text == "read"
        assert client.get("/echo-get", headers={"Host": "a.partners.example"}).text == "read"
        assert client.get("/echo-get", headers={"Host": "partners.example"}).status_code == 400
        refused = client.get("/echo-get", headers={"Host": "evil.example"})
        assert refused.status_code == 400
        assert "host name" in refused.json()["detail"]
        assert client.get("/echo-get", headers={"Host": "[::1"}).status_code == 400


def test_allowed_hosts_setting_covers_the_public_url(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=str(tmp_path),
        secret_key="h" * 40,
        allowed_hosts=("widgets.clinic.example",),
        public_url="https://book.clinic.example/widgets",
    )
    assert settings.embedding.hosts == {"widgets.clinic.example", "book.clinic.example"}
    with TestClient(create_app(settings), base_url="https://book.clinic.example") as client:
        assert client.get("/api/clinics").status_code == 200
        assert client.get("/api/clinics", headers={"Host": "evil.example"}).status_code == 400
        # a load balancer's probe by address is still answered
        assert client.get("/healthz", headers={"Host": "10.0.0.7:8000"}).status_code == 200


def test_without_an_allow_list_the_public_url_host_is_our_origin(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=str(tmp_path), secret_key="h" * 40, public_url="https://book.clinic.example"
    )
    assert settings.embedding.hosts == frozenset()  # nothing refused for its Host...
    own = {"Origin": "https://book.clinic.example", "Sec-Fetch-Site": "same-origin"}
    rebound = {"Host": "evil.example", "Origin": "http://evil.example"}
    with TestClient(create_app(settings), base_url="https://book.clinic.example") as client:
        assert client.get("/api/clinics", headers={"Host": "10.0.0.7"}).status_code == 200
        # ...but only our own host counts as the same origin for a post
        assert client.post("/api/bookings", json={}, headers=own).status_code == 422
        assert client.post("/api/bookings", json={}, headers=rebound).status_code == 403
