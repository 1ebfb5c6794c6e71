"""Hostile strings: markup and script that must never come back unescaped."""

from __future__ import annotations

MARKER = "kat-xss-probe"
PAYLOADS = [
    f"<script>alert('{MARKER}')</script>",
    f'"><img src=x onerror=alert("{MARKER}")>',
    f"'><svg/onload=alert('{MARKER}')>",
    f"</textarea><script>{MARKER}</script>",
    f"javascript:alert('{MARKER}')",
    f"{{{{7*7}}}}{MARKER}",
    f"\u202e{MARKER}\r\nX-Injected: yes",
]
RAW_SIGNS = [
    "<script>alert(",
    "<img src=x",
    "<svg/onload",
    "</textarea><script>",
    "X-Injected: yes\r",
]


def unescaped(text: str) -> list[str]:
    """The raw (unescaped) hostile fragments present in ``text``."""
    return [sign for sign in RAW_SIGNS if sign in text]
