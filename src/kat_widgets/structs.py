"""The one msgspec policy every data-file Struct follows (clinics.toml, crisis.toml)."""

from __future__ import annotations

import msgspec

__all__ = ["Base"]


class Base(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """Unknown keys are typos (refused with their path); values are immutable.

    Defaults are encoded (no ``omit_defaults``) so JSON answers always carry every key.
    """
