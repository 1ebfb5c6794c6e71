"""How many random cases the property tests check: quick by default, full with KAT_TEST_FULL=1.

The quick size still checks the whole property on every kind of case (ties, poles, the
antimeridian, every burst size), just on fewer of them, so the default run stays quick. CI sets
``KAT_TEST_FULL=1`` and runs the full sizes. The assertions never depend on the size.
"""

from __future__ import annotations

import os

FULL_ENV = "KAT_TEST_FULL"


def full_size() -> bool:
    """``KAT_TEST_FULL`` is set to anything but ``0`` (or empty)."""
    return os.environ.get(FULL_ENV, "").strip() not in ("", "0")


def sized(quick: int, full: int) -> int:
    """``full`` under ``KAT_TEST_FULL=1``, else ``quick``."""
    return full if full_size() else quick
