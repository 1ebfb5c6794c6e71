"""Headers and origin checks for cross-origin embedding (applied by :mod:`.gate`).

- Every response gets ``Content-Security-Policy`` (with ``frame-ancestors`` from the allow-list),
  ``X-Content-Type-Options``, ``Referrer-Policy`` and ``Permissions-Policy``.
- Unsafe methods (POST...) from a browser on another origin are refused unless that origin is
  allowed: a strict Origin check instead of CSRF tokens, so no cookies are needed at all.
- With a Host allow-list, any other ``Host`` is refused (400; health checks excepted). Without
  one, a browser's post is taken as our own origin only when the host is loopback or that of
  ``public_url``: a page on ``evil.example`` that rebinds its name to our address (DNS
  rebinding) sends ``Host: evil.example`` and is refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

from litestar.types import HTTPScope, Message, Scope

from kat_widgets.config import LOOPBACK_HOSTS

__all__ = ["OriginPolicy", "SecurityHeaders", "content_security_policy", "host_name"]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
HEALTH_PATHS = ("/healthz", "/readyz")


def _host_set(entries: Iterable[str]) -> frozenset[str]:
    return frozenset(
        entry if entry.startswith("*.") else (host_name(entry) or entry)
        for entry in (raw.lower() for raw in entries)
    )


def host_name(value: str | None) -> str | None:
    """The host name of a ``Host`` header or allow-list entry: lower-case, no port or brackets."""
    if not value:
        return None
    try:
        return urlsplit("//" + value).hostname
    except ValueError:  # "[" without "]" and the like
        return None


def _listed(host: str, allowed: frozenset[str]) -> bool:
    if host in allowed:
        return True
    return any(entry.startswith("*.") and host.endswith(entry[1:]) for entry in allowed)


def content_security_policy(allowed_origins: Iterable[str]) -> str:
    """Our pages load only our own scripts and styles; only listed origins may frame them."""
    ancestors = " ".join(["'self'", *allowed_origins])
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            f"frame-ancestors {ancestors}",
        ]
    )


class SecurityHeaders:
    """The header set, computed once; ``apply`` sets it on a response-start message."""

    def __init__(self, allowed_origins: Iterable[str] = ()) -> None:
        self.headers: list[tuple[bytes, bytes]] = [
            (b"content-security-policy", content_security_policy(sorted(allowed_origins)).encode()),
            (b"x-content-type-options", b"nosniff"),
            # same-origin: no referrer leaves our site, and same-origin form posts keep their
            # Origin header (under no-referrer, Chromium sends "Origin: null").
            (b"referrer-policy", b"same-origin"),
            (b"permissions-policy", b"geolocation=(self), camera=(), microphone=()"),
        ]
        self.names = {name for name, _ in self.headers}

    def apply(self, message: Message) -> None:
        """Add each header the response has not set itself (a route may be stricter)."""
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            present = {name.lower() for name, _ in headers}
            message["headers"] = headers + [h for h in self.headers if h[0] not in present]

    async def before_send(self, message: Message, _scope: Scope) -> None:
        """As a Litestar ``before_send`` hook: covers every response, 404s included."""
        self.apply(message)


class OriginPolicy:
    """Which requests we refuse before routing: another ``Host`` than the allow-list's (400),
    and unsafe methods from a browser on an origin that may not embed us (403)."""

    def __init__(
        self,
        *,
        allowed_origins: Iterable[str] = (),
        allowed_hosts: Iterable[str] = (),
        own_hosts: Iterable[str] = LOOPBACK_HOSTS,
    ) -> None:
        self.allowed_origins = frozenset(origin.rstrip("/") for origin in allowed_origins)
        self.allowed_hosts = _host_set(allowed_hosts)
        self.own_hosts = self.allowed_hosts or _host_set(own_hosts)
        self.security_headers = SecurityHeaders(sorted(self.allowed_origins))

    def refusal(self, scope: HTTPScope) -> tuple[int, str] | None:
        """The status and message to refuse ``scope`` with; ``None``: let it through."""
        if scope["method"] in SAFE_METHODS and not self.allowed_hosts:
            return None  # nothing to check: the common case reads no header
        headers = {name.lower(): value.decode("latin-1") for name, value in scope["headers"]}
        host = host_name(headers.get(b"host"))
        if (
            self.allowed_hosts
            and (host is None or not _listed(host, self.allowed_hosts))
            and not scope["path"].endswith(HEALTH_PATHS)  # probes by address stay answered
        ):
            return 400, "This server does not answer for that host name."
        if scope["method"] not in SAFE_METHODS and not self._origin_allowed(headers, host):
            return 403, (
                "This form was sent from a site that is not allowed to embed these widgets. "
                "Please book on the clinic's own website or call us."
            )
        return None

    def _origin_allowed(self, headers: Mapping[bytes, str], host: str | None) -> bool:
        # "same origin" only when the Host is one of ours: the Host a request names is not
        ours = host is not None and _listed(host, self.own_hosts)
        if headers.get(b"sec-fetch-site") == "same-origin":
            return ours  # the browser's own word; Origin may be "null" under no-referrer
        origin = headers.get(b"origin")
        if origin is None:
            # Browsers send Origin on cross-origin posts; Sec-Fetch-Site covers the rest.
            return headers.get(b"sec-fetch-site", "same-origin") != "cross-site"
        if origin in self.allowed_origins:
            return True
        return ours and origin != "null" and urlsplit(origin).netloc == headers.get(b"host")
