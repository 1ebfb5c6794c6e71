"""The helper every server-starting test uses (tests/servers.py) reports what went wrong."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest

from tests.servers import (
    DEADLINE_ENV,
    NotReady,
    ServerProcess,
    dead_port,
    deadline_s,
    tcp_open,
    wait_until,
)


@pytest.mark.slow
def test_a_server_that_dies_fails_at_once_with_its_log(tmp_path: Path) -> None:
    server = ServerProcess(
        "doomed",
        lambda port: [sys.executable, "-c", f"print('cannot bind {port}: no luck'); exit(3)"],
        log_file=tmp_path / "doomed.log",
    )
    with pytest.raises(NotReady, match=r"doomed on port \d+ stopped") as failed:
        server.start()
    assert f"cannot bind {server.port}: no luck" in str(failed.value)
    assert "--- its log ---" in str(failed.value)


@pytest.mark.slow
def test_a_taken_port_is_retried_on_another(tmp_path: Path) -> None:
    tries = tmp_path / "tries"
    code = (
        "import pathlib, socket, sys\n"
        f"tries = pathlib.Path({str(tries)!r})\n"
        "tries.write_text(tries.read_text() + 'x' if tries.exists() else 'x')\n"
        "if len(tries.read_text()) == 1:\n"
        "    sys.exit('[Errno 98] Address already in use')\n"
        "s = socket.socket(); s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen()\n"
        "import time; time.sleep(600)\n"
    )
    command = [sys.executable, "-c", code]
    with ServerProcess("flaky", lambda port: [*command, str(port)], log_file=tmp_path / "f.log"):
        assert tries.read_text() == "xx"


@pytest.mark.slow
def test_a_server_that_never_answers_times_out_with_the_env_deadline(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(DEADLINE_ENV, "0.3")
    assert deadline_s() == 0.3
    server = ServerProcess(
        "silent",
        lambda port: [sys.executable, "-c", "print('thinking'); import time; time.sleep(600)"],
        log_file=tmp_path / "silent.log",
    )
    with pytest.raises(NotReady, match=f"not ready after 0 s \\(set {DEADLINE_ENV}"):
        server.start()
    assert not server.running()


def test_the_deadline_must_be_a_positive_number(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DEADLINE_ENV, raising=False)
    assert deadline_s() == 180
    for bad in ("soon", "0", "-5"):
        monkeypatch.setenv(DEADLINE_ENV, bad)
        with pytest.raises(ValueError, match=DEADLINE_ENV):
            deadline_s()


def test_wait_until_returns_once_ready() -> None:
    answers = iter([False, False, True])
    assert wait_until(lambda: next(answers), what="the third try") >= 0


def test_a_dead_port_refuses_connections() -> None:
    with dead_port() as port:
        assert not tcp_open(port)()
        with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port)):
            pass
