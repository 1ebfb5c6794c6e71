"""Settings: one msgspec Struct, read from an optional TOML file and ``KAT_*`` variables.

Precedence, lowest first: defaults, the TOML file (``KAT_SETTINGS_FILE``), environment.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec

from kat_widgets.config import (
    BookingConfig,
    CalendarsConfig,
    EmbedConfig,
    GeocoderConfig,
    NotificationsConfig,
    notifications_config,
)
from kat_widgets.errors import ConfigurationError, split_validation_error

__all__ = ["BUNDLED_CRISIS", "BUNDLED_DIRECTORY", "RetentionDays", "Settings", "load_settings"]

BUNDLED_DIRECTORY = Path(__file__).parent / "data" / "clinics.toml"
BUNDLED_CRISIS = Path(__file__).parent / "data" / "crisis.toml"
ENV_PREFIX = "KAT_"
_LIST_FIELDS = frozenset({"allowed_origins", "allowed_hosts", "webhook_urls"})
_MAP_FIELDS = frozenset({"busy_calendars"})

RetentionDays = Annotated[int, msgspec.Meta(ge=1, le=3650)]
"""How long cancelled and past bookings are kept, in days: the setting and ``db purge``."""


class Settings(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, frozen=True):
    """Everything an operator can set. Every field is also ``KAT_<FIELD>`` in the environment.

    The library reads it by group (``geocoding``, ``booking``, ``embedding``, ``calendars``:
    see :mod:`kat_widgets.config`); building the groups validates them.
    """

    mode: Literal["demo", "production"] = "demo"
    """``production`` refuses to start without an explicit ``secret_key``."""
    settings_file: str | None = None
    """The TOML file these settings were read from, if any."""
    data_dir: str = "kat-data"
    """Folder for the demo's SQLite database and generated secret key."""
    directory_file: str = str(BUNDLED_DIRECTORY)
    """Clinic directory TOML; defaults to the five bundled Utah clinics."""
    database_url: str = ""
    """``sqlite:///path.db`` or ``postgresql://...``; empty means a SQLite file in ``data_dir``."""
    allowed_origins: tuple[str, ...] = ()
    """Origins allowed to embed the widgets (CORS and CSP ``frame-ancestors``)."""
    secret_key: str = ""
    """Signs tokens; generated and kept in ``data_dir`` in demo mode."""
    locale: Annotated[str, msgspec.Meta(pattern=r"^[a-z]{2}(-[A-Z]{2})?$")] = "en-US"
    """Default language of the widgets (``en-US``, ``es-US``)."""
    region: Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")] = "US-UT"
    """Default region for crisis resources, never derived from tracking a visitor."""
    rate_limit_store: Annotated[str, msgspec.Meta(pattern=r"^(memory|off|rediss?://.+)$")] = (
        "memory"
    )
    """Rate-limit counters: ``memory`` (one worker), ``redis://...`` (shared) or ``off``."""
    workers: Annotated[int, msgspec.Meta(ge=1, le=64)] = 1
    """How many processes serve the app (``serve --workers`` sets it): with the ``memory``
    rate-limit store each process enforces its share of every budget."""
    allowed_hosts: tuple[str, ...] = ()
    """Host names this server answers for (``clinic.example``, ``*.clinic.example``), with the
    host of ``public_url``; other ``Host`` headers get 400 (``/healthz``, ``/readyz`` excepted).
    Empty: any host is served, but only loopback (``localhost``, ``127.0.0.1``, ``[::1]``) and
    the host of ``public_url`` count as our own origin for a browser's form post (DNS
    rebinding)."""
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    """What the app logs: ``info`` has one line per request (route template, status, time, no
    personal data); ``warning`` keeps only problems and saves that line's cost."""
    forwarded_allow_ips: str = ""
    """Proxies trusted to set ``X-Forwarded-For``/``-Proto`` for ``serve`` (comma-separated
    addresses or networks, ``*`` for any); empty: none, the peer's own address is the client."""
    crisis_file: str = str(BUNDLED_CRISIS)
    """Crisis resources TOML; defaults to the bundled, sourced and dated file."""
    crisis_max_age_days: Annotated[int, msgspec.Meta(ge=1)] = 180
    """``kat-widgets check`` warns when a crisis entry was verified longer ago than this."""
    geocoder: Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]*$")] = "offline"
    """``offline`` (the bundled gazetteer only) or a geopy service name such as ``nominatim``."""
    geocoder_user_agent: str = ""
    """Identifies you to the online geocoder (Nominatim requires one, e.g. ``clinic-site/1.0``)."""
    geocoder_domain: str = ""
    """Host of the online geocoder (your own Nominatim, or a test server); empty: the service's."""
    geocoder_scheme: Literal["https", "http"] = "https"
    geocoder_timeout_s: Annotated[float, msgspec.Meta(gt=0, le=30)] = 3.0
    """Per request; the locator falls back to the gazetteer when it passes. Never retried."""
    geocoder_min_interval_s: Annotated[float, msgspec.Meta(ge=0)] = 1.0
    """At most one online request per interval (Nominatim's policy: 1 per second)."""
    distance_unit: Literal["mi", "km"] = "mi"
    """Unit the locator widget shows distances in (the JSON API gives both)."""
    locator_radius_km: Annotated[float, msgspec.Meta(gt=0, le=20000)] = 100.0
    """Default search radius; with nothing inside it the locator shows the nearest anyway."""
    cancel_cutoff_hours: Annotated[int, msgspec.Meta(ge=0, le=24 * 14)] = 24
    """Online cancel/reschedule closes this many hours before a visit; then visitors call."""
    retention_days: RetentionDays = 90
    """``kat-widgets db purge`` default: delete cancelled/past bookings older than this."""
    staff_feed_token: str = ""
    """Secret in the whole staff calendar feed's URL, and what every clinic's, staff member's
    and room's feed key is derived from (``kat-widgets calendars staff-feeds``); empty disables
    ``/calendars/staff/...``."""
    staff_feed_names: bool = False
    """Show visitors' names in the staff feeds (off: discreet titles only)."""
    busy_calendars: dict[str, str | list[str]] = msgspec.field(default_factory=dict)
    """Calendars whose events block slots: a staff or room id -> one source or a list of them,
    each an ``.ics`` file path, an http(s) URL of an ``.ics`` feed or of a CalDAV calendar
    collection (credentials in the URL: ``https://user:password@host/...``).

    In TOML a table (``[kat_widgets.busy_calendars]``); in ``KAT_BUSY_CALENDARS`` a
    comma-separated list of ``id=source``, an id repeated for each of its calendars.
    RRULE/EXDATE are expanded; a URL is re-fetched at most every ``busy_refresh_seconds`` and,
    when it fails, its last good copy is kept; one never read keeps its resource busy (see
    docs/scheduling.md).
    """
    busy_refresh_seconds: Annotated[int, msgspec.Meta(ge=0)] = 300
    """How long a fetched busy calendar (a URL or CalDAV collection) is reused before it is
    fetched again."""

    public_url: str = ""
    """Where visitors reach the widgets (``https://clinic.example/widgets``), for the links in
    emails and texts; demo default ``http://127.0.0.1:8000``; required in production when a
    channel is on."""
    smtp_url: str = ""
    """Email to visitors and staff: ``smtp://user:pass@host:587?starttls=true`` or
    ``smtps://user:pass@host:465``; empty: no email."""
    mail_from: str = ""
    """The sender of every email (``bookings@clinic.example``); required with ``smtp_url``."""
    reminders: str = "24h,2h"
    """Reminders before each visit (``m``, ``h``, ``d``), by email and, where the visitor asked,
    by text; empty turns them off."""
    twilio_account_sid: str = ""
    """Text messages through Twilio: the account SID (with ``twilio_auth_token``, ``sms_from``)."""
    twilio_auth_token: str = ""
    sms_from: str = ""
    """The number texts come from, E.164 (``+18015550123``)."""
    twilio_api_url: str = "https://api.twilio.com"
    webhook_urls: tuple[str, ...] = ()
    """Partner systems told of every booking change (signed, Standard Webhooks)."""
    webhook_secret: str = ""
    """``whsec_<base64>``: the key webhooks are signed with; required with ``webhook_urls``."""
    queue_url: str = ""
    """Delivery queue: empty (a SQLite file in ``data_dir``, delivered by ``serve`` itself),
    ``redis://...`` or ``postgresql://...`` (run ``kat-widgets worker`` processes)."""
    deliver_in_process: bool = True
    """With no ``queue_url``: the app delivers from a few threads of its own process, so a
    mounted app needs nothing else. ``kat-widgets serve`` turns it off for its web workers
    and runs one delivery process beside them instead (sending never shares a worker's GIL
    with visitors' requests)."""
    staff_alert_notes: bool = False
    """Include the visitor's note in the clinic's staff alert emails (off: never)."""
    delivery_attempts: Annotated[int, msgspec.Meta(ge=1, le=50)] = 8
    """Tries per message before it is parked (``kat-widgets outbox list``)."""
    delivery_backoff_seconds: Annotated[float, msgspec.Meta(gt=0, le=3600)] = 30.0
    """First retry delay; it doubles on each try (capped at an hour), with full jitter."""
    delivery_timeout_seconds: Annotated[float, msgspec.Meta(gt=0, le=120)] = 10.0
    """Longest wait for the SMS provider or a webhook receiver (SMTP: ``?timeout=`` or 30 s)."""
    delivery_lease_seconds: Annotated[float, msgspec.Meta(ge=1, le=3600)] = 300.0
    """How long a worker may take to send one message before another may take it over."""

    def __post_init__(self) -> None:
        if self.mode == "production" and not self.secret_key:
            raise ConfigurationError(
                "secret_key is required in production mode (set KAT_SECRET_KEY)"
            )
        # each group checks its own fields when made: a wrong value fails here, at start-up
        self.geocoding, self.booking, self.embedding, self.calendars  # noqa: B018
        notifications = self.notifications
        if self.mode == "production" and notifications.any_channel and not self.public_url:
            raise ConfigurationError(
                "public_url is required when messages are sent (the links in them), e.g. "
                "KAT_PUBLIC_URL=https://clinic.example/widgets"
            )

    @property
    def geocoding(self) -> GeocoderConfig:
        return GeocoderConfig(
            service=self.geocoder,
            user_agent=self.geocoder_user_agent,
            domain=self.geocoder_domain,
            scheme=self.geocoder_scheme,
            timeout_s=self.geocoder_timeout_s,
            min_interval_s=self.geocoder_min_interval_s,
        )

    @property
    def booking(self) -> BookingConfig:
        return BookingConfig(
            database_url=self.resolved_database_url,
            secret_key=self.secret_key,
            cancel_cutoff_hours=self.cancel_cutoff_hours,
            retention_days=self.retention_days,
            staff_feed_token=self.staff_feed_token,
            staff_feed_names=self.staff_feed_names,
        )

    @property
    def embedding(self) -> EmbedConfig:
        return EmbedConfig(
            allowed_origins=self.allowed_origins,
            allowed_hosts=self.allowed_hosts,
            public_url=self.public_url,
            rate_limit_store=self.rate_limit_store,
            workers=self.workers,
        )

    @property
    def calendars(self) -> CalendarsConfig:
        return CalendarsConfig(
            busy_calendars={
                key: (given,) if isinstance(given, str) else tuple(dict.fromkeys(given))
                for key, given in self.busy_calendars.items()
            },
            busy_refresh_seconds=self.busy_refresh_seconds,
        )

    @property
    def visitor_url(self) -> str:
        """``public_url`` without a trailing slash (the demo's ``http://127.0.0.1:8000`` when
        unset in demo mode): where links we hand out of a page (messages, schema.org actions)
        point; empty when unknown."""
        url = self.public_url or ("http://127.0.0.1:8000" if self.mode == "demo" else "")
        return url.rstrip("/")

    @property
    def notifications(self) -> NotificationsConfig:
        return notifications_config(
            public_url=self.visitor_url,
            smtp_url=self.smtp_url,
            mail_from=self.mail_from,
            reminders=self.reminders,
            twilio_account_sid=self.twilio_account_sid,
            twilio_auth_token=self.twilio_auth_token,
            sms_from=self.sms_from,
            twilio_api_url=self.twilio_api_url,
            webhook_urls=self.webhook_urls,
            webhook_secret=self.webhook_secret,
            queue_url=self.queue_url,
            queue_file=str(Path(self.data_dir).resolve() / "queue.db"),
            staff_alert_notes=self.staff_alert_notes,
            delivery_attempts=self.delivery_attempts,
            delivery_backoff_s=self.delivery_backoff_seconds,
            delivery_lease_s=self.delivery_lease_seconds,
            delivery_timeout_s=self.delivery_timeout_seconds,
        )

    @property
    def resolved_database_url(self) -> str:
        """The database URL with the demo default filled in."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{Path(self.data_dir).resolve() / 'kat-widgets.db'}"


def _from_env(environ: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in Settings.__struct_fields__:
        raw = environ.get(ENV_PREFIX + name.upper())
        if raw is None:
            continue
        if name in _LIST_FIELDS:
            values[name] = [part.strip() for part in raw.split(",") if part.strip()]
        elif name in _MAP_FIELDS:
            values[name] = _env_map(raw)
        else:
            values[name] = raw
    return values


def _env_map(raw: str) -> dict[str, str | list[str]]:
    """``a=x,b=y,a=z`` -> ``{"a": ["x", "z"], "b": "y"}``: an id given once keeps one value."""
    found: dict[str, list[str]] = {}
    for key, _, value in (part.partition("=") for part in raw.split(",") if part.strip()):
        found.setdefault(key.strip(), []).append(value.strip())
    return {key: values[0] if len(values) == 1 else values for key, values in found.items()}


def _from_file(path: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigurationError(f"settings file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError(f"{path}: not valid TOML: {exc}") from None
    section: dict[str, Any] = data.get("kat_widgets", data)
    return section


def _persisted_secret(data_dir: str) -> str:
    """Read or create the demo's secret key file (mode 0600) in ``data_dir``."""
    folder = Path(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    key_file = folder / "secret_key"
    try:
        return key_file.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        key = secrets.token_urlsafe(48)
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another worker won the race
            return key_file.read_text(encoding="ascii").strip()
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(key)
        return key


def load_settings(
    environ: Mapping[str, str] | None = None, *, persist_secret: bool = True, **overrides: Any
) -> Settings:
    """Build :class:`Settings` from ``KAT_SETTINGS_FILE``, ``KAT_*`` variables and ``overrides``.

    In demo mode a missing secret key is generated once and kept in ``data_dir`` so that
    tokens stay valid across restarts and workers (skip with ``persist_secret=False``).
    """
    environ = os.environ if environ is None else environ
    env_values = _from_env(environ)
    values: dict[str, Any] = {}
    settings_file = overrides.get("settings_file") or env_values.get("settings_file")
    if settings_file:
        values.update(_from_file(settings_file))
        values["settings_file"] = settings_file
    values.update(env_values)
    values.update(overrides)
    try:
        settings = msgspec.convert(values, Settings, strict=False)
    except msgspec.ValidationError as exc:
        source = f"{settings_file} or environment" if settings_file else "environment"
        path, reason = split_validation_error(exc)
        where = f"{path}: " if path else ""
        raise ConfigurationError(f"invalid settings ({source}): {where}{reason}") from None
    if not settings.secret_key and settings.mode == "demo" and persist_secret:
        settings = msgspec.structs.replace(
            settings, secret_key=_persisted_secret(settings.data_dir)
        )
    return settings
