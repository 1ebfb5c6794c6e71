"""The HTTP/1.1 protocols ``serve`` runs: uvicorn's, with a total deadline for request headers.

uvicorn closes a connection idle between requests (``timeout_keep_alive``) but waits forever for
headers that arrive a line at a time: a slowloris client holds a connection, and a few thousand
hold the server. Here the request line and headers must be complete within ``HEADER_DEADLINE``
seconds of the connection opening (or of the previous answer); otherwise ``408`` and close.
The body has its own deadlines (:mod:`kat_widgets.web.slowclients`).

``serve`` runs :class:`KatHttpToolsProtocol`: uvicorn's parser in C (httptools). uvicorn's h11
protocol checks every header of every answer in Python, about 1.3 us each, and each of our
answers carries seven or more (the security headers, the request id, ``Vary``): ~9 us of a
cached fragment's ~80 us (#14). :class:`KatH11Protocol` (pure Python) stays for hosts that
cannot install httptools.
"""

from __future__ import annotations

import asyncio

import h11

from kat_widgets.web.nodelay import NoDelayH11Protocol, NoDelayHttpToolsProtocol

__all__ = ["HEADER_DEADLINE", "KatH11Protocol", "KatHttpToolsProtocol"]

HEADER_DEADLINE = 10.0
_TIMEOUT_ANSWER = (
    b"HTTP/1.1 408 Request Timeout\r\n"
    b"content-type: text/plain; charset=utf-8\r\n"
    b"connection: close\r\n"
    b"content-length: 47\r\n\r\n"
    b"The request arrived too slowly; please retry.\r\n"
)


class _HeaderDeadline:
    """The deadline's timer, for a uvicorn protocol (its ``loop``, ``transport``, ``cycle``)."""

    header_deadline = HEADER_DEADLINE
    _header_timer: asyncio.TimerHandle | None = None
    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport

    def _arm_header_deadline(self) -> None:
        self._disarm_header_deadline()
        self._header_timer = self.loop.call_later(self.header_deadline, self._headers_too_slow)

    def _disarm_header_deadline(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _answering(self) -> bool:
        cycle = getattr(self, "cycle", None)
        return cycle is not None and not getattr(cycle, "response_complete", True)

    def _waiting_for_headers(self) -> bool:
        raise NotImplementedError

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if self.transport.is_closing() or not self._waiting_for_headers():
            return
        if self._answering():
            return  # an answer is still being written
        self.transport.write(_TIMEOUT_ANSWER)
        self.transport.close()


class KatH11Protocol(_HeaderDeadline, NoDelayH11Protocol):
    """h11 (pure Python), ``TCP_NODELAY`` and a total deadline for each request's headers."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_deadline()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:  # the request line and headers are in
            self._disarm_header_deadline()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm_header_deadline()  # the next request on this connection

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_deadline()
        super().connection_lost(exc)

    def _waiting_for_headers(self) -> bool:
        return self.conn.their_state is h11.IDLE


class KatHttpToolsProtocol(_HeaderDeadline, NoDelayHttpToolsProtocol):
    """httptools (C), ``TCP_NODELAY`` and a total deadline for each request's headers."""

    _headers_pending = True
    """No request's headers are complete since the connection opened or the last answer."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._headers_pending = True
        self._arm_header_deadline()

    def on_headers_complete(self) -> None:
        self._headers_pending = False
        self._disarm_header_deadline()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()  # starts a pipelined request, if one is complete
        if not self.transport.is_closing() and not self._answering():
            self._headers_pending = True
            self._arm_header_deadline()  # the next request on this connection

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_deadline()
        super().connection_lost(exc)

    def _waiting_for_headers(self) -> bool:
        return self._headers_pending
