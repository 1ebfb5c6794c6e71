"""uvicorn's HTTP protocols with ``TCP_NODELAY`` on every connection, for ``serve --workers N``.

With several workers uvicorn binds the listening socket itself (protocol number 0), and asyncio
only turns Nagle's algorithm off for sockets whose protocol is ``IPPROTO_TCP``. uvicorn writes
the headers and the body of an answer separately, so each keep-alive request then waited for
the client's delayed ACK: about 40 ms per request on Linux. One worker was never affected.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket

from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

__all__ = ["NoDelayH11Protocol", "NoDelayHttpToolsProtocol", "no_delay"]


def no_delay(transport: asyncio.BaseTransport) -> None:
    """Turn Nagle's algorithm off on ``transport``'s TCP socket (small writes go at once)."""
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        with contextlib.suppress(OSError):  # a socket closed under us
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class NoDelayH11Protocol(H11Protocol):
    """``H11Protocol`` that sends small writes at once (as one uvicorn worker already does)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        no_delay(transport)
        super().connection_made(transport)


class NoDelayHttpToolsProtocol(HttpToolsProtocol):
    """``HttpToolsProtocol`` that sends small writes at once."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        no_delay(transport)
        super().connection_made(transport)
