"""``kat-widgets serve`` with the embedded queue: one delivery process beside the web workers,
restarted when it dies, gone when serve is gone."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.booking.booking_support import Server, booking_body, sqlite_url, upcoming_slots
from tests.notifications import peers
from tests.notifications.workers import wait_until

DEADLINE_S = 120


def _children(pid: int) -> dict[int, str]:
    """Processes whose parent is ``pid``: their command lines."""
    found: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(stat.rpartition(")")[2].split()[1]) == pid:
            found[int(entry.name)] = command
    return found


def _delivery_pids(serve_pid: int) -> list[int]:
    return [pid for pid, line in _children(serve_pid).items() if " worker " in line + " "]


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")


@pytest.mark.slow
def test_serve_delivers_from_one_process_that_is_restarted_when_killed(
    tmp_path: Path, smtp: tuple[Any, peers.SmtpHandler]
) -> None:
    log_file = tmp_path / "server.log"
    server = Server(tmp_path, sqlite_url(tmp_path), workers=2, log_file=log_file)
    server.env.update(
        KAT_SMTP_URL=f"smtp://127.0.0.1:{smtp[0].port}", KAT_MAIL_FROM="bookings@clinic.example"
    )
    starts = upcoming_slots("murray", 2)
    logs = [log_file]
    with server:
        assert server.process is not None
        serve_pid = server.process.pid
        wait_until(
            lambda: len(_delivery_pids(serve_pid)) == 1,
            seconds=DEADLINE_S,
            what="the delivery process",
            logs=logs,
        )
        first = _delivery_pids(serve_pid)[0]
        body = booking_body("murray", starts[0])
        assert httpx.post(f"{server.url}/api/bookings", json=body, timeout=30).status_code == 201
        wait_until(
            lambda: len(smtp[1].received) == 1,
            seconds=DEADLINE_S,
            what="the confirmation",
            logs=logs,
        )

        os.kill(first, signal.SIGKILL)  # the delivery process dies mid-run
        wait_until(
            lambda: _delivery_pids(serve_pid) not in ([], [first]),
            seconds=DEADLINE_S,
            what="a new delivery process",
            logs=logs,
        )
        body = booking_body("murray", starts[1])
        assert httpx.post(f"{server.url}/api/bookings", json=body, timeout=30).status_code == 201
        wait_until(
            lambda: len(smtp[1].received) == 2,
            seconds=DEADLINE_S,
            what="the second confirmation",
            logs=logs,
        )
        assert len(_delivery_pids(serve_pid)) == 1
    logged = log_file.read_text(encoding="utf-8", errors="replace")
    assert "delivery process exited" in logged
    # the web workers only wrote the outbox: none of them delivered in process
    assert "delivering messages in process" not in logged


@pytest.mark.slow
def test_the_delivery_process_stops_when_serve_is_killed(
    tmp_path: Path, smtp: tuple[Any, peers.SmtpHandler]
) -> None:
    server = Server(tmp_path, sqlite_url(tmp_path), workers=1, log_file=tmp_path / "server.log")
    server.env.update(
        KAT_SMTP_URL=f"smtp://127.0.0.1:{smtp[0].port}", KAT_MAIL_FROM="bookings@clinic.example"
    )
    logs = [tmp_path / "server.log"]
    with server:
        assert server.process is not None
        serve_pid = server.process.pid
        wait_until(
            lambda: len(_delivery_pids(serve_pid)) == 1,
            seconds=DEADLINE_S,
            what="the delivery process",
            logs=logs,
        )
        child = _delivery_pids(serve_pid)[0]
        os.kill(serve_pid, signal.SIGKILL)  # serve alone, not its group
        server.process.wait()
        wait_until(
            lambda: not _alive(child),
            seconds=DEADLINE_S,
            what="the orphaned delivery process to stop",
            logs=logs,
        )
