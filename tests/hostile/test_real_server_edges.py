"""Through a real ``kat-widgets serve``: spoofed proxies, slow clients, a busy port, many workers.

These faults live in the server (uvicorn and the protocol we give it), so only a real server
shows them: the rate limit must hold against forged ``X-Forwarded-For``, the header and body
deadlines must close slowloris connections, and ``serve --workers 4`` on a loaded machine must
bring every worker up without killing any.
"""

from __future__ import annotations

import multiprocessing
import re
import select
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.booking.booking_support import Server, fresh_postgres, sqlite_url
from tests.servers import deadline_s, wait_until

pytestmark = pytest.mark.slow


def _limited(tmp_path: Path, **env: str) -> Server:
    return Server(
        tmp_path, sqlite_url(tmp_path), workers=1, env={"KAT_RATE_LIMIT_STORE": "memory", **env}
    )


def _spoofed_posts(url: str, count: int) -> list[int]:
    with httpx.Client(base_url=url, timeout=30) as client:
        return [
            client.post(
                "/api/bookings", json={}, headers={"X-Forwarded-For": f"203.0.113.{n}"}
            ).status_code
            for n in range(count)
        ]


def test_forged_forwarded_for_does_not_escape_the_rate_limit(tmp_path: Path) -> None:
    with _limited(tmp_path) as server:
        statuses = _spoofed_posts(server.url, 15)
    # all from one real peer: its budget of 10, whatever address each request claims
    assert statuses[:10] == [422] * 10, server.log()
    assert set(statuses[10:]) == {429}


def test_a_named_proxy_is_believed(tmp_path: Path) -> None:
    with _limited(tmp_path, KAT_FORWARDED_ALLOW_IPS="127.0.0.1") as server:
        statuses = _spoofed_posts(server.url, 15)
    assert statuses == [422] * 15  # fifteen visitors behind our own proxy, each in budget


def _read_until_closed(conn: socket.socket, limit_s: float) -> bytes:
    conn.settimeout(limit_s)
    received = b""
    try:
        while chunk := conn.recv(4096):
            received += chunk
    except (TimeoutError, ConnectionResetError):
        pass
    return received


def _trickle(conn: socket.socket, parts: list[bytes], every_s: float) -> int:
    """Send ``parts`` one every ``every_s``; return how many went out before the server spoke."""
    sent = 0
    for part in parts:
        try:
            conn.sendall(part)
        except OSError:  # closed under us
            break
        sent += 1
        readable, _, _ = select.select([conn], [], [], every_s)
        if readable:  # an answer (408) or the close
            break
    return sent


def _closed(conn: socket.socket) -> bool:
    """True once the server has closed ``conn`` (whatever it wrote first is read and dropped)."""
    conn.setblocking(False)
    try:
        while conn.recv(65536):
            pass
    except BlockingIOError:
        return False  # still open, nothing more to read
    except OSError:
        return True
    return True


def test_slow_headers_are_closed_by_the_header_deadline(tmp_path: Path) -> None:
    lines = [b"GET /healthz HTTP/1.1\r\n"] + [b"X-Slow-%d: 1\r\n" % n for n in range(200)]
    with _limited(tmp_path) as server, socket.create_connection(("127.0.0.1", server.port)) as conn:
        sent = _trickle(conn, lines, every_s=0.5)
        answer = _read_until_closed(conn, deadline_s())
    assert answer.startswith(b"HTTP/1.1 408"), answer
    # about HEADER_DEADLINE / 0.5 lines went out, never all 201 (100 s of trickling)
    assert sent < len(lines), sent


def test_a_slow_body_is_closed_by_the_body_deadline(tmp_path: Path) -> None:
    head = (
        b"POST /api/bookings HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/json\r\nContent-Length: 400\r\n\r\n"
    )
    with _limited(tmp_path) as server, socket.create_connection(("127.0.0.1", server.port)) as conn:
        conn.sendall(head)
        # a byte every 2 s: never a 10 s gap, 800 s for the whole body
        sent = _trickle(conn, [b" "] * 400, every_s=2.0)
        answer = _read_until_closed(conn, deadline_s())
    assert b" 408 " in answer.split(b"\r\n", 1)[0], answer
    assert sent < 400, sent


def test_many_unfinished_requests_are_all_closed_and_others_are_served(tmp_path: Path) -> None:
    with _limited(tmp_path) as server:
        hanging = []
        try:
            for _ in range(300):
                conn = socket.create_connection(("127.0.0.1", server.port))
                conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # never finished
                hanging.append(conn)
            assert httpx.get(f"{server.url}/healthz", timeout=60).status_code == 200
            wait_until(
                lambda: all(_closed(conn) for conn in hanging),
                what="the server closing 300 unfinished requests",
                log=server.log,
            )
        finally:
            for conn in hanging:
                conn.close()


def test_serve_on_a_busy_port_says_so_at_once(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "kat_widgets", "serve", "--port", str(port)],
            cwd=tmp_path,
            env={"KAT_DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            timeout=deadline_s(),
            check=False,
        )
    assert done.returncode == 1
    assert f"127.0.0.1:{port} is already in use" in done.stderr
    assert "Traceback" not in done.stderr


def _burn(stop_at: float) -> None:
    while time.monotonic() < stop_at:
        pass


@pytest.fixture
def loaded_machine() -> Iterator[Callable[[], None]]:
    """Both cores busy (plus whatever else runs) until the test calls the stop it is given.

    The test stops them as soon as what it watches is over (the workers' start), so that the
    tests running beside it under xdist are slowed for seconds, not minutes.
    """
    stop_at = time.monotonic() + deadline_s() + 120
    burners = [multiprocessing.Process(target=_burn, args=(stop_at,)) for _ in range(2)]
    for burner in burners:
        burner.start()

    def stop() -> None:
        for burner in burners:
            burner.terminate()
            burner.join()

    yield stop
    stop()


@pytest.mark.postgres
def test_four_workers_on_postgresql_all_come_up_on_a_loaded_machine(
    tmp_path: Path, postgres_url: str, loaded_machine: Callable[[], None]
) -> None:
    """uvicorn's own health check, at its default of 5 s, pings every worker every half second
    from its first instant: on a machine kept busy, none may miss it (a miss is a restart)."""
    log_file = tmp_path / "serve.log"
    with fresh_postgres(postgres_url) as database_url:
        server = Server(
            tmp_path,
            database_url,
            workers=4,
            log_file=log_file,
            level="info",
            options=("--timeout-worker-healthcheck", "5"),
        )
        with server:

            def four_started() -> bool:
                return server.log().count("Application startup complete") >= 4

            wait_until(four_started, what="four workers started", log=server.log)
            # each worker warms its locator in the background: that is when health checks
            # used to time out; ask enough searches that every worker has answered some
            with httpx.Client(base_url=server.url, timeout=deadline_s()) as client:
                for _ in range(40):
                    assert client.get("/api/locate", params={"q": "84020"}).status_code == 200
                    assert client.get("/healthz").status_code == 200
            loaded_machine()  # the start is over: let the tests beside this one run
            text = log_file.read_text(errors="replace")  # before the stop's own lines
    pids = set(re.findall(r"Started server process \[(\d+)\]", text))
    assert len(pids) == 4, text[-4000:]
    for restart in ("died", "Terminated child", "Child process"):
        assert restart not in text, text[-4000:]
