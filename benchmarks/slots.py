"""Slot engine: one clinic, 20 resources, 90-day horizon, 15-minute step, 5,000 bookings and
2,000 imported busy blocks; all open slots for one service (a Connect assessment, which needs a
medical provider, a therapist and a consultation room at once). Then the cost at 2x, 4x and 8x
the size (bookings, busy blocks and horizon scaled together). Baseline, same run: a naive engine
that checks every candidate against every busy interval of every resource (same answers).

All sizes and the baseline are timed interleaved (medians, min, max over the rounds; growth
and speed-up taken round by round), and, with valgrind, counted in instructions per run, which
give the growth table on a busy machine too. Run: ``python benchmarks/slots.py`` (~5 min).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

import msgspec
from _harness import figure, have_valgrind, instructions, interleaved, ratio, report

from kat_widgets.directory import (
    BookingPolicy,
    Directory,
    HoursRule,
    Room,
    Staff,
    load_directory,
)
from kat_widgets.scheduling import BusyTimes, Interval, Slot, find_slots
from kat_widgets.settings import BUNDLED_DIRECTORY

SERVICE = "connect-assessment"
NOW = dt.datetime(2027, 1, 4, 7, 0, tzinfo=dt.UTC)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


def build_directory() -> Directory:
    """The bundled catalogue with one clinic of 20 resources, open Mon-Fri 08:00-18:00."""
    base = load_directory(BUNDLED_DIRECTORY)
    clinic = base.clinic("draper")
    staff = [Staff(id=f"therapist-{i}", name=f"T {i}", roles=("therapist",)) for i in range(7)]
    staff += [Staff(id=f"medical-{i}", name=f"M {i}", roles=("medical",)) for i in range(5)]
    staff += [Staff(id="navigator", name="N", roles=("navigator",))]
    rooms = [Room(id=f"consult-{i}", name=f"C {i}", kind="consult") for i in range(4)]
    rooms += [Room(id=f"treatment-{i}", name=f"Tr {i}", kind="treatment") for i in range(2)]
    rooms += [Room(id="group", name="G", kind="group", capacity=8)]
    assert len(staff) + len(rooms) == 20
    clinic = msgspec.structs.replace(
        clinic,
        staff=tuple(staff),
        rooms=tuple(rooms),
        hours=(HoursRule(days=WEEKDAYS, opens=dt.time(8), closes=dt.time(18)),),
        exceptions=(),
    )
    return Directory(msgspec.structs.replace(base.data, clinics=(clinic,)), source="bench")


def build_busy(directory: Directory, days: int, bookings: int, blocks: int) -> BusyTimes:
    rng = random.Random(4)
    clinic = directory.clinics[0]
    staff_ids = [m.id for m in clinic.staff]
    room_ids = [r.id for r in clinic.rooms]
    by_resource: dict[str, list[Interval]] = {}

    def add(resource: str, length_minutes: int) -> None:
        day = rng.randrange(days)
        start = NOW + dt.timedelta(days=day, hours=1 + rng.randrange(40) / 4)
        by_resource.setdefault(resource, []).append(
            Interval(start, start + dt.timedelta(minutes=length_minutes))
        )

    for _ in range(bookings):  # each booking holds one staff member or one room for 1-2.5 h
        add(rng.choice(staff_ids + room_ids), rng.choice([60, 90, 120, 150]))
    for _ in range(blocks):  # imported calendar blocks on staff
        add(rng.choice(staff_ids), rng.choice([30, 60, 120]))
    return BusyTimes(by_resource=by_resource)


def naive(
    directory: Directory, busy: BusyTimes, policy: BookingPolicy, end: dt.datetime
) -> list[tuple[dt.datetime, tuple[str, ...]]]:
    """Reference: every candidate vs every busy interval, greedy-with-backtracking like ours."""
    slots = find_slots(
        directory, "draper", SERVICE, start=NOW, end=end, busy=BusyTimes(), now=NOW, rules=policy
    )
    service = directory.service(SERVICE)
    clinic = directory.clinics[0]
    pools = [[m.id for m in clinic.staff if role in m.roles] for role in service.roles]
    pools += [[r.id for r in clinic.rooms if r.kind == kind] for kind in service.room_kinds]
    out = []

    def fill(i: int, slot: Slot, chosen: list[str]) -> bool:
        if i == len(pools):
            return True
        for resource in pools[i]:
            taken = busy.by_resource.get(resource, ())
            if resource not in chosen and not any(slot.hold.overlaps(b) for b in taken):
                chosen.append(resource)
                if fill(i + 1, slot, chosen):
                    return True
                chosen.pop()
        return False

    for slot in slots:  # same candidates (hours, notice), now checked against busy naively
        chosen: list[str] = []
        if fill(0, slot, chosen):
            out.append((slot.start, tuple(chosen)))
    return out


SCALES = (1, 2, 4, 8)


def case(scale: int) -> tuple[Directory, BusyTimes, BookingPolicy, dt.datetime]:
    """The 1x problem scaled: bookings, busy blocks and horizon together."""
    directory = build_directory()
    days = 90 * scale
    policy = BookingPolicy(
        step_minutes=15, horizon_days=days, min_notice_minutes=0, max_per_day=None
    )
    busy = build_busy(directory, days, 5000 * scale, 2000 * scale)
    return directory, busy, policy, NOW + dt.timedelta(days=days)


def runner(scale: int) -> Callable[[], list[Slot]]:
    directory, busy, policy, end = case(scale)

    def run() -> list[Slot]:
        return find_slots(
            directory, "draper", SERVICE, start=NOW, end=end, busy=busy, now=NOW, rules=policy
        )

    return run


CALLGRIND_SETUP = """
import slots
run = slots.runner({scale})
run()
"""


def main() -> None:
    directory_1, busy_1, policy_1, end_1 = case(1)
    reference = naive(directory_1, busy_1, policy_1, end_1)
    runs = {f"{scale}x": runner(scale) for scale in SCALES}
    got = [(s.start, s.resources) for s in runs["1x"]()]
    assert got == reference, "engine and naive reference disagree"
    counts = {name: len(run()) for name, run in runs.items()}
    cases = {**runs, "naive_1x": lambda: naive(directory_1, busy_1, policy_1, end_1)}
    times = interleaved(cases, rounds=5)
    figures: dict[str, object] = {"open_slots": counts}
    for name in cases:
        figures[f"ms_{name}"] = figure(times[name]).scaled(1000, 2)
    for scale in SCALES[1:]:
        figures[f"growth_{scale}x_wall"] = ratio(times, f"{scale}x", "1x").scaled(1, 2)
    figures["speedup_vs_naive"] = {
        k: round(1 / v, 1) for k, v in ratio(times, "1x", "naive_1x").scaled(1, 4).items()
    }
    if have_valgrind():
        counted = {
            scale: instructions(CALLGRIND_SETUP.format(scale=scale), "run()", calls=3)
            for scale in SCALES
        }
        figures["instructions"] = {f"{k}x": round(v) for k, v in counted.items()}
        figures["growth_instructions"] = {
            f"{k}x": round(v / counted[1], 2) for k, v in counted.items()
        }
    report("slots", figures)


if __name__ == "__main__":
    main()
