"""A plain ASGI HTTP scope, for tests that drive an app with their own receive and send."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def http_scope(
    method: str, path: str, headers: Sequence[tuple[bytes, bytes]] = ()
) -> dict[str, Any]:
    """What a server hands the app for one HTTP/1.1 request from 127.0.0.1."""
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1"), *headers],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
