"""Request ids and one structured log line per request, with no personal data.

Only the route *template* is logged (``/api/bookings/{token}``), never the raw path or the query
string: those can hold a manage token, an address or a ZIP code.
"""

from __future__ import annotations

import logging
import re
import secrets
import time

import msgspec
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["REQUEST_ID_HEADER", "RequestLogMiddleware", "logger"]

logger = logging.getLogger("kat_widgets.requests")
REQUEST_ID_HEADER = "x-request-id"
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_LINE = msgspec.json.Encoder()


class RequestLogMiddleware:
    """Tags each request with an id (kept from ``X-Request-ID`` when well-formed) and logs it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        incoming = next(
            (v.decode("latin-1") for k, v in scope["headers"] if k.lower() == b"x-request-id"),
            "",
        )
        request_id = incoming if _VALID_ID.match(incoming) else secrets.token_hex(8)
        scope.setdefault("state", {})["request_id"] = request_id
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [h for h in message.get("headers", []) if h[0].lower() != b"x-request-id"]
                message["headers"] = [*headers, (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:  # answered further out (a 429 from the rate limit, say)
            if status == 500:
                status = getattr(exc, "status_code", 500)
            raise
        finally:
            if logger.isEnabledFor(logging.INFO):
                logger.info(
                    "%s",
                    _LINE.encode(
                        {
                            "event": "request",
                            "request_id": request_id,
                            "method": scope["method"],
                            "route": scope.get("path_template") or "<unmatched>",
                            "status": status,
                            "ms": round((time.perf_counter() - started) * 1000, 1),
                        }
                    ).decode(),
                )
