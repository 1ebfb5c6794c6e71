"""Cut off clients that send a request body too slowly (slowloris-style) with a 408."""

from __future__ import annotations

import asyncio

from litestar.enums import ScopeType
from litestar.exceptions import HTTPException
from litestar.types import ASGIApp, Receive, ReceiveMessage, Scope, Send

__all__ = ["BodyTimeoutMiddleware"]


class BodyTimeoutMiddleware:
    """Each chunk of a request body must arrive within ``timeout`` seconds."""

    def __init__(self, app: ASGIApp, *, timeout: float = 10.0) -> None:
        self.app = app
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return

        async def receive_in_time() -> ReceiveMessage:
            try:
                return await asyncio.wait_for(receive(), self.timeout)
            except TimeoutError:
                raise HTTPException(
                    status_code=408,
                    detail="The request body arrived too slowly; please try again.",
                ) from None

        await self.app(scope, receive_in_time, send)
