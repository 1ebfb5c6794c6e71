"""Is a clinic open at a given instant? Computed in the clinic's own timezone, DST included."""

from __future__ import annotations

import datetime as dt

import msgspec

from kat_widgets.directory import Clinic
from kat_widgets.directory.models import WEEKDAYS, DateException
from kat_widgets.memo import IdentityMemo

__all__ = ["OpenStatus", "hours_on", "open_status"]


class OpenStatus(msgspec.Struct, frozen=True, kw_only=True):
    """Open or closed at ``at``; ``closes`` is today's closing time (clinic's local time)."""

    open: bool
    closes: dt.time | None = None
    note: str = ""


def _by_date(clinic: Clinic) -> dict[dt.date, DateException]:
    by_date: dict[dt.date, DateException] = {}
    for exception in clinic.exceptions:
        by_date[exception.date] = exception
    return by_date


_BY_DATE = IdentityMemo(_by_date, size=256)
"""Each clinic's exceptions by date (its holidays make hundreds, scanned twice per clinic per
search before), kept per clinic object: the directory is immutable until it is reloaded."""


def _exception_on(clinic: Clinic, day: dt.date) -> DateException | None:
    """The exception that rules ``day``: the last one for it, as for the slot engine
    (:func:`kat_widgets.scheduling.rules.local_windows`), so a clinic's own hours on a public
    holiday (listed after the holiday) win here too."""
    return _BY_DATE(clinic).get(day)


def hours_on(clinic: Clinic, day: dt.date) -> tuple[tuple[dt.time, dt.time], ...]:
    """Opening spans on a local date: a dated exception (the last for the date) wins over the
    weekly rules."""
    exception = _exception_on(clinic, day)
    if exception is not None:
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
    exception = _exception_on(clinic, local.date())
    note = exception.note if exception is not None else ""
    for opens, closes in hours_on(clinic, local.date()):
        if opens <= now < closes:
            return OpenStatus(open=True, closes=closes, note=note)
    return OpenStatus(open=False, note=note)
