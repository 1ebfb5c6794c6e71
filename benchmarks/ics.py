"""A 10,000-event availability feed: our direct serialiser vs icalendar.

Baselines: building the same calendar with icalendar and calling ``to_ical()``, and
``to_ical()`` alone on a prebuilt calendar. Both outputs are parsed back with icalendar here
and must describe the same events (tests/interop also checks them with ical.js).
"""

from __future__ import annotations

import datetime as dt

from _harness import best_time, report

from kat_widgets.directory import load_directory
from kat_widgets.scheduling import Interval, Slot
from kat_widgets.scheduling.ics_export import availability_calendar, availability_ics
from kat_widgets.scheduling.ics_import import parse_calendar
from kat_widgets.settings import BUNDLED_DIRECTORY

directory = load_directory(BUNDLED_DIRECTORY)
clinic = directory.clinic("draper")
service = directory.service("info-call")
zone = clinic.zone
STAMP = dt.datetime(2027, 1, 1, 12, tzinfo=dt.UTC)


def make_slots(count: int) -> list[Slot]:
    slots = []
    day = dt.date(2027, 1, 4)
    while len(slots) < count:
        for minute in range(8 * 60, 18 * 60, 30):
            start = dt.datetime.combine(day, dt.time(minute // 60, minute % 60), tzinfo=zone)
            end = start + dt.timedelta(minutes=20)
            hold = Interval(start.astimezone(dt.UTC), end.astimezone(dt.UTC))
            slots.append(
                Slot(
                    clinic_id=clinic.id,
                    service_id=service.id,
                    start=start,
                    end=end,
                    hold=hold,
                    resources=("draper-navigator",),
                )
            )
        day += dt.timedelta(days=1)
    return slots[:count]


slots = make_slots(10_000)


def plain() -> bytes:
    data: bytes = availability_calendar(clinic, service, slots, stamp=STAMP).to_ical()
    return data


def ours() -> bytes:
    return availability_ics(clinic, service, slots, stamp=STAMP)


def events(data: bytes) -> list[tuple[str, ...]]:
    calendar = parse_calendar(data, source="bench")
    return sorted(
        (
            str(e["UID"]),
            e.start.isoformat(),
            e.end.isoformat(),
            str(e["SUMMARY"]),
            str(e["LOCATION"]),
            str(e["TRANSP"]),
            e["DTSTAMP"].dt.isoformat(),
        )
        for e in calendar.walk("VEVENT")
    )


assert events(plain()) == events(ours()), "the two serialisers disagree"
baseline = best_time(plain, repeat=3)
prebuilt = availability_calendar(clinic, service, slots, stamp=STAMP)
serialise_only = best_time(prebuilt.to_ical, repeat=3)
fast = best_time(ours, repeat=5)
report(
    "ics",
    {
        "events": len(slots),
        "icalendar_to_ical_ms": round(baseline * 1000, 1),
        "icalendar_to_ical_prebuilt_ms": round(serialise_only * 1000, 1),
        "ours_ms": round(fast * 1000, 1),
        "speedup": round(baseline / fast, 1),
        "speedup_vs_prebuilt": round(serialise_only / fast, 1),
        "bytes": len(ours()),
    },
)
