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

APP = create_app(Settings(data_dir=tempfile.mkdtemp(prefix="kat-fuzz-"), secret_key="f" * 40))
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
    case.call_and_validate()
