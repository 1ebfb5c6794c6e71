"""The one Jinja2 environment every fragment renders with: autoescaping on, strict undefined."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import cache

import jinja2

__all__ = ["clock", "environment", "tel_href", "weekdays"]

WEEKDAY_NAMES = {
    "mon": "Monday",
    "tue": "Tuesday",
    "wed": "Wednesday",
    "thu": "Thursday",
    "fri": "Friday",
    "sat": "Saturday",
    "sun": "Sunday",
}
_ORDER = tuple(WEEKDAY_NAMES)


@cache
def environment() -> jinja2.Environment:
    """Built once per process; templates are compiled on first use and cached by Jinja2."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("kat_widgets", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters["tel"] = tel_href
    env.filters["clock"] = clock
    env.filters["weekdays"] = weekdays
    return env


def tel_href(number: str) -> str:
    """``+1-833-686-4687`` -> ``tel:+18336864687`` (digits and a leading plus only)."""
    digits = "".join(ch for ch in number if ch.isdigit())
    return f"tel:+{digits}" if number.strip().startswith("+") else f"tel:{digits}"


def clock(value: dt.time | dt.datetime) -> str:
    """``8:00 AM``: a 12-hour clock as US visitors read it, on every platform."""
    hour = value.hour % 12 or 12
    return f"{hour}:{value.minute:02d} {'AM' if value.hour < 12 else 'PM'}"


def weekdays(days: Sequence[str]) -> str:
    """``("mon", "tue", "wed")`` -> ``Monday to Wednesday``; gaps are listed with commas."""
    indexes = sorted(_ORDER.index(day) for day in days)
    runs: list[list[int]] = []
    for index in indexes:
        if runs and index == runs[-1][-1] + 1:
            runs[-1].append(index)
        else:
            runs.append([index])
    parts = []
    for run in runs:
        first, last = WEEKDAY_NAMES[_ORDER[run[0]]], WEEKDAY_NAMES[_ORDER[run[-1]]]
        if len(run) >= 3:
            parts.append(f"{first} to {last}")
        else:
            parts.extend(WEEKDAY_NAMES[_ORDER[i]] for i in run)
    return ", ".join(parts)
