"""Busy times from staff calendars (.ics files or URLs), with RRULE/EXDATE expanded.

``recurring-ical-events`` expands recurring series (RRULE, RDATE, EXDATE, moved occurrences)
correctly across time zones; doing that by hand is where calendar importers go wrong.

Safety rule: a staff member whose calendar has never been read successfully counts as busy for
the whole range, so a broken feed hides slots rather than double-booking. A URL that fails later
keeps its last good copy; every problem is kept in :attr:`CalendarBusySource.problems` and logged
(by staff id, never the URL, which may carry a secret).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading
import time
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events  # type: ignore[import-untyped]

from kat_widgets.directory.loader import Directory
from kat_widgets.errors import ConfigurationError, IcsImportError
from kat_widgets.scheduling.types import BusyProvider, BusyTimes, Interval, no_busy_times
from kat_widgets.settings import Settings

__all__ = [
    "CalendarBusySource",
    "busy_intervals",
    "default_busy_provider",
    "parse_calendar",
]

log = logging.getLogger(__name__)
FETCH_TIMEOUT_SECONDS = 10
MAX_BYTES = 5_000_000


def parse_calendar(data: bytes, *, source: str) -> icalendar.Calendar:
    """Parse iCalendar bytes, raising :class:`IcsImportError` that names ``source``."""
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except (ValueError, IndexError, KeyError) as exc:
        raise IcsImportError(f"{source}: not a valid iCalendar file ({exc})") from None
    if not isinstance(calendar, icalendar.Calendar) or calendar.name != "VCALENDAR":
        raise IcsImportError(f"{source}: not a valid iCalendar file (no VCALENDAR)")
    for event in calendar.walk("VEVENT"):
        try:  # icalendar parses leniently; a broken value surfaces only when read
            for name in ("DTSTART", "DTEND", "DURATION", "RECURRENCE-ID"):
                if name in event:
                    value: Any = event[name]
                    _ = value.dt
            if "EXDATE" in event:
                exdates: Any = event["EXDATE"]
                for exdate in exdates if isinstance(exdates, list) else [exdates]:
                    _ = exdate.dts
        except Exception as exc:
            uid = str(event.get("UID", "?"))[:80]
            raise IcsImportError(f"{source}: event {uid!r} is invalid ({exc})") from None
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


def _fetch_url(url: str) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": "kat-widgets calendar import"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_SECONDS) as response:  # noqa: S310
        data: bytes = response.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise OSError(f"larger than {MAX_BYTES} bytes")
    return data


@dataclass
class _Entry:
    calendar: icalendar.Calendar | None = None
    fetched_at: float = float("-inf")
    stamp: Any = None
    digest: str = ""
    """Of the bytes last parsed: the same in every worker that read the same calendar."""


class CalendarBusySource:
    """Reads staff calendars and answers busy times per clinic (a :data:`BusyProvider`).

    ``calendars`` maps staff ids to file paths or http(s) URLs. Files are re-read when their
    modification time changes; URLs at most every ``refresh_seconds``.
    """

    def __init__(
        self,
        calendars: Mapping[str, str],
        directory: Directory,
        *,
        refresh_seconds: float = 300,
        fetch: Callable[[str], bytes] = _fetch_url,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.calendars = dict(calendars)
        self.refresh_seconds = refresh_seconds
        self._fetch = fetch
        self._monotonic = monotonic
        self._locks = {staff_id: threading.Lock() for staff_id in self.calendars}
        """One lock per calendar: a slow URL delays only slots that need that staff member."""
        self._entries: dict[str, _Entry] = {}
        self.problems: dict[str, str] = {}
        """Staff id -> the last problem reading its calendar (cleared when it reads again)."""
        self._clinic_of: dict[str, str] = {}
        self._zone_of: dict[str, ZoneInfo] = {}
        self._address_of: dict[str, str | None] = {}
        for clinic in directory.clinics:
            for member in clinic.staff:
                self._clinic_of[member.id] = clinic.id
                self._zone_of[member.id] = clinic.zone
                self._address_of[member.id] = member.calendar_email
        unknown = sorted(set(self.calendars) - set(self._clinic_of))
        if unknown:
            raise ConfigurationError(
                f"busy_calendars names unknown staff id {unknown[0]!r}; "
                "use the ids from the clinic directory"
            )

    def _load(self, staff_id: str) -> icalendar.Calendar | None:
        source = self.calendars[staff_id]
        entry = self._entries.setdefault(staff_id, _Entry())
        is_url = source.startswith(("http://", "https://"))
        try:
            if is_url:
                if self._monotonic() - entry.fetched_at < self.refresh_seconds:
                    return entry.calendar
                entry.fetched_at = self._monotonic()
                data = self._fetch(source)
            else:
                path = Path(source)
                stamp = path.stat().st_mtime_ns
                if entry.calendar is not None and stamp == entry.stamp:
                    return entry.calendar
                data = path.read_bytes()
                entry.stamp = stamp
            label = f"calendar for {staff_id} ({'URL' if is_url else source})"
            entry.calendar = parse_calendar(data, source=label)
            entry.digest = hashlib.sha256(data).hexdigest()[:24]
            self.problems.pop(staff_id, None)
        except (OSError, IcsImportError) as exc:
            kept = "keeping the last good copy" if entry.calendar else "treating as busy"
            reason = str(exc) if isinstance(exc, IcsImportError) else f"cannot read: {exc}"
            if is_url and not isinstance(exc, IcsImportError):
                reason = f"calendar for {staff_id} (URL): cannot fetch ({type(exc).__name__})"
            self.problems[staff_id] = f"{reason}; {kept}"
            log.warning("busy calendar for staff %s: %s", staff_id, self.problems[staff_id])
        return entry.calendar

    def check(self) -> None:
        """Read every calendar now; raise :class:`IcsImportError` for the first that fails."""
        for staff_id in self.calendars:
            with self._locks[staff_id]:
                self._entries.pop(staff_id, None)
                self._load(staff_id)
            if staff_id in self.problems:
                raise IcsImportError(self.problems[staff_id])

    def version(self, clinic_id: str) -> tuple[str, ...]:
        """What this source answers for the clinic depends on: its calendars' contents, by
        digest (re-read first when due, as a call would)."""
        digests = []
        for staff_id in self.calendars:
            if self._clinic_of[staff_id] == clinic_id:
                with self._locks[staff_id]:
                    self._load(staff_id)
                    digests.append(self._entries[staff_id].digest)
        return tuple(digests)

    def __call__(self, clinic_id: str, start: dt.datetime, end: dt.datetime) -> BusyTimes:
        """Busy times of the clinic's staff with calendars, overlapping ``[start, end)``."""
        by_resource: dict[str, list[Interval]] = {}
        for staff_id in self.calendars:
            if self._clinic_of[staff_id] != clinic_id:
                continue
            with self._locks[staff_id]:
                calendar = self._load(staff_id)
            if calendar is None:
                by_resource[staff_id] = [Interval(start, end)]  # unknown: safe side
                continue
            try:
                by_resource[staff_id] = busy_intervals(
                    calendar,
                    start,
                    end,
                    zone=self._zone_of[staff_id],
                    source=staff_id,
                    attendee=self._address_of[staff_id],
                )
            except IcsImportError as exc:
                self.problems[staff_id] = str(exc)
                by_resource[staff_id] = [Interval(start, end)]
        return BusyTimes(by_resource=by_resource)


def default_busy_provider(settings: Settings, directory: Directory) -> BusyProvider:
    """The provider the web app uses: imported staff calendars, or nothing taken."""
    config = settings.calendars
    if not config.busy_calendars:
        return no_busy_times
    return CalendarBusySource(
        config.busy_calendars, directory, refresh_seconds=config.busy_refresh_seconds
    )
