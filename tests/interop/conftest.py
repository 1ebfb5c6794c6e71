"""Interop helpers: parse .ics with ical.js under node, run a Radicale CalDAV server."""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from tests import jstools
from tests.servers import ServerProcess

ROOT = Path(__file__).resolve().parents[2]
DUMP = Path(__file__).resolve().parent / "ical_dump.mjs"


def ical_js(data: bytes, tmp_path: Path) -> dict[str, Any]:
    """What ical.js reads from ``data`` (see ical_dump.mjs)."""
    jstools.require("node", "ical.js")
    node = shutil.which("node")
    assert node is not None
    path = tmp_path / f"in-{time.monotonic_ns()}.ics"
    path.write_bytes(data)
    done = subprocess.run(
        [node, str(DUMP), str(ROOT), str(path)], capture_output=True, check=False, timeout=60
    )
    assert done.returncode == 0, done.stderr.decode()
    result: dict[str, Any] = json.loads(done.stdout)
    return result


@contextlib.contextmanager
def radicale_server(folder: Path, *, users: Mapping[str, str] | None = None) -> Iterator[str]:
    """A Radicale server on 127.0.0.1 storing in ``folder``; yields its URL. Without ``users``
    any user/password logs in; with them, only those (plain htpasswd). Each user reads and
    writes under ``/<user>/`` only."""
    pytest.importorskip("radicale", reason="pip install radicale (in the [test] extra)")
    auth = ["--auth-type", "none"]
    if users is not None:
        htpasswd = folder / "htpasswd"
        htpasswd.write_text("".join(f"{u}:{p}\n" for u, p in users.items()), encoding="utf-8")
        auth = [
            *("--auth-type", "htpasswd", "--auth-htpasswd-filename", str(htpasswd)),
            *("--auth-htpasswd-encryption", "plain"),
        ]

    def command(port: int) -> list[str]:
        return [
            *(sys.executable, "-m", "radicale", "--server-hosts", f"127.0.0.1:{port}"),
            *("--storage-filesystem-folder", str(folder / "collections"), *auth),
            *("--rights-type", "owner_only", "--logging-level", "warning"),
        ]

    with ServerProcess("radicale", command, log_file=folder / "radicale.log") as server:
        yield server.url


@pytest.fixture
def radicale(tmp_path: Path) -> Iterator[str]:
    """A Radicale server on 127.0.0.1 with temporary storage; any user/password logs in."""
    with radicale_server(tmp_path) as url:
        yield url
