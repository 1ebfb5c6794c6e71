from __future__ import annotations

import datetime as dt
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kat_widgets.directory import Directory
from kat_widgets.errors import ConfigurationError, IcsImportError
from kat_widgets.scheduling import find_slots
from kat_widgets.scheduling.calendar_http import Fetched
from kat_widgets.scheduling.ics_import import CalendarBusySource, busy_intervals, parse_calendar
from kat_widgets.scheduling.types import Interval
from kat_widgets.settings import load_settings

ICS = Path(__file__).resolve().parents[1] / "fixtures" / "ics"
DENVER = ZoneInfo("America/Denver")
NOW = dt.datetime(2027, 3, 7, 12, tzinfo=dt.UTC)


def local(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=DENVER)  # type: ignore[misc]


def spans(source: CalendarBusySource) -> list[tuple[dt.datetime, dt.datetime]]:
    busy = source("draper", local(2027, 3, 8), local(2027, 3, 14))
    return [
        (i.start.astimezone(DENVER), i.end.astimezone(DENVER))
        for i in busy.by_resource["draper-navigator"]
    ]


def test_recurring_series_exdate_all_day_and_transparency() -> None:
    calendar = parse_calendar((ICS / "navigator.ics").read_bytes(), source="navigator.ics")
    found = sorted(
        (i.start.astimezone(DENVER), i.end.astimezone(DENVER))
        for i in busy_intervals(calendar, local(2027, 3, 8), local(2027, 3, 14), zone=DENVER)
    )
    assert found == [
        (local(2027, 3, 8, 9), local(2027, 3, 8, 10)),  # weekly Monday meeting
        (local(2027, 3, 9, 12), local(2027, 3, 9, 12, 45)),  # UTC event with DURATION
        # Wednesday 10 March is an EXDATE; the transparent and cancelled events do not block
        (local(2027, 3, 12), local(2027, 3, 13)),  # all-day conference, in the clinic's zone
    ]


def test_series_crosses_the_spring_change_in_local_time() -> None:
    calendar = parse_calendar((ICS / "navigator.ics").read_bytes(), source="navigator.ics")
    after = busy_intervals(calendar, local(2027, 3, 15), local(2027, 3, 16), zone=DENVER)
    assert [i.start for i in after] == [dt.datetime(2027, 3, 15, 15, tzinfo=dt.UTC)]


@pytest.mark.parametrize("name", ["broken.ics", "not-ics.ics", "bad-date.ics"])
def test_bad_files_name_their_source(name: str) -> None:
    with pytest.raises(IcsImportError, match=name):
        parse_calendar((ICS / name).read_bytes(), source=name)


def test_file_calendar_blocks_slots(directory: Directory) -> None:
    source = CalendarBusySource({"draper-navigator": str(ICS / "navigator.ics")}, directory)
    busy = source("draper", local(2027, 3, 8), local(2027, 3, 9))
    slots = find_slots(
        directory,
        "draper",
        "info-call",
        start=local(2027, 3, 8),
        end=local(2027, 3, 9),
        busy=busy,
        now=NOW,
    )
    starts = {s.start for s in slots}
    assert local(2027, 3, 8, 8, 30) in starts
    assert local(2027, 3, 8, 9, 0) not in starts
    assert local(2027, 3, 8, 9, 30) not in starts
    assert local(2027, 3, 8, 10, 0) in starts
    assert source.problems == {}
    assert source("layton", local(2027, 3, 8), local(2027, 3, 9)).by_resource == {}


def test_unreadable_file_is_reported_and_blocks_everything(
    directory: Directory, tmp_path: Path
) -> None:
    bad = tmp_path / "navigator.ics"
    shutil.copy(ICS / "broken.ics", bad)
    source = CalendarBusySource({"draper-navigator": str(bad)}, directory)
    assert spans(source) == [(local(2027, 3, 8), local(2027, 3, 14))]
    assert "navigator.ics" in source.problems["draper-navigator"]
    assert "treating as busy" in source.problems["draper-navigator"]
    with pytest.raises(IcsImportError, match=r"navigator\.ics"):
        source.check()


def test_unknown_staff_id_is_a_configuration_error(directory: Directory) -> None:
    with pytest.raises(ConfigurationError, match="nobody"):
        CalendarBusySource({"nobody": "x.ics"}, directory)


def test_settings_read_calendars_from_the_environment() -> None:
    settings = load_settings(
        {"KAT_BUSY_CALENDARS": "draper-navigator=/srv/nav.ics, murray-navigator=https://x/y.ics"},
        persist_secret=False,
    )
    assert settings.busy_calendars == {
        "draper-navigator": "/srv/nav.ics",
        "murray-navigator": "https://x/y.ics",
    }


class _Server:
    """A local http.server serving one calendar; ``broken`` makes it answer 500."""

    def __init__(self) -> None:
        self.body = (ICS / "navigator.ics").read_bytes()
        self.broken = False
        self.hits = 0
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.hits += 1
                if owner.broken:
                    self.send_error(500)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/calendar")
                self.send_header("Content-Length", str(len(owner.body)))
                self.end_headers()
                self.wfile.write(owner.body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/navigator.ics"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[_Server]:
    running = _Server()
    yield running
    running.close()


def test_url_failure_keeps_the_last_good_copy(directory: Directory, server: _Server) -> None:
    source = CalendarBusySource({"draper-navigator": server.url}, directory, refresh_seconds=0)
    good = spans(source)
    assert (local(2027, 3, 8, 9), local(2027, 3, 8, 10)) in good
    server.broken = True
    assert spans(source) == good
    problem = source.problems["draper-navigator"]
    assert "cannot fetch" in problem and "keeping the last good copy" in problem
    assert server.url not in problem  # a URL may carry a secret token
    server.broken = False
    server.body = b"garbage"
    assert spans(source) == good
    assert "not a valid iCalendar" in source.problems["draper-navigator"]
    server.body = (ICS / "navigator.ics").read_bytes()
    spans(source)
    assert source.problems == {}


def test_url_is_refetched_only_after_the_refresh_interval(
    directory: Directory, server: _Server
) -> None:
    clock = [0.0]
    source = CalendarBusySource(
        {"draper-navigator": server.url},
        directory,
        refresh_seconds=300,
        monotonic=lambda: clock[0],
    )
    spans(source)
    spans(source)
    assert server.hits == 1
    clock[0] = 301
    spans(source)
    assert server.hits == 2


def test_url_never_fetched_blocks_the_staff_member(directory: Directory, server: _Server) -> None:
    server.broken = True
    source = CalendarBusySource({"draper-navigator": server.url}, directory)
    assert spans(source) == [(local(2027, 3, 8), local(2027, 3, 14))]
    assert "treating as busy" in source.problems["draper-navigator"]


FREEBUSY = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN\r
BEGIN:VFREEBUSY\r
UID:fb-navigator\r
DTSTAMP:20270301T000000Z\r
DTSTART:20270308T000000Z\r
DTEND:20270315T000000Z\r
FREEBUSY;FBTYPE=BUSY:20270308T160000Z/20270308T170000Z,20270308T180000Z/PT30M\r
FREEBUSY;FBTYPE=BUSY-TENTATIVE:20270309T160000Z/20270309T163000Z\r
FREEBUSY;FBTYPE=FREE:20270309T190000Z/20270309T200000Z\r
FREEBUSY:20270310T160000Z/20270310T163000Z\r
FREEBUSY;FBTYPE=BUSY:20270401T160000Z/20270401T170000Z\r
END:VFREEBUSY\r
END:VCALENDAR\r
"""


def test_free_busy_periods_block_but_free_ones_and_others_outside_do_not() -> None:
    """#20: VFREEBUSY (what Exchange and Outlook publish): every FBTYPE but FREE blocks, a
    DURATION period too; the April period lies outside the week asked."""
    calendar = parse_calendar(FREEBUSY, source="outlook.ics")
    found = sorted(
        (i.start, i.end)
        for i in busy_intervals(calendar, local(2027, 3, 8), local(2027, 3, 14), zone=DENVER)
    )
    utc = dt.UTC
    assert found == [
        (dt.datetime(2027, 3, 8, 16, tzinfo=utc), dt.datetime(2027, 3, 8, 17, tzinfo=utc)),
        (dt.datetime(2027, 3, 8, 18, tzinfo=utc), dt.datetime(2027, 3, 8, 18, 30, tzinfo=utc)),
        (dt.datetime(2027, 3, 9, 16, tzinfo=utc), dt.datetime(2027, 3, 9, 16, 30, tzinfo=utc)),
        (dt.datetime(2027, 3, 10, 16, tzinfo=utc), dt.datetime(2027, 3, 10, 16, 30, tzinfo=utc)),
    ]


def test_a_free_busy_file_blocks_the_navigators_times(directory: Directory, tmp_path: Path) -> None:
    published = tmp_path / "outlook.ics"
    published.write_bytes(FREEBUSY)
    source = CalendarBusySource({"draper-navigator": str(published)}, directory)
    assert source.problems == {}
    assert (local(2027, 3, 8, 9), local(2027, 3, 8, 10)) in spans(source)  # 16:00-17:00 UTC
    busy = source("draper", local(2027, 3, 8), local(2027, 3, 9))
    slots = find_slots(
        directory,
        "draper",
        "info-call",
        start=local(2027, 3, 8),
        end=local(2027, 3, 9),
        busy=busy,
        now=NOW,
    )
    starts = {s.start for s in slots}
    assert local(2027, 3, 8, 9, 0) not in starts and local(2027, 3, 8, 10, 0) in starts


INVITATIONS = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Google Inc//Google Calendar 70.9054//EN\r
BEGIN:VEVENT\r
UID:declined@example.com\r
DTSTAMP:20270301T000000Z\r
DTSTART:20270308T160000Z\r
DTEND:20270308T170000Z\r
SUMMARY:Team sync\r
ORGANIZER:mailto:lead@clinic.example\r
ATTENDEE;PARTSTAT=ACCEPTED:mailto:lead@clinic.example\r
ATTENDEE;PARTSTAT=DECLINED:mailto:Navigator@Clinic.Example\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:accepted@example.com\r
DTSTAMP:20270301T000000Z\r
DTSTART:20270308T180000Z\r
DTEND:20270308T190000Z\r
ATTENDEE;PARTSTAT=DECLINED:mailto:lead@clinic.example\r
ATTENDEE;PARTSTAT=ACCEPTED:mailto:navigator@clinic.example\r
END:VEVENT\r
END:VCALENDAR\r
"""


def test_an_invitation_the_staff_member_declined_leaves_the_time_free() -> None:
    """#20: with their calendar address known, their own PARTSTAT=DECLINED frees the time;
    someone else's declining does not; without the address, every invitation blocks."""
    calendar = parse_calendar(INVITATIONS, source="google.ics")
    week = local(2027, 3, 8), local(2027, 3, 14)
    known = busy_intervals(calendar, *week, zone=DENVER, attendee="navigator@clinic.example")
    assert [(i.start.hour, i.end.hour) for i in known] == [(18, 19)]  # UTC hours
    unknown = busy_intervals(calendar, *week, zone=DENVER)
    assert sorted((i.start.hour, i.end.hour) for i in unknown) == [(16, 17), (18, 19)]


def test_the_directorys_calendar_address_reaches_the_busy_source(
    directory: Directory, tmp_path: Path
) -> None:
    import msgspec

    draper = directory.clinic("draper")
    staff = tuple(
        msgspec.structs.replace(member, calendar_email="navigator@clinic.example")
        if member.id == "draper-navigator"
        else member
        for member in draper.staff
    )
    clinics = tuple(
        msgspec.structs.replace(clinic, staff=staff) if clinic.id == "draper" else clinic
        for clinic in directory.data.clinics
    )
    known = Directory(msgspec.structs.replace(directory.data, clinics=clinics))
    (tmp_path / "google.ics").write_bytes(INVITATIONS)
    source = CalendarBusySource({"draper-navigator": str(tmp_path / "google.ics")}, known)
    assert spans(source) == [(local(2027, 3, 8, 11), local(2027, 3, 8, 12))]  # the accepted one


def test_the_version_follows_the_calendars_contents(directory: Directory, tmp_path: Path) -> None:
    """Slot caches key on it: a changed file changes it, a touched one does not, and two readers
    (two workers) of the same bytes agree."""
    calendar = tmp_path / "navigator.ics"
    shutil.copy(ICS / "navigator.ics", calendar)
    source = CalendarBusySource({"draper-navigator": str(calendar)}, directory)
    first = source.version("draper")
    assert first == CalendarBusySource({"draper-navigator": str(calendar)}, directory).version(
        "draper"
    )
    assert source.version("murray") == ()  # no calendar there
    os.utime(calendar, ns=(1, 1))  # a new stamp, the same bytes
    assert source.version("draper") == first
    calendar.write_bytes(calendar.read_bytes().replace(b"20270301T", b"20270302T"))
    assert source.version("draper") != first


def _one_event(start: str, end: str, uid: str = "elsewhere@example.org") -> bytes:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nDTSTAMP:20270301T000000Z\r\nDTSTART:{start}\r\nDTEND:{end}\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


def test_a_rooms_calendar_blocks_the_services_that_need_the_room(
    directory: Directory, tmp_path: Path
) -> None:
    """#20: Draper's one consult room, booked elsewhere 9-12 on Tuesday (a shared room), takes
    the assessment (which needs it) away then, but not the phone call (which needs no room)."""
    shared = tmp_path / "consult.ics"
    shared.write_bytes(_one_event("20270309T160000Z", "20270309T190000Z"))  # 09:00-12:00 MST
    source = CalendarBusySource({"draper-consult-1": str(shared)}, directory)
    day = local(2027, 3, 9), local(2027, 3, 10)
    busy = source("draper", *day)
    assert list(busy.by_resource) == ["draper-consult-1"]

    def starts(service: str, busy_times: object) -> set[dt.datetime]:
        found = find_slots(
            directory, "draper", service, start=day[0], end=day[1], busy=busy_times, now=NOW
        )
        return {slot.start for slot in found}

    free, with_room = starts("connect-assessment", None), starts("connect-assessment", busy)
    assert local(2027, 3, 9, 10) in free and local(2027, 3, 9, 12) in free
    assert {s for s in free if local(2027, 3, 9, 7, 30) < s < local(2027, 3, 9, 12)} - with_room
    assert not {s for s in with_room if local(2027, 3, 9, 7, 30) < s < local(2027, 3, 9, 12)}
    assert local(2027, 3, 9, 12) in with_room
    assert starts("info-call", busy) == starts("info-call", None)


def test_every_calendar_of_a_resource_blocks_and_one_never_read_blocks_all(
    directory: Directory, tmp_path: Path
) -> None:
    work, home = tmp_path / "work.ics", tmp_path / "home.ics"
    shutil.copy(ICS / "navigator.ics", work)
    home.write_bytes(_one_event("20270308T200000Z", "20270308T210000Z"))  # 13:00-14:00 MST
    source = CalendarBusySource({"draper-navigator": [str(work), str(home)]}, directory)
    found = spans(source)
    assert (local(2027, 3, 8, 9), local(2027, 3, 8, 10)) in found  # the work calendar
    assert (local(2027, 3, 8, 13), local(2027, 3, 8, 14)) in found  # the personal one
    assert source.problems == {}
    assert len(source.version("draper")) == 2

    missing = CalendarBusySource(
        {"draper-navigator": [str(work), str(tmp_path / "gone.ics")]}, directory
    )
    assert (local(2027, 3, 8), local(2027, 3, 14)) in spans(missing)  # fail closed
    problem = missing.problems["draper-navigator#2"]  # the second in its list
    assert "gone.ics" in problem and "treating as busy" in problem
    with pytest.raises(IcsImportError, match="draper-navigator#2"):
        missing.check()


def test_unknown_room_or_staff_ids_are_named(directory: Directory) -> None:
    with pytest.raises(ConfigurationError, match="'nobody', 'nowhere-room', not a staff member or"):
        CalendarBusySource(
            {"draper-consult-1": "a.ics", "nowhere-room": "b.ics", "nobody": ["c.ics"]}, directory
        )


def test_settings_take_a_list_per_id_in_toml_and_a_repeated_id_in_the_environment(
    tmp_path: Path,
) -> None:
    env = load_settings(
        {
            "KAT_BUSY_CALENDARS": "draper-navigator=/srv/nav.ics,draper-consult-1=/srv/room.ics,"
            " draper-navigator=https://dav.example/cal/nav/"
        },
        persist_secret=False,
    )
    assert env.busy_calendars == {
        "draper-navigator": ["/srv/nav.ics", "https://dav.example/cal/nav/"],
        "draper-consult-1": "/srv/room.ics",
    }
    assert env.calendars.busy_calendars == {
        "draper-navigator": ("/srv/nav.ics", "https://dav.example/cal/nav/"),
        "draper-consult-1": ("/srv/room.ics",),
    }
    toml = tmp_path / "settings.toml"
    toml.write_text(
        '[kat_widgets.busy_calendars]\n"draper-navigator" = ["/a.ics", "/b.ics"]\n'
        '"draper-consult-1" = "/room.ics"\n',
        encoding="utf-8",
    )
    from_file = load_settings({"KAT_SETTINGS_FILE": str(toml)}, persist_secret=False)
    assert from_file.calendars.busy_calendars == {
        "draper-navigator": ("/a.ics", "/b.ics"),
        "draper-consult-1": ("/room.ics",),
    }


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"draper-navigator": []}, "'draper-navigator' lists no calendar"),
        ({"draper-navigator": ["/a.ics", " "]}, "'draper-navigator' has an empty source"),
        ({"draper-navigator": "webcal://u:secret@x/c.ics"}, "has a webcal:// address"),
    ],
)
def test_busy_calendar_settings_that_cannot_work_are_refused(
    given: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message) as caught:
        load_settings(persist_secret=False, busy_calendars=given)
    assert "secret" not in str(caught.value)


def test_time_outside_the_range_a_server_answered_for_is_busy(directory: Directory) -> None:
    """A CalDAV collection is asked for now-1 day .. the longest horizon + 1 day (+ refresh);
    the server's events say nothing past the range it answered for, so that time is busy. A
    later answer that cannot be read keeps the last good copy and its range together."""
    asked: list[Interval] = []
    answers = [
        Fetched(
            (_one_event("20270308T200000Z", "20270308T210000Z"),),
            Interval(local(2027, 3, 8), local(2027, 3, 10)),
        ),
        Fetched((b"garbage",), Interval(local(2027, 3, 1), local(2027, 9, 1))),
    ]

    def fetch(url: str, window: Interval) -> Fetched:
        asked.append(window)
        return answers.pop(0)

    source = CalendarBusySource(
        {"draper-navigator": "https://dav.example/nav/"},
        directory,
        fetch=fetch,
        refresh_seconds=0,
        clock=lambda: NOW,
    )
    expected = [
        (local(2027, 3, 8, 13), local(2027, 3, 8, 14)),
        (local(2027, 3, 10), local(2027, 3, 14)),  # past what the server answered for
    ]
    assert spans(source) == expected
    horizon = max(service.policy.horizon_days for service in directory.services)
    assert asked[0] == Interval(NOW - dt.timedelta(days=1), NOW + dt.timedelta(days=horizon + 1))
    assert spans(source) == expected  # the garbage is not read, nor its wider range believed
    assert "keeping the last good copy" in source.problems["draper-navigator"]


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b"Robin Example, 801-555-0177, anxious about the call\r\n", "(ValueError)"),
        (
            b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\n"
            b"SUMMARY:Robin Example 801-555-0177\r\nDTSTART:Robin Example\r\n"
            b"END:VEVENT\r\nEND:VCALENDAR\r\n",
            "event 'x' has an invalid DTSTART",
        ),
    ],
)
def test_an_unreadable_calendar_is_named_without_quoting_its_lines(data: bytes, said: str) -> None:
    """A staff calendar may hold clients' names: the error (logged, shown by `check`) says which
    file and property, never the line the parser quotes."""
    with pytest.raises(IcsImportError) as raised:
        parse_calendar(data, source="calendar draper-navigator (nav.ics)")
    message = str(raised.value)
    assert message.startswith("calendar draper-navigator (nav.ics): ") and said in message
    for private in ("Robin", "555-0177", "anxious"):
        assert private not in message
