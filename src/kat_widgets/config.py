"""Small configuration Structs, one per concern, each validated when it is made.

:class:`~kat_widgets.settings.Settings` stays the one flat surface operators set (every field a
``KAT_*`` variable or TOML key); it hands each part of the library only its group
(``settings.geocoding``, ``settings.booking``...), and building the groups is what validates it.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
from urllib.parse import parse_qs, unquote, urlsplit

import msgspec

from kat_widgets.errors import ConfigurationError

__all__ = [
    "BookingConfig",
    "CalendarsConfig",
    "EmbedConfig",
    "GeocoderConfig",
    "NotificationsConfig",
    "SmtpServer",
    "TwilioAccount",
    "parse_reminders",
]

MIN_SECRET = 32


class GeocoderConfig(msgspec.Struct, frozen=True, kw_only=True):
    """The online geocoder: which geopy service, how we identify ourselves and pace requests."""

    service: str
    """``offline`` (the bundled gazetteer only) or a geopy service name such as ``nominatim``."""
    user_agent: str
    domain: str
    scheme: str
    timeout_s: float
    min_interval_s: float

    def __post_init__(self) -> None:
        if self.online and not self.user_agent.strip():
            raise ConfigurationError(
                f"geocoder_user_agent is required when geocoder is {self.service!r} "
                "(set KAT_GEOCODER_USER_AGENT to something that identifies your site)"
            )
        public_nominatim = self.service == "nominatim" and not self.domain
        if public_nominatim and self.min_interval_s < 1:
            raise ConfigurationError(
                "geocoder_min_interval_s must be at least 1 for the public Nominatim service"
            )

    @property
    def online(self) -> bool:
        return self.service != "offline"


class BookingConfig(msgspec.Struct, frozen=True, kw_only=True):
    """Where bookings are stored, how tokens are keyed, and the visitor-facing rules."""

    database_url: str
    """With the demo default filled in (a SQLite file in ``data_dir``)."""
    secret_key: str
    cancel_cutoff_hours: int
    retention_days: int
    staff_feed_token: str
    staff_feed_names: bool

    def __post_init__(self) -> None:
        if self.secret_key and len(self.secret_key) < MIN_SECRET:
            raise ConfigurationError(f"secret_key must be at least {MIN_SECRET} characters")
        if self.staff_feed_token and len(self.staff_feed_token) < MIN_SECRET:
            raise ConfigurationError(f"staff_feed_token must be at least {MIN_SECRET} characters")

    @property
    def enabled(self) -> bool:
        """Booking needs a secret key (demo mode generates one)."""
        return bool(self.secret_key)


LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
"""This machine's own names: our origin for a browser's post when no allow-list is set."""


class EmbedConfig(msgspec.Struct, frozen=True, kw_only=True):
    """Who may embed the widgets, and where request counters for rate limits live."""

    allowed_origins: tuple[str, ...]
    allowed_hosts: tuple[str, ...] = ()
    public_url: str = ""
    rate_limit_store: str
    workers: int = 1

    def __post_init__(self) -> None:
        for origin in self.allowed_origins:
            if origin == "*" or not origin.startswith(("http://", "https://")):
                raise ConfigurationError(
                    f"allowed_origins entries must be full origins like https://clinic.example, "
                    f"got {origin!r}"
                )
        for host in self.allowed_hosts:
            if not _HOST_PATTERN.match(host):
                raise ConfigurationError(
                    f"allowed_hosts entries are host names like clinic.example or "
                    f"*.clinic.example (no scheme, port or path), got {host!r}"
                )

    @property
    def hosts(self) -> frozenset[str]:
        """The enforced allow-list, lower-case, with the host of ``public_url``; empty: none."""
        if not self.allowed_hosts:
            return frozenset()
        return frozenset({host.lower() for host in self.allowed_hosts} | self._public_host)

    @property
    def own_hosts(self) -> frozenset[str]:
        """Hosts a browser's same-origin post may come to: the allow-list, or without one the
        host of ``public_url`` and loopback (never any Host a request names: DNS rebinding)."""
        return self.hosts or LOOPBACK_HOSTS | self._public_host

    @property
    def _public_host(self) -> set[str]:
        public = urlsplit(self.public_url).hostname if self.public_url else None
        return {public} if public else set()


class CalendarsConfig(msgspec.Struct, frozen=True, kw_only=True):
    """Calendars whose events block open times: staff or room id -> its sources (file paths,
    http(s) URLs of feeds or CalDAV collections). Whether each id is in the directory is
    checked where the directory is known (``CalendarBusySource``)."""

    busy_calendars: dict[str, tuple[str, ...]]
    busy_refresh_seconds: int

    def __post_init__(self) -> None:
        for resource, sources in self.busy_calendars.items():
            if not resource:
                raise ConfigurationError("busy_calendars: an entry has no staff or room id")
            if not sources:
                raise ConfigurationError(f"busy_calendars: {resource!r} lists no calendar")
            for source in sources:
                if not source.strip():
                    raise ConfigurationError(f"busy_calendars: {resource!r} has an empty source")
                found = _SCHEME.match(source)  # the scheme only: the rest may hold a secret
                scheme = found.group(1).lower() if found else ""
                if scheme and scheme not in ("http", "https"):
                    raise ConfigurationError(
                        f"busy_calendars: {resource!r} has a {scheme}:// address; give a file "
                        "path or an http(s) URL (a webcal:// address is its https:// one)"
                    )


_HOST_PATTERN = re.compile(
    r"^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"
    r"|^\[[0-9a-f:]+\]$",
    re.IGNORECASE,
)
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*)://")
_ADDRESS = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
_LEAD = re.compile(r"^([0-9]{1,4})\s*([mhd])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def parse_reminders(text: str) -> tuple[dt.timedelta, ...]:
    """``"24h,2h"`` -> (24 hours, 2 hours), longest first; ``""`` -> none (reminders off)."""
    leads = []
    for part in (piece.strip().lower() for piece in text.split(",")):
        if not part:
            continue
        found = _LEAD.match(part)
        if not found or int(found.group(1)) == 0:
            raise ConfigurationError(
                f"reminders: {part!r} is not a time before the visit; use e.g. 24h,2h "
                "(m minutes, h hours, d days), or nothing to turn reminders off"
            )
        leads.append(dt.timedelta(**{_UNITS[found.group(2)]: int(found.group(1))}))
    return tuple(sorted(set(leads), reverse=True))


class SmtpServer(msgspec.Struct, frozen=True, kw_only=True):
    """Where mail goes, from ``smtp://user:pass@host:587?starttls=true`` or ``smtps://...``."""

    host: str
    port: int
    tls: bool
    """``smtps://``: TLS from the first byte (port 465)."""
    starttls: bool
    """``?starttls=true``: upgrade a plain connection before logging in (port 587)."""
    username: str | None
    password: str | None
    timeout_s: float = 30.0

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise ConfigurationError("smtp_url is not a valid URL") from None
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ConfigurationError(
                "smtp_url must look like smtp://user:pass@host:587?starttls=true "
                "or smtps://user:pass@host:465"
            )
        query = {k: v[-1].lower() for k, v in parse_qs(parts.query).items()}
        unknown = set(query) - {"starttls", "timeout"}
        if unknown:
            raise ConfigurationError(f"smtp_url: unknown option {sorted(unknown)[0]!r}")
        if query.get("starttls", "false") not in ("true", "false"):
            raise ConfigurationError("smtp_url: starttls must be true or false")
        tls = parts.scheme == "smtps"
        starttls = query.get("starttls") == "true"
        if tls and starttls:
            raise ConfigurationError("smtp_url: smtps already uses TLS; drop starttls=true")
        try:
            timeout = float(query.get("timeout", "30"))
        except ValueError:
            timeout = 0
        if not 0 < timeout <= 120:
            raise ConfigurationError("smtp_url: timeout must be a number of seconds up to 120")
        return cls(
            host=parts.hostname,
            port=port or (465 if tls else 587 if starttls else 25),
            tls=tls,
            starttls=starttls,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            timeout_s=timeout,
        )


class TwilioAccount(msgspec.Struct, frozen=True, kw_only=True):
    """Twilio's Messages API: the account, its token, the number texts come from."""

    account_sid: str
    auth_token: str
    sender: str
    api_url: str = "https://api.twilio.com"


class NotificationsConfig(msgspec.Struct, frozen=True, kw_only=True):
    """What happens after a booking: which channels are on, reminders, the queue."""

    public_url: str
    """Where the widgets are reachable from outside, for links in messages."""
    smtp: SmtpServer | None
    mail_from: str
    reminders: tuple[dt.timedelta, ...]
    sms: TwilioAccount | None
    webhook_urls: tuple[str, ...]
    webhook_secret: bytes
    """The Standard Webhooks signing key (the base64 part of ``whsec_...``)."""
    queue_url: str
    """``""``: a SQLite queue file in ``data_dir``, delivered inside ``kat-widgets serve``;
    ``redis://...`` or ``postgresql://...``: run ``kat-widgets worker`` processes."""
    queue_file: str
    staff_alert_notes: bool
    attempts: int
    backoff_s: float
    lease_s: float
    timeout_s: float
    """For the SMS provider and webhook receivers."""

    @property
    def email_on(self) -> bool:
        return self.smtp is not None

    @property
    def any_channel(self) -> bool:
        return self.smtp is not None or self.sms is not None or bool(self.webhook_urls)

    @property
    def embedded(self) -> bool:
        """Delivered by the web process itself (no queue service configured)."""
        return not self.queue_url


def _check_url(name: str, url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(f"{name}: {url!r} must be a full http(s) URL")


def webhook_key(secret: str) -> bytes:
    """The signing key of a ``whsec_<base64>`` secret (Standard Webhooks)."""
    if not secret.startswith("whsec_"):
        raise ConfigurationError("webhook_secret must look like whsec_<base64> (Standard Webhooks)")
    try:
        key = base64.b64decode(secret.removeprefix("whsec_"), validate=True)
    except (binascii.Error, ValueError):
        raise ConfigurationError("webhook_secret: the part after whsec_ is not base64") from None
    if len(key) < 24:
        raise ConfigurationError("webhook_secret: the key must be at least 24 bytes")
    return key


def notifications_config(
    *,
    public_url: str,
    smtp_url: str,
    mail_from: str,
    reminders: str,
    twilio_account_sid: str,
    twilio_auth_token: str,
    sms_from: str,
    twilio_api_url: str,
    webhook_urls: tuple[str, ...],
    webhook_secret: str,
    queue_url: str,
    queue_file: str,
    staff_alert_notes: bool,
    delivery_attempts: int,
    delivery_backoff_s: float,
    delivery_lease_s: float,
    delivery_timeout_s: float = 10.0,
) -> NotificationsConfig:
    """The notifications group, every value checked with a message naming the setting."""
    if public_url:
        _check_url("public_url", public_url)
    smtp = SmtpServer.from_url(smtp_url) if smtp_url else None
    if smtp is not None and not _ADDRESS.match(mail_from):
        raise ConfigurationError("mail_from must be an address such as bookings@clinic.example")
    sms = None
    if twilio_account_sid or twilio_auth_token or sms_from:
        if not (twilio_account_sid and twilio_auth_token and sms_from):
            raise ConfigurationError(
                "text messages need twilio_account_sid, twilio_auth_token and sms_from together"
            )
        if not _E164.match(sms_from):
            raise ConfigurationError("sms_from must be a number in E.164 form, e.g. +18015550123")
        _check_url("twilio_api_url", twilio_api_url)
        sms = TwilioAccount(
            account_sid=twilio_account_sid,
            auth_token=twilio_auth_token,
            sender=sms_from,
            api_url=twilio_api_url.rstrip("/"),
        )
    for url in webhook_urls:
        _check_url("webhook_urls", url)
    key = webhook_key(webhook_secret) if webhook_urls or webhook_secret else b""
    if queue_url and not queue_url.startswith(
        ("redis://", "rediss://", "postgresql://", "postgres://")
    ):
        raise ConfigurationError("queue_url must be redis://..., rediss://... or postgresql://...")
    if delivery_lease_s < 4 * max(smtp.timeout_s if smtp else 0, delivery_timeout_s):
        raise ConfigurationError(
            "delivery_lease_seconds must be at least four times the longest send timeout "
            "(so a slow send is never taken over while it is still running)"
        )
    return NotificationsConfig(
        public_url=public_url.rstrip("/"),
        smtp=smtp,
        mail_from=mail_from,
        reminders=parse_reminders(reminders),
        sms=sms,
        webhook_urls=webhook_urls,
        webhook_secret=key,
        queue_url=queue_url,
        queue_file=queue_file,
        staff_alert_notes=staff_alert_notes,
        attempts=delivery_attempts,
        backoff_s=delivery_backoff_s,
        lease_s=delivery_lease_s,
        timeout_s=delivery_timeout_s,
    )
