"""A Radicale CalDAV server stores every calendar file kind we emit, and gives back our events.

Each kind is PUT into a collection of its own, as a CalDAV client would: a feed (many UIDs) as a
whole collection, a visitor's file as one object. The staff feed and the visitor's files share a
collection (their UIDs differ: ``staff-<id>@`` and ``<id>@``), and the cancelled download
replaces the booked one under the same name. A REPORT calendar-query reads every collection
back, and the stored events must be ours: UID, the UTC instants, summary, status, sequence.

The iMIP attachments are not stored: they carry a METHOD, which RFC 4791 §4.1 forbids in a
stored calendar object.

VAVAILABILITY is the exception, and it is Radicale's: Radicale (3.9) cannot store one at all.
As one object it answers 400, for our file and for the smallest RFC 7953 one alike, and as a
whole collection it answers 201 but keeps nothing (``test_radicale_cannot_store_vavailability``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import icalendar
import pytest

from kat_widgets.directory import Directory

from .conftest import caldav, stored_objects
from .file_kinds import change_day, every_file_kind, instant, visits

pytestmark = pytest.mark.slow  # a Radicale server process

Stored = tuple[str, str, str, str, str, int]


def events_of(data: bytes) -> list[Stored]:
    """(UID, start, end, SUMMARY, STATUS, SEQUENCE) of every VEVENT, as icalendar reads them."""
    return [
        (
            str(event["UID"]),
            instant(event.decoded("DTSTART")),
            instant(event.decoded("DTEND")),
            str(event["SUMMARY"]),
            str(event.get("STATUS", "")),
            int(event.get("SEQUENCE", 0)),
        )
        for event in icalendar.Calendar.from_ical(data).walk("VEVENT")
    ]


def stored_events(collection: str) -> list[Stored]:
    return sorted(e for data in stored_objects(collection).values() for e in events_of(data))


def log_of(tmp_path: Path) -> str:
    log = tmp_path / "radicale.log"
    return log.read_text(encoding="utf-8") if log.is_file() else "(no log)"


@pytest.mark.parametrize("season", ["spring", "autumn"])
def test_radicale_stores_every_file_kind_and_gives_our_events_back(
    season: str, files_at: Any, sweep_directory: Directory, radicale: str, tmp_path: Path
) -> None:
    day = change_day(2027, season)
    now = dt.datetime.combine(
        day - dt.timedelta(days=1), dt.time(0), tzinfo=visits(2027, season)[0].tzinfo
    )
    now = now.astimezone(dt.UTC)
    files, _ = every_file_kind(files_at(now), sweep_directory, now, visits(2027, season))
    log = lambda: log_of(tmp_path)  # noqa: E731  # read when an assertion fails

    # the open-times feed: one collection, created by PUT of the whole calendar
    feed = f"{radicale}/kat/open-times/"
    status, body = caldav(feed, "PUT", files["availability.ics"])
    assert status == 201, (status, body, log())
    ours = sorted(events_of(files["availability.ics"]))
    assert len(ours) > 100
    assert stored_events(feed) == ours, log()

    # the staff feed (whole collection), then the visitor's files beside it, one object each
    visits_url = f"{radicale}/kat/visits/"
    status, body = caldav(visits_url, "PUT", files["staff-feed.ics"])
    assert status == 201, (status, body, log())
    expected = events_of(files["staff-feed.ics"])
    for index in (0, 1):
        name = f"appointment-{index}.ics"
        status, body = caldav(visits_url + name, "PUT", files[name])
        assert status == 201, (name, status, body, log())
    # the cancelled download replaces the booked one: same UID, same resource
    status, body = caldav(
        visits_url + "appointment-1.ics", "PUT", files["appointment-cancelled.ics"]
    )
    assert status == 204, (status, body, log())
    expected += events_of(files["appointment-0.ics"])
    expected += events_of(files["appointment-cancelled.ics"])
    stored = stored_events(visits_url)
    assert stored == sorted(expected), log()
    assert {e[4] for e in stored} == {"CONFIRMED", "CANCELLED"}
    status, body = caldav(visits_url + "appointment-1.ics", "GET")
    assert status == 200 and events_of(body) == events_of(files["appointment-cancelled.ics"])


# The smallest VAVAILABILITY RFC 7953 allows (its §4 example, with UTC times and no RRULE)
MINIMAL_VAVAILABILITY = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//example.com//iCalendar 2.0//EN\r\n"
    b"BEGIN:VAVAILABILITY\r\nORGANIZER:mailto:bernard@example.com\r\n"
    b"UID:0428C7D2-688E-4D2E-AC52-CD112E2469DF\r\nDTSTAMP:20111005T133225Z\r\n"
    b"BEGIN:AVAILABLE\r\nUID:34EDA59B-6BB1-4E94-A66C-64999089C0AF\r\n"
    b"DTSTAMP:20111005T133225Z\r\nSUMMARY:Monday from 9:00 to 17:00\r\n"
    b"DTSTART:20111003T130000Z\r\nDTEND:20111003T210000Z\r\nEND:AVAILABLE\r\n"
    b"END:VAVAILABILITY\r\nEND:VCALENDAR\r\n"
)


def test_radicale_cannot_store_vavailability(
    files_at: Any, sweep_directory: Directory, radicale: str, tmp_path: Path
) -> None:
    """Radicale refuses any VAVAILABILITY object, ours or RFC 7953's, with 400, and drops one
    from a whole-collection PUT. Both are in its source (Radicale 3.9.0):

    - one object: ``Item.prepare`` computes the item's time range with
      ``radicale/item/filter.py`` ``visit_time_ranges``, which knows VEVENT, VTODO and
      VJOURNAL; any other component name falls to its "Match a property" branch (lines
      552-555), which reads ``getattr(item, "vavailability").value``: a component has no
      ``value``, so ``AttributeError('value')``, logged as "Bad PUT request ... (prepare):
      value", answered 400;
    - whole collection: ``radicale/app/put.py`` (line 83) splits the calendar into objects
      from its ``vevent``, ``vtodo`` and ``vjournal`` lists only; anything else is dropped.
    """
    now = dt.datetime(2027, 3, 13, 7, tzinfo=dt.UTC)
    block = (
        files_at(now)
        .get(
            "/calendars/draper/availability.ics",
            params={"service": "info-call", "format": "vavailability"},
        )
        .content
    )
    assert block.count(b"BEGIN:AVAILABLE") > 100
    log = lambda: log_of(tmp_path)  # noqa: E731
    collection = f"{radicale}/kat/availability/"
    status, body = caldav(collection, "MKCALENDAR")
    assert status == 201, (status, body, log())
    for name, data in [("ours.ics", block), ("rfc7953.ics", MINIMAL_VAVAILABILITY)]:
        status, _ = caldav(collection + name, "PUT", data)
        assert status == 400, (name, status, log())
        assert f"Bad PUT request on '/kat/availability/{name}' (prepare): value" in log()
    # the same VEVENT-less calendar as a whole collection: "created", and empty
    whole = f"{radicale}/kat/vavailability/"
    status, body = caldav(whole, "PUT", block)
    assert status == 201, (status, body, log())
    assert stored_objects(whole) == {}
    status, body = caldav(whole, "GET")
    assert status == 200 and b"VAVAILABILITY" not in body and b"AVAILABLE" not in body
