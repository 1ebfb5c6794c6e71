"""Every calendar file kind we emit keeps the rules of its METHOD (RFC 5546, RFC 5545).

The checker (``itip_rules``) is first shown to catch the mistakes it exists for: our old feeds
(PUBLISH without ORGANIZER) and our old cancelled download (CANCEL without ATTENDEE). Then every
kind goes through it: the open-times feed (events and VAVAILABILITY), the staff feed, the
visitor's download (booked, moved, cancelled) as the app serves them, the staff alert's
attachment and the visitor's iMIP emails (REQUEST, CANCEL). The same files also go through
libical's own restriction check (``libical_check.py``, run by the system Python).
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import re
import subprocess
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import icalendar
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from kat_widgets import Settings, create_app
from kat_widgets.booking.calendar import attendee_invitation, booking_ics
from kat_widgets.booking.models import BookingRecord
from kat_widgets.booking.tokens import calendar_key
from kat_widgets.directory import Directory
from kat_widgets.notifications.messages import Links, email_message, staff_letter, visitor_letter
from kat_widgets.scheduling.ics_export import (
    availability_calendar,
    availability_ics,
    booking_calendar,
    booking_event,
    to_ics,
)
from tests import jstools
from tests.booking.booking_support import NOW, SECRET

from . import itip_rules
from .file_kinds import booking_record
from .itip_rules import problems

START = dt.datetime(2027, 3, 9, 17, 0, tzinfo=dt.UTC)  # 10:00 MST, Tuesday
SENDER = "bookings@clinic.example"
FEED_TOKEN = "f" * 40
LIBICAL_CHECK = Path(__file__).with_name("libical_check.py")


def record(status: str = "confirmed", sequence: int = 0) -> BookingRecord:
    return booking_record(START, status=status, sequence=sequence, now=NOW)


# -- the checker catches what it is for -------------------------------------------------------


def _old_feed(directory: Directory) -> bytes:
    """The open-times feed as we wrote it before: PUBLISH, no ORGANIZER in the events."""
    from kat_widgets.scheduling import find_slots

    clinic, service = directory.clinic("draper"), directory.service("info-call")
    slots = find_slots(
        directory, "draper", "info-call", start=NOW, end=NOW + dt.timedelta(days=2), now=NOW
    )
    feed = availability_ics(clinic, service, slots, stamp=NOW)
    return re.sub(rb"ORGANIZER[^\r]*\r\n", b"", feed)


def _draper_file(
    directory: Directory, method: str, organizer: str = "bookings@kat-widgets.invalid", **more: Any
) -> bytes:
    """A file holding the Draper info-call at START, with ``method`` and an ORGANIZER."""
    clinic = directory.clinic("draper")
    event = booking_event(
        uid="b@kat-widgets",
        clinic=clinic,
        service=directory.service("info-call"),
        start=START,
        end=START + dt.timedelta(minutes=20),
        stamp=NOW,
        organizer_email=organizer,
        **more,
    )
    return to_ics(booking_calendar([event], method=method, tzid=clinic.timezone))


def _old_cancel_download(directory: Directory) -> bytes:
    """The cancelled download as we wrote it before: METHOD:CANCEL, an ORGANIZER, no ATTENDEE."""
    return _draper_file(directory, "CANCEL", sequence=2, status="CANCELLED")


def test_the_checker_catches_publish_without_organizer(directory: Directory) -> None:
    found = problems(_old_feed(directory))
    assert found and all("ORGANIZER must appear once, found 0" in line for line in found)


def test_the_checker_catches_cancel_without_attendee(directory: Directory) -> None:
    assert problems(_old_cancel_download(directory)) == [
        "VEVENT #1 (b@kat-widgets): ATTENDEE must appear at least once, found none"
    ]


def test_the_checker_catches_a_meeting_in_a_file_for_ones_own_calendar(
    directory: Directory,
) -> None:
    # the visitor's old download: PUBLISH with the clinic as ORGANIZER (a meeting in Outlook)
    old = _draper_file(directory, "PUBLISH")
    assert problems(old) == []  # a valid PUBLISH ...
    assert problems(old, own_event=True) == [  # ... but not the visitor's own event
        "VCALENDAR: METHOD PUBLISH in a file for one person's own calendar",
        "VEVENT #1 (b@kat-widgets): ORGANIZER in a file for one person's own calendar",
    ]


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (  # PUBLISH never names attendees
            lambda t: t.replace("END:VEVENT", "ATTENDEE:mailto:a@example.com\r\nEND:VEVENT"),
            "ATTENDEE is not allowed, found 1",
        ),
        (
            lambda t: t.replace("SUMMARY:", "SUMMARY:x\r\nSUMMARY:", 1),
            "SUMMARY must appear once, found 2",
        ),
        (lambda t: t.replace("STATUS:CONFIRMED", "STATUS:DONE"), "STATUS DONE is not allowed"),
        (
            lambda t: re.sub(r"BEGIN:VTIMEZONE.*END:VTIMEZONE\r\n", "", t, flags=re.S),
            "TZID America/Denver is used but has no VTIMEZONE",
        ),
        (
            lambda t: t.replace("END:VEVENT", "DURATION:PT1H\r\nEND:VEVENT"),
            "DTEND and DURATION are not allowed together",
        ),
    ],
)
def test_the_checker_reads_the_publish_table(
    directory: Directory, edit: Any, expected: str
) -> None:
    good = _draper_file(directory, "PUBLISH", SENDER).decode()
    assert problems(good.encode()) == []
    found = problems(edit(good).encode())
    assert any(expected in line for line in found), found


def test_the_checker_reads_the_request_and_cancel_tables(directory: Directory) -> None:
    invite = attendee_invitation(record(), directory, now=NOW, organizer=SENDER, method="REQUEST")
    assert problems(invite) == []
    text = invite.decode()
    no_attendee = re.sub(r"ATTENDEE[^\r]*\r\n( [^\r]*\r\n)*", "", text)
    assert "ATTENDEE must appear at least once" in problems(no_attendee.encode())[0]
    cancel = attendee_invitation(
        record("cancelled", 2), directory, now=NOW, organizer=SENDER, method="CANCEL"
    )
    assert problems(cancel) == []
    with_alarm = cancel.decode().replace(
        "END:VEVENT",
        "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:x\r\nTRIGGER:-PT1H\r\nEND:VALARM\r\n"
        "END:VEVENT",
    )
    assert any("VALARM is not allowed inside VEVENT" in p for p in problems(with_alarm.encode()))
    confirmed = cancel.decode().replace("STATUS:CANCELLED", "STATUS:CONFIRMED")
    assert any("STATUS CONFIRMED is not allowed" in p for p in problems(confirmed.encode()))


# -- every file kind we emit, as the app serves or sends it -----------------------------------


@pytest.fixture
def app(tmp_path: Path) -> Iterator[TestClient[Litestar]]:
    settings = Settings(
        data_dir=str(tmp_path / "kat-data"),
        secret_key=SECRET,
        mail_from=SENDER,
        staff_feed_token=FEED_TOKEN,
    )
    with TestClient(create_app(settings, clock=lambda: NOW)) as client:
        yield client


def _book(client: TestClient[Litestar]) -> tuple[str, str]:
    answer = client.post(
        "/api/bookings",
        json={
            "clinic_id": "draper",
            "service": "info-call",
            "start": "2027-03-09T10:00:00-07:00",
            "name": "Robin Example",
            "email": "robin@example.com",
            "consent": True,
        },
    )
    assert answer.status_code == 201, answer.text
    token = str(answer.json()["manage_url"]).rsplit("/", 1)[1]
    return token, f"/calendars/bookings/{calendar_key(SECRET, token)}.ics"


@pytest.mark.parametrize("format", ["events", "vavailability"])
def test_the_open_times_feed_is_a_valid_publish(app: TestClient[Litestar], format: str) -> None:
    feed = app.get("/calendars/draper/availability.ics", params={"format": format})
    assert feed.status_code == 200
    assert itip_rules.method_of(feed.content) == "PUBLISH"
    assert problems(feed.content) == []
    calendar = icalendar.Calendar.from_ical(feed.content)
    published = calendar.walk("VEVENT") or calendar.walk("VAVAILABILITY")
    assert published
    for component in published:
        assert str(component["ORGANIZER"]) == f"mailto:{SENDER}"
        assert component["ORGANIZER"].params["CN"] == "Numinus Draper"


def test_the_staff_feed_is_a_valid_publish(app: TestClient[Litestar]) -> None:
    _book(app)
    feed = app.get(f"/calendars/staff/{FEED_TOKEN}.ics")
    assert feed.status_code == 200
    assert itip_rules.method_of(feed.content) == "PUBLISH"
    assert problems(feed.content) == []
    assert b"Robin" not in feed.content and b"robin@" not in feed.content


def test_an_empty_feed_says_no_method(app: TestClient[Litestar], directory: Directory) -> None:
    # RFC 5546 §3.2.1: a PUBLISH has one or more events; a feed with none is a plain calendar
    empty = app.get(f"/calendars/staff/{FEED_TOKEN}.ics")
    assert empty.status_code == 200 and b"BEGIN:VEVENT" not in empty.content
    assert itip_rules.method_of(empty.content) is None
    assert problems(empty.content) == []
    clinic, service = directory.clinic("draper"), directory.service("info-call")
    fast = availability_ics(clinic, service, [], stamp=NOW)
    plain = to_ics(availability_calendar(clinic, service, [], stamp=NOW))
    for data in (fast, plain):
        assert itip_rules.method_of(data) is None and problems(data) == []
    assert problems(fast.replace(b"CALSCALE:", b"METHOD:PUBLISH\r\nCALSCALE:")) == [
        "VCALENDAR: METHOD PUBLISH needs at least one VEVENT, found none"
    ]


def test_the_visitors_downloads_are_their_own_events(app: TestClient[Litestar]) -> None:
    token, path = _book(app)
    files = [app.get(path)]
    moved = app.post(
        f"/api/bookings/{token}/reschedule", json={"start": "2027-03-09T10:30:00-07:00"}
    )
    assert moved.status_code == 200
    files.append(app.get(path))
    assert app.post(f"/api/bookings/{token}/cancel").status_code == 200
    files.append(app.get(path))
    uids, sequences, statuses = set(), [], []
    for answer in files:
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "text/calendar; charset=utf-8"  # no method=
        assert problems(answer.content, own_event=True) == []
        assert b"Robin" not in answer.content and b"robin@" not in answer.content
        (event,) = icalendar.Calendar.from_ical(answer.content).events
        uids.add(str(event["UID"]))
        sequences.append(int(event["SEQUENCE"]))
        statuses.append(str(event["STATUS"]))
    # one entry all along: a re-import can update it
    assert len(uids) == 1 and sequences == [0, 1, 2]
    assert statuses == ["CONFIRMED", "CONFIRMED", "CANCELLED"]


@pytest.mark.parametrize(("status", "sequence"), [("requested", 0), ("cancelled", 3)])
def test_booking_ics_is_the_visitors_own_event_in_every_state(
    directory: Directory, status: str, sequence: int
) -> None:
    assert problems(booking_ics(record(status, sequence), directory, now=NOW), own_event=True) == []


def _calendar_part(message: EmailMessage) -> tuple[str | None, bytes]:
    """The text/calendar part and the ``method`` its Content-Type says."""
    parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    for part in parsed.walk():
        if part.get_content_type() == "text/calendar":
            content = part.get_content()
            data = content.encode() if isinstance(content, str) else content
            return part.get_param("method"), data  # type: ignore[return-value]
    raise AssertionError("no text/calendar part")


@pytest.mark.parametrize(
    ("event", "status", "sequence", "method"),
    [
        ("created", "confirmed", 0, "REQUEST"),
        ("rescheduled", "confirmed", 1, "REQUEST"),
        ("cancelled", "cancelled", 2, "CANCEL"),
    ],
)
def test_the_visitors_emails_are_valid_imip(
    directory: Directory, event: Any, status: str, sequence: int, method: str
) -> None:
    letter = visitor_letter(
        event,
        record(status, sequence),
        directory,
        links=Links(manage_url="https://x.example/m", ics_url="https://x.example/c.ics"),
        now=NOW,
        organizer=SENDER,
    )
    message = email_message(
        letter, message_id="m1", sender=SENDER, to=["robin@example.com"], now=NOW
    )
    said, data = _calendar_part(message)
    # RFC 5545 §3.7.2 / RFC 6047 §2.4: the Content-Type's method is the object's METHOD
    assert said == itip_rules.method_of(data) == method
    assert problems(data) == []
    (vevent,) = icalendar.Calendar.from_ical(data).events
    assert str(vevent["ORGANIZER"]) == f"mailto:{SENDER}"
    assert str(vevent["ATTENDEE"]) == "mailto:robin@example.com"  # the recipient, once


def test_the_staff_alerts_attachment_is_a_valid_publish(directory: Directory) -> None:
    letter = staff_letter("created", record(), directory, now=NOW, note=False, organizer=SENDER)
    message = email_message(letter, message_id="m2", sender=SENDER, to=["s@x.example"], now=NOW)
    said, data = _calendar_part(message)
    assert said == itip_rules.method_of(data) == "PUBLISH"
    assert problems(data) == []


# -- libical's own checker, over the same files -----------------------------------------------


def _every_file_kind(client: TestClient[Litestar], directory: Directory) -> dict[str, bytes]:
    """One file of every kind we emit, named by kind."""
    files = {
        "availability.ics": client.get("/calendars/draper/availability.ics").content,
        "vavailability.ics": client.get(
            "/calendars/draper/availability.ics", params={"format": "vavailability"}
        ).content,
    }
    token, path = _book(client)
    files["staff-feed.ics"] = client.get(f"/calendars/staff/{FEED_TOKEN}.ics").content
    files["appointment.ics"] = client.get(path).content
    assert client.post(f"/api/bookings/{token}/cancel").status_code == 200
    files["appointment-cancelled.ics"] = client.get(path).content
    links = Links(manage_url="https://x.example/m", ics_url="https://x.example/c.ics")
    for name, event, state, sequence in [
        ("email-request.ics", "created", "confirmed", 0),
        ("email-cancel.ics", "cancelled", "cancelled", 1),
    ]:
        letter = visitor_letter(
            event,  # type: ignore[arg-type]
            record(state, sequence),
            directory,
            links=links,
            now=NOW,
            organizer=SENDER,
        )
        files[name] = _calendar_part(
            email_message(letter, message_id="m", sender=SENDER, to=["r@x.example"], now=NOW)
        )[1]
    staff = staff_letter("created", record(), directory, now=NOW, note=False, organizer=SENDER)
    files["staff-alert.ics"] = _calendar_part(
        email_message(staff, message_id="s", sender=SENDER, to=["s@x.example"], now=NOW)
    )[1]
    return files


def _libical(paths: list[Path]) -> dict[str, Any]:
    jstools.require("libical")
    done = subprocess.run(
        [jstools.SYSTEM_PYTHON, str(LIBICAL_CHECK), *map(str, paths)],
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode()
    result: dict[str, Any] = json.loads(done.stdout)
    return result


@pytest.mark.slow  # a subprocess of the system Python
def test_libical_accepts_every_file_kind_we_emit(
    app: TestClient[Litestar], directory: Directory, tmp_path: Path
) -> None:
    files = _every_file_kind(app, directory)
    assert len(files) == 8
    for name, data in files.items():  # and ours agrees
        assert problems(data, own_event=name.startswith("appointment")) == [], name
    paths = []
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        paths.append(tmp_path / name)
    seen = _libical(paths)
    assert {Path(path).name: answer for path, answer in seen.items()} == {
        name: {"ok": True, "errors": []} for name in files
    }


@pytest.mark.slow
def test_libical_rejects_our_old_feed(directory: Directory, tmp_path: Path) -> None:
    # libical's table allows a CANCEL with no ATTENDEE (0+), so only ours catches that one
    old = tmp_path / "old-feed.ics"
    old.write_bytes(_old_feed(directory))
    (answer,) = _libical([old]).values()
    assert answer["ok"] is False
    assert any("ORGANIZER" in error for error in answer["errors"]), answer
