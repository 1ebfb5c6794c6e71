"""Small configuration Structs, one per concern, each validated when it is made.

:class:`~kat_widgets.settings.Settings` stays the one flat surface operators set (every field a
``KAT_*`` variable or TOML key); it hands each part of the library only its group
(``settings.geocoding``, ``settings.booking``...), and building the groups is what validates it.
"""

from __future__ import annotations

import msgspec

from kat_widgets.errors import ConfigurationError

__all__ = ["BookingConfig", "CalendarsConfig", "EmbedConfig", "GeocoderConfig"]

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


class EmbedConfig(msgspec.Struct, frozen=True, kw_only=True):
    """Who may embed the widgets, and where request counters for rate limits live."""

    allowed_origins: tuple[str, ...]
    rate_limit_store: str

    def __post_init__(self) -> None:
        for origin in self.allowed_origins:
            if origin == "*" or not origin.startswith(("http://", "https://")):
                raise ConfigurationError(
                    f"allowed_origins entries must be full origins like https://clinic.example, "
                    f"got {origin!r}"
                )


class CalendarsConfig(msgspec.Struct, frozen=True, kw_only=True):
    """Staff calendars whose events block open times (staff id -> file path or URL)."""

    busy_calendars: dict[str, str]
    busy_refresh_seconds: int
