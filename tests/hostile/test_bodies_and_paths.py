"""Bodies and paths that used to reach a 500: deep JSON, a body too large, a long file name,
a client that leaves mid-body. Each answers a clear 4xx (or nothing, to nobody) and logs no
traceback."""

from __future__ import annotations

import asyncio
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from kat_widgets import Settings, create_app
from kat_widgets.web.json_depth import MAX_DEPTH, json_depth
from tests.asgi import http_scope

JSON_POSTS = [
    "/api/bookings",
    "/api/bookings/" + "t" * 43 + "/reschedule",
    "/api/bookings/" + "t" * 43 + "/cancel",
]


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def server_log() -> Any:
    """What the app logs (its loggers do not propagate to the root, so caplog misses them)."""
    handler = _Records()
    loggers = [logging.getLogger(name) for name in ("kat_widgets", "litestar")]
    for logger in loggers:
        logger.addHandler(handler)
    yield handler.records
    for logger in loggers:
        logger.removeHandler(handler)


@pytest.fixture
def quiet_client(tmp_path: Any) -> Any:
    settings = Settings(data_dir=str(tmp_path), secret_key="b" * 40, rate_limit_store="off")
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


def test_json_depth_ignores_brackets_in_strings() -> None:
    assert json_depth(b'{"note": "[[[[{{{{"}') == 1
    assert json_depth(b'{"a": [{"b": [1]}]}') == 4
    assert json_depth(b'{"note": "say \\"[[[\\" twice"}') == 1


@pytest.mark.parametrize("path", JSON_POSTS)
@pytest.mark.parametrize("content_type", ["application/json", "text/plain", None])
def test_deeply_nested_json_is_a_4xx_not_a_recursion_error(
    quiet_client: Any, server_log: list[logging.LogRecord], path: str, content_type: str | None
) -> None:
    body = "[" * 20_000 + "]" * 20_000  # 40 KB: under the size limit
    headers = {"content-type": content_type} if content_type else {}
    response = quiet_client.post(path, content=body, headers=headers)
    assert response.status_code in (400, 422), response.text
    assert "nested too deeply" in response.json()["detail"]
    assert not [r for r in server_log if r.levelno >= logging.ERROR]


def test_json_at_the_depth_limit_still_decodes(quiet_client: Any) -> None:
    body = '{"clinic_id": ' + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "}"
    response = quiet_client.post("/api/bookings", content=body)
    assert response.status_code == 422
    assert "nested" not in response.json()["detail"]  # refused for its shape, by the decoder


@pytest.mark.parametrize("path", JSON_POSTS[:2])
def test_a_megabyte_of_json_is_413(quiet_client: Any, path: str) -> None:
    body = b'{"name": "' + b"x" * (1 << 20) + b'"}'
    response = quiet_client.post(path, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_a_long_static_file_name_is_404_and_not_logged(
    quiet_client: Any, server_log: list[logging.LogRecord]
) -> None:
    name = "a" * 300
    response = quiet_client.get(f"/static/{name}")
    assert response.status_code == 404
    assert name not in response.text
    assert not any(name in record.getMessage() for record in server_log)
    assert not [r for r in server_log if r.levelno >= logging.ERROR]
    assert quiet_client.get("/static/widgets.css").status_code == 200


def test_a_client_that_leaves_mid_body_is_not_an_unhandled_error(
    tmp_path: Any, server_log: list[logging.LogRecord]
) -> None:
    settings = Settings(data_dir=str(tmp_path), secret_key="b" * 40, rate_limit_store="off")
    app: Litestar = create_app(settings)
    sent: list[dict[str, Any]] = []
    messages = [
        {"type": "http.request", "body": b'{"clinic_id": "dra', "more_body": True},
        {"type": "http.disconnect"},
    ]

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = http_scope("POST", "/api/bookings", [(b"content-type", b"application/json")])

    async def run() -> None:
        async with asyncio.timeout(30):
            await app(scope, receive, send)  # type: ignore[arg-type]

    # a thread of its own: the browser tests' Playwright loop may be running in this one
    ran_in: list[int] = []

    def in_thread() -> None:
        ran_in.append(threading.get_ident())
        asyncio.run(run())

    with ThreadPoolExecutor(1) as pool:
        pool.submit(in_thread).result()
    # this request's records (other tests' apps may still log from their own threads)
    mine = [r for r in server_log if r.thread == ran_in[0]]
    errors = [r for r in mine if r.levelno >= logging.ERROR]
    assert errors == [], [r.getMessage() for r in errors]
    assert not any(r.exc_info for r in mine)
