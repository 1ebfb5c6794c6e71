"""Replaying an idempotent booking: the same ``Idempotency-Key`` gives the first answer again."""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING

from kat_widgets.booking.models import Confirmation
from kat_widgets.booking.tokens import unseal
from kat_widgets.errors import ValidationError

if TYPE_CHECKING:
    from kat_widgets.booking.storage import Storage

__all__ = ["replay"]


def replay(
    storage: Storage, secret_key: str, key_hash: str, request_hash: str, idempotency_key: str
) -> Confirmation | None:
    """The booking an earlier request with this key made, with its manage token unsealed;
    ``None`` if there was none; :class:`ValidationError` if that request was another one."""
    found = storage.idempotent(key_hash)
    if found is None:
        return None
    record, booking = found
    if not hmac.compare_digest(record.request_hash, request_hash):
        raise ValidationError(
            "This Idempotency-Key was already used for a different booking request.",
            field="Idempotency-Key",
        )
    token = unseal(secret_key, idempotency_key, record.sealed_token)
    return Confirmation(booking=booking, token=token, replayed=True)
