"""Opening rules -> open windows: weekly hours and dated exceptions, per day, as UTC seconds.

Windows are built per local date from wall-clock times with :mod:`zoneinfo`, so a day that
changes offset (spring forward, fall back) gets the right instants.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

from kat_widgets.directory.models import WEEKDAYS, Clinic, DateException, HoursRule

__all__ = [
    "day_windows",
    "epoch",
    "intersect",
    "local_windows",
    "merge",
    "to_epoch_window",
    "within_hours",
]

Span = tuple[int, int]


def epoch(value: dt.datetime) -> int:
    """Whole seconds since the Unix epoch for an aware datetime."""
    return int(value.timestamp())


def local_windows(
    hours: Sequence[HoursRule], exceptions: Iterable[DateException], day: dt.date
) -> list[tuple[dt.time, dt.time]] | None:
    """Wall-clock windows on ``day``: the last matching exception wins over the weekly hours.

    Returns ``None`` when neither an exception nor any weekly rule says anything about the day
    (so a resource without own hours falls back to the clinic's).
    """
    chosen: DateException | None = None
    for exception in exceptions:
        if exception.date == day:
            chosen = exception
    if chosen is not None:
        if chosen.closed or chosen.opens is None or chosen.closes is None:
            return []
        return [(chosen.opens, chosen.closes)]
    if not hours:
        return None
    weekday = WEEKDAYS[day.weekday()]
    return sorted((rule.opens, rule.closes) for rule in hours if weekday in rule.days)


def to_epoch_window(day: dt.date, opens: dt.time, closes: dt.time, zone: ZoneInfo) -> Span:
    """A wall-clock window on ``day`` as UTC seconds (fold=0 for ambiguous boundaries)."""
    start = dt.datetime.combine(day, opens, tzinfo=zone)
    end = dt.datetime.combine(day, closes, tzinfo=zone)
    return epoch(start), epoch(end)


def merge(spans: Iterable[Span]) -> list[Span]:
    """Sort and merge overlapping or touching spans."""
    out: list[Span] = []
    for start, end in sorted(spans):
        if end <= start:
            continue
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def intersect(a: Sequence[Span], b: Sequence[Span]) -> list[Span]:
    """Intersection of two merged span lists."""
    out: list[Span] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start = max(a[i][0], b[j][0])
        end = min(a[i][1], b[j][1])
        if start < end:
            out.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def day_windows(
    hours: Sequence[HoursRule],
    exceptions: Iterable[DateException],
    day: dt.date,
    zone: ZoneInfo,
) -> list[Span] | None:
    """:func:`local_windows` as merged UTC-second spans (``None``: no rule for the day)."""
    windows = local_windows(hours, exceptions, day)
    if windows is None:
        return None
    return merge(to_epoch_window(day, opens, closes, zone) for opens, closes in windows)


def within_hours(clinic: Clinic, start: dt.datetime, end: dt.datetime) -> bool:
    """Whether ``[start, end)`` lies inside one of the clinic's open windows on its local day
    (its weekly hours, exceptions, holidays and closures: a booking made before a closure was
    added fails this)."""
    zone = clinic.zone
    day = start.astimezone(zone).date()
    windows = day_windows(clinic.hours, clinic.exceptions, day, zone) or []
    first, last = epoch(start), epoch(end)
    return any(opens <= first and last <= closes for opens, closes in windows)
