"""The protocols ``serve`` can run: a total deadline for request headers, and nothing else cut.

``KatHttpToolsProtocol`` is what ``serve`` runs (#14); ``KatH11Protocol`` stays for hosts
without httptools. Both are driven over a real socket, with a deadline of one second.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest

from kat_widgets.web.http_protocol import KatH11Protocol, KatHttpToolsProtocol
from tests.servers import UvicornThread


class QuickH11(KatH11Protocol):
    header_deadline = 1.0


class QuickHttpTools(KatHttpToolsProtocol):
    header_deadline = 1.0


async def slow_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Answers after 1.5 s: longer than the deadline, which must not cut an answer."""
    if scope["type"] != "http":
        return
    await asyncio.sleep(1.5)
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


@pytest.fixture(params=[QuickHttpTools, QuickH11], ids=["httptools", "h11"])
def server(request: pytest.FixtureRequest) -> Iterator[UvicornThread]:
    with UvicornThread(
        slow_app, name=f"uvicorn ({request.param.__name__})", http=request.param
    ) as running:
        yield running


def _read_all(conn: socket.socket, within: float) -> bytes:
    conn.settimeout(within)
    chunks = []
    try:
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    except TimeoutError:
        pass
    return b"".join(chunks)


def test_headers_sent_a_line_at_a_time_get_a_408(server: UvicornThread) -> None:
    with socket.create_connection(("127.0.0.1", server.port)) as conn:
        conn.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        sent = 0
        conn.settimeout(0.3)
        answer = b""
        for n in range(100):  # a line every 0.3 s: 30 s in all, if nothing cut it
            try:
                conn.sendall(b"X-Slow-%d: 1\r\n" % n)
                sent += 1
                answer = conn.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                break
            if answer:
                break
        answer += _read_all(conn, 5)
    assert answer.startswith(b"HTTP/1.1 408"), (answer, server.log())
    assert sent < 100


def test_an_answer_longer_than_the_deadline_and_a_pipelined_request_are_not_cut(
    server: UvicornThread,
) -> None:
    two = b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n"
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", server.port)) as conn:
        conn.sendall(two)
        answers = b""
        deadline = time.monotonic() + 60
        while answers.count(b"HTTP/1.1 200") < 2 and time.monotonic() < deadline:
            conn.settimeout(max(0.1, deadline - time.monotonic()))
            chunk = conn.recv(65536)
            if not chunk:
                break
            answers += chunk
    assert answers.count(b"HTTP/1.1 200") == 2, (answers, server.log())
    assert b"408" not in answers
    assert time.monotonic() - started >= 3.0  # each answer took its 1.5 s
