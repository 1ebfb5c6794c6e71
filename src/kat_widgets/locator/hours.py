"""Is a clinic open at a given instant? Computed in the clinic's own timezone, DST included."""

from __future__ import annotations

import datetime as dt

import msgspec

from kat_widgets.directory import Clinic
from kat_widgets.directory.models import WEEKDAYS

__all__ = ["OpenStatus", "hours_on", "open_status"]


class OpenStatus(msgspec.Struct, frozen=True, kw_only=True):
    """Open or closed at ``at``; ``closes`` is today's closing time (clinic's local time)."""

    open: bool
    closes: dt.time | None = None
    note: str = ""


def hours_on(clinic: Clinic, day: dt.date) -> tuple[tuple[dt.time, dt.time], ...]:
    """Opening spans on a local date: a dated exception wins over the weekly rules."""
    for exception in clinic.exceptions:
        if exception.date == day:
            if exception.closed or exception.opens is None or exception.closes is None:
                return ()
            return ((exception.opens, exception.closes),)
    weekday = WEEKDAYS[day.weekday()]
    return tuple(sorted((rule.opens, rule.closes) for rule in clinic.hours if weekday in rule.days))


def open_status(clinic: Clinic, at: dt.datetime) -> OpenStatus:
    """Whether ``clinic`` is open at the aware instant ``at`` (UTC or any zone)."""
    if at.tzinfo is None:
        raise ValueError("open_status needs an aware datetime")
    local = at.astimezone(clinic.zone)
    now = local.time().replace(tzinfo=None)
    note = next((e.note for e in clinic.exceptions if e.date == local.date()), "")
    for opens, closes in hours_on(clinic, local.date()):
        if opens <= now < closes:
            return OpenStatus(open=True, closes=closes, note=note)
    return OpenStatus(open=False, note=note)
