"""Rate limits on every endpoint that costs work, counted in a Litestar store.

Each limited route template has a :class:`Limit`: a small budget per *visitor* (the client
address together with its browser: User-Agent and Accept-Language) and a larger one per
*address*. One visitor who hammers a route is stopped at its own budget; fifteen phones in a
clinic's waiting room behind one NAT each keep theirs, and only the address's budget (ten times
larger by default) caps what a single address can cost us, however it varies its headers.

The counters are fixed windows in a Litestar :class:`~litestar.stores.memory.MemoryStore`
(one process) or :class:`~litestar.stores.redis.RedisStore` (shared by every worker and host,
one atomic script per request). Keys are keyed hashes: no visitor address is stored in clear.
A store that fails or hangs (bounded by a short timeout) lets requests through and is skipped for
a while, so an outage of Redis never holds bookings up. Over a budget: ``429`` with
``Retry-After`` and a message that offers the phone number, as a page where a person navigates.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from litestar.exceptions import TooManyRequestsException
from litestar.stores.memory import MemoryStore
from litestar.types import HTTPScope

__all__ = [
    "DEFAULT_LIMITS",
    "Limit",
    "MemoryCounter",
    "RateLimiter",
    "RedisCounter",
    "WindowCounter",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Limit:
    """At most ``requests`` per ``seconds`` per visitor, and ``per_address`` per address."""

    requests: int
    seconds: int
    per_address: int = 0
    """0: ten times ``requests``."""

    @property
    def address_requests(self) -> int:
        return self.per_address or 10 * self.requests

    def share(self, workers: int) -> Limit:
        """Each of ``workers`` processes that cannot see the others' counts gets its share."""
        if workers <= 1:
            return self
        return Limit(
            max(1, math.ceil(self.requests / workers)),
            self.seconds,
            max(1, math.ceil(self.address_requests / workers)),
        )


_BOOK = Limit(10, 60, 100)
"""Writes: book, cancel, move. A person books once or twice; ten is generous."""
_SEARCH = Limit(30, 60, 300)
"""A locator search may call the online geocoder."""
_READ = Limit(120, 60, 1200)
"""Slot computations, calendars and the manage page: a visitor browses, a program polls."""

_STAFF = Limit(120, 60, 1200)
"""Staff tools poll a day's bookings; a wrong key counts like any other try."""

DEFAULT_LIMITS: Mapping[tuple[str, str], Limit] = {
    ("POST", "/api/bookings"): _BOOK,
    ("POST", "/fragments/booking"): _BOOK,
    ("POST", "/api/bookings/{token}/cancel"): _BOOK,
    ("POST", "/api/bookings/{token}/reschedule"): _BOOK,
    ("POST", "/bookings/{token}/cancel"): _BOOK,
    ("POST", "/bookings/{token}/reschedule"): _BOOK,
    ("POST", "/bookings/{token}/next"): _BOOK,
    ("POST", "/api/waitlist"): _BOOK,
    ("POST", "/fragments/waitlist"): _BOOK,
    ("GET", "/fragments/waitlist"): _READ,
    ("POST", "/api/waitlist/{token}/cancel"): _BOOK,
    ("POST", "/api/waitlist/claims/{claim}"): _BOOK,
    ("POST", "/waitlist/{token}/cancel"): _BOOK,
    ("POST", "/waitlist/claims/{claim}"): _BOOK,
    ("GET", "/api/waitlist/{token}"): _READ,
    ("GET", "/waitlist/{token}"): _READ,
    ("GET", "/waitlist/claims/{claim}"): _READ,
    ("GET", "/api/locate"): _SEARCH,
    ("GET", "/fragments/locator"): _SEARCH,
    ("GET", "/api/clinics/{clinic_id}/slots"): _READ,
    ("GET", "/calendars/{clinic_id}/availability.ics"): _READ,
    ("GET", "/fragments/availability"): _READ,
    ("GET", "/fhir/$bulk-publish"): _READ,
    ("GET", "/fhir/bulk/{clinic_id}/Slot.ndjson"): _READ,
    ("GET", "/fhir/Slot"): _READ,
    ("GET", "/fhir/Slot/{slot_id}"): _READ,
    ("GET", "/fragments/booking"): _READ,
    ("GET", "/bookings/{token}"): _READ,
    ("GET", "/referrals/{token}"): _READ,
    ("GET", "/api/bookings/{token}"): _READ,
    ("GET", "/calendars/bookings/{filename}"): _READ,
    ("GET", "/calendars/staff/{filename}"): _READ,
    ("GET", "/api/staff/bookings"): _STAFF,
    ("POST", "/api/staff/bookings/{booking_id}/status"): _STAFF,
    ("POST", "/api/staff/bookings/{booking_id}/cancel"): _STAFF,
    ("POST", "/api/staff/bookings/{booking_id}/approve"): _STAFF,
    ("POST", "/api/staff/bookings/{booking_id}/decline"): _STAFF,
    ("POST", "/api/staff/bookings"): _BOOK,
    ("POST", "/api/staff/referrals"): _STAFF,
    ("GET", "/staff/day/{token}"): _STAFF,
    ("POST", "/staff/day/{token}/bookings/{booking_id}/status"): _STAFF,
    ("POST", "/staff/day/{token}/bookings/{booking_id}/cancel"): _STAFF,
    ("POST", "/staff/day/{token}/bookings/{booking_id}/decide"): _STAFF,
}
"""Keyed by (method, route template below the mount prefix). The crisis banner, the clinic
list, the embed script and the health checks are cheap and never limited."""


class WindowCounter(Protocol):
    async def hit(
        self, keys: Sequence[tuple[str, int]], window_seconds: int
    ) -> list[tuple[int, float]]:
        """Count one request against each (key, limit) in turn: (count, seconds to reset).

        Stops after the first key over its limit: a request the visitor's budget refuses does
        not use up the address's budget that the visitor's neighbours share.
        """

    async def close(self) -> None:
        """Release connections (at shutdown)."""


class MemoryCounter:
    """Windows in a Litestar ``MemoryStore``: exact for one process, the default."""

    def __init__(self, store: MemoryStore | None = None) -> None:
        self.store = store if store is not None else MemoryStore()
        self._lock = asyncio.Lock()
        self._hits = 0

    async def hit(
        self, keys: Sequence[tuple[str, int]], window_seconds: int
    ) -> list[tuple[int, float]]:
        now = time.time()
        counts = []
        async with self._lock:  # read-modify-write: one request at a time in this process
            self._hits += 1
            if self._hits % 10_000 == 0:
                await self.store.delete_expired()
            for key, limit in keys:
                raw = await self.store.get(key)
                count, ends = (0, now + window_seconds)
                if raw is not None:
                    stored_count, _, stored_end = raw.decode().partition(":")
                    count, ends = int(stored_count), float(stored_end)
                count += 1
                await self.store.set(key, f"{count}:{ends}", expires_in=math.ceil(ends - now))
                counts.append((count, ends - now))
                if count > limit:
                    break
        return counts

    async def close(self) -> None:
        await self.store.delete_all()


_HIT_SCRIPT = b"""
local out = {}
for i, key in ipairs(KEYS) do
    local count = redis.call('INCR', key)
    if count == 1 then redis.call('PEXPIRE', key, ARGV[1]) end
    out[#out + 1] = count
    out[#out + 1] = redis.call('PTTL', key)
    if count > tonumber(ARGV[i + 1]) then break end
end
return out
"""


@functools.cache
def _counting_store_class() -> type[Any]:
    """Defined on first use: importing Redis's client (~50 ms) is for apps that name Redis."""
    from litestar.stores.redis import RedisStore

    class CountingRedisStore(RedisStore):
        """A ``RedisStore`` that also counts: ``INCR`` and ``PEXPIRE`` in one atomic script."""

        def __init__(self, redis: Any, namespace: str) -> None:
            super().__init__(redis, namespace=namespace)
            self._hit_script = self._redis.register_script(_HIT_SCRIPT)

        async def hit(
            self, keys: Sequence[tuple[str, int]], window_seconds: int
        ) -> list[tuple[int, float]]:
            names = [self._make_key(key) for key, _ in keys]
            limits = [limit for _, limit in keys]
            raw = await self._hit_script(keys=names, args=[window_seconds * 1000, *limits])
            return [(int(raw[i]), max(int(raw[i + 1]), 0) / 1000) for i in range(0, len(raw), 2)]

    return CountingRedisStore


class RedisCounter:
    """Windows in a Litestar ``RedisStore``, shared by every worker and host.

    Each call waits at most ``timeout`` seconds: a hanging Redis costs one request that long,
    then the middleware skips it for a while (see :class:`RateLimiter`).
    """

    def __init__(self, url: str, *, namespace: str = "kat_rl", timeout: float = 0.25) -> None:
        from redis.asyncio import Redis

        client = Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
        self._client = client
        self.store = _counting_store_class()(client, namespace)
        self.timeout = timeout

    async def hit(
        self, keys: Sequence[tuple[str, int]], window_seconds: int
    ) -> list[tuple[int, float]]:
        return await asyncio.wait_for(self.store.hit(keys, window_seconds), self.timeout * 2)

    async def close(self) -> None:
        await self._client.aclose()


class RateLimiter:
    """The limits, the counter and the keys; shared by every copy of the middleware."""

    def __init__(
        self,
        counter: WindowCounter,
        *,
        limits: Mapping[tuple[str, str], Limit] = DEFAULT_LIMITS,
        prefix: str = "",
        phone: str = "",
        secret: str = "",
        workers: int = 1,
        pause_seconds: float = 30.0,
    ) -> None:
        self.counter = counter
        self.limits = {
            (method, prefix + path): limit.share(workers)
            for (method, path), limit in limits.items()
        }
        self.phone = phone
        self._secret = hashlib.sha256(b"kat-widgets rate limits\0" + secret.encode()).digest()
        self.pause_seconds = pause_seconds
        self._paused_until = 0.0

    def keys(self, scope: HTTPScope) -> tuple[str, str]:
        """(visitor key, address key) for this request's bucket: keyed hashes, never addresses."""
        client = (scope.get("client") or ("unknown", 0))[0]
        headers = dict(scope["headers"])
        browser = headers.get(b"user-agent", b"") + b"\0" + headers.get(b"accept-language", b"")
        bucket = f"{scope['method']}:{scope['path_template']}"
        address = self._digest(client.encode())
        visitor = self._digest(client.encode() + b"\0" + browser)
        return f"{bucket}:v:{visitor}", f"{bucket}:a:{address}"

    def _digest(self, data: bytes) -> str:
        return hashlib.blake2b(data, key=self._secret, digest_size=12).hexdigest()

    async def check(self, scope: HTTPScope) -> None:
        """Raise ``TooManyRequestsException`` when this request is over a budget."""
        limit = self.limits.get((scope["method"], scope.get("path_template", "")))
        if limit is None or time.monotonic() < self._paused_until:
            return
        visitor, address = self.keys(scope)
        budgets = [(visitor, limit.requests), (address, limit.address_requests)]
        try:
            counts = await self.counter.hit(budgets, limit.seconds)
        except Exception as exc:  # the store is down or slow: serve unlimited, retry later
            self._paused_until = time.monotonic() + self.pause_seconds
            log.warning(
                "rate-limit store unavailable (%s); not limiting for %d s",
                type(exc).__name__,
                self.pause_seconds,
            )
            return
        # the counter stops after the first budget over its limit: fewer counts than budgets
        paired = zip(counts, budgets, strict=False)
        over = [wait for (count, wait), (_, budget) in paired if count > budget]
        if over:
            retry_after = math.ceil(over[0]) or 1
            detail = f"Too many requests. Please try again in {retry_after} seconds"
            detail += f", or call us at {self.phone}." if self.phone else "."
            raise TooManyRequestsException(detail=detail, headers={"Retry-After": str(retry_after)})

    async def close(self) -> None:
        await self.counter.close()
