"""Interop helpers: parse .ics with ical.js under node, run a Radicale CalDAV server."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
DUMP = Path(__file__).resolve().parent / "ical_dump.mjs"


def ical_js(data: bytes, tmp_path: Path) -> dict[str, Any]:
    """What ical.js reads from ``data`` (see ical_dump.mjs)."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    if not (ROOT / "node_modules" / "ical.js").exists():
        pytest.skip("ical.js not installed: run `npm ci` in the repository root")
    path = tmp_path / f"in-{time.monotonic_ns()}.ics"
    path.write_bytes(data)
    done = subprocess.run(
        [node, str(DUMP), str(ROOT), str(path)], capture_output=True, check=False, timeout=60
    )
    assert done.returncode == 0, done.stderr.decode()
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def radicale(tmp_path: Path) -> Iterator[str]:
    """A Radicale server on 127.0.0.1 with temporary storage; any user/password logs in."""
    pytest.importorskip("radicale", reason="pip install radicale (in the [test] extra)")
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "radicale",
            "--server-hosts",
            f"127.0.0.1:{port}",
            "--storage-filesystem-folder",
            str(tmp_path / "collections"),
            "--auth-type",
            "none",
            "--rights-type",
            "owner_only",
            "--logging-level",
            "warning",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("radicale did not start") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
