"""Spot crisis words in a booking note, from the maintained list in ``data/crisis_words.txt``.

A match never blocks a booking; it moves crisis resources to the top of the confirmation.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

__all__ = ["crisis_phrases", "mentions_crisis"]


@cache
def crisis_phrases() -> tuple[str, ...]:
    """The list, lower case, comments and blank lines dropped."""
    text = (resources.files("kat_widgets") / "data" / "crisis_words.txt").read_text("utf-8")
    lines = (line.strip().lower() for line in text.splitlines())
    return tuple(line for line in lines if line and not line.startswith("#"))


@cache
def _pattern() -> re.Pattern[str]:
    parts = sorted((re.escape(phrase) for phrase in crisis_phrases()), key=len, reverse=True)
    return re.compile(r"(?<![\w])(?:" + "|".join(parts) + r")(?![\w])")


def mentions_crisis(text: str | None) -> bool:
    """True when ``text`` contains a listed word or phrase (whole words, any case)."""
    if not text:
        return False
    normalised = " ".join(text.lower().replace("\u2019", "'").replace("\u2018", "'").split())
    return _pattern().search(normalised) is not None
