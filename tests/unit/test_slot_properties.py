"""Property tests for the slot engine: hours, busy time, notice, DST 2026-2030, capacity."""

from __future__ import annotations

import datetime as dt

import msgspec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scheduling_data import DENVER, UTC, directory

from kat_widgets.directory import BookingPolicy, Directory, HoursRule
from kat_widgets.scheduling import BusyTimes, Interval, Slot, find_slots
from kat_widgets.scheduling.rules import day_windows

ALL_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def transition_days() -> list[dt.date]:
    """Every date 2026-2030 on which America/Denver changes offset."""
    days = []
    day = dt.date(2026, 1, 1)
    while day < dt.date(2031, 1, 1):
        noon = dt.datetime.combine(day, dt.time(12), tzinfo=DENVER)
        before = dt.datetime.combine(day - dt.timedelta(days=1), dt.time(12), tzinfo=DENVER)
        if noon.utcoffset() != before.utcoffset():
            days.append(day)
        day += dt.timedelta(days=1)
    return days


TRANSITIONS = transition_days()


def with_hours(opens: dt.time, closes: dt.time) -> Directory:
    base = directory()
    clinic = msgspec.structs.replace(
        base.clinics[0],
        hours=(HoursRule(days=ALL_DAYS, opens=opens, closes=closes),),
        exceptions=(),
        staff=tuple(msgspec.structs.replace(m, hours=()) for m in base.clinics[0].staff),
    )
    return Directory(msgspec.structs.replace(base.data, clinics=(clinic,)), source="props")


times = st.integers(min_value=0, max_value=47).map(
    lambda half_hours: dt.time(half_hours // 2, 30 * (half_hours % 2))
)
hours = st.tuples(times, times).filter(lambda pair: pair[0] < pair[1])
services = st.sampled_from(
    ["info-call", "connect-assessment", "experience-im", "integrate-session"]
)
policies = st.builds(
    BookingPolicy,
    min_notice_minutes=st.integers(0, 48 * 60),
    horizon_days=st.just(30),
    step_minutes=st.sampled_from([5, 15, 20, 30, 60]),
)
RESOURCES = ["nav", "both", "ther", "consult", "treat-1", "group-room"]


@st.composite
def busy_times(draw: st.DrawFn, origin: dt.datetime) -> BusyTimes:
    by_resource: dict[str, list[Interval]] = {}
    for _ in range(draw(st.integers(0, 12))):
        resource = draw(st.sampled_from(RESOURCES))
        start = origin + dt.timedelta(minutes=draw(st.integers(0, 4 * 24 * 60)))
        length = dt.timedelta(minutes=draw(st.integers(1, 6 * 60)))
        by_resource.setdefault(resource, []).append(Interval(start, start + length))
    return BusyTimes(by_resource=by_resource)


def in_open_window(d: Directory, slot: Slot) -> bool:
    clinic = d.clinics[0]
    for day in (slot.start.date() - dt.timedelta(days=1), slot.start.date()):
        for open_at, close_at in day_windows(clinic.hours, clinic.exceptions, day, DENVER) or []:
            if open_at <= slot.start.timestamp() and slot.end.timestamp() <= close_at:
                return True
    return False


def check_invariants(
    d: Directory, slots: list[Slot], busy: BusyTimes, now: dt.datetime, policy: BookingPolicy
) -> None:
    instants = [slot.start.astimezone(UTC) for slot in slots]
    assert instants == sorted(set(instants)), "sorted, no doubles"
    for slot in slots:
        assert in_open_window(d, slot), slot
        start_utc, now_utc = slot.start.astimezone(UTC), now.astimezone(UTC)
        assert start_utc >= now_utc + dt.timedelta(minutes=policy.min_notice_minutes)
        assert start_utc <= now_utc + dt.timedelta(days=policy.horizon_days)
        wall = slot.start.replace(tzinfo=None)
        assert wall.replace(tzinfo=DENVER).astimezone(UTC) == slot.start.astimezone(UTC)
        assert slot.start.astimezone(DENVER).replace(tzinfo=None) == wall, "a real local time"
        assert len(set(slot.resources)) == len(slot.resources), "distinct resources"
        for resource in slot.resources:
            for taken in busy.by_resource.get(resource, ()):
                assert not slot.hold.overlaps(taken), (slot, resource, taken)
        assert slot.hold.start <= slot.start and slot.end <= slot.hold.end


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    window=hours,
    service=services,
    policy=policies,
    day=st.sampled_from(TRANSITIONS),
    lead=st.integers(-3 * 24 * 60, 24 * 60),
)
def test_no_slot_outside_hours_busy_time_or_notice_across_dst(
    data: st.DataObject,
    window: tuple[dt.time, dt.time],
    service: str,
    policy: BookingPolicy,
    day: dt.date,
    lead: int,
) -> None:
    d = with_hours(*window)
    origin = dt.datetime.combine(day - dt.timedelta(days=2), dt.time(0), tzinfo=DENVER)
    now = origin.astimezone(UTC) + dt.timedelta(days=2, minutes=lead)
    busy = data.draw(busy_times(origin))
    slots = find_slots(
        d,
        "test",
        service,
        start=origin,
        end=origin + dt.timedelta(days=4),
        busy=busy,
        now=now,
        rules=policy,
    )
    check_invariants(d, slots, busy, now, policy)


@settings(max_examples=40, deadline=None)
@given(day=st.sampled_from(TRANSITIONS), step=st.sampled_from([15, 30, 60]))
def test_every_real_wall_time_is_offered_once_on_change_days(day: dt.date, step: int) -> None:
    d = with_hours(dt.time(0, 0), dt.time(5, 0))
    start = dt.datetime.combine(day, dt.time(0), tzinfo=DENVER)
    now = start - dt.timedelta(days=1)
    slots = find_slots(
        d,
        "test",
        "info-call",
        start=start,
        end=start + dt.timedelta(days=1),
        now=now,
        rules=BookingPolicy(step_minutes=step, min_notice_minutes=0, horizon_days=30),
    )
    walls = [s.start.replace(tzinfo=None).time() for s in slots]
    expected = []
    minute = 0
    while minute + 20 <= 5 * 60:
        wall = dt.datetime.combine(day, dt.time(minute // 60, minute % 60))
        real = wall.replace(tzinfo=DENVER).astimezone(UTC).astimezone(DENVER).replace(tzinfo=None)
        if real == wall:
            expected.append(wall.time())
        minute += step
    # the last call must also end by 05:00 in real elapsed time
    close = dt.datetime.combine(day, dt.time(5), tzinfo=DENVER).astimezone(UTC)
    expected = [
        t
        for t in expected
        if dt.datetime.combine(day, t, tzinfo=DENVER).astimezone(UTC) + dt.timedelta(minutes=20)
        <= close
    ]
    assert walls == expected
    assert len({s.start.astimezone(UTC) for s in slots}) == len(slots)
    if day.month == 3:
        assert dt.time(2, 0) not in walls  # 02:00-03:00 does not exist in spring
    else:
        assert walls.count(dt.time(1, 0)) == 1  # 01:00-02:00 happens twice in autumn


@settings(max_examples=60, deadline=None)
@given(taken=st.integers(0, 5), index=st.integers(0, 4))
def test_group_capacity_is_honoured(taken: int, index: int) -> None:
    d = directory()
    start = dt.datetime(2027, 3, 8, tzinfo=DENVER)
    now = start - dt.timedelta(days=1)
    free = find_slots(
        d, "test", "integration-group", start=start, end=start + dt.timedelta(days=1), now=now
    )
    session = free[index % len(free)]
    key = ("integration-group", session.start.astimezone(UTC))
    busy = BusyTimes(
        by_resource={r: [session.hold] for r in session.resources} if taken else {},
        group_seats={key: taken},
        group_resources={key: session.resources} if taken else {},
    )
    again = find_slots(
        d,
        "test",
        "integration-group",
        start=start,
        end=start + dt.timedelta(days=1),
        busy=busy,
        now=now,
    )
    same = [s for s in again if s.start == session.start]
    capacity = d.service("integration-group").capacity
    if taken >= capacity:
        assert same == []
    else:
        assert [s.seats_left for s in same] == [capacity - taken]
        assert same[0].resources == session.resources
    for slot in again:
        assert 1 <= slot.seats_left <= capacity


@settings(max_examples=80, deadline=None)
@given(
    own=hours,
    leave=st.integers(0, 6),
)
def test_staff_own_hours_and_leave_are_respected(own: tuple[dt.time, dt.time], leave: int) -> None:
    service = "connect-assessment"  # "both" is the only medical provider, so "ther" must work
    from kat_widgets.directory import DateException

    base = directory()
    clinic = base.clinics[0]
    start_day = dt.date(2027, 3, 8)
    leave_day = start_day + dt.timedelta(days=leave)
    staff = tuple(
        msgspec.structs.replace(
            m,
            hours=(HoursRule(days=ALL_DAYS, opens=own[0], closes=own[1]),),
            exceptions=(DateException(date=leave_day, closed=True),),
        )
        if m.id == "ther"
        else m
        for m in clinic.staff
    )
    clinic = msgspec.structs.replace(clinic, staff=staff)
    d = Directory(msgspec.structs.replace(base.data, clinics=(clinic,)), source="props")
    start = dt.datetime.combine(start_day, dt.time(0), tzinfo=DENVER)
    slots = find_slots(
        d,
        "test",
        service,
        start=start,
        end=start + dt.timedelta(days=7),
        now=start - dt.timedelta(days=1),
    )
    minutes = [t.hour * 60 + t.minute for t in own]
    overlap = min(minutes[1], 17 * 60) - max(minutes[0], 8 * 60)
    assert bool(slots) == (overlap >= 90)  # weekdays other than the leave day remain
    for slot in slots:
        assert slot.resources[1] == "ther"
        local_start, local_end = slot.start.astimezone(DENVER), slot.end.astimezone(DENVER)
        assert local_start.date() != leave_day
        assert own[0] <= local_start.time() and local_end.time() <= own[1]
