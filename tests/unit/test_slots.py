from __future__ import annotations

import datetime as dt

import pytest
from scheduling_data import DENVER, UTC, directory, local

from kat_widgets.directory import BookingPolicy, load_directory
from kat_widgets.errors import NotFoundError, ValidationError
from kat_widgets.scheduling import BusyTimes, Interval, find_slots, slot_at
from kat_widgets.settings import BUNDLED_DIRECTORY

NOW = local(2027, 3, 8, 7, 0)  # Monday 8 March 2027, before opening


def day_slots(service: str, day: dt.date, busy: BusyTimes | None = None) -> list:
    start = dt.datetime.combine(day, dt.time(0), tzinfo=NOW.tzinfo)
    return find_slots(
        directory(),
        "test",
        service,
        start=start,
        end=start + dt.timedelta(days=1),
        busy=busy,
        now=NOW,
    )


def test_info_call_slots_follow_hours_step_and_notice() -> None:
    slots = day_slots("info-call", dt.date(2027, 3, 8))
    # notice 60 min from 07:00 -> first at 08:00; last 20-minute call ends by 17:00
    assert slots[0].start == local(2027, 3, 8, 8, 0)
    assert slots[-1].start == local(2027, 3, 8, 16, 30)
    assert len(slots) == 18
    assert all(s.resources == ("nav",) for s in slots)
    assert slots[0].end - slots[0].start == dt.timedelta(minutes=20)
    assert slots[0].start.utcoffset() == dt.timedelta(hours=-7)
    assert slots[0].hold == Interval(
        dt.datetime(2027, 3, 8, 15, tzinfo=UTC), dt.datetime(2027, 3, 8, 15, 20, tzinfo=UTC)
    )


def test_exceptions_close_a_day_and_open_a_saturday() -> None:
    assert day_slots("info-call", dt.date(2027, 3, 12)) == []
    saturday = day_slots("info-call", dt.date(2027, 3, 13))
    assert [s.start.hour for s in saturday[:1]] == [9]
    assert saturday[-1].end <= local(2027, 3, 13, 12, 0)
    assert day_slots("info-call", dt.date(2027, 3, 14)) == []


def test_busy_navigator_blocks_overlapping_slots_only() -> None:
    busy = BusyTimes(
        by_resource={"nav": [Interval(local(2027, 3, 8, 9, 10), local(2027, 3, 8, 10, 0))]}
    )
    starts = {s.start for s in day_slots("info-call", dt.date(2027, 3, 8), busy)}
    assert local(2027, 3, 8, 8, 30) in starts  # ends 08:50, before 09:10
    assert local(2027, 3, 8, 9, 0) not in starts
    assert local(2027, 3, 8, 9, 30) not in starts
    assert local(2027, 3, 8, 10, 0) in starts


def test_needs_distinct_people_and_a_room_and_backtracks() -> None:
    slots = day_slots("connect-assessment", dt.date(2027, 3, 8))
    # "both" must be the medical provider, so "ther" (08:00-13:00 only) is the therapist
    assert slots[0].resources == ("both", "ther", "consult")
    assert all(s.end <= local(2027, 3, 8, 13, 0) for s in slots)
    assert len({s.resources for s in slots}) == 1


def test_buffer_after_is_held_and_blocks_the_next_visit() -> None:
    slots = day_slots("experience-im", dt.date(2027, 3, 8))
    assert slots[0].hold.end - slots[0].end == dt.timedelta(minutes=30)
    taken = slots[0]
    busy = BusyTimes(by_resource={r: [taken.hold] for r in taken.resources})
    after = day_slots("experience-iv", dt.date(2027, 3, 8), busy)
    assert all(not s.hold.overlaps(taken.hold) for s in after)


def test_per_day_cap_and_group_capacity() -> None:
    day = dt.date(2027, 3, 8)
    assert day_slots("experience-im", day, BusyTimes(day_counts={("experience-im", day): 2})) == []
    group = day_slots("integration-group", day)
    first = group[0]
    assert first.seats_left == 3
    key = ("integration-group", first.start.astimezone(UTC))
    busy = BusyTimes(
        by_resource={r: [first.hold] for r in first.resources},
        group_seats={key: 2},
        group_resources={key: first.resources},
    )
    again = day_slots("integration-group", day, busy)
    assert again[0].start == first.start
    assert again[0].seats_left == 1
    assert again[0].resources == first.resources
    full = BusyTimes(by_resource=busy.by_resource, group_seats={key: 3}, group_resources={})
    assert all(s.start != first.start for s in day_slots("integration-group", day, full))


def test_errors_for_unknown_ids_and_bad_ranges() -> None:
    d = directory()
    with pytest.raises(NotFoundError, match="nowhere"):
        find_slots(d, "nowhere", "info-call", start=NOW, end=NOW, now=NOW)
    with pytest.raises(NotFoundError, match="nothing"):
        find_slots(d, "test", "nothing", start=NOW, end=NOW, now=NOW)
    with pytest.raises(ValidationError, match="later than start"):
        find_slots(d, "test", "info-call", start=NOW, end=NOW, now=NOW)
    with pytest.raises(ValidationError, match="UTC offset"):
        find_slots(d, "test", "info-call", start=dt.datetime(2027, 3, 8), end=NOW, now=NOW)
    later = NOW + dt.timedelta(days=61)
    with pytest.raises(ValidationError, match="60 days ahead"):
        find_slots(d, "test", "info-call", start=later, end=later + dt.timedelta(days=1), now=NOW)
    with pytest.raises(ValidationError, match="at most 60 days"):
        find_slots(d, "test", "info-call", start=NOW, end=NOW + dt.timedelta(days=70), now=NOW)


def test_range_partly_past_horizon_is_clipped_and_rules_override() -> None:
    d = directory()
    slots = find_slots(
        d,
        "test",
        "info-call",
        start=NOW + dt.timedelta(days=55),
        end=NOW + dt.timedelta(days=62),
        now=NOW,
    )
    limit = NOW.astimezone(UTC) + dt.timedelta(days=60)
    assert slots and all(s.start.astimezone(UTC) <= limit for s in slots)
    assert max(s.start for s in slots).date() == dt.date(2027, 5, 7)
    hourly = find_slots(
        d,
        "test",
        "info-call",
        start=NOW,
        end=NOW + dt.timedelta(days=1),
        now=NOW,
        rules=BookingPolicy(step_minutes=60, min_notice_minutes=0),
    )
    assert [s.start.minute for s in hourly] == [0] * len(hourly)


def test_slot_at_answers_for_one_exact_start() -> None:
    d = directory()
    slot = slot_at(d, "test", "info-call", local(2027, 3, 9, 10, 0), now=NOW)
    assert slot is not None and slot.resources == ("nav",)
    assert slot_at(d, "test", "info-call", local(2027, 3, 9, 10, 15), now=NOW) is None
    assert slot_at(d, "test", "info-call", local(2027, 3, 8, 7, 30), now=NOW) is None
    busy = BusyTimes(by_resource={"nav": [slot.hold]})
    assert slot_at(d, "test", "info-call", slot.start, busy=busy, now=NOW) is None


def test_bundled_clinics_offer_info_calls() -> None:
    d = load_directory(BUNDLED_DIRECTORY)
    now = dt.datetime(2027, 3, 1, 12, tzinfo=UTC)
    for clinic in d.clinics:
        slots = find_slots(
            d, clinic.id, "info-call", start=now, end=now + dt.timedelta(days=7), now=now
        )
        assert slots, clinic.id


def test_slot_at_tells_the_two_one_thirties_apart_at_the_autumn_change() -> None:
    import msgspec

    from kat_widgets.directory import Directory, HoursRule

    base = directory()
    night = HoursRule(
        days=("mon", "tue", "wed", "thu", "fri", "sat", "sun"),
        opens=dt.time(0),
        closes=dt.time(4),
    )
    clinic = msgspec.structs.replace(base.clinics[0], hours=(night,), exceptions=())
    d = Directory(msgspec.structs.replace(base.data, clinics=(clinic,)))
    now = local(2026, 10, 30, 0, 0)
    first = local(2026, 11, 1, 1, 30)  # fold=0: MDT, 07:30 UTC
    second = first.replace(fold=1)  # MST, 08:30 UTC
    assert first.utcoffset() != second.utcoffset()
    slot = slot_at(d, "test", "info-call", first, now=now)
    assert slot is not None and slot.start.utcoffset() == dt.timedelta(hours=-6)
    assert slot_at(d, "test", "info-call", second, now=now) is None


def test_busy_from_bookings_fills_a_group_then_blocks_one_to_one_care() -> None:
    from kat_widgets.scheduling import Booked, busy_from_bookings

    day = dt.date(2027, 3, 8)
    first = day_slots("integration-group", day)[0]
    booked: list[Booked] = []
    for seat in range(3):
        slot = slot_at(
            directory(),
            "test",
            "integration-group",
            first.start,
            busy=busy_from_bookings(booked, zone=DENVER),
            now=NOW,
        )
        assert slot is not None and slot.seats_left == 3 - seat
        assert slot.resources == first.resources
        booked.append(Booked(slot.service_id, slot.start, slot.hold, slot.resources))
    busy = busy_from_bookings(booked, zone=DENVER)
    assert (
        slot_at(directory(), "test", "integration-group", first.start, busy=busy, now=NOW) is None
    )
    # the group's therapist is not offered for a one-to-one session at the same time
    therapist = first.resources[0]
    for other in day_slots("integrate-session", day, busy):
        assert therapist not in other.resources or not other.hold.overlaps(first.hold)
    assert busy.day_counts == {("integration-group", day): 3}
