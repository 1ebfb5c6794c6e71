"""The HTTP/1.1 protocol ``serve`` runs: uvicorn's h11 with a total deadline for request headers.

uvicorn closes a connection idle between requests (``timeout_keep_alive``) but waits forever for
headers that arrive a line at a time: a slowloris client holds a connection, and a few thousand
hold the server. Here the request line and headers must be complete within ``HEADER_DEADLINE``
seconds of the connection opening (or of the previous answer); otherwise ``408`` and close.
The body has its own deadlines (:mod:`kat_widgets.web.slowclients`).
"""

from __future__ import annotations

import asyncio

import h11

from kat_widgets.web.nodelay import NoDelayH11Protocol

__all__ = ["HEADER_DEADLINE", "KatH11Protocol"]

HEADER_DEADLINE = 10.0
_TIMEOUT_ANSWER = (
    b"HTTP/1.1 408 Request Timeout\r\n"
    b"content-type: text/plain; charset=utf-8\r\n"
    b"connection: close\r\n"
    b"content-length: 47\r\n\r\n"
    b"The request arrived too slowly; please retry.\r\n"
)


class KatH11Protocol(NoDelayH11Protocol):
    """``TCP_NODELAY`` (see :mod:`.nodelay`) and a total deadline for each request's headers."""

    header_deadline = HEADER_DEADLINE
    _header_timer: asyncio.TimerHandle | None = None

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

    def _arm_header_deadline(self) -> None:
        self._disarm_header_deadline()
        self._header_timer = self.loop.call_later(self.header_deadline, self._headers_too_slow)

    def _disarm_header_deadline(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if self.transport.is_closing() or self.conn.their_state is not h11.IDLE:
            return
        if self.cycle is not None and not self.cycle.response_complete:
            return  # an answer is still being written
        self.transport.write(_TIMEOUT_ANSWER)
        self.transport.close()
