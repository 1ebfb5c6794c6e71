"""Per-client rate limits for the costly endpoints, in memory or shared through Redis.

A fixed window per (bucket, client address): simple, and exact across workers when the counter
lives in Redis (``INCR`` + ``EXPIRE`` in one transaction). Over the limit: ``429`` with
``Retry-After`` and a message that offers the phone number instead.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from litestar.enums import ScopeType
from litestar.types import (
    ASGIApp,
    Receive,
    Scope,
    Send,
)

from kat_widgets.web.asgi_errors import send_json_error

__all__ = [
    "DEFAULT_LIMITS",
    "Limit",
    "MemoryCounter",
    "RateLimitMiddleware",
    "RedisCounter",
    "WindowCounter",
]


log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Limit:
    """At most ``requests`` per ``seconds`` for one client in one bucket."""

    requests: int
    seconds: int


DEFAULT_LIMITS: Mapping[tuple[str, str], Limit] = {
    ("POST", "/api/bookings"): Limit(10, 60),
    ("POST", "/fragments/booking"): Limit(10, 60),
    ("GET", "/api/locate"): Limit(60, 60),
    ("GET", "/fragments/locator"): Limit(60, 60),
}
"""Keyed by (method, route template below the mount prefix)."""


class WindowCounter(Protocol):
    async def hit(self, key: str, window_seconds: int) -> tuple[int, float]:
        """Count one request in the current window; return (count, seconds until it resets)."""


class MemoryCounter:
    """Counters in this process: right for one worker, the default."""

    def __init__(self) -> None:
        self._windows: dict[str, tuple[float, int]] = {}
        self._lock = asyncio.Lock()

    async def hit(self, key: str, window_seconds: int) -> tuple[int, float]:
        now = time.monotonic()
        async with self._lock:
            if len(self._windows) > 50_000:
                self._windows = {k: v for k, v in self._windows.items() if v[0] > now}
            ends, count = self._windows.get(key, (0.0, 0))
            if ends <= now:
                ends, count = now + window_seconds, 0
            count += 1
            self._windows[key] = (ends, count)
        return count, ends - now


class RedisCounter:
    """Counters shared by every worker and host through Redis."""

    def __init__(self, url: str, *, prefix: str = "kat:rl:") -> None:
        self._url = url
        self._redis: Any = None  # made on first use, inside the worker's event loop
        self._prefix = prefix

    def __deepcopy__(self, memo: dict[int, Any]) -> RedisCounter:
        # Litestar deep-copies routers when registering them; the client must stay shared
        return self

    async def hit(self, key: str, window_seconds: int) -> tuple[int, float]:
        if self._redis is None:
            from redis.asyncio import Redis

            # a dead Redis must not hold requests up: the middleware then lets them through
            self._redis = Redis.from_url(self._url, socket_connect_timeout=1, socket_timeout=1)
        name = self._prefix + key
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, window_seconds, nx=True)
            pipe.pttl(name)
            count, _, ttl_ms = await pipe.execute()
        return int(count), max(int(ttl_ms), 0) / 1000


class RateLimitMiddleware:
    """Applies ``limits`` by route template; other routes pass untouched."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        counter: WindowCounter,
        limits: Mapping[tuple[str, str], Limit] = DEFAULT_LIMITS,
        prefix: str = "",
        phone: str = "",
    ) -> None:
        self.app = app
        self.counter = counter
        self.limits = {(method, prefix + path): limit for (method, path), limit in limits.items()}
        self.phone = phone

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP:
            limit = self.limits.get((scope["method"], scope.get("path_template", "")))
            if limit is not None:
                client = (scope.get("client") or ("unknown", 0))[0]
                bucket = f"{scope['method']}:{scope['path_template']}:{client}"
                try:
                    count, retry_after = await self.counter.hit(bucket, limit.seconds)
                except Exception as exc:  # store down: serve unlimited rather than fail
                    log.warning(
                        "rate-limit store unavailable (%s); not limiting", type(exc).__name__
                    )
                    count, retry_after = 0, 0.0
                if count > limit.requests:
                    await self._refuse(send, math.ceil(retry_after) or 1)
                    return
        await self.app(scope, receive, send)

    async def _refuse(self, send: Send, retry_after: int) -> None:
        detail = f"Too many requests. Please try again in {retry_after} seconds"
        detail += f", or call us at {self.phone}." if self.phone else "."
        await send_json_error(send, 429, detail, [(b"retry-after", str(retry_after).encode())])
