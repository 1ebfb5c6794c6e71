"""Busy times from staff and room calendars (.ics files, URLs, CalDAV), RRULE/EXDATE expanded.

Reading the calendars themselves is :mod:`~kat_widgets.scheduling.ics_read` (parsing, expanding
recurring series, what blocks) and :mod:`~kat_widgets.scheduling.calendar_http` (HTTP, CalDAV).

Safety rule (fail closed): a resource one of whose calendars has never been read counts as busy
for the whole range, and so does time outside the range a CalDAV server answered for: a broken
source hides slots rather than double-booking. A source that fails later keeps its last good
copy; every problem is kept in :attr:`CalendarBusySource.problems` and logged (by resource id,
never the URL, which may carry a secret).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar

from kat_widgets.directory.loader import Directory
from kat_widgets.errors import ConfigurationError, IcsImportError
from kat_widgets.scheduling.calendar_http import CalendarFetchError, Fetched, HttpCalendars
from kat_widgets.scheduling.ics_read import busy_intervals, merge_calendars, parse_calendar
from kat_widgets.scheduling.types import BusyProvider, BusyTimes, Interval, no_busy_times
from kat_widgets.settings import Settings

__all__ = [
    "CalendarBusySource",
    "busy_intervals",
    "default_busy_provider",
    "merge_calendars",
    "parse_calendar",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Source:
    key: str
    """What problems and the log name it by: the resource id, ``id#2`` for its second calendar."""
    resource: str
    location: str
    """A file path or an http(s) address (never logged: it may carry a secret)."""

    @property
    def is_url(self) -> bool:
        return self.location.startswith(("http://", "https://"))

    @property
    def label(self) -> str:
        return f"calendar {self.key} ({'URL' if self.is_url else self.location})"


@dataclass
class _Entry:
    calendar: icalendar.Calendar | None = None
    fetched_at: float = float("-inf")
    stamp: Any = None
    digest: str = ""
    """Of the bytes last parsed: the same in every worker that read the same calendar."""
    window: Interval | None = None
    """The time range a CalDAV server answered for; ``None``: the whole calendar."""


def _sources(calendars: Mapping[str, str | Sequence[str]]) -> list[_Source]:
    out = []
    for resource, given in calendars.items():
        locations = [given] if isinstance(given, str) else list(dict.fromkeys(given))
        for index, location in enumerate(locations, start=1):
            key = resource if len(locations) == 1 else f"{resource}#{index}"
            out.append(_Source(key, resource, location))
    return out


def _outside(window: Interval | None, start: dt.datetime, end: dt.datetime) -> list[Interval]:
    """The parts of ``[start, end)`` a calendar read over ``window`` says nothing about."""
    if window is None:
        return []
    gaps = [Interval(start, min(end, window.start)), Interval(max(start, window.end), end)]
    return [gap for gap in gaps if gap.start < gap.end]


class CalendarBusySource:
    """Reads the busy calendars of staff and rooms and answers busy times per clinic (a
    :data:`BusyProvider`).

    ``calendars`` maps staff and room ids to one source or a list of them: file paths, http(s)
    addresses of ``.ics`` feeds, or CalDAV calendar collections (read over the booking horizon
    from ``clock()``: see :mod:`~kat_widgets.scheduling.calendar_http`). Files are re-read
    when their modification time changes; addresses at most every ``refresh_seconds``. A
    resource is busy wherever any of its calendars is, and all the time while one of them has
    never been read.
    """

    def __init__(
        self,
        calendars: Mapping[str, str | Sequence[str]],
        directory: Directory,
        *,
        refresh_seconds: float = 300,
        fetch: Callable[[str, Interval], Fetched] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.sources = _sources(calendars)
        self.refresh_seconds = refresh_seconds
        self._fetch = fetch if fetch is not None else HttpCalendars()
        self._monotonic = monotonic
        self._clock = clock if clock is not None else (lambda: dt.datetime.now(dt.UTC))
        self._locks = {source.key: threading.Lock() for source in self.sources}
        """One lock per calendar: a slow URL delays only slots that need that resource."""
        self._entries: dict[str, _Entry] = {}
        self.problems: dict[str, str] = {}
        """Calendar key -> the last problem reading it (cleared when it reads again)."""
        self._clinic_of: dict[str, str] = {}
        self._zone_of: dict[str, ZoneInfo] = {}
        self._address_of: dict[str, str | None] = {}
        for clinic in directory.clinics:
            for resource_id in [member.id for member in clinic.staff] + [
                room.id for room in clinic.rooms
            ]:
                self._clinic_of[resource_id] = clinic.id
                self._zone_of[resource_id] = clinic.zone
            for member in clinic.staff:
                self._address_of[member.id] = member.calendar_email
        unknown = sorted({source.resource for source in self.sources} - set(self._clinic_of))
        if unknown:
            raise ConfigurationError(
                "busy_calendars names "
                + ", ".join(repr(resource) for resource in unknown)
                + ", not a staff member or room of the clinic directory; "
                "use the staff and room ids from the directory file"
            )
        horizon = max((service.policy.horizon_days for service in directory.services), default=90)
        self._ahead = dt.timedelta(days=horizon + 1, seconds=refresh_seconds)
        """How far past now a CalDAV collection is read: the longest booking horizon, and a
        day and a refresh interval more, so the slots offered until the next read are seen."""

    def _window(self) -> Interval:
        now = self._clock().astimezone(dt.UTC)
        return Interval(now - dt.timedelta(days=1), now + self._ahead)

    def _read(self, source: _Source, entry: _Entry) -> Fetched | None:
        """The source's contents when they are due to be read again, else ``None``."""
        if source.is_url:
            if self._monotonic() - entry.fetched_at < self.refresh_seconds:
                return None
            entry.fetched_at = self._monotonic()
            return self._fetch(source.location, self._window())
        path = Path(source.location)
        stamp = path.stat().st_mtime_ns
        if entry.calendar is not None and stamp == entry.stamp:
            return None
        data = path.read_bytes()
        entry.stamp = stamp
        return Fetched((data,), None)

    def _load(self, source: _Source) -> _Entry:
        entry = self._entries.setdefault(source.key, _Entry())
        try:
            fetched = self._read(source, entry)
            if fetched is None:
                return entry
            calendars = [parse_calendar(body, source=source.label) for body in fetched.bodies]
            # the window changes only with the copy it belongs to (a failed read keeps both)
            entry.calendar = merge_calendars(calendars) if calendars else icalendar.Calendar()
            entry.window = fetched.window
            entry.digest = hashlib.sha256(b"\0".join(fetched.bodies)).hexdigest()[:24]
            self.problems.pop(source.key, None)
        except (OSError, IcsImportError) as exc:
            kept = "keeping the last good copy" if entry.calendar else "treating as busy"
            if isinstance(exc, IcsImportError):
                reason = str(exc)
            elif isinstance(exc, CalendarFetchError):
                reason = f"{source.label}: cannot fetch ({exc})"
            elif source.is_url:  # an OSError's text may name the address
                reason = f"{source.label}: cannot fetch ({type(exc).__name__})"
            else:
                reason = f"{source.label}: cannot read: {exc}"
            self.problems[source.key] = f"{reason}; {kept}"
            log.warning("busy %s", self.problems[source.key])
        return entry

    def check(self) -> None:
        """Read every calendar now; raise :class:`IcsImportError` for the first that fails."""
        for source in self.sources:
            with self._locks[source.key]:
                self._entries.pop(source.key, None)
                self._load(source)
            if source.key in self.problems:
                raise IcsImportError(self.problems[source.key])

    @property
    def may_block(self) -> bool:
        """Whether a read may fetch a calendar over the network (files are read locally)."""
        return any(source.is_url for source in self.sources)

    def version(self, clinic_id: str) -> tuple[str, ...]:
        """What this source answers for the clinic depends on: its calendars' contents, by
        digest (re-read first when due, as a call would)."""
        digests = []
        for source in self.sources:
            if self._clinic_of[source.resource] == clinic_id:
                with self._locks[source.key]:
                    digests.append(self._load(source).digest)
        return tuple(digests)

    def _busy(self, source: _Source, start: dt.datetime, end: dt.datetime) -> list[Interval]:
        with self._locks[source.key]:
            entry = self._load(source)
            calendar, window = entry.calendar, entry.window
        if calendar is None:
            return [Interval(start, end)]  # never read: we cannot say any time is free
        try:
            found = busy_intervals(
                calendar,
                start,
                end,
                zone=self._zone_of[source.resource],
                source=source.key,
                attendee=self._address_of.get(source.resource),
            )
        except IcsImportError as exc:
            self.problems[source.key] = f"{exc}; treating as busy"
            log.warning("busy calendar %s", self.problems[source.key])
            return [Interval(start, end)]
        return found + _outside(window, start, end)

    def __call__(self, clinic_id: str, start: dt.datetime, end: dt.datetime) -> BusyTimes:
        """Busy times of the clinic's staff and rooms with calendars, overlapping
        ``[start, end)``: each resource's, from all its calendars."""
        by_resource: dict[str, list[Interval]] = {}
        for source in self.sources:
            if self._clinic_of[source.resource] == clinic_id:
                spans = by_resource.setdefault(source.resource, [])
                spans += self._busy(source, start, end)
        return BusyTimes(by_resource=by_resource)


def default_busy_provider(
    settings: Settings,
    directory: Directory,
    *,
    clock: Callable[[], dt.datetime] | None = None,
) -> BusyProvider:
    """The provider the web app uses: imported staff and room calendars, or nothing taken.
    ``clock`` is "now" for the range a CalDAV collection is read over (default: real time)."""
    config = settings.calendars
    if not config.busy_calendars:
        return no_busy_times
    return CalendarBusySource(
        config.busy_calendars,
        directory,
        refresh_seconds=config.busy_refresh_seconds,
        clock=clock,
    )
