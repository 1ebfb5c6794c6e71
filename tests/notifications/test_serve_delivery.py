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


def _serve_with_mail(tmp_path: Path, smtp_port: int, workers: int) -> Server:
    """``kat-widgets serve`` with email on (the embedded queue), logging to server.log."""
    log_file = tmp_path / "server.log"
    server = Server(tmp_path, sqlite_url(tmp_path), workers=workers, log_file=log_file)
    server.env.update(
        KAT_SMTP_URL=f"smtp://127.0.0.1:{smtp_port}", KAT_MAIL_FROM="bookings@clinic.example"
    )
    return server


def _the_delivery_process(server: Server, logs: list[Path]) -> tuple[int, int]:
    """(serve's pid, its one delivery process's pid), once that process is up."""
    assert server.process is not None
    serve_pid = server.process.pid
    wait_until(
        lambda: len(_delivery_pids(serve_pid)) == 1,
        seconds=DEADLINE_S,
        what="the delivery process",
        logs=logs,
    )
    return serve_pid, _delivery_pids(serve_pid)[0]


pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")


@pytest.mark.slow
def test_serve_delivers_from_one_process_that_is_restarted_when_killed(
    tmp_path: Path, smtp: tuple[Any, peers.SmtpHandler]
) -> None:
    server = _serve_with_mail(tmp_path, smtp[0].port, workers=2)
    log_file = tmp_path / "server.log"
    starts = upcoming_slots("murray", 2)
    logs = [log_file]

    def book_and_receive(count: int) -> None:
        """Book ``starts[count - 1]``; wait for the ``count``-th confirmation to arrive."""
        body = booking_body("murray", starts[count - 1])
        assert httpx.post(f"{server.url}/api/bookings", json=body, timeout=30).status_code == 201
        wait_until(
            lambda: len(smtp[1].received) == count,
            seconds=DEADLINE_S,
            what=f"confirmation {count}",
            logs=logs,
        )

    with server:
        serve_pid, first = _the_delivery_process(server, logs)
        book_and_receive(1)

        os.kill(first, signal.SIGKILL)  # the delivery process dies mid-run
        wait_until(
            lambda: _delivery_pids(serve_pid) not in ([], [first]),
            seconds=DEADLINE_S,
            what="a new delivery process",
            logs=logs,
        )
        book_and_receive(2)
        assert len(_delivery_pids(serve_pid)) == 1
    logged = log_file.read_text(encoding="utf-8", errors="replace")
    assert "delivery process exited" in logged
    # the web workers only wrote the outbox: none of them delivered in process
    assert "delivering messages in process" not in logged


@pytest.mark.slow
def test_the_delivery_process_stops_when_serve_is_killed(
    tmp_path: Path, smtp: tuple[Any, peers.SmtpHandler]
) -> None:
    server = _serve_with_mail(tmp_path, smtp[0].port, workers=1)
    logs = [tmp_path / "server.log"]
    with server:
        serve_pid, child = _the_delivery_process(server, logs)
        os.kill(serve_pid, signal.SIGKILL)  # serve alone, not its group
        assert server.process is not None
        server.process.wait()
        wait_until(
            lambda: not _alive(child),
            seconds=DEADLINE_S,
            what="the orphaned delivery process to stop",
            logs=logs,
        )
