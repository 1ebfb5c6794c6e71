"""The error tree: one root, each subclass also inheriting the builtin that fits."""

from __future__ import annotations

__all__ = [
    "ConfigurationError",
    "CrisisDataError",
    "DirectoryError",
    "GeocoderError",
    "GeocoderRateLimitedError",
    "GeocoderTimeoutError",
    "GeocoderUnavailableError",
    "KatWidgetsError",
    "NotFoundError",
    "ValidationError",
    "split_validation_error",
]


class KatWidgetsError(Exception):
    """Root of every error kat-widgets raises on purpose."""


class ConfigurationError(KatWidgetsError, ValueError):
    """Settings or data files are wrong; the message says what to change."""


class DirectoryError(ConfigurationError):
    """A clinic directory file is invalid; carries the file and the path inside it."""

    def __init__(self, message: str, *, file: str | None = None, path: str | None = None) -> None:
        self.file = file
        self.path = path
        self.reason = message
        where = ": ".join(part for part in (file, path) if part)
        super().__init__(f"{where}: {message}" if where else message)


class CrisisDataError(ConfigurationError):
    """The crisis resources file is invalid; carries the file and the path inside it."""

    def __init__(self, message: str, *, file: str | None = None, path: str | None = None) -> None:
        self.file = file
        self.path = path
        self.reason = message
        where = ": ".join(part for part in (file, path) if part)
        super().__init__(f"{where}: {message}" if where else message)


class NotFoundError(KatWidgetsError, LookupError):
    """A clinic, service or other named thing does not exist."""


class ValidationError(KatWidgetsError, ValueError):
    """Input from a visitor or a caller is invalid; `field` names what to fix."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        self.field = field
        super().__init__(message)


class GeocoderError(KatWidgetsError, OSError):
    """An online geocoder failed; callers fall back to the offline gazetteer."""


class GeocoderTimeoutError(GeocoderError, TimeoutError):
    """The online geocoder did not answer within ``geocoder_timeout_s``."""


class GeocoderUnavailableError(GeocoderError, ConnectionError):
    """The online geocoder could not be reached or answered with a server error."""


class GeocoderRateLimitedError(GeocoderError):
    """Too many requests: the service said 429, or our own one-per-interval limit said wait."""


def split_validation_error(exc: Exception) -> tuple[str, str]:
    """Split msgspec's ``"Expected `str` - at `$.clinics[2].timezone`"`` into path and reason."""
    text = str(exc)
    reason, sep, where = text.rpartition(" - at `$")
    if not sep:
        return "", text
    return where.rstrip("`").lstrip("."), reason
