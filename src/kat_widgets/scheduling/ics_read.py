"""Reading iCalendar data as busy time: parse, expand recurring series, keep what blocks.

``recurring-ical-events`` expands recurring series (RRULE, RDATE, EXDATE, moved occurrences)
correctly across time zones; doing that by hand is where calendar importers go wrong. Where the
calendars come from, and how often, is :mod:`kat_widgets.scheduling.ics_import`'s business.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events  # type: ignore[import-untyped]

from kat_widgets.errors import IcsImportError
from kat_widgets.scheduling.types import Interval

__all__ = ["busy_intervals", "merge_calendars", "parse_calendar"]


def parse_calendar(data: bytes, *, source: str) -> icalendar.Calendar:
    """Parse iCalendar bytes, raising :class:`IcsImportError` that names ``source``.

    The error says which file and property, never the parser's own text: icalendar quotes the
    line it could not read, and a staff calendar's lines may hold a client's name or number,
    which would then reach the log and ``kat-widgets check``.
    """
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except (ValueError, IndexError, KeyError) as exc:
        kind = type(exc).__name__
        raise IcsImportError(f"{source}: not a valid iCalendar file ({kind})") from None
    if not isinstance(calendar, icalendar.Calendar) or calendar.name != "VCALENDAR":
        raise IcsImportError(f"{source}: not a valid iCalendar file (no VCALENDAR)")
    for event in calendar.walk("VEVENT"):
        name = ""
        try:  # icalendar parses leniently; a broken value surfaces only when read
            for name in ("DTSTART", "DTEND", "DURATION", "RECURRENCE-ID"):
                if name in event:
                    value: Any = event[name]
                    _ = value.dt
            name = "EXDATE"
            if name in event:
                exdates: Any = event[name]
                for exdate in exdates if isinstance(exdates, list) else [exdates]:
                    _ = exdate.dts
        except Exception:
            uid = str(event.get("UID", "?"))[:80]
            raise IcsImportError(f"{source}: event {uid!r} has an invalid {name}") from None
    return calendar


def _aware(value: dt.date | dt.datetime, zone: ZoneInfo) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=zone)
    return dt.datetime.combine(value, dt.time(0), tzinfo=zone)


def _declined(event: icalendar.Event, attendee: str | None) -> bool:
    """Whether ``attendee`` (an address) declined ``event`` (its ATTENDEE's PARTSTAT)."""
    if attendee is None:
        return False
    found: Any = event.get("ATTENDEE", [])
    for who in found if isinstance(found, list) else [found]:
        address = str(who).lower().removeprefix("mailto:")
        if address == attendee.lower():
            return str(who.params.get("PARTSTAT", "")).upper() == "DECLINED"
    return False


def _event_interval(
    event: icalendar.Event, zone: ZoneInfo, attendee: str | None = None
) -> Interval | None:
    if str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT":
        return None
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return None
    if _declined(event, attendee):
        return None
    if "DTSTART" not in event:
        return None
    first, last = event.start, event.end  # END from DTEND, DURATION, or RFC 5545 defaults
    begin, finish = _aware(first, zone), _aware(last, zone)
    if finish <= begin:
        return None
    return Interval(begin.astimezone(dt.UTC), finish.astimezone(dt.UTC))


_NOT_BUSY = frozenset({"FREE"})
"""FBTYPE values that leave the time free (BUSY, BUSY-TENTATIVE, BUSY-UNAVAILABLE and unknown
extensions block it, as RFC 5545 3.2.9 says to treat unknown types as BUSY)."""


def _freebusy_intervals(
    calendar: icalendar.Calendar, start: dt.datetime, end: dt.datetime
) -> list[Interval]:
    """The busy periods of VFREEBUSY components (what Exchange, Outlook and CalDAV
    free-busy lookups publish) overlapping ``[start, end)``."""
    out: list[Interval] = []
    for component in calendar.walk("VFREEBUSY"):
        found: Any = component.get("FREEBUSY", [])
        for period in found if isinstance(found, list) else [found]:
            if str(period.params.get("FBTYPE", "BUSY")).upper() in _NOT_BUSY:
                continue
            begin, finish = period.dt
            if isinstance(finish, dt.timedelta):
                finish = begin + finish
            if begin.tzinfo is None or finish.tzinfo is None:
                continue  # RFC 5545: FREEBUSY periods are UTC; not ours to guess a floating one
            if finish > begin and begin < end and finish > start:
                out.append(Interval(begin.astimezone(dt.UTC), finish.astimezone(dt.UTC)))
    return out


def busy_intervals(
    calendar: icalendar.Calendar,
    start: dt.datetime,
    end: dt.datetime,
    *,
    zone: ZoneInfo,
    source: str = "<calendar>",
    attendee: str | None = None,
) -> list[Interval]:
    """Busy spans (UTC) of the events overlapping ``[start, end)``.

    Transparent (``TRANSP:TRANSPARENT``) and cancelled events do not block; all-day and floating
    times are read in ``zone`` (the clinic's). VFREEBUSY periods block too, but ``FBTYPE=FREE``.
    With ``attendee`` (the staff member's address), an invitation they declined does not block.
    """
    try:
        events = recurring_ical_events.of(calendar).between(start, end)
    except Exception as exc:  # the library raises many types for malformed series
        raise IcsImportError(f"{source}: cannot expand recurring events ({exc})") from None
    out: list[Interval] = []
    for event in events:
        try:
            interval = _event_interval(event, zone, attendee)
        except Exception as exc:  # a broken property surfaces only when read
            uid = str(event.get("UID", "?"))[:80]
            raise IcsImportError(f"{source}: event {uid!r} is invalid ({exc})") from None
        if interval is not None:
            out.append(interval)
    try:
        out.extend(_freebusy_intervals(calendar, start, end))
    except Exception as exc:  # a broken FREEBUSY value surfaces only when read
        raise IcsImportError(f"{source}: a free/busy period is invalid ({exc})") from None
    return out


def merge_calendars(calendars: Sequence[icalendar.Calendar]) -> icalendar.Calendar:
    """One calendar holding every component of ``calendars`` (a CalDAV collection's events,
    each sent as a calendar of its own), each time zone once."""
    if len(calendars) == 1:
        return calendars[0]
    merged = icalendar.Calendar()
    merged.add("VERSION", "2.0")
    merged.add("PRODID", "-//kat-widgets//busy calendar import//EN")
    zones: set[str] = set()
    for calendar in calendars:
        for component in calendar.subcomponents:
            if component.name == "VTIMEZONE":
                if str(component.get("TZID")) in zones:
                    continue
                zones.add(str(component.get("TZID")))
            merged.add_component(component)
    return merged
