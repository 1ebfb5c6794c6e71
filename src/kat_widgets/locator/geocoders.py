"""Online geocoding through geopy, used politely: rate-limited, cached, short timeouts, no retries.

geopy's errors are translated here, at the boundary, into :mod:`kat_widgets.errors` subclasses.
Queries (which may be a visitor's home address) are kept only in this in-process cache and are
never logged.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

import msgspec

if TYPE_CHECKING:
    from kat_widgets.settings import Settings

from kat_widgets.errors import (
    ConfigurationError,
    GeocoderError,
    GeocoderRateLimitedError,
    GeocoderTimeoutError,
    GeocoderUnavailableError,
)

__all__ = [
    "GeocodeResult",
    "MinIntervalLimiter",
    "OnlineGeocoder",
    "TTLCache",
    "geocoder_from_settings",
]

ResultPrecision = Literal["rooftop", "address", "street", "zip", "city"]
_CITY_TYPES = frozenset(
    {"city", "town", "village", "hamlet", "suburb", "municipality", "county", "neighbourhood"}
)


class GeocodeResult(msgspec.Struct, frozen=True, kw_only=True):
    lat: float
    lon: float
    precision: ResultPrecision
    display_name: str
    source: str


class MinIntervalLimiter:
    """At most one request per ``interval_s`` in this process (Nominatim asks for 1/second)."""

    def __init__(self, interval_s: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval_s = interval_s
        self._clock = clock
        self._next = 0.0
        self._lock = threading.Lock()

    def try_acquire(self) -> bool:
        """Take the turn if it is free now; never waits (for web requests)."""
        with self._lock:
            now = self._clock()
            if now < self._next:
                return False
            self._next = now + self.interval_s
            return True

    def acquire(self) -> None:
        """Wait for the turn (for the CLI)."""
        with self._lock:
            now = self._clock()
            if now < self._next:
                time.sleep(self._next - now)
                now = self._clock()
            self._next = now + self.interval_s


class TTLCache:
    """A small thread-safe LRU cache whose entries expire after ``ttl_s`` seconds."""

    def __init__(
        self, *, size: int = 1024, ttl_s: float = 86400, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.size, self.ttl_s, self._clock = size, ttl_s, clock
        self._data: OrderedDict[str, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple[bool, Any]:
        with self._lock:
            hit = self._data.get(key)
            if hit is None or hit[0] < self._clock():
                self._data.pop(key, None)
                return False, None
            self._data.move_to_end(key)
            return True, hit[1]

    def put(self, key: str, value: Any) -> None:
        with self._lock:
            self._data[key] = (self._clock() + self.ttl_s, value)
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)


def _precision(raw: Any) -> ResultPrecision:
    """Nominatim's ``addresstype``/``type``/``class`` (``category`` in jsonv2) -> our precision."""
    if not isinstance(raw, dict):
        return "address"
    kinds = {str(raw.get("addresstype") or ""), str(raw.get("type") or "")}
    category = str(raw.get("category") or raw.get("class") or "")
    if kinds & {"house", "building"} or category == "building":
        return "address"
    if category == "highway" or kinds & {"road", "street"}:
        return "street"
    if "postcode" in kinds:
        return "zip"
    if kinds & _CITY_TYPES or category in {"place", "boundary"}:
        return "city"
    return "address"


class OnlineGeocoder:
    """One geopy geocoder (``nominatim``, ``photon``, ...) behind a limiter and a cache."""

    def __init__(
        self,
        service: str,
        *,
        user_agent: str,
        domain: str = "",
        scheme: str = "https",
        timeout_s: float = 3.0,
        min_interval_s: float = 1.0,
        cache: TTLCache | None = None,
        limiter: MinIntervalLimiter | None = None,
    ) -> None:
        from geopy.adapters import URLLibAdapter
        from geopy.exc import GeocoderNotFound
        from geopy.geocoders import get_geocoder_for_service

        try:
            geocoder_class = get_geocoder_for_service(service)
        except GeocoderNotFound:
            raise ConfigurationError(
                f"unknown geocoder {service!r}: use 'offline' or a geopy service name "
                "such as 'nominatim'"
            ) from None
        options: dict[str, Any] = {
            "user_agent": user_agent,
            "timeout": timeout_s,
            # urllib: no hidden retries (geopy's requests adapter retries twice by default)
            "adapter_factory": URLLibAdapter,
        }
        if domain:
            options["domain"] = domain
            options["scheme"] = scheme
        try:
            self._geocoder = geocoder_class(**options)
        except TypeError as exc:
            raise ConfigurationError(f"geocoder {service!r} cannot be configured: {exc}") from None
        self.service = service
        self.timeout_s = timeout_s
        self.cache = cache if cache is not None else TTLCache()
        self.limiter = limiter if limiter is not None else MinIntervalLimiter(min_interval_s)

    def geocode(self, query: str, *, wait: bool = False) -> GeocodeResult | None:
        """The best match for ``query`` or ``None``; raises a :class:`GeocoderError` on failure.

        With ``wait=False`` (web requests) a call inside the rate-limit interval raises
        :class:`GeocoderRateLimitedError` at once instead of sleeping.
        """
        key = " ".join(query.lower().split())
        found, cached = self.cache.get(key)
        if found:
            result: GeocodeResult | None = cached
            return result
        if wait:
            self.limiter.acquire()
        elif not self.limiter.try_acquire():
            raise GeocoderRateLimitedError(
                f"the {self.service} geocoder is used at most once every "
                f"{self.limiter.interval_s:g} s; try again shortly"
            )
        location = self._call(query)
        result = (
            None
            if location is None
            else GeocodeResult(
                lat=float(location.latitude),
                lon=float(location.longitude),
                precision=_precision(location.raw),
                display_name=str(location.address),
                source=self.service,
            )
        )
        self.cache.put(key, result)
        return result

    def _call(self, query: str) -> Any:
        from geopy import exc as geopy_exc

        options: dict[str, Any] = {"exactly_one": True, "timeout": self.timeout_s}
        if self.service == "nominatim":
            options["country_codes"] = "us"
        try:
            return self._geocoder.geocode(query, **options)
        except geopy_exc.GeocoderTimedOut:
            raise GeocoderTimeoutError(
                f"the {self.service} geocoder did not answer within {self.timeout_s:g} s"
            ) from None
        except geopy_exc.GeocoderRateLimited:
            raise GeocoderRateLimitedError(
                f"the {self.service} geocoder asked us to slow down (HTTP 429)"
            ) from None
        except (geopy_exc.GeocoderUnavailable, geopy_exc.GeocoderServiceError) as exc:
            raise GeocoderUnavailableError(
                f"the {self.service} geocoder failed: {type(exc).__name__}"
            ) from None
        except geopy_exc.GeopyError as exc:
            # the type only: geopy messages can repeat the request URL, i.e. the address
            raise GeocoderError(
                f"the {self.service} geocoder failed: {type(exc).__name__}"
            ) from None


def geocoder_from_settings(settings: Settings) -> OnlineGeocoder | None:
    """The online geocoder the settings name; ``None`` for ``offline``."""
    config = settings.geocoding
    if not config.online:
        return None
    return OnlineGeocoder(
        config.service,
        user_agent=config.user_agent,
        domain=config.domain,
        scheme=config.scheme,
        timeout_s=config.timeout_s,
        min_interval_s=config.min_interval_s,
    )
