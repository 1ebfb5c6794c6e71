"""Every .ics we emit, read by real parsers: Mozilla's ical.js and a Radicale CalDAV server."""

from __future__ import annotations

import base64
import datetime as dt
import urllib.request
from pathlib import Path

import pytest
from litestar.testing import TestClient

from kat_widgets import Settings, create_app
from kat_widgets.directory import Directory, load_directory
from kat_widgets.scheduling import find_slots
from kat_widgets.scheduling.ics_export import (
    StaffFeedEntry,
    availability_calendar,
    availability_ics,
    booking_calendar,
    booking_event,
    staff_feed,
    to_ics,
)
from kat_widgets.scheduling.ics_import import parse_calendar
from kat_widgets.settings import BUNDLED_DIRECTORY
from tests.servers import deadline_s
from tests.sizes import sized

from .conftest import ical_js

pytestmark = pytest.mark.slow
UTC = dt.UTC


def utc(text: str) -> str:
    """ISO 8601 with offset -> the ``toISOString()`` form ical.js prints."""
    moment = dt.datetime.fromisoformat(text).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


@pytest.mark.parametrize(
    "now",
    [
        dt.datetime(2027, 3, 1, 14, tzinfo=UTC),  # the feed spans the spring change (14 March)
        dt.datetime(2027, 10, 20, 14, tzinfo=UTC),  # ... and the autumn change (7 November)
    ],
)
def test_feed_instants_in_ical_js_match_the_slots_api(tmp_path: Path, now: dt.datetime) -> None:
    settings = Settings(data_dir=str(tmp_path), secret_key="s" * 40)
    with TestClient(create_app(settings, clock=lambda: now)) as client:
        feed = client.get("/calendars/murray/availability.ics", params={"service": "info-call"})
        api = client.get(
            "/api/clinics/murray/slots",
            params={
                "service": "info-call",
                "start": now.isoformat(),
                "end": (now + dt.timedelta(days=60)).isoformat(),
            },
        ).json()
    parsed = ical_js(feed.content, tmp_path)
    assert parsed["method"] == "PUBLISH"
    assert parsed["timezones"] == ["America/Denver"]
    seen = [(e["start"], e["end"]) for e in parsed["events"]]
    expected = [(utc(s["start"]), utc(s["end"])) for s in api["slots"]]
    assert len(expected) > 100
    assert seen == expected
    assert {e["summary"] for e in parsed["events"]} == {"Available: informational call"}
    offsets = {s["start"][-6:] for s in api["slots"]}
    assert offsets == {"-07:00", "-06:00"}  # both sides of a change are in the sample


def test_fast_serialiser_reads_the_same_as_icalendar_in_both_parsers(
    directory: Directory, tmp_path: Path
) -> None:
    clinic, service = directory.clinic("layton"), directory.service("info-call")
    now = dt.datetime(2027, 3, 1, 14, tzinfo=UTC)
    slots = find_slots(
        directory, "layton", "info-call", start=now, end=now + dt.timedelta(days=30), now=now
    )
    ours = availability_ics(clinic, service, slots, stamp=now)
    plain = to_ics(availability_calendar(clinic, service, slots, stamp=now))
    assert ical_js(ours, tmp_path) == ical_js(plain, tmp_path)

    def read(data: bytes) -> list[tuple[str, ...]]:
        calendar = parse_calendar(data, source="test")
        return [
            (
                str(e["UID"]),
                e.start.isoformat(),
                e.end.isoformat(),
                str(e["SUMMARY"]),
                str(e["LOCATION"]),
                str(e["TRANSP"]),
                e["DTSTAMP"].dt.isoformat(),
                str(e["ORGANIZER"]),  # PUBLISH names the clinic (RFC 5546 §3.2.1)
                str(e["ORGANIZER"].params["CN"]),
            )
            for e in calendar.walk("VEVENT")
        ]

    assert read(ours) == read(plain)
    assert read(ours)[0][-2:] == ("mailto:bookings@kat-widgets.invalid", clinic.name)
    named = availability_ics(clinic, service, slots, stamp=now, organizer_email="hi@clinic.example")
    assert read(named) == read(
        to_ics(
            availability_calendar(
                clinic, service, slots, stamp=now, organizer_email="hi@clinic.example"
            )
        )
    )
    assert read(named)[0][-2] == "mailto:hi@clinic.example"
    calendars = [parse_calendar(data, source="t") for data in (ours, plain)]
    for name in ("METHOD", "PRODID", "NAME", "X-WR-CALNAME", "UID", "VERSION", "X-PUBLISHED-TTL"):
        assert str(calendars[0][name]) == str(calendars[1][name]), name


def test_escaping_and_folding_survive_both_parsers(directory: Directory, tmp_path: Path) -> None:
    import msgspec

    clinic = msgspec.structs.replace(
        directory.clinic("draper"), name="Numinus Draper; Ünïcode, \\ back — a long name " * 2
    )
    service = directory.service("connect-assessment")
    now = dt.datetime(2027, 3, 1, 14, tzinfo=UTC)
    slots = find_slots(
        directory, "draper", service.id, start=now, end=now + dt.timedelta(days=3), now=now
    )
    ours = availability_ics(clinic, service, slots, stamp=now)
    assert all(len(line) <= 75 for line in ours.split(b"\r\n"))
    plain = to_ics(availability_calendar(clinic, service, slots, stamp=now))
    js_ours, js_plain = ical_js(ours, tmp_path), ical_js(plain, tmp_path)
    assert js_ours == js_plain
    assert js_ours["events"][0]["location"].startswith(clinic.name)


def booking_request(method: str = "REQUEST", status: str = "CONFIRMED") -> bytes:
    directory = load_directory(BUNDLED_DIRECTORY)
    clinic = directory.clinic("springville")
    start = dt.datetime(2027, 11, 8, 9, 0, tzinfo=clinic.zone)  # the day after the change
    event = booking_event(
        uid="booking-123@kat-widgets",
        clinic=clinic,
        service=directory.service("experience-im"),
        start=start,
        end=start + dt.timedelta(minutes=120),
        stamp=dt.datetime(2027, 11, 1, tzinfo=UTC),
        organizer_email="scheduling@clinic.example",
        sequence=2 if status == "CANCELLED" else 0,
        status=status,  # type: ignore[arg-type]
    )
    return to_ics(booking_calendar([event], method=method))  # type: ignore[arg-type]


def test_booking_invitation_and_cancellation_in_ical_js(tmp_path: Path) -> None:
    invite = ical_js(booking_request(), tmp_path)
    assert invite["method"] == "REQUEST"
    (event,) = invite["events"]
    assert event["uid"] == "booking-123@kat-widgets"
    assert event["start"] == "2027-11-08T16:00:00.000Z"  # 09:00 MST
    assert event["end"] == "2027-11-08T18:00:00.000Z"
    assert event["summary"] == "Numinus Springville: care session"
    assert "672 W 400 S Suite 201, Springville, UT 84663" in event["location"]
    assert event["organizer"] == "mailto:scheduling@clinic.example"
    assert event["geo"] is not None
    assert event["alarms"] == ["-PT1H"]
    assert "ketamine" not in booking_request().decode().lower()
    cancel = ical_js(booking_request("CANCEL", "CANCELLED"), tmp_path)
    assert cancel["method"] == "CANCEL"
    assert cancel["events"][0]["status"] == "CANCELLED"
    assert cancel["events"][0]["sequence"] == 2
    assert cancel["events"][0]["alarms"] == []


def test_staff_feed_is_discreet_unless_names_are_asked_for(
    directory: Directory, tmp_path: Path
) -> None:
    clinic = directory.clinic("murray")
    start = dt.datetime(2027, 3, 14, 10, tzinfo=clinic.zone)
    entry = StaffFeedEntry(
        uid="b-1@kat-widgets",
        service_id="integrate-session",
        start=start,
        end=start + dt.timedelta(hours=1),
        client_name="Alex Example",
    )
    stamp = dt.datetime(2027, 3, 1, tzinfo=UTC)
    discreet = to_ics(staff_feed(clinic, directory.services, [entry], stamp=stamp))
    assert b"Alex" not in discreet
    parsed = ical_js(discreet, tmp_path)
    assert parsed["events"][0]["summary"] == "Booked: integration session"
    assert parsed["events"][0]["start"] == "2027-03-14T16:00:00.000Z"  # 10:00 MDT
    named = to_ics(staff_feed(clinic, directory.services, [entry], stamp=stamp, show_names=True))
    assert ical_js(named, tmp_path)["events"][0]["summary"].endswith("(Alex Example)")


def _request(url: str, method: str, body: bytes | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method=method)
    request.add_header("Authorization", "Basic " + base64.b64encode(b"kat:any").decode())
    if body is not None:
        request.add_header("Content-Type", "text/calendar; charset=utf-8")
    # Radicale takes ~45 ms per event of a PUT calendar (vobject re-reads the VTIMEZONE rules
    # for each), far longer on a loaded machine: wait as long as for a server to start
    with urllib.request.urlopen(request, timeout=deadline_s()) as response:
        return response.status, response.read()


def test_radicale_accepts_a_booking_and_the_feed(
    directory: Directory, radicale: str, tmp_path: Path
) -> None:
    # A calendar collection created by PUT of a whole calendar, then one event PUT on its own.
    clinic, service = directory.clinic("draper"), directory.service("info-call")
    now = dt.datetime(2027, 3, 1, 14, tzinfo=UTC)
    days = sized(5, 20)  # 80 or 318 events (tests/sizes.py)
    slots = find_slots(
        directory, "draper", "info-call", start=now, end=now + dt.timedelta(days=days), now=now
    )
    feed = availability_ics(clinic, service, slots, stamp=now)
    status, _ = _request(f"{radicale}/kat/availability/", "PUT", feed)
    assert status in (200, 201)
    status, stored = _request(f"{radicale}/kat/availability/", "GET")
    assert status == 200

    def by_uid(data: bytes) -> list[dict[str, object]]:
        return sorted(ical_js(data, tmp_path)["events"], key=lambda e: str(e["uid"]))

    assert by_uid(stored) == by_uid(feed)

    invite = booking_request("PUBLISH")
    status, _ = _request(f"{radicale}/kat/availability/booking-123.ics", "PUT", invite)
    assert status in (200, 201)
    status, stored = _request(f"{radicale}/kat/availability/booking-123.ics", "GET")
    assert status == 200
    (event,) = ical_js(stored, tmp_path)["events"]
    assert event["uid"] == "booking-123@kat-widgets"
    assert event["start"] == "2027-11-08T16:00:00.000Z"


def test_vavailability_feed_has_the_same_instants(tmp_path: Path) -> None:
    now = dt.datetime(2027, 3, 1, 14, tzinfo=UTC)
    settings = Settings(data_dir=str(tmp_path), secret_key="s" * 40)
    with TestClient(create_app(settings, clock=lambda: now)) as client:
        events = client.get("/calendars/draper/availability.ics", params={"service": "info-call"})
        block = client.get(
            "/calendars/draper/availability.ics",
            params={"service": "info-call", "format": "vavailability"},
        )
        bad = client.get("/calendars/draper/availability.ics", params={"format": "pdf"})
    assert bad.status_code == 422
    assert block.headers["etag"] != events.headers["etag"]
    from_events = ical_js(events.content, tmp_path)["events"]
    available = ical_js(block.content, tmp_path)["available"]
    assert [(a["uid"], a["start"], a["end"]) for a in available] == [
        (e["uid"], e["start"], e["end"]) for e in from_events
    ]
    calendar = parse_calendar(block.content, source="vavailability")
    (component,) = calendar.walk("VAVAILABILITY")
    assert str(component["BUSYTYPE"]) == "BUSY-UNAVAILABLE"
