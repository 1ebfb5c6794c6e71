"""The one msgspec policy every data-file Struct follows (clinics.toml, crisis.toml)."""

from __future__ import annotations

from typing import Annotated

import msgspec

__all__ = ["PATTERN_WORDS", "Base", "Line", "OptionalLine", "Slug"]

_SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_LINE = r"^[^\x00-\x1f\x7f]+$"
_LINE_OR_EMPTY = r"^[^\x00-\x1f\x7f]*$"

Slug = Annotated[str, msgspec.Meta(pattern=_SLUG, max_length=64)]
"""An id in a data file (``draper``, ``info-call``)."""
Line = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=_LINE)]
"""One line of text (a name, a street): no line breaks or other control characters, which
would break a calendar line, an email header or a text message."""
OptionalLine = Annotated[str, msgspec.Meta(max_length=200, pattern=_LINE_OR_EMPTY)]

PATTERN_WORDS = {
    _LINE: "must be one line of text, without line breaks",
    _LINE_OR_EMPTY: "must be one line of text, without line breaks",
    _SLUG: "must be lower-case letters, digits and single hyphens (like draper or info-call)",
}
"""What each pattern above means, in an operator's words (for data-file errors)."""


class Base(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """Unknown keys are typos (refused with their path); values are immutable.

    Defaults are encoded (no ``omit_defaults``) so JSON answers always carry every key.
    """
