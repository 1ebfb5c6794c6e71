"""Answer a plain ASGI request with a JSON error, for middleware that refuses before routing."""

from __future__ import annotations

import json
from collections.abc import Sequence

from litestar.types import HTTPResponseBodyEvent, HTTPResponseStartEvent, Send

__all__ = ["send_json_error"]


async def send_json_error(
    send: Send, status: int, detail: str, headers: Sequence[tuple[bytes, bytes]] = ()
) -> None:
    """``{"status_code", "detail"}`` with ``status``, in the shape of every other error."""
    body = json.dumps({"status_code": status, "detail": detail}).encode()
    start: HTTPResponseStartEvent = {
        "type": "http.response.start",
        "status": status,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            *headers,
        ],
    }
    await send(start)
    end: HTTPResponseBodyEvent = {"type": "http.response.body", "body": body, "more_body": False}
    await send(end)
