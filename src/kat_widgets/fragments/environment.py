"""The one Jinja2 environment every fragment renders with: autoescaping on, strict undefined,
and gettext (``{% trans %}``, ``_()``) translating into the language of the render
(:func:`kat_widgets.i18n.using`). Clock times, weekdays and dates follow the same language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from functools import cache

import jinja2

from kat_widgets import i18n
from kat_widgets.i18n import N_
from kat_widgets.i18n import gettext as _

__all__ = [
    "ZONE_NAMES",
    "clock",
    "environment",
    "tel_href",
    "weekday_name",
    "weekdays",
    "zone_name",
]

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

ZONE_NAMES: Mapping[str, str] = {
    "America/Denver": N_("Mountain Time"),
    "America/Boise": N_("Mountain Time"),
    "America/Phoenix": N_("Mountain Standard Time"),
    "America/Chicago": N_("Central Time"),
    "America/New_York": N_("Eastern Time"),
    "America/Los_Angeles": N_("Pacific Time"),
}


def zone_name(tzid: str) -> str:
    """``Mountain Time`` for America/Denver; the IANA id for zones we have no name for."""
    name = ZONE_NAMES.get(tzid)
    return _(name) if name else tzid


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
        extensions=["jinja2.ext.i18n"],
    )
    # newstyle: _("... %(name)s", name=value) escapes its values and formats after translating
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext, i18n.ngettext, newstyle=True
    )
    env.filters["tel"] = tel_href
    env.filters["clock"] = clock
    env.filters["weekdays"] = weekdays
    env.globals["zone_name"] = zone_name
    return env


def tel_href(number: str) -> str:
    """``+1-833-686-4687`` -> ``tel:+18336864687`` (digits and a leading plus only)."""
    digits = "".join(ch for ch in number if ch.isdigit())
    return f"tel:+{digits}" if number.strip().startswith("+") else f"tel:{digits}"


def clock(value: dt.time | dt.datetime) -> str:
    """``8:00 AM`` (``8:00 a.m.`` in Spanish): a 12-hour clock as US visitors read it."""
    if i18n.current() == i18n.DEFAULT:
        hour = value.hour % 12 or 12
        return f"{hour}:{value.minute:02d} {'AM' if value.hour < 12 else 'PM'}"
    from babel.dates import format_time  # English never needs it (~12 ms of import, #14)

    time = value.time() if isinstance(value, dt.datetime) else value
    return format_time(time, "h:mm a", locale=i18n.babel_locale())


def weekday_name(day: str) -> str:
    """``"mon"`` -> ``Monday`` (``lunes``)."""
    if i18n.current() == i18n.DEFAULT:
        return WEEKDAY_NAMES[day]
    from babel.dates import get_day_names

    return str(get_day_names("wide", locale=i18n.babel_locale())[_ORDER.index(day)])


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
        first, last = weekday_name(_ORDER[run[0]]), weekday_name(_ORDER[run[-1]])
        if len(run) >= 3:
            parts.append(_("{first} to {last}").format(first=first, last=last))
        else:
            parts.extend(weekday_name(_ORDER[i]) for i in run)
    return ", ".join(parts)
