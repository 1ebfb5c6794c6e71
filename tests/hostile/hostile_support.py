"""Shared checks for the hostile-input suite: no 5xx, nothing unescaped, no header injected."""

from __future__ import annotations

from typing import Any

from .payloads import MARKER, unescaped

__all__ = ["assert_safe"]


def assert_safe(response: Any, where: str) -> None:
    """The answer is not a server error, and no payload came back as markup or as a header."""
    assert response.status_code < 500, (where, response.status_code, response.text[:300])
    assert unescaped(response.text) == [], where
    for name, value in response.headers.multi_items():
        assert "\r" not in value and "\n" not in value, (where, name)
        assert unescaped(value) == [], (where, name)
        assert MARKER not in name.lower(), where
        assert name.lower() != "x-injected", where
    if "text/calendar" in response.headers.get("content-type", ""):
        assert MARKER not in response.text, where  # calendars carry no visitor input at all
