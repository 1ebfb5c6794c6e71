"""Hostile clinics.toml text in calendars: escaped per RFC 5545, folded, never a new property.

The availability feed is written by a hand-made serialiser (fast path), the booking and staff
calendars by ``icalendar``: both must carry the clinic's name and address as text that parses
back to exactly what the directory says.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import icalendar
import pytest
from litestar.testing import TestClient

from kat_widgets import Settings, create_app
from kat_widgets.directory import parse_directory

from .payloads import PAYLOADS
from .test_directory_text import hostile_directory, refused_as_multi_line

FEED = "t" * 40


def _events(raw: bytes) -> list[icalendar.Event]:
    assert b"\r\n" in raw
    for line in raw.split(b"\r\n"):
        assert len(line) <= 75, line  # folded (RFC 5545 3.1)
        assert b"\r" not in line and b"\n" not in line, line  # no bare CR or LF
        assert not line.upper().startswith(b"X-INJECTED"), line
    calendar = icalendar.Calendar.from_ical(raw)
    assert all("X-INJECTED" not in component for component in calendar.walk())
    events: list[icalendar.Event] = calendar.walk("VEVENT")
    return events


@pytest.mark.parametrize("payload", PAYLOADS)
def test_clinic_text_in_every_calendar(payload: str, tmp_path: Path) -> None:
    if refused_as_multi_line(payload):
        return  # a name with a line break never reaches a calendar
    directory = parse_directory(hostile_directory(payload))
    clinic = directory.clinic("draper")
    settings = Settings(
        data_dir=str(tmp_path),
        secret_key="h" * 40,
        staff_feed_token=FEED,
        staff_feed_names=True,
        rate_limit_store="off",
    )
    name = " ".join(clinic.name.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    with TestClient(create_app(settings, directory=directory)) as client:
        feed = client.get("/calendars/draper/availability.ics", params={"service": "info-call"})
        assert feed.status_code == 200
        events = _events(feed.content)
        assert events
        availability = client.get(
            "/calendars/draper/availability.ics",
            params={"service": "info-call", "format": "vavailability"},
        )
        assert availability.status_code == 200
        assert icalendar.Calendar.from_ical(availability.content).walk("VAVAILABILITY")
        # text round-trips (a line break in the source stays a line break, escaped as \n)
        expected = clinic.name.replace("\r\n", "\n").replace("\r", "\n")
        assert expected in str(events[0]["LOCATION"]), (events[0]["LOCATION"], name)

        now = dt.datetime.now(dt.UTC)
        slots = client.get(
            "/api/clinics/draper/slots",
            params={"service": "info-call", "start": (now + dt.timedelta(hours=2)).isoformat()},
        ).json()["slots"]
        body = {
            "clinic_id": "draper",
            "service": "info-call",
            "start": slots[0]["start"],
            "name": "Robin Example",
            "email": "robin@example.com",
            "consent": True,
        }
        answer = client.post("/api/bookings", json=body)
        assert answer.status_code == 201, answer.text
        for url in (answer.json()["ics_url"], f"/calendars/staff/{FEED}.ics"):
            response = client.get(url)
            assert response.status_code == 200, url
            (event,) = _events(response.content)
            assert expected in str(event["LOCATION"]) or expected in str(event["SUMMARY"]), url
