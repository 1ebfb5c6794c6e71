"""Cut off clients that send a request body too slowly (slowloris-style) with a 408.

Two deadlines: each chunk within ``timeout`` seconds of the last, and the whole body within
``total`` seconds of the first read (a byte every few seconds never trips the first alone).
The headers' deadline is the server's (:mod:`kat_widgets.web.http_protocol`).
"""

from __future__ import annotations

import asyncio

from litestar.enums import ScopeType
from litestar.exceptions import HTTPException
from litestar.types import ASGIApp, Receive, ReceiveMessage, Scope, Send

__all__ = ["BodyTimeoutMiddleware"]


class BodyTimeoutMiddleware:
    """Each chunk within ``timeout`` seconds; the whole body within ``total`` seconds."""

    def __init__(self, app: ASGIApp, *, timeout: float = 10.0, total: float = 30.0) -> None:
        self.app = app
        self.timeout = timeout
        self.total = total

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        deadline: float | None = None
        body_done = False

        async def receive_in_time() -> ReceiveMessage:
            nonlocal deadline, body_done
            if body_done:  # later reads only wait for the client to go: no deadline
                return await receive()
            now = loop.time()
            deadline = deadline if deadline is not None else now + self.total
            try:
                message = await asyncio.wait_for(receive(), min(self.timeout, deadline - now))
            except TimeoutError:
                raise HTTPException(
                    status_code=408,
                    detail="The request body arrived too slowly; please try again.",
                ) from None
            body_done = message["type"] == "http.disconnect" or not message.get("more_body", False)
            return message

        await self.app(scope, receive_in_time, send)
