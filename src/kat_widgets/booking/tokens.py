"""Manage tokens and keyed hashes: the token is the visitor's key, the database keeps its hash.

A token is 32 random bytes (256 bits, ``secrets.token_urlsafe(32)``). Only its HMAC-SHA256 under
the settings' ``secret_key`` is stored, so a copy of the database cannot manage bookings.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

__all__ = [
    "TOKEN_BYTES",
    "calendar_hash",
    "calendar_key",
    "keyed_hash",
    "looks_like_token",
    "new_token",
    "seal",
    "seal_held",
    "staff_feed_key",
    "token_hash",
    "unseal",
    "unseal_held",
]

TOKEN_BYTES = 32
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")


def new_token() -> str:
    """A fresh manage token: 256 random bits, URL-safe (43 characters)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def looks_like_token(value: str) -> bool:
    """Cheap shape check so malformed tokens never reach the database."""
    return bool(_TOKEN_RE.match(value))


def keyed_hash(secret_key: str, purpose: str, value: str) -> str:
    """HMAC-SHA256 of ``value``, separated by ``purpose`` so hashes never collide across uses."""
    message = f"{purpose}\x00{value}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def token_hash(secret_key: str, token: str) -> str:
    """The stored form of a manage token."""
    return keyed_hash(secret_key, "manage-token", token)


def calendar_key(secret_key: str, token: str) -> str:
    """The read-only key of a booking's .ics address, derived from its manage token.

    43 URL-safe characters like a token, but it opens the calendar file only: someone given
    the calendar address (or a calendar app that subscribed to it) cannot cancel or move the
    visit. Derived rather than random so that an idempotent replay gives the same address.
    """
    digest = hmac.new(secret_key.encode(), f"calendar-link\x00{token}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode()


def calendar_hash(secret_key: str, key: str) -> str:
    """The stored form of a calendar key (the database never holds the key itself)."""
    return keyed_hash(secret_key, "calendar-key", key)


def staff_feed_key(secret_key: str, feed_token: str, scope: str) -> str:
    """The key in one clinic's, staff member's or room's feed address (``scope`` names it).

    43 URL-safe characters like :func:`calendar_key`: an HMAC-SHA256 under ``secret_key`` of
    the scope and ``staff_feed_token``, so the address cannot be guessed from the ids, opens only
    its own feed, and changes for every feed when the token is changed (one step to rotate).
    """
    message = f"staff-feed\x00{feed_token}\x00{scope}".encode()
    digest = hmac.new(secret_key.encode(), message, hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode()


def _pad(secret_key: str, idempotency_key: str) -> bytes:
    return hmac.new(
        secret_key.encode(), f"idempotency-pad\x00{idempotency_key}".encode(), hashlib.sha256
    ).digest()


def seal(secret_key: str, idempotency_key: str, token: str) -> str:
    """Encrypt ``token`` for the idempotency record: XOR with a pad only the key can rebuild.

    The pad is an HMAC of the (unique) idempotency key, used once; neither the database nor the
    key alone reveals the token.
    """
    raw = base64.urlsafe_b64decode(token + "=")
    sealed = bytes(a ^ b for a, b in zip(raw, _pad(secret_key, idempotency_key), strict=True))
    return sealed.hex()


def unseal(secret_key: str, idempotency_key: str, sealed: str) -> str:
    """Inverse of :func:`seal`."""
    raw = bytes(
        a ^ b for a, b in zip(bytes.fromhex(sealed), _pad(secret_key, idempotency_key), strict=True)
    )
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def seal_held(secret_key: str, token_hash: str, token: str) -> str:
    """The manage token of a booking held before it is confirmed (a request waiting for
    approval, a waitlist offer), sealed in its row until the confirmation carries its links.
    The booking's own token hash makes the pad unique to it."""
    return seal(secret_key, f"held\x00{token_hash}", token)


def unseal_held(secret_key: str, token_hash: str, sealed: str) -> str:
    """Inverse of :func:`seal_held`."""
    return unseal(secret_key, f"held\x00{token_hash}", sealed)
