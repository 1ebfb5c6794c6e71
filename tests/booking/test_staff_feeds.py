"""Staff feeds per clinic, practitioner and room, through the HTTP interface (#20).

The bundled info call is by phone; here it is held in a consultation room, so one booking holds
a navigator and a room (Draper has one of each that fit).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar
from litestar import Litestar
from litestar.testing import TestClient

from kat_widgets.booking import BookingRequest, BookingService
from kat_widgets.booking.tokens import staff_feed_key
from kat_widgets.directory import Directory, parse_directory
from kat_widgets.scheduling.ics_export import StaffFeedEntry, staff_feed, to_ics
from kat_widgets.settings import BUNDLED_DIRECTORY, Settings
from tests.booking.booking_support import SECRET, at
from tests.interop.itip_rules import problems

FEED_TOKEN = "f" * 40
START = "2027-03-09T10:00:00-07:00"
NAVIGATOR = "staff\x00draper\x00draper-navigator"
ROOM = "room\x00draper\x00draper-consult-1"
RESOURCES = "Sample Health Navigator,Consultation room 1"


@pytest.fixture(scope="module")
def directory() -> Directory:
    text = Path(BUNDLED_DIRECTORY).read_text(encoding="utf-8")
    phone = 'mode = "phone-video"\nroles = ["navigator"]\npublic = true'
    assert phone in text
    in_room = 'roles = ["navigator"]\nroom_kinds = ["consult"]\npublic = true'
    return parse_directory(text.replace(phone, in_room, 1))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=str(tmp_path / "kat-data"), secret_key=SECRET, staff_feed_token=FEED_TOKEN
    )


def _path(scope: str, token: str = FEED_TOKEN) -> str:
    return f"/calendars/staff/{staff_feed_key(SECRET, token, scope)}.ics"


def _book(client: TestClient[Litestar], **changes: Any) -> dict[str, Any]:
    body = {
        "clinic_id": "draper",
        "service": "info-call",
        "start": START,
        "name": "Robin Example",
        "email": "robin@example.com",
        "consent": True,
        **changes,
    }
    response = client.post("/api/bookings", json=body)
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    return answer


def _feed(client: TestClient[Litestar], path: str) -> tuple[Calendar, str]:
    response = client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert response.headers["cache-control"] == "no-store"
    assert problems(response.content) == []  # PUBLISH with events, plain without (RFC 5546)
    return Calendar.from_ical(response.content), response.text


def test_a_booking_is_in_its_practitioners_rooms_clinics_and_the_whole_feed(
    client: TestClient[Litestar],
) -> None:
    booking = _book(client)["booking"]
    named = {
        f"/calendars/staff/{FEED_TOKEN}.ics": "Numinus Utah: booked visits",
        _path("clinic\x00draper"): "Numinus Draper: booked visits",
        _path(NAVIGATOR): "Numinus Draper: Sample Health Navigator (health navigator) bookings",
        _path(ROOM): "Numinus Draper: Consultation room 1 bookings",
    }
    for path, name in named.items():
        calendar, text = _feed(client, path)
        assert str(calendar["NAME"]) == str(calendar["X-WR-CALNAME"]) == name
        assert "REFRESH-INTERVAL;VALUE=DURATION:PT15M" in text and "X-PUBLISHED-TTL:PT15M" in text
        assert calendar["METHOD"] == "PUBLISH"
        [event] = calendar.events
        assert str(event["UID"]) == f"staff-{booking['id']}@kat-widgets"  # not the visitor's
        assert str(event["SUMMARY"]) == "Booked: informational call"
        assert f"RESOURCES:{RESOURCES}\r\n" in text  # who and what, one line
        assert "ATTENDEE" not in event and event["ORGANIZER"].params["CN"] == "Numinus Draper"
        assert "Robin" not in text and "robin@example.com" not in text
    others = [
        "staff\x00draper\x00draper-therapist-a",
        "room\x00draper\x00draper-treatment-1",
        "clinic\x00layton",
        "staff\x00layton\x00layton-navigator",
        "room\x00layton\x00layton-consult-1",
    ]
    for scope in others:
        calendar, _ = _feed(client, _path(scope))
        assert calendar.events == [] and "METHOD" not in calendar
    therapist, _ = _feed(client, _path(others[0]))
    assert str(therapist["NAME"]) == "Numinus Draper: Sample Therapist A (therapist) bookings"


def test_two_bookings_each_show_only_in_their_own_resources_feeds(
    client: TestClient[Litestar],
) -> None:
    first = _book(client)["booking"]
    second = _book(client, start="2027-03-09T11:00:00-07:00", name="Sam Example")["booking"]
    navigator, _ = _feed(client, _path(NAVIGATOR))
    assert [str(e["UID"]) for e in navigator.events] == [
        f"staff-{first['id']}@kat-widgets",
        f"staff-{second['id']}@kat-widgets",
    ]
    whole, _ = _feed(client, f"/calendars/staff/{FEED_TOKEN}.ics")
    assert len(whole.events) == 2


def test_wrong_and_unknown_keys_get_the_same_404(client: TestClient[Litestar]) -> None:
    _book(client)
    wanted = client.get("/calendars/staff/wrong.ics")
    assert wanted.status_code == 404
    good = staff_feed_key(SECRET, FEED_TOKEN, NAVIGATOR)
    altered = ("A" if good[0] != "A" else "B") + good[1:]
    for path in [
        f"/calendars/staff/{altered}.ics",
        _path("staff\x00draper\x00nobody"),  # an id that does not exist
        _path("room\x00draper\x00draper-navigator"),  # a staff id as a room
        _path("staff\x00layton\x00draper-navigator"),  # at another clinic
        _path(NAVIGATOR, token="g" * 40),  # made with another (an old) token
        f"/calendars/staff/{staff_feed_key('x' * 40, FEED_TOKEN, NAVIGATOR)}.ics",
        f"/calendars/staff/{FEED_TOKEN[:-1]}.ics",
        f"/calendars/staff/{good}x.ics",
    ]:
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert answer.content == wanted.content  # nothing to learn about which ids exist


def test_no_token_turns_every_feed_off(tmp_path: Path, directory: Directory) -> None:
    from kat_widgets import create_app

    settings = Settings(data_dir=str(tmp_path / "off"), secret_key=SECRET)
    with TestClient(create_app(settings, directory=directory)) as client:
        for path in (_path(NAVIGATOR, token=""), _path("clinic\x00draper", token="")):
            assert client.get(path).status_code == 404


def test_a_cancelled_visit_leaves_the_feeds_as_it_leaves_the_whole_one(
    client: TestClient[Litestar],
) -> None:
    answer = _book(client)
    token = str(answer["manage_url"]).rsplit("/", 1)[1]
    assert client.post(f"/api/bookings/{token}/cancel").status_code == 200
    for path in (f"/calendars/staff/{FEED_TOKEN}.ics", _path(NAVIGATOR), _path(ROOM)):
        calendar, _ = _feed(client, path)
        assert calendar.events == []


def test_each_seat_of_a_group_session_shows_the_sessions_staff_and_room(
    client: TestClient[Litestar], service: BookingService
) -> None:
    start = at(9, 10)
    for name in ("First Member", "Second Member"):
        request = BookingRequest(
            clinic_id="draper",
            service="integration-group",
            start=start,
            name=name,
            email="member@example.com",
            consent=True,
        )
        service.book(request, public=False)  # staff book group seats on behalf
    whole, _ = _feed(client, f"/calendars/staff/{FEED_TOKEN}.ics")
    assert len(whole.events) == 2
    [resources] = {str(event["RESOURCES"]) for event in whole.events}
    therapist, room = resources.split(",")
    assert room == "Group room" and therapist.startswith("Sample Therapist ")
    member = "draper-therapist-" + therapist.removeprefix("Sample Therapist ").lower()
    for scope in (f"staff\x00draper\x00{member}", "room\x00draper\x00draper-group"):
        calendar, _ = _feed(client, _path(scope))
        assert len(calendar.events) == 2
    calendar, _ = _feed(client, _path(NAVIGATOR))
    assert calendar.events == []


def test_a_comma_or_semicolon_in_a_name_stays_inside_that_name(directory: Directory) -> None:
    clinic = directory.clinic("draper")
    entry = StaffFeedEntry(
        uid="staff-x@kat-widgets",
        service_id="info-call",
        start=dt.datetime(2027, 3, 9, 17, 0, tzinfo=dt.UTC),
        end=dt.datetime(2027, 3, 9, 17, 20, tzinfo=dt.UTC),
        resources=("Lee, Jordan; RN", "Room\n2"),
    )
    stamp = dt.datetime(2027, 3, 8, tzinfo=dt.UTC)
    text = to_ics(staff_feed(clinic, directory.services, [entry], stamp=stamp)).decode()
    assert "RESOURCES:Lee\\, Jordan\\; RN,Room 2\r\n" in text  # RFC 5545 §3.3.11 escapes
