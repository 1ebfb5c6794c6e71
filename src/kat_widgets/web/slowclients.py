"""Cut off clients that send a request body too slowly (slowloris-style) with a 408.

Two deadlines: each chunk within ``timeout`` seconds of the last, and the whole body within
``total`` seconds of the first read (a byte every few seconds never trips the first alone).
The headers' deadline is the server's (:mod:`kat_widgets.web.http_protocol`); the request gate
(:mod:`kat_widgets.web.gate`) puts this one on every request.
"""

from __future__ import annotations

import asyncio

from litestar.exceptions import HTTPException
from litestar.types import Receive, ReceiveMessage

__all__ = ["deadline_receive"]


def deadline_receive(receive: Receive, *, timeout: float = 10.0, total: float = 30.0) -> Receive:
    """``receive`` that raises a 408 when a body chunk is late: each within ``timeout`` seconds,
    the whole body within ``total`` seconds of the first read."""
    deadline: float | None = None
    body_done = False

    async def receive_in_time() -> ReceiveMessage:
        nonlocal deadline, body_done
        if body_done:  # later reads only wait for the client to go: no deadline
            return await receive()
        now = asyncio.get_running_loop().time()
        deadline = deadline if deadline is not None else now + total
        try:
            message = await asyncio.wait_for(receive(), min(timeout, deadline - now))
        except TimeoutError:
            raise HTTPException(
                status_code=408,
                detail="The request body arrived too slowly; please try again.",
            ) from None
        body_done = message["type"] == "http.disconnect" or not message.get("more_body", False)
        return message

    return receive_in_time
