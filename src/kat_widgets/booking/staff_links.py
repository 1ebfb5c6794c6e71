"""Day-sheet links: a short-lived, signed address that opens one clinic's day for staff.

A browser cannot send an API key, so ``kat-widgets staff-link --clinic draper`` prints an
address holding ``<clinic>.<link id>.<expiry>.<signature>``: the signature is an HMAC-SHA256
under the settings' ``secret_key``, so the link cannot be forged or stretched, and it stops
working at its expiry (12 hours by default). The link id names it in the audit log.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import secrets

from kat_widgets.errors import AuthenticationError

__all__ = ["DEFAULT_HOURS", "MAX_HOURS", "make_day_link", "read_day_link"]

DEFAULT_HOURS = 12
MAX_HOURS = 24 * 7
_SHAPE = re.compile(
    r"([a-z0-9][a-z0-9-]{0,63})\.([0-9a-f]{12})\.([0-9]{1,12})\.([A-Za-z0-9_-]{43})"
)


def _signature(secret_key: str, payload: str) -> str:
    digest = hmac.new(secret_key.encode(), f"staff-day-link\x00{payload}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode()


def make_day_link(secret_key: str, clinic_id: str, expires: dt.datetime) -> tuple[str, str]:
    """``(the link's token, its id)`` for ``clinic_id`` until ``expires``."""
    link_id = secrets.token_hex(6)
    payload = f"{clinic_id}.{link_id}.{int(expires.timestamp())}"
    return f"{payload}.{_signature(secret_key, payload)}", link_id


def read_day_link(secret_key: str, token: str, *, now: dt.datetime) -> tuple[str, str]:
    """``(clinic id, link id)`` of a valid token; :class:`AuthenticationError` for a forged,
    altered or expired one (the same words: nothing to learn from trying)."""
    found = _SHAPE.fullmatch(token)
    if found is not None:
        clinic_id, link_id, expiry, signature = found.groups()
        payload = f"{clinic_id}.{link_id}.{expiry}"
        if hmac.compare_digest(signature, _signature(secret_key, payload)):
            if now.timestamp() < int(expiry):
                return clinic_id, link_id
            raise AuthenticationError(
                "This staff link has expired. Ask for a new one: kat-widgets staff-link."
            )
    raise AuthenticationError("This staff link is not valid. Ask for a new one.")
