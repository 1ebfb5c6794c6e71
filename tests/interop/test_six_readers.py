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
import email
import email.policy
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from kat_widgets import Settings, create_app
from kat_widgets.booking.models import BookingRecord
from kat_widgets.booking.tokens import calendar_key
from kat_widgets.directory import Directory, HoursRule
from kat_widgets.notifications.messages import Links, email_message, visitor_letter
from tests.sizes import sized

from .readers import NO_VAVAILABILITY, READERS, Reading, Triple, instant, read_all

pytestmark = pytest.mark.slow  # node and the system Python, in subprocesses

DENVER = ZoneInfo("America/Denver")
SECRET = "r" * 40
FEED_TOKEN = "t" * 40
SENDER = "bookings@clinic.example"
CLINIC, SERVICE = "draper", "info-call"
HORIZON_DAYS = 3
YEARS = list(range(2026, 2036))


def _sunday(year: int, month: int, nth: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(6 - first.weekday()) % 7 + 7 * (nth - 1))


def change_day(year: int, season: str) -> dt.date:
    """US rule since 2007: second Sunday of March, first Sunday of November."""
    return _sunday(year, 3, 2) if season == "spring" else _sunday(year, 11, 1)


SWEEP = [
    (year, season) for year in YEARS[:: sized(len(YEARS) - 1, 1)] for season in ("spring", "autumn")
]


def around_the_clock(base: Directory) -> Directory:
    """Draper open every day from 00:00 to 23:59:59, no holidays, and info-call an hour long
    on the usual 30-minute grid with a 3-day horizon (short feeds, overlapping slots, and a
    visit at 01:30 that crosses the change)."""
    always = HoursRule(
        days=("mon", "tue", "wed", "thu", "fri", "sat", "sun"),
        opens=dt.time(0),
        closes=dt.time(23, 59, 59),
    )
    clinics = tuple(
        msgspec.structs.replace(c, hours=(always,), exceptions=(), closures=(), holidays=None)
        if c.id == CLINIC
        else c
        for c in base.data.clinics
    )
    services = tuple(
        msgspec.structs.replace(
            s,
            duration_minutes=60,
            policy=msgspec.structs.replace(s.policy, horizon_days=HORIZON_DAYS, max_per_day=None),
        )
        if s.id == SERVICE
        else s
        for s in base.data.services
    )
    return Directory(msgspec.structs.replace(base.data, clinics=clinics, services=services))


def visits(year: int, season: str) -> list[dt.datetime]:
    """The two visits booked on the change day: on the edge of the skipped or repeated hour."""
    day = change_day(year, season)
    if season == "spring":  # 01:30 MST (ends 03:30 MDT) and 03:30 MDT
        return [
            dt.datetime.combine(day, dt.time(1, 30), tzinfo=DENVER),
            dt.datetime.combine(day, dt.time(3, 30), tzinfo=DENVER),
        ]
    # 01:00 MDT, ending an hour later at 01:00 MST (the same wall time), then 02:00 MST; the
    # grid offers each wall time once, so the second 01:00 and 01:30 (MST) are never slots
    return [
        dt.datetime.combine(day, dt.time(1, 0), tzinfo=DENVER),
        dt.datetime.combine(day, dt.time(2, 0), tzinfo=DENVER),
    ]


@pytest.fixture(scope="module")
def sweep_directory(directory: Directory) -> Directory:
    return around_the_clock(directory)


@pytest.fixture
def files_at(tmp_path: Path, sweep_directory: Directory) -> Iterator[Any]:
    clients: list[TestClient[Litestar]] = []

    def make(now: dt.datetime) -> TestClient[Litestar]:
        settings = Settings(
            data_dir=str(tmp_path / f"kat-{len(clients)}"),
            secret_key=SECRET,
            mail_from=SENDER,
            staff_feed_token=FEED_TOKEN,
        )
        client = TestClient(create_app(settings, directory=sweep_directory, clock=lambda: now))
        clients.append(client.__enter__())
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def _iso(text: str) -> str:
    return instant(dt.datetime.fromisoformat(text))


def _calendar_part(message: Any) -> bytes:
    parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    for part in parsed.walk():
        if part.get_content_type() == "text/calendar":
            content = part.get_content()
            return content.encode() if isinstance(content, str) else bytes(content)
    raise AssertionError("no text/calendar part")


def _imip(
    booking: dict[str, Any], directory: Directory, now: dt.datetime, *, cancel: bool
) -> bytes:
    """The visitor's iMIP attachment for ``booking`` (the booking API's answer), as sent."""
    record = BookingRecord(
        id=booking["id"],
        clinic_id=booking["clinic_id"],
        service_id=booking["service"],
        start=dt.datetime.fromisoformat(booking["start"]).astimezone(dt.UTC),
        end=dt.datetime.fromisoformat(booking["end"]).astimezone(dt.UTC),
        status="cancelled" if cancel else "confirmed",
        sequence=1 if cancel else 0,
        token_hash="0" * 64,
        name="Robin Example",
        email="robin@example.com",
        phone=None,
        note=None,
        created_at=now,
        updated_at=now,
    )
    letter = visitor_letter(
        "cancelled" if cancel else "created",
        record,
        directory,
        links=Links(manage_url="https://x.example/m", ics_url="https://x.example/c.ics"),
        now=now,
        organizer=SENDER,
    )
    return _calendar_part(
        email_message(letter, message_id="m", sender=SENDER, to=["robin@example.com"], now=now)
    )


def every_file_kind(
    client: TestClient[Litestar], directory: Directory, now: dt.datetime, starts: list[dt.datetime]
) -> tuple[dict[str, bytes], dict[str, list[Triple]]]:
    """Every file kind as the app serves it (and the iMIP attachments as sent), with what the
    slots API and the booking API say each must hold: ``(files, expected events)``."""
    feed = f"/calendars/{CLINIC}/availability.ics"
    files = {
        "availability.ics": client.get(feed, params={"service": SERVICE}).content,
        "vavailability.ics": client.get(
            feed, params={"service": SERVICE, "format": "vavailability"}
        ).content,
    }
    slots = client.get(
        f"/api/clinics/{CLINIC}/slots",
        params={
            "service": SERVICE,
            "start": now.isoformat(),
            "end": (now + dt.timedelta(days=HORIZON_DAYS)).isoformat(),
        },
    )
    assert slots.status_code == 200, slots.text
    open_times = [
        (
            f"avail-{CLINIC}-{SERVICE}-{_iso(s['start']).replace('-', '').replace(':', '')}"
            "@kat-widgets",
            _iso(s["start"]),
            _iso(s["end"]),
        )
        for s in slots.json()["slots"]
    ]
    expected: dict[str, list[Triple]] = {"availability.ics": open_times}
    booked, tokens = [], []
    for index, start in enumerate(starts):
        answer = client.post(
            "/api/bookings",
            json={
                "clinic_id": CLINIC,
                "service": SERVICE,
                "start": start.isoformat(),
                "name": "Robin Example",
                "email": f"robin{index}@example.com",
                "consent": True,
            },
        )
        assert answer.status_code == 201, answer.text
        booked.append(answer.json()["booking"])
        tokens.append(str(answer.json()["manage_url"]).rsplit("/", 1)[1])
    visit = [(f"{b['id']}@kat-widgets", _iso(b["start"]), _iso(b["end"])) for b in booked]
    files["staff-feed.ics"] = client.get(f"/calendars/staff/{FEED_TOKEN}.ics").content
    expected["staff-feed.ics"] = [(f"staff-{uid}", s, e) for uid, s, e in visit]
    for index, token in enumerate(tokens):
        path = f"/calendars/bookings/{calendar_key(SECRET, token)}.ics"
        files[f"appointment-{index}.ics"] = client.get(path).content
        expected[f"appointment-{index}.ics"] = [visit[index]]
        files[f"email-request-{index}.ics"] = _imip(booked[index], directory, now, cancel=False)
        expected[f"email-request-{index}.ics"] = [visit[index]]
    cancelled = client.post(f"/api/bookings/{tokens[-1]}/cancel")
    assert cancelled.status_code == 200, cancelled.text
    path = f"/calendars/bookings/{calendar_key(SECRET, tokens[-1])}.ics"
    files["appointment-cancelled.ics"] = client.get(path).content
    expected["appointment-cancelled.ics"] = [visit[-1]]
    files["email-cancel.ics"] = _imip(cancelled.json()["booking"], directory, now, cancel=True)
    expected["email-cancel.ics"] = [visit[-1]]
    expected["vavailability.ics"] = []  # no VEVENT: its open times are AVAILABLE components
    return files, expected


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
    from ical.calendar_stream import IcsCalendarStream
    from ics import Calendar

    now = dt.datetime(2027, 3, 13, 7, tzinfo=dt.UTC)
    block = files_at(now).get(
        f"/calendars/{CLINIC}/availability.ics",
        params={"service": SERVICE, "format": "vavailability"},
    )
    assert block.content.count(b"BEGIN:AVAILABLE") > 100
    text = block.content.decode()
    assert len(Calendar(text).events) == 0 and len(Calendar(text).todos) == 0
    calendar = IcsCalendarStream.calendar_from_ics(text)
    assert (calendar.events, calendar.todos, calendar.freebusy) == ([], [], [])
    assert set(NO_VAVAILABILITY) == {"ics", "ical"}
