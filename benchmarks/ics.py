"""A 10,000-event availability feed: our direct serialiser vs icalendar.

Baselines: building the same calendar with icalendar and calling ``to_ical()``, and
``to_ical()`` alone on a prebuilt calendar. Both outputs are parsed back with icalendar here
and must describe the same events (tests/interop also checks them with ical.js). The three
are timed interleaved (medians, min, max; speed-ups round by round); with valgrind, our writer
is also counted in instructions at 1,250 to 10,000 events (the growth table).
"""

from __future__ import annotations

import datetime as dt

from _harness import figure, have_valgrind, instructions, interleaved, ratio, report

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


SIZES = (1_250, 2_500, 5_000, 10_000)
CALLGRIND_SETUP = """
import ics
slots = ics.make_slots({count})
ics.availability_ics(ics.clinic, ics.service, slots, stamp=ics.STAMP)
"""


def main() -> None:
    slots = make_slots(10_000)
    prebuilt = availability_calendar(clinic, service, slots, stamp=STAMP)

    def plain() -> bytes:
        data: bytes = availability_calendar(clinic, service, slots, stamp=STAMP).to_ical()
        return data

    def ours() -> bytes:
        return availability_ics(clinic, service, slots, stamp=STAMP)

    assert events(plain()) == events(ours()), "the two serialisers disagree"
    times = interleaved(
        {"ours": ours, "icalendar": plain, "icalendar_to_ical_only": prebuilt.to_ical},
        rounds=5,
    )
    figures: dict[str, object] = {
        "events": len(slots),
        "bytes": len(ours()),
        **{f"{name}_ms": figure(values).scaled(1000, 1) for name, values in times.items()},
        "speedup_vs_icalendar": {
            k: round(1 / v, 1) for k, v in ratio(times, "ours", "icalendar").scaled(1, 4).items()
        },
        "speedup_vs_to_ical_only": {
            k: round(1 / v, 1)
            for k, v in ratio(times, "ours", "icalendar_to_ical_only").scaled(1, 4).items()
        },
    }
    if have_valgrind():
        body = "ics.availability_ics(ics.clinic, ics.service, slots, stamp=ics.STAMP)"
        counted = {n: instructions(CALLGRIND_SETUP.format(count=n), body, calls=3) for n in SIZES}
        figures["instructions"] = {str(n): round(v) for n, v in counted.items()}
        figures["growth_instructions"] = {
            f"{n // SIZES[0]}x": round(v / counted[SIZES[0]], 2) for n, v in counted.items()
        }
    report("ics", figures)


if __name__ == "__main__":
    main()
