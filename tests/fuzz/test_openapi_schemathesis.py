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

APP = create_app(
    Settings(
        data_dir=tempfile.mkdtemp(prefix="kat-fuzz-"),
        secret_key="f" * 40,
        rate_limit_store="off",  # one client sends every example; 429 is documented anyway
    )
)
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
