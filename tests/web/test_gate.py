"""The request gate: every check our routes need, as one layer, each still doing its part."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from kat_widgets import Settings
from kat_widgets.web.app import kat_routes
from kat_widgets.web.gate import BodyLimits, RequestGate
from kat_widgets.web.json_depth import JsonTooDeep
from kat_widgets.web.security import OriginPolicy
from tests.asgi import http_scope
from tests.web.test_observability import Capture


def _run(call: Coroutine[Any, Any, None]) -> None:
    """``asyncio.run`` in a thread of its own: a test of this worker may own this thread's loop."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, call).result(timeout=60)


def test_our_router_has_one_middleware_layer(tmp_path: Path) -> None:
    settings = Settings(data_dir=str(tmp_path), secret_key="g" * 40, rate_limit_store="memory")
    router = kat_routes(settings).router
    assert len(router.middleware) == 1  # five layers cost ~12 us a request (#14)


def test_a_refused_post_carries_its_id_and_headers_and_is_logged(tmp_path: Path) -> None:
    settings = Settings(data_dir=str(tmp_path), secret_key="g" * 40)
    routes = kat_routes(settings)
    logger = logging.getLogger("kat_widgets.requests")
    lines = Capture()
    logger.addHandler(lines)
    try:
        with TestClient(Litestar([routes.router])) as client:
            refused = client.post(
                "/api/bookings", json={}, headers={"Origin": "https://evil.example"}
            )
    finally:
        logger.removeHandler(lines)
    assert refused.status_code == 403
    assert refused.headers["x-content-type-options"] == "nosniff"
    [line] = lines.lines
    assert line["status"] == 403
    assert line["request_id"] == refused.headers["x-request-id"]
    assert line["method"] == "POST"


def test_a_client_that_leaves_mid_body_reaches_no_route() -> None:
    called: list[str] = []
    sent: list[dict[str, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        called.append(scope["path"])

    gate = RequestGate(app, policy=OriginPolicy(), body=BodyLimits(), log=False)
    messages = iter(
        [
            {"type": "http.request", "body": b'{"a": ', "more_body": True},
            {"type": "http.disconnect"},
        ]
    )

    async def receive() -> dict[str, Any]:
        return next(messages)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = http_scope("POST", "/echo", [(b"content-type", b"application/json")])
    _run(gate(scope, receive, send))  # type: ignore[arg-type]
    assert called == [] and sent == []


def test_a_body_nested_too_deeply_is_refused_before_the_route() -> None:
    called: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        called.append(scope["path"])

    gate = RequestGate(app, body=BodyLimits(max_depth=3), log=False)
    bodies = iter([{"type": "http.request", "body": b"[[[[1]]]]", "more_body": False}])

    async def receive() -> dict[str, Any]:
        return next(bodies)

    async def send(message: dict[str, Any]) -> None:
        raise AssertionError("the refusal is raised, for the router's error handlers")

    scope = http_scope("POST", "/echo", [(b"content-type", b"application/json")])
    with pytest.raises(JsonTooDeep) as refused:
        _run(gate(scope, receive, send))  # type: ignore[arg-type]
    assert refused.value.status_code == 400
    assert called == []
