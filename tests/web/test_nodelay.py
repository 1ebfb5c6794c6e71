"""``kat-widgets serve`` turns Nagle's algorithm off on every connection, also with workers."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from uvicorn.protocols.http.h11_impl import H11Protocol

from kat_widgets.cli import main
from kat_widgets.web.nodelay import NoDelayH11Protocol


class _Transport:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock

    def get_extra_info(self, name: str) -> Any:
        return self.sock if name == "socket" else None


@pytest.fixture
def accepted() -> Iterator[socket.socket]:
    # bound like uvicorn binds for several workers: protocol number 0, which asyncio skips
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        with socket.create_connection(listener.getsockname()):
            conn, _ = listener.accept()
            with conn:
                yield conn


def test_the_protocol_sets_tcp_nodelay(
    accepted: socket.socket, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(H11Protocol, "connection_made", lambda self, transport: None)
    assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0
    protocol = NoDelayH11Protocol.__new__(NoDelayH11Protocol)
    protocol.connection_made(_Transport(accepted))  # type: ignore[arg-type]
    assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0


def test_serve_runs_uvicorn_with_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    import uvicorn

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: seen.update(options))
    monkeypatch.setenv("KAT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KAT_SECRET_KEY", "n" * 40)
    monkeypatch.setenv("KAT_WORKERS", "1")  # serve sets it for its workers; restored after
    assert main(["serve", "--workers", "2", "--port", "0"]) == 0
    assert seen["http"] == "kat_widgets.web.http_protocol:KatHttpToolsProtocol"
    assert seen["timeout_worker_healthcheck"] == 60
    assert seen["proxy_headers"] is False  # X-Forwarded-For from nobody by default
    assert seen["workers"] == 2
