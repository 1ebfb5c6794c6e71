"""Interop helpers: parse .ics with ical.js under node, run a Radicale CalDAV server."""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import json
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from kat_widgets import Settings, create_app
from kat_widgets.directory import Directory
from tests import jstools
from tests.servers import ServerProcess, deadline_s

from .file_kinds import FEED_TOKEN, SECRET, SENDER, around_the_clock

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


def caldav(
    url: str, method: str, body: bytes | None = None, *, depth: str | None = None
) -> tuple[int, bytes]:
    """One request to a Radicale started above (user ``kat``): status and body, error statuses
    included. A body is an iCalendar object, or the XML of a REPORT."""
    request = urllib.request.Request(url, data=body, method=method)
    request.add_header("Authorization", "Basic " + base64.b64encode(b"kat:any").decode())
    if body is not None:
        kind = "application/xml" if method == "REPORT" else "text/calendar; charset=utf-8"
        request.add_header("Content-Type", kind)
    if depth is not None:
        request.add_header("Depth", depth)
    try:
        # Radicale takes ~45 ms per event of a PUT calendar, far longer on a loaded machine
        with urllib.request.urlopen(request, timeout=deadline_s()) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


CALENDAR_QUERY = (
    b'<?xml version="1.0" encoding="utf-8"?>'
    b'<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
    b"<D:prop><D:getetag/><C:calendar-data/></D:prop>"
    b'<C:filter><C:comp-filter name="VCALENDAR"/></C:filter></C:calendar-query>'
)


def stored_objects(collection: str) -> dict[str, bytes]:
    """Every calendar object in a CalDAV collection, by href: a REPORT calendar-query
    (RFC 4791 §7.8) with no time range, as a client syncing the whole collection asks."""
    status, body = caldav(collection, "REPORT", CALENDAR_QUERY, depth="1")
    assert status == 207, (status, body[:500])
    found = {}
    for response in ET.fromstring(body).iter("{DAV:}response"):
        href = response.findtext("{DAV:}href")
        data = response.findtext(".//{urn:ietf:params:xml:ns:caldav}calendar-data")
        assert href is not None and data is not None, ET.tostring(response)
        found[href] = data.encode()
    return found


# -- the app of file_kinds.py: Draper open around the clock ---------------------------------


@pytest.fixture(scope="module")
def sweep_directory(directory: Directory) -> Directory:
    return around_the_clock(directory)


@pytest.fixture
def files_at(tmp_path: Path, sweep_directory: Directory) -> Iterator[Any]:
    """``files_at(now)``: a test client of the app at ``now`` (staff feed on, ``mail_from``
    set), over the around-the-clock directory."""
    clients: list[TestClient[Litestar]] = []

    def make(now: dt.datetime) -> TestClient[Litestar]:
        settings = Settings(
            data_dir=str(tmp_path / f"kat-{len(clients)}"),
            secret_key=SECRET,
            mail_from=SENDER,
            staff_feed_token=FEED_TOKEN,
        )
        client = TestClient(create_app(settings, directory=sweep_directory, clock=lambda: now))
        clients.append(client.__enter__())
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)
