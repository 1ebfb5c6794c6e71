"""The error tree: one root, each subclass also inheriting the builtin that fits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

__all__ = [
    "BookingConflictError",
    "ConfigurationError",
    "CrisisDataError",
    "DataFileError",
    "DeliveryError",
    "DirectoryError",
    "GeocoderError",
    "GeocoderRateLimitedError",
    "GeocoderTimeoutError",
    "GeocoderUnavailableError",
    "HoldConflictError",
    "IcsImportError",
    "IdempotencyConflictError",
    "IntakeRouteError",
    "KatWidgetsError",
    "NotFoundError",
    "PathwayError",
    "PermanentDeliveryError",
    "ReferralError",
    "SlotTakenError",
    "StaleChangeError",
    "StorageUnavailableError",
    "TransientDeliveryError",
    "ValidationError",
    "split_validation_error",
]


class KatWidgetsError(Exception):
    """Root of every error kat-widgets raises on purpose."""


class ConfigurationError(KatWidgetsError, ValueError):
    """Settings or data files are wrong; the message says what to change."""


class DataFileError(ConfigurationError):
    """A data file (TOML) is invalid; carries the file and the path inside it."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        path: str | None = None,
        line: int | None = None,
        shown_path: str | None = None,
    ) -> None:
        self.file = file
        self.path = path
        """msgspec's path (``clinics[0].hours[1].days[0]``), for programs."""
        self.line = line
        self.reason = message
        # for people: "clinics.toml, line 31: clinics #1 (id "draper") > hours #2 > days #1"
        place = f"{file}, line {line}" if file and line else file
        where = ": ".join(part for part in (place, shown_path or path) if part)
        super().__init__(f"{where}: {message}" if where else message)


class DirectoryError(DataFileError):
    """The clinic directory file is invalid (``clinics[2].timezone``...)."""


class CrisisDataError(DataFileError):
    """The crisis resources file is invalid (``resources[2].source``...)."""


class NotFoundError(KatWidgetsError, LookupError):
    """A clinic, service or other named thing does not exist."""


class ValidationError(KatWidgetsError, ValueError):
    """Input from a visitor or a caller is invalid; `field` names what to fix.

    ``fields`` maps every invalid field to its message when a form has several problems.
    """

    def __init__(
        self, message: str, *, field: str | None = None, fields: Mapping[str, str] | None = None
    ) -> None:
        self.field = field
        self.fields = dict(fields or {})
        super().__init__(message)


class PathwayError(ValidationError):
    """A booking would break the care pathway (see ``scheduling.check_pathway``).

    ``rule`` says which: ``requires`` (``required``: the service that must be completed first),
    ``spacing`` (``days``: the least days between sessions of one step) or ``after`` (``days``
    after a session of ``after_step``). The booking layer words it for the visitor.
    """

    def __init__(
        self,
        message: str,
        *,
        rule: str,
        field: str | None = None,
        required: str | None = None,
        days: int | None = None,
        after_step: str | None = None,
    ) -> None:
        self.rule = rule
        self.required = required
        self.days = days
        self.after_step = after_step
        super().__init__(message, field=field)


class IntakeRouteError(ValidationError):
    """An intake answer sends the visitor to another service (``service_id``) or clinic."""

    def __init__(self, message: str, *, field: str, clinic_id: str, service_id: str | None) -> None:
        self.clinic_id = clinic_id
        self.service_id = service_id
        super().__init__(message, field=field)


class ReferralError(ValidationError):
    """A referral link that is not valid, has expired, or is for another clinic or service."""


class GeocoderError(KatWidgetsError, OSError):
    """An online geocoder failed; callers fall back to the offline gazetteer."""


class GeocoderTimeoutError(GeocoderError, TimeoutError):
    """The online geocoder did not answer within ``geocoder_timeout_s``."""


class GeocoderUnavailableError(GeocoderError, ConnectionError):
    """The online geocoder could not be reached or answered with a server error."""


class GeocoderRateLimitedError(GeocoderError):
    """Too many requests: the service said 429, or our own one-per-interval limit said wait."""


class BookingConflictError(KatWidgetsError, RuntimeError):
    """The request conflicts with the booking's state (cancelled, inside the cut-off...)."""


class SlotTakenError(BookingConflictError):
    """Someone else just took the slot; ``next_slots`` are the next free ones (may be empty)."""

    def __init__(self, message: str, *, next_slots: Sequence[object] = ()) -> None:
        self.next_slots = tuple(next_slots)
        super().__init__(message)


class HoldConflictError(BookingConflictError):
    """The database refused a booking's holds (overlap, full group or day, a concurrent writer).

    Raised by the store; the booking service looks again and, when no time is left, answers
    :class:`SlotTakenError` instead.
    """


class StaleChangeError(BookingConflictError):
    """The booking changed since the visitor looked at it (another tab, another device)."""


class IdempotencyConflictError(BookingConflictError):
    """A concurrent request stored the same ``Idempotency-Key`` first; replay its result."""


class IcsImportError(KatWidgetsError, ValueError):
    """A staff calendar (.ics) could not be read; the message names its source."""


class DeliveryError(KatWidgetsError, OSError):
    """A message could not be handed to its channel (SMTP server, SMS provider, webhook)."""


class TransientDeliveryError(DeliveryError):
    """Worth trying again later: the server is down, slow, or said "try later" (4xx/5xx)."""


class PermanentDeliveryError(DeliveryError):
    """Trying again cannot help (the address was refused); the message is parked at once."""


class AuthenticationError(KatWidgetsError, PermissionError):
    """No staff key, or one that is wrong, malformed or revoked (HTTP 401)."""


class PermissionDeniedError(KatWidgetsError, PermissionError):
    """A valid staff key without the scope or the clinic an action needs (HTTP 403)."""


class StorageUnavailableError(KatWidgetsError, ConnectionError):
    """The booking database cannot be reached; the message says whom to call instead."""


def split_validation_error(exc: Exception) -> tuple[str, str]:
    """Split msgspec's ``"Expected `str` - at `$.clinics[2].timezone`"`` into path and reason."""
    text = str(exc)
    reason, sep, where = text.rpartition(" - at `$")
    if not sep:
        return "", text
    return where.rstrip("`").lstrip("."), reason
