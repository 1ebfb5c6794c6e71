"""Hostile strings in every query parameter, path parameter and request header we read.

Each answer may be a 4xx that names the problem, but never a 5xx, never the payload as markup
(HTML is autoescaped, JSON escapes ``<``, ``>`` and ``&``) and never a header it injected.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from kat_widgets import Settings, create_app
from tests.booking.booking_support import upcoming_slots

from .hostile_support import assert_safe
from .payloads import PAYLOADS

# (path, valid values so the hostile one is read deep in, every query parameter the route reads)
LOCATOR = ["q", "lat", "lon", "limit", "radius_km", "service"]
CRISIS = ["region", "lang", "variant"]
AVAILABILITY = ["clinic", "service", "week"]
GETS: list[tuple[str, dict[str, str], list[str]]] = [
    ("/", {}, ["q", "lat", "lon", "service"]),
    ("/healthz", {}, ["x"]),
    ("/readyz", {}, ["x"]),
    ("/api/clinics", {}, ["x"]),
    ("/fragments/clinics", {}, ["x"]),
    ("/fragments/crisis-banner", {}, CRISIS),
    ("/api/locate", {"q": "84020"}, [*LOCATOR, "open_now"]),
    ("/fragments/locator", {"q": "84020"}, LOCATOR),
    ("/api/clinics/draper/slots", {"service": "info-call"}, ["service", "start", "end"]),
    ("/calendars/draper/availability.ics", {}, ["service", "format"]),
    ("/fragments/availability", {"clinic": "draper", "service": "info-call"}, AVAILABILITY),
    ("/fragments/booking", {"clinic": "draper", "service": "info-call"}, ["clinic", "service"]),
    ("/embed/clinics", {}, ["x"]),
    ("/embed/locator", {"q": "84020"}, LOCATOR),
    ("/embed/availability", {"clinic": "draper", "service": "info-call"}, AVAILABILITY),
    ("/embed/crisis-banner", {}, CRISIS),
]
PATHS = [
    "/api/clinics/{}/slots?service=info-call",
    "/calendars/{}/availability.ics",
    "/embed/{}",
    "/bookings/{}",
    "/api/bookings/{}",
    "/calendars/bookings/{}",
    "/calendars/staff/{}",
    "/static/{}",
]
HEADERS = ["X-Request-ID", "Origin", "Sec-Fetch-Dest", "Idempotency-Key"]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient[Litestar]]:
    folder: Path = tmp_path_factory.mktemp("hostile")
    settings = Settings(
        data_dir=str(folder),
        secret_key="h" * 40,
        staff_feed_token="t" * 40,
        rate_limit_store="off",  # hundreds of requests from one client, on purpose
    )
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.mark.parametrize(("path", "valid", "names"), GETS, ids=[g[0] for g in GETS])
def test_every_query_parameter(
    client: TestClient[Litestar], path: str, valid: dict[str, str], names: list[str]
) -> None:
    if path == "/fragments/booking":  # the form needs an open slot; start is hostile below
        valid = {**valid, "start": upcoming_slots("draper", 1)[0].isoformat()}
        names = [*names, "start"]
    for name in names:
        for payload in PAYLOADS:
            for value in (payload, f"{valid.get(name, 'x')} {payload}"):
                response = client.get(path, params={**valid, name: value})
                assert_safe(response, f"{path}?{name}={value!r}")


@pytest.mark.parametrize("template", PATHS)
def test_every_path_parameter(client: TestClient[Litestar], template: str) -> None:
    for payload in PAYLOADS:
        for value in (payload, f"{payload}.ics"):
            url = template.format(quote(value, safe=""))
            assert_safe(client.get(url), url)


@pytest.mark.parametrize("header", HEADERS)
def test_every_header_we_read(client: TestClient[Litestar], header: str) -> None:
    start = upcoming_slots("draper", 1)[0].isoformat()
    for payload in PAYLOADS:
        hostile = {header: payload.encode("utf-8")}
        for method, url, extra in [
            ("GET", "/", {}),
            ("GET", "/fragments/locator?q=84020", {}),
            ("GET", "/fragments/availability?clinic=draper&service=info-call", {}),
            ("GET", "/embed/crisis-banner", {}),
            ("GET", "/api/locate?q=84020", {}),
            # an incomplete booking: the header is read, nothing is stored
            ("POST", "/api/bookings", {"json": {"clinic_id": "draper", "start": start}}),
            ("POST", "/fragments/booking", {"data": {"clinic_id": "draper", "start": start}}),
        ]:
            response = client.request(method, url, headers=hostile, **extra)
            assert_safe(response, f"{method} {url} {header}: {payload!r}")
            if header == "X-Request-ID":  # a malformed id is replaced, never echoed
                assert response.headers["x-request-id"] != payload
