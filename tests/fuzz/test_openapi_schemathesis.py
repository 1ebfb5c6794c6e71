"""Schemathesis against our own OpenAPI schema: no server errors, answers match the schema.

Bounded examples per operation; the seed is printed by Hypothesis on failure (and fixed with
KAT_FUZZ_SEED to replay a run).
"""

from __future__ import annotations

import os
import tempfile

import pytest
from hypothesis import HealthCheck, settings

from kat_widgets import Settings, create_app

schemathesis = pytest.importorskip("schemathesis", reason="pip install schemathesis")
from schemathesis.checks import (  # noqa: E402
    allow_header_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    unsupported_method,
)

APP_SETTINGS = Settings(
    data_dir=tempfile.mkdtemp(prefix="kat-fuzz-"),
    secret_key="f" * 40,
    rate_limit_store="off",  # one client sends every example; 429 is documented anyway
)
APP = create_app(APP_SETTINGS)
schema = schemathesis.openapi.from_asgi("/schema/openapi.json", APP)
MAX_EXAMPLES = int(os.environ.get("KAT_FUZZ_EXAMPLES", "40"))


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    derandomize="KAT_FUZZ_SEED" not in os.environ,
)
def test_api_conforms_to_its_schema(case: schemathesis.Case) -> None:
    # Every check on our answers (no 5xx, documented status codes, content types, headers and
    # bodies), not the two on how strict we are: our 422s enforce rules a schema cannot say
    # (lat needs lon, a ZIP must exist), and HTML forms get leniency (spaces, empty fields).
    # Nor the two on OPTIONS: every route answers it on purpose (CORS preflight), and
    # Litestar's automatic answer lists one handler's methods in Allow.
    case.call_and_validate(
        excluded_checks=[
            positive_data_acceptance,
            negative_data_rejection,
            unsupported_method,
            allow_header_conformance,
        ]
    )


def _staff_key() -> str:
    """A key for every clinic and scope, in the fuzzed app's own database."""
    from kat_widgets.booking.staff import StaffService
    from kat_widgets.booking.staff_keys import SCOPES
    from kat_widgets.services import build_services

    services = build_services(APP_SETTINGS)
    try:
        assert services.bookings is not None
        services.prepare_database()
        return StaffService(services.bookings).create_key(("*",), SCOPES)[1]
    finally:
        services.dispose()


STAFF_KEY = _staff_key()


@schema.include(path_regex="^/api/staff/").parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    derandomize="KAT_FUZZ_SEED" not in os.environ,
)
def test_the_staff_api_with_a_valid_key(case: schemathesis.Case) -> None:
    """With a key that may do everything, past the 401: the actions themselves, 0 server
    errors, every answer as documented."""
    case.call_and_validate(
        headers={"Authorization": f"Bearer {STAFF_KEY}"},
        excluded_checks=[
            positive_data_acceptance,
            negative_data_rejection,
            unsupported_method,
            allow_header_conformance,
        ],
    )
