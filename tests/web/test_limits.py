"""Oversized bodies and slow clients are cut off with a 4xx, never a 500 or a hang."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from litestar import Litestar, post
from litestar.params import JSONBody
from litestar.testing import TestClient

from kat_widgets.web.app import MAX_BODY_BYTES
from kat_widgets.web.gate import BodyLimits, request_gate
from tests.asgi import http_scope


@post("/echo", sync_to_thread=False)
def echo(data: JSONBody[dict[str, Any]]) -> dict[str, Any]:
    return data


def guarded() -> Litestar:
    return Litestar(
        [echo],
        middleware=[request_gate(body=BodyLimits(timeout=0.2, max_bytes=MAX_BODY_BYTES))],
        request_max_body_size=MAX_BODY_BYTES,
    )


def test_oversized_body_is_413() -> None:
    with TestClient(guarded()) as client:
        response = client.post("/echo", json={"note": "x" * (MAX_BODY_BYTES + 10)})
    assert response.status_code == 413


def test_normal_body_passes() -> None:
    with TestClient(guarded()) as client:
        assert client.post("/echo", json={"note": "hello"}).json() == {"note": "hello"}


def test_slow_body_is_408() -> None:
    app = guarded()
    sent: list[dict[str, Any]] = []

    async def scenario() -> None:
        async def slow_receive() -> dict[str, Any]:
            await asyncio.sleep(5)
            return {"type": "http.request", "body": b"{}", "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        scope = http_scope("POST", "/echo", [(b"content-type", b"application/json")])
        await app(scope, slow_receive, send)  # type: ignore[arg-type]

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, scenario()).result(timeout=4)
    assert sent[0]["status"] == 408
