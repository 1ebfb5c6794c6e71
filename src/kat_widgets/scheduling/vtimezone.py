"""A compact VTIMEZONE: one STANDARD and one DAYLIGHT rule in RRULE form, checked against tzdata.

icalendar can list every transition of a zone; calendar apps only need the current rule. We
derive it from :mod:`zoneinfo` (the n-th or last weekday of a month at a wall time), verify it
reproduces every transition over the years checked, and fall back to icalendar's transition
list when it does not (a zone whose rule changed or has no DST).
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from zoneinfo import ZoneInfo

import icalendar

__all__ = ["compact_vtimezone", "compact_vtimezone_text"]

_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _transitions(zone: ZoneInfo, year: int) -> list[tuple[dt.datetime, dt.timedelta, dt.timedelta]]:
    """(UTC instant, offset before, offset after) of each offset change in ``year``."""
    out = []
    t = dt.datetime(year, 1, 1, tzinfo=dt.UTC)
    end = dt.datetime(year + 1, 1, 1, tzinfo=dt.UTC)
    step = dt.timedelta(days=1)
    before = t.astimezone(zone).utcoffset()
    while t < end:
        after = (t + step).astimezone(zone).utcoffset()
        if after != before and before is not None and after is not None:
            lo, hi = t, t + step
            while hi - lo > dt.timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                if mid.astimezone(zone).utcoffset() == before:
                    lo = mid
                else:
                    hi = mid
            out.append((hi, before, after))
            before = after
        t += step
    return out


def _rule(wall: dt.datetime) -> tuple[int, str]:
    """(month, BYDAY) for a date: ``2SU`` or ``-1SU`` when it is the last such weekday."""
    nth = (wall.day - 1) // 7 + 1
    last = (wall + dt.timedelta(days=7)).month != wall.month
    return wall.month, f"{-1 if last and nth >= 4 else nth}{_DAYS[wall.weekday()]}"


def _fmt_offset(offset: dt.timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


def _nth_weekday(year: int, month: int, byday: str) -> dt.date:
    nth, weekday = int(byday[:-2]), _DAYS.index(byday[-2:])
    if nth > 0:
        first = dt.date(year, month, 1)
        return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    last = nxt - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


@cache
def _compact_text(tzid: str, year: int, years: int) -> str | None:
    zone = ZoneInfo(tzid)
    found = _transitions(zone, year)
    if len(found) != 2:
        return None
    parts = []
    rules = []
    for instant, before, after in found:
        wall = (instant + before).replace(tzinfo=None)
        month, byday = _rule(wall)
        rules.append((month, byday, wall.time(), before, after))
    for check_year in range(year, year + years):
        got = _transitions(zone, check_year)
        if len(got) != 2:
            return None
        for (instant, before, after), (month, byday, at, r_before, r_after) in zip(
            got, rules, strict=True
        ):
            wall = (instant + before).replace(tzinfo=None)
            expected = dt.datetime.combine(_nth_weekday(check_year, month, byday), at)
            if wall != expected or (before, after) != (r_before, r_after):
                return None
    for month, byday, at, before, after in rules:
        kind = "DAYLIGHT" if after > before else "STANDARD"
        first = dt.datetime.combine(_nth_weekday(1970, month, byday), at)
        name = dt.datetime.combine(_nth_weekday(year, month, byday), at) + dt.timedelta(days=1)
        abbreviation = name.replace(tzinfo=zone).tzname() or tzid
        parts.append(
            f"BEGIN:{kind}\r\n"
            f"DTSTART:{first:%Y%m%dT%H%M%S}\r\n"
            f"RRULE:FREQ=YEARLY;BYMONTH={month};BYDAY={byday}\r\n"
            f"TZNAME:{abbreviation}\r\n"
            f"TZOFFSETFROM:{_fmt_offset(before)}\r\n"
            f"TZOFFSETTO:{_fmt_offset(after)}\r\n"
            f"END:{kind}\r\n"
        )
    return f"BEGIN:VTIMEZONE\r\nTZID:{tzid}\r\n{''.join(parts)}END:VTIMEZONE\r\n"


def compact_vtimezone(tzid: str, *, year: int = 2026, years: int = 12) -> icalendar.Timezone:
    """VTIMEZONE for ``tzid`` in RRULE form, valid (verified) from ``year`` for ``years`` years.

    Falls back to icalendar's transition list for zones without a steady two-rule pattern.
    """
    text = _compact_text(tzid, year, years)
    if text is None:
        return icalendar.Timezone.from_tzid(
            tzid, first_date=dt.date(year, 1, 1), last_date=dt.date(year + years, 1, 1)
        )
    component = icalendar.Timezone.from_ical(text)
    assert isinstance(component, icalendar.Timezone)
    return component


def compact_vtimezone_text(tzid: str, *, year: int = 2026, years: int = 12) -> str:
    """The same VTIMEZONE as CRLF text, for the fast serialiser."""
    text = _compact_text(tzid, year, years)
    if text is not None:
        return text
    data: bytes = compact_vtimezone(tzid, year=year, years=years).to_ical()
    return data.decode("utf-8")
