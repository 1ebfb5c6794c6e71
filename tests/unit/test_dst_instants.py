"""Every instant we emit is canonical across DST changes (#20), 2026-2035.

A clinic open through the night (00:00-05:00 every day) with a 50-minute visit every 10 minutes
has slots that start before a change and end after it, and slots inside the repeated autumn
hour. For each: the API's start and end are real wall times with their true offset, the visit
lasts its length in real time, and every calendar file (the fast feed, the icalendar one,
VAVAILABILITY, a booked visit) reads back, in icalendar, as the same instants.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import icalendar
import msgspec
import pytest

from kat_widgets.directory import Directory, HoursRule
from kat_widgets.scheduling import Interval, find_slots
from kat_widgets.scheduling.ics_export import (
    availability_calendar,
    availability_ics,
    booking_calendar,
    booking_event,
    to_ics,
)
from kat_widgets.scheduling.types import Slot
from tests.unit.scheduling_data import DENVER, UTC, directory

LENGTH = dt.timedelta(minutes=50)


def _night_clinic() -> Directory:
    base = directory()
    night = HoursRule(
        days=("mon", "tue", "wed", "thu", "fri", "sat", "sun"), opens=dt.time(0), closes=dt.time(5)
    )
    clinic = msgspec.structs.replace(base.clinics[0], hours=(night,), exceptions=())
    services = tuple(
        msgspec.structs.replace(
            service,
            duration_minutes=50,
            policy=msgspec.structs.replace(service.policy, step_minutes=10, min_notice_minutes=0),
        )
        if service.id == "info-call"
        else service
        for service in base.data.services
    )
    return Directory(msgspec.structs.replace(base.data, clinics=(clinic,), services=services))


def _sundays(year: int, month: int) -> Iterator[dt.date]:
    day = dt.date(year, month, 1)
    while day.month == month:
        if day.weekday() == 6:
            yield day
        day += dt.timedelta(days=1)


def _changes() -> list[dt.date]:
    """The second Sunday of March and the first of November (US rules), 2026-2035."""
    days = []
    for year in range(2026, 2036):
        days.append(list(_sundays(year, 3))[1])
        days.append(next(_sundays(year, 11)))
    return days


def _canonical(moment: dt.datetime) -> bool:
    """A wall time that exists, with the offset it really has there."""
    again = moment.astimezone(UTC).astimezone(DENVER)
    return again.replace(tzinfo=None) == moment.replace(tzinfo=None) and (
        again.utcoffset() == moment.utcoffset()
    )


def _read(ics: bytes) -> list[tuple[dt.datetime, dt.datetime]]:
    """(start, end) of each event or available period, in UTC, as icalendar reads them."""
    found = []
    for part in icalendar.Calendar.from_ical(ics).walk():
        if part.name in ("VEVENT", "AVAILABLE"):
            start, end = part.decoded("DTSTART"), part.decoded("DTEND")
            found.append((start.astimezone(UTC), end.astimezone(UTC)))
    return found


@pytest.mark.parametrize("day", _changes(), ids=str)
def test_slots_and_files_say_the_true_instants_around_each_change(day: dt.date) -> None:
    d = _night_clinic()
    start = dt.datetime.combine(day, dt.time(0), tzinfo=DENVER)
    slots = find_slots(
        d,
        "test",
        "info-call",
        start=start,
        end=start + dt.timedelta(days=1),
        now=start - dt.timedelta(days=2),
    )
    # through the night: the gap (spring) or the repeated hour (autumn) is inside the hours
    assert len(slots) >= 20
    assert len({s.start.utcoffset() for s in slots} | {s.end.utcoffset() for s in slots}) == 2
    for slot in slots:
        assert _canonical(slot.start) and _canonical(slot.end), slot
        assert slot.end.astimezone(UTC) - slot.start.astimezone(UTC) == LENGTH, slot
        assert slot.start.isoformat() == slot.start.astimezone(UTC).astimezone(DENVER).isoformat()

    want = [(s.start.astimezone(UTC), s.end.astimezone(UTC)) for s in slots]
    clinic, service = d.clinic("test"), d.service("info-call")
    stamp = start - dt.timedelta(days=2)
    assert _read(availability_ics(clinic, service, slots, stamp=stamp)) == want
    assert _read(to_ics(availability_calendar(clinic, service, slots, stamp=stamp))) == want
    assert _read(to_ics(_visits(d, slots, stamp))) == want


def _visits(d: Directory, slots: list[Slot], stamp: dt.datetime) -> icalendar.Calendar:
    clinic, service = d.clinic("test"), d.service("info-call")
    events = [
        booking_event(
            uid=f"b{i}@kat-widgets",
            clinic=clinic,
            service=service,
            start=slot.start,
            end=slot.end,
            stamp=stamp,
            organizer_email="bookings@kat-widgets.invalid",
        )
        for i, slot in enumerate(slots)
    ]
    return booking_calendar(events, method="PUBLISH", tzid=clinic.timezone)


def test_a_time_in_the_repeated_hour_is_written_in_utc() -> None:
    """01:30 on 7 November 2027 happens twice; a TZID time cannot say which, so UTC does."""
    d = _night_clinic()
    clinic, service = d.clinic("test"), d.service("info-call")
    second = dt.datetime(2027, 11, 7, 1, 30, fold=1, tzinfo=DENVER)  # MST, 08:30 UTC
    slot = Slot(
        clinic_id="test",
        service_id="info-call",
        start=second,
        end=second + LENGTH,
        hold=Interval(second, second + LENGTH),
        resources=("nav",),
        seats_left=1,
    )
    text = availability_ics(clinic, service, [slot], stamp=second).decode()
    assert "DTSTART:20271107T083000Z\r\n" in text
    assert "DTEND;TZID=America/Denver:20271107T022000\r\n" in text  # after: no doubt
