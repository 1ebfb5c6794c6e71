"""Property tests for what the OpenAPI schema does not cover: the HTML form routes, and every
time a client can send, over the whole range (year 1 to 9999, any offset, date-only, garbage).

Each answer may refuse (4xx with a message; a page where a person navigates) but is never a
5xx. Schemathesis covers the JSON operations (``test_openapi_schemathesis.py``); these are the
routes it cannot see (``include_in_schema=False``) and the time parameters of all of them.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.testing import TestClient

from kat_widgets import Settings, create_app
from tests.booking.booking_support import booking_body, upcoming_slots
from tests.sizes import sized

NAVIGATE = {"Sec-Fetch-Dest": "document", "Sec-Fetch-Mode": "navigate"}
FORM = {"content-type": "application/x-www-form-urlencoded"}
EXAMPLES = sized(60, 400)

_OFFSETS = st.sampled_from(["Z", "+00:00", "-07:00", "-06:00", "+14:00", "-12:00", ""])
_MOMENTS = st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31, 23, 59))
_NEAR = st.datetimes(
    min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2028, 12, 31)
)  # where slots exist: DST changes included
TIMES = st.one_of(
    st.builds(lambda m, o: m.isoformat() + o, st.one_of(_MOMENTS, _NEAR), _OFFSETS),
    st.builds(lambda m: m.date().isoformat(), _MOMENTS),
    st.sampled_from(["", "now", "9999-12-31T23:59:59+14:00", "0001-01-01T00:00:00-12:00"]),
    st.sampled_from(["2026-03-08T02:30:00", "2026-11-01T01:30:00", "2026-13-01", "24:00"]),
    st.text(max_size=30),
)


@pytest.fixture(scope="module")
def client() -> Any:
    app = create_app(
        Settings(
            data_dir=tempfile.mkdtemp(prefix="kat-forms-"),
            secret_key="q" * 40,
            rate_limit_store="off",  # thousands of examples from one client, on purpose
        )
    )
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def token(client: TestClient[Any]) -> str:
    start = upcoming_slots("layton", 1)[0]
    answer = client.post("/api/bookings", json=booking_body("layton", start))
    assert answer.status_code == 201, answer.text
    return str(answer.json()["manage_url"]).rsplit("/", 1)[1]


def _no_server_error(response: Any, navigated: bool) -> None:
    assert response.status_code < 500, (response.status_code, response.text[:300])
    if navigated and response.status_code >= 400:
        assert response.headers["content-type"].startswith("text/html"), response.text[:200]


_settings = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    derandomize=True,
)


@_settings
@given(start=TIMES, end=TIMES, navigated=st.booleans())
def test_time_parameters_of_every_get(
    client: TestClient[Any], start: str, end: str, navigated: bool
) -> None:
    headers = NAVIGATE if navigated else {}
    for path, params in (
        ("/api/clinics/draper/slots", {"service": "info-call", "start": start, "end": end}),
        ("/calendars/draper/availability.ics", {"service": "info-call", "start": start}),
        ("/fragments/availability", {"clinic": "draper", "service": "info-call", "start": start}),
        ("/fragments/booking", {"clinic": "draper", "service": "info-call", "start": start}),
    ):
        _no_server_error(client.get(path, params=params, headers=headers), navigated)


@_settings
@given(
    start=TIMES,
    name=st.text(max_size=60),
    email=st.one_of(st.just("robin@example.com"), st.text(max_size=40)),
    consent=st.sampled_from(["on", "", "yes", "0"]),
    navigated=st.booleans(),
)
def test_the_plain_booking_form(
    client: TestClient[Any], start: str, name: str, email: str, consent: str, navigated: bool
) -> None:
    form = {
        "clinic_id": "draper",
        "service": "info-call",
        "start": start,
        "name": name,
        "email": email,
        "consent": consent,
    }
    headers = {**FORM, **(NAVIGATE if navigated else {})}
    response = client.post("/fragments/booking", data=form, headers=headers)
    _no_server_error(response, navigated)


@_settings
@given(start=TIMES, sequence=st.one_of(st.none(), st.text(max_size=12)), navigated=st.booleans())
def test_the_manage_page_forms(
    client: TestClient[Any], token: str, start: str, sequence: str | None, navigated: bool
) -> None:
    headers = {**FORM, **(NAVIGATE if navigated else {})}
    form = {"start": start, **({"sequence": sequence} if sequence is not None else {})}
    moved = client.post(f"/bookings/{token}/reschedule", data=form, headers=headers)
    _no_server_error(moved, navigated)
    as_json = client.post(f"/api/bookings/{token}/reschedule", json={"start": start})
    _no_server_error(as_json, False)
    # cancelling with garbage must not cancel: only a real form does that, and only once
    wrong = client.post(f"/bookings/{'x' * 43}/cancel", data=form, headers=headers)
    _no_server_error(wrong, navigated)
    assert wrong.status_code in (404, 429)
