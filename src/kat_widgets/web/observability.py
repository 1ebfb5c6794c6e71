"""Request ids and one structured log line per request, with no personal data.

Only the route *template* is logged (``/api/bookings/{token}``), never the raw path or the query
string: those can hold a manage token, an address or a ZIP code. The request gate
(:mod:`kat_widgets.web.gate`) calls these for every request.
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from typing import TextIO

import msgspec
from litestar.types import HTTPScope

__all__ = [
    "REQUEST_ID_HEADER",
    "LineFormatter",
    "RequestLineHandler",
    "log_request",
    "logger",
    "request_id_of",
]

logger = logging.getLogger("kat_widgets.requests")
REQUEST_ID_HEADER = "x-request-id"
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_LINE = msgspec.json.Encoder()


class LineFormatter(logging.Formatter):
    """``%(asctime)s %(levelname)s %(name)s %(message)s``, the same text as a ``Formatter`` of
    that format writes, with the date and time of day formatted once a second rather than for
    every line (``time.localtime`` and ``strftime``: ~2 us of a ~7 us request line, #14)."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")
        self._stamp = (-1, "")
        """(a second since the epoch, its local date and time): one object, read at once."""

    def format(self, record: logging.LogRecord) -> str:
        if record.exc_info or record.exc_text or record.stack_info:
            return super().format(record)
        return self.line(record.created, record.levelname, record.name, record.getMessage())

    def line(self, created: float, level: str, name: str, message: str) -> str:
        """What :meth:`format` writes for a record made at ``created`` (``time.time()``)."""
        second = int(created)
        known, prefix = self._stamp
        if second != known:  # threads that race here write the same text
            prefix = time.strftime(self.default_time_format, self.converter(second))
            self._stamp = (second, prefix)
        msecs = (created - second) * 1000  # as LogRecord computes it, less its float fix-up
        return "%s,%03d %s %s %s" % (prefix, msecs, level, name, message)  # noqa: UP031


class RequestLineHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The request log's handler (``create_app`` configures it): a ``StreamHandler`` writing
    with :class:`LineFormatter`, to which :func:`log_request` hands its finished line directly.

    Making a ``LogRecord`` and passing it through ``Logger.handle`` and ``Handler.handle`` cost
    more than the line itself (~5 us in process, ~15 us a request under load, #14); the line
    written is the same. Whenever the logger has any other handler or filter (a host's, a
    test's), the line goes through ``logging`` as usual.
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        super().__init__(stream)
        self.setFormatter(LineFormatter())

    def write_line(self, created: float, message: str) -> None:
        formatter = self.formatter
        assert isinstance(formatter, LineFormatter)
        text = formatter.line(created, "INFO", logger.name, message) + self.terminator
        with self.lock:  # type: ignore[union-attr]  # createLock() made it
            try:
                self.stream.write(text)
                self.flush()
            except Exception:  # as emit does: report it, never fail the request
                self.handleError(
                    logger.makeRecord(logger.name, logging.INFO, __file__, 0, message, (), None)
                )


def _direct_handler() -> RequestLineHandler | None:
    """The request log's own handler when nothing else would see the line, else ``None``."""
    handlers = logger.handlers
    if len(handlers) != 1 or logger.filters or logger.propagate or logger.disabled:
        return None
    handler = handlers[0]
    if (
        type(handler) is not RequestLineHandler
        or handler.filters
        or handler.level > logging.INFO
        or not isinstance(handler.formatter, LineFormatter)
    ):
        return None
    return handler


def request_id_of(scope: HTTPScope) -> str:
    """The request's id: its ``X-Request-ID`` when well-formed (set by a proxy), else a new one."""
    for name, value in scope["headers"]:
        if name.lower() == b"x-request-id":
            incoming = value.decode("latin-1")
            if _VALID_ID.match(incoming):
                return incoming
            break
    return secrets.token_hex(8)


def log_request(scope: HTTPScope, request_id: str, status: int, started: float) -> None:
    """The request's line: id, method, route template, status and milliseconds since ``started``
    (a ``time.perf_counter()``), at INFO on ``kat_widgets.requests``."""
    if not logger.isEnabledFor(logging.INFO):
        return
    line = _LINE.encode(
        {
            "event": "request",
            "request_id": request_id,
            "method": scope["method"],
            "route": scope.get("path_template") or "<unmatched>",
            "status": status,
            "ms": round((time.perf_counter() - started) * 1000, 1),
        }
    ).decode()
    direct = _direct_handler()
    if direct is not None:
        direct.write_line(time.time(), line)
        return
    # a record made here, as Logger.info would make it less its search of the stack for the
    # caller's file and line (findCaller: ~1.5 us of a ~6 us line), which this line never names
    logger.handle(logger.makeRecord(logger.name, logging.INFO, __file__, 0, line, (), None))
