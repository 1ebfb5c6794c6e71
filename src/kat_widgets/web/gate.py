"""The request gate: every check and tag our routes put on a request, as one ASGI layer.

In order: a request id (:func:`~.observability.request_id_of`) and, when the answer is done,
one log line (:func:`~.observability.log_request`); the Host and origin checks
(:class:`~.security.OriginPolicy`); the rate limit (:class:`~.ratelimit.RateLimiter`); deadlines
for the body (:func:`~.slowclients.deadline_receive`); the JSON nesting check
(:func:`~.json_depth.checked_body`); and ``prepare(scope)`` before them all (the app's: the
request's language). Each part is optional (tests use one at a time).

These were five middleware, each a call, a coroutine and, for most, a wrapper around ``send``
or ``receive``: ~12 us of a request that takes ~90 us in process. One layer does the same work
with one wrapper each way (#14). Refusals raised here (408, 413, 429, a body nested too
deeply) are answered by the router's exception handlers, like any raised inside a route.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from litestar.enums import ScopeType
from litestar.types import ASGIApp, HTTPScope, Message, Receive, Scope, Send

from kat_widgets.web.asgi_errors import send_json_error
from kat_widgets.web.json_depth import MAX_DEPTH, checked_body
from kat_widgets.web.observability import log_request, request_id_of
from kat_widgets.web.ratelimit import RateLimiter
from kat_widgets.web.security import OriginPolicy
from kat_widgets.web.slowclients import deadline_receive

__all__ = ["BodyLimits", "RequestGate", "request_gate"]


class BodyLimits:
    """How long a body may take and how big and deep it may be."""

    __slots__ = ("max_bytes", "max_depth", "timeout", "total")

    def __init__(
        self,
        *,
        timeout: float = 10.0,
        total: float = 30.0,
        max_bytes: int = 64 * 1024,
        max_depth: int = MAX_DEPTH,
    ) -> None:
        self.timeout = timeout
        self.total = total
        self.max_bytes = max_bytes
        self.max_depth = max_depth


class RequestGate:
    """Tags, checks and logs every HTTP request on its way to ``app`` (see the module)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        policy: OriginPolicy | None = None,
        add_headers: bool = False,
        limiter: RateLimiter | None = None,
        body: BodyLimits | None = None,
        log: bool = True,
        prepare: Callable[[HTTPScope], None] | None = None,
    ) -> None:
        self.app = app
        self.prepare = prepare
        self.policy = policy
        # the security headers, when no app-wide hook adds them (create_app has one)
        self.added = policy.security_headers.headers if policy is not None and add_headers else []
        self.refusal_headers = policy.security_headers.headers if policy is not None else []
        self.limiter = limiter
        self.body = body
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        tag = (b"x-request-id", request_id.encode())
        added = self.added
        status = 500
        started = time.perf_counter()

        async def send_tagged(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [h for h in message.get("headers", ()) if h[0].lower() != tag[0]]
                if added:
                    present = {name.lower() for name, _ in headers}
                    headers += [h for h in added if h[0] not in present]
                headers.append(tag)
                message["headers"] = headers
            await send(message)

        try:
            if self.prepare is not None:
                self.prepare(scope)  # the request's language, in the handler's context
            refusal = self.policy.refusal(scope) if self.policy is not None else None
            if refusal is not None:
                await send_json_error(send_tagged, *refusal, self.refusal_headers)
                return
            if self.limiter is not None:
                await self.limiter.check(scope)  # raises the 429
            limits = self.body
            if limits is not None:
                timed = deadline_receive(receive, timeout=limits.timeout, total=limits.total)
                checked = await checked_body(
                    scope, timed, max_bytes=limits.max_bytes, max_depth=limits.max_depth
                )
                if checked is None:
                    return  # the client left while sending its body: nobody to answer
                receive = checked
            await self.app(scope, receive, send_tagged)
        except Exception as exc:  # answered further out (a 429 from the rate limit, say)
            if status == 500:
                status = getattr(exc, "status_code", 500)
            raise
        finally:
            if self.log:
                log_request(scope, request_id, status, started)


def request_gate(
    *,
    policy: OriginPolicy | None = None,
    add_headers: bool = False,
    limiter: RateLimiter | None = None,
    body: BodyLimits | None = None,
    log: bool = True,
    prepare: Callable[[HTTPScope], None] | None = None,
) -> Callable[[ASGIApp], ASGIApp]:
    """A middleware factory for Litestar's ``middleware=[...]``: :class:`RequestGate` with
    these options.

    A plain function, so that Litestar's deep copy of routers at registration shares the one
    rate limiter (and its Redis connections) instead of copying it.
    """

    def middleware(app: ASGIApp) -> ASGIApp:
        return RequestGate(
            app,
            policy=policy,
            add_headers=add_headers,
            limiter=limiter,
            body=body,
            log=log,
            prepare=prepare,
        )

    return middleware
