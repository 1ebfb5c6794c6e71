"""Six independent readers agree, to the second, on every calendar file kind we emit.

Each file is read by ical.js, icalendar, vobject, libical, ics-py and ical (``readers.py``);
each reader reports per VEVENT (and per AVAILABLE of a VAVAILABILITY, where it understands one)
the UID and the start and end as UTC instants. The test asserts that every reader reports
exactly what the slots API and the booking API said.

The clinic is open around the clock (a variant of the bundled directory), and the files are
taken just before a spring and an autumn change of America/Denver over 2026-2035: the feeds
hold the skipped and the repeated hour, and the bookings sit on them (01:30 MST on a spring
change ending at 03:30 MDT; 01:00 MDT on an autumn change ending at 01:00 MST, written in UTC).
``KAT_TEST_FULL=1`` runs every year; the quick run takes the first and the last.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from kat_widgets.directory import Directory
from tests import jstools
from tests.sizes import sized

from .file_kinds import CLINIC, DENVER, SERVICE, change_day, every_file_kind, visits
from .readers import NO_VAVAILABILITY, READERS, Reading, Triple, ics_py_calendar, read_all

pytestmark = pytest.mark.slow  # node and the system Python, in subprocesses

YEARS = list(range(2026, 2036))
SWEEP = [
    (year, season) for year in YEARS[:: sized(len(YEARS) - 1, 1)] for season in ("spring", "autumn")
]


def assert_all_agree(
    files: dict[str, bytes],
    expected: dict[str, list[Triple]],
    available: list[Triple],
    tmp_path: Path,
) -> None:
    seen = read_all(files, tmp_path)
    assert set(seen) == set(READERS)
    disagreements = []
    for reader, readings in seen.items():
        for name, want in expected.items():
            if name == "vavailability.ics" and reader in NO_VAVAILABILITY:
                assert name not in readings  # skipped there, by name (readers.NO_VAVAILABILITY)
                continue
            got: Reading = readings[name]
            if sorted(got["events"] or []) != sorted(want):
                disagreements.append((reader, name, "events", _diff(got["events"] or [], want)))
            want_available = available if name == "vavailability.ics" else []
            if reader not in NO_VAVAILABILITY and sorted(got["available"] or []) != sorted(
                want_available
            ):
                disagreements.append(
                    (reader, name, "available", _diff(got["available"] or [], want_available))
                )
    assert disagreements == []


def _diff(got: list[Triple], want: list[Triple]) -> dict[str, list[Triple]]:
    return {
        "missing": sorted(set(want) - set(got))[:5],
        "extra": sorted(set(got) - set(want))[:5],
        "count": [("got", str(len(got)), str(len(want)))],
    }


@pytest.mark.parametrize(("year", "season"), SWEEP, ids=[f"{y}-{s}" for y, s in SWEEP])
def test_six_readers_agree_with_the_apis_across_the_changes(
    year: int, season: str, files_at: Any, sweep_directory: Directory, tmp_path: Path
) -> None:
    day = change_day(year, season)
    now = dt.datetime.combine(day - dt.timedelta(days=1), dt.time(0), tzinfo=DENVER)
    now = now.astimezone(dt.UTC)
    client = files_at(now)
    files, expected = every_file_kind(client, sweep_directory, now, visits(year, season))
    open_times = expected["availability.ics"]
    # the sample holds the change: open times on both offsets, none in a skipped hour
    assert len(open_times) > 100
    offsets = {
        dt.datetime.fromisoformat(start).astimezone(DENVER).utcoffset()
        for _, start, _ in open_times
    }
    assert offsets == {dt.timedelta(hours=-7), dt.timedelta(hours=-6)}
    assert_all_agree(files, expected, open_times, tmp_path)


def test_ics_py_and_ical_do_not_read_vavailability(
    files_at: Any, sweep_directory: Directory
) -> None:
    # why readers.NO_VAVAILABILITY skips them there: both drop the block without a word (no
    # error, zero components), so comparing them would only show they lack the model
    jstools.require("ics", "ical")
    from ical.calendar_stream import IcsCalendarStream

    now = dt.datetime(2027, 3, 13, 7, tzinfo=dt.UTC)
    block = files_at(now).get(
        f"/calendars/{CLINIC}/availability.ics",
        params={"service": SERVICE, "format": "vavailability"},
    )
    assert block.content.count(b"BEGIN:AVAILABLE") > 100
    text = block.content.decode()
    ics_py = ics_py_calendar(text)
    assert len(ics_py.events) == 0 and len(ics_py.todos) == 0
    calendar = IcsCalendarStream.calendar_from_ics(text)
    assert (calendar.events, calendar.todos, calendar.freebusy) == ([], [], [])
    assert set(NO_VAVAILABILITY) == {"ics", "ical"}
