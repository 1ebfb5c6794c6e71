"""Staff API keys: ``kat_<id>_<secret>``; the database keeps the id and a keyed hash of the secret.

The id (12 hex characters) names the key in lists and in the audit log; the secret (256 random
bits) is shown once, when the key is made. A key is scoped to clinics (or every clinic, ``*``)
and to actions: ``bookings:read``, ``bookings:write`` and ``names:read`` (the only way a name
leaves the database).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from typing import Literal, get_args

import msgspec

from kat_widgets.booking.tokens import keyed_hash

__all__ = ["ALL_CLINICS", "SCOPES", "Scope", "StaffKey", "key_secret_hash", "new_key", "parse_key"]

Scope = Literal["bookings:read", "bookings:write", "names:read"]
SCOPES: tuple[str, ...] = get_args(Scope)
ALL_CLINICS = "*"
_KEY_RE = re.compile(r"kat_([0-9a-f]{12})_([A-Za-z0-9_-]{43})")


class StaffKey(msgspec.Struct, frozen=True, kw_only=True):
    """A stored key, without its secret."""

    id: str
    clinics: tuple[str, ...]
    """Clinic ids, or ``("*",)`` for every clinic."""
    scopes: tuple[Scope, ...]
    label: str | None = None
    created_at: dt.datetime
    revoked_at: dt.datetime | None = None

    def may(self, scope: Scope) -> bool:
        return scope in self.scopes

    def covers(self, clinic_id: str) -> bool:
        return ALL_CLINICS in self.clinics or clinic_id in self.clinics


def new_key() -> tuple[str, str, str]:
    """``(id, secret, the whole key)`` for a new key."""
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    return key_id, secret, f"kat_{key_id}_{secret}"


def parse_key(text: str) -> tuple[str, str] | None:
    """``(id, secret)`` of a key's text, or ``None`` when it cannot be one of ours."""
    found = _KEY_RE.fullmatch(text.strip())
    return (found.group(1), found.group(2)) if found else None


def key_secret_hash(secret_key: str, key_id: str, secret: str) -> str:
    """The stored form of a key's secret (bound to its id)."""
    return keyed_hash(secret_key, "staff-key", f"{key_id}\x00{secret}")
