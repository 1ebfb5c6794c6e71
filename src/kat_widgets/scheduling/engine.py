"""The slot engine: opening rules + busy times -> bookable slots with concrete resources (pure).

A slot exists when, for its whole hold (the visit plus the service's buffers), one distinct
staff member per role in ``Service.roles`` and, for in-person services, one room per kind in
``Service.room_kinds`` are free, and the visit itself lies within the clinic's hours and each
chosen resource's hours. Candidate starts are the opening time plus whole steps in local wall
time, built per date with :mod:`zoneinfo`; non-existent local times are skipped and an
ambiguous wall time (autumn change) is offered once, at its first occurrence.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from typing import NamedTuple
from zoneinfo import ZoneInfo

from kat_widgets.directory.loader import Directory
from kat_widgets.directory.models import (
    BookingPolicy,
    Clinic,
    DateException,
    HoursRule,
    Service,
)
from kat_widgets.errors import NotFoundError, ValidationError
from kat_widgets.scheduling.rules import Span, day_windows, epoch, intersect, merge
from kat_widgets.scheduling.types import BusyProvider, BusyTimes, Interval, Slot

__all__ = ["Window", "find_slots", "free_slots", "slot_at", "slot_window", "window_slots"]

UTC = dt.UTC
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)


class _Resource:
    """One staff member or room over the searched days: open windows and busy spans.

    ``open_starts`` is empty when the resource keeps the clinic's hours: candidates already lie
    within those, so only busy time needs checking.
    """

    __slots__ = ("busy_ends", "busy_starts", "id", "open_ends", "open_starts")

    def __init__(
        self, resource_id: str, windows: Sequence[Span] | None, busy: Sequence[Span]
    ) -> None:
        self.id = resource_id
        self.open_starts = [start for start, _ in windows] if windows is not None else None
        self.open_ends = [end for _, end in windows] if windows is not None else []
        self.busy_starts = [start for start, _ in busy]
        self.busy_ends = [end for _, end in busy]

    def free(self, start: int, end: int, hold_start: int, hold_end: int) -> bool:
        """Open for ``[start, end)`` and not busy anywhere in ``[hold_start, hold_end)``."""
        if self.open_starts is not None:
            i = bisect_right(self.open_starts, start) - 1
            if i < 0 or self.open_ends[i] < end:
                return False
        j = bisect_right(self.busy_ends, hold_start)
        return j == len(self.busy_starts) or self.busy_starts[j] >= hold_end


def _aware(value: dt.datetime, name: str) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError(
            f"{name} must include a UTC offset, e.g. 2027-03-09T10:00-07:00", field=name
        )
    return value


def _lookup(directory: Directory, clinic_id: str, service_id: str) -> tuple[Clinic, Service]:
    clinic = directory.clinic(clinic_id)
    service = directory.service(service_id)
    if not directory.offers(clinic, service_id):
        raise NotFoundError(f"{clinic.name} does not offer the service {service_id!r}.")
    return clinic, service


def _busy_spans(busy: BusyTimes, resource_id: str, lo: int, hi: int) -> list[Span]:
    spans = []
    for start_at, end_at in busy.by_resource.get(resource_id, ()):
        start, end = int(start_at.timestamp()), int(end_at.timestamp())
        if end > lo and start < hi:
            spans.append((start, end))
    return merge(spans)


def _dates(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


def _candidates(
    clinic_windows: dict[dt.date, list[Span]],
    zone: ZoneInfo,
    step: int,
    duration: int,
    lo: int,
    hi: int,
) -> Iterator[tuple[dt.date, int, dt.datetime]]:
    """(local date, UTC seconds, local aware start) for every candidate start in ``[lo, hi)``."""
    step_delta = dt.timedelta(seconds=step)
    for day, windows in clinic_windows.items():
        for open_at, close_at in windows:
            base = dt.datetime.fromtimestamp(open_at, zone)
            steady = base.utcoffset() == dt.datetime.fromtimestamp(close_at, zone).utcoffset()
            k = 0
            local = base
            while True:
                if steady:
                    at = open_at + k * step
                else:
                    # A change of offset inside the window: walk wall time, skip gaps.
                    wall = base.replace(tzinfo=None) + k * step_delta
                    local = wall.replace(tzinfo=zone)
                    back = local.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
                    at = epoch(local)
                    if back != wall:
                        k += 1
                        if at >= close_at:
                            break
                        continue
                if at + duration > close_at or at >= hi:
                    break
                if at >= lo:
                    yield day, at, local if not steady else base + k * step_delta
                k += 1


def find_slots(
    directory: Directory,
    clinic_id: str,
    service_id: str,
    *,
    start: dt.datetime,
    end: dt.datetime,
    busy: BusyTimes | None = None,
    now: dt.datetime,
    rules: BookingPolicy | None = None,
) -> list[Slot]:
    """Every bookable slot of a service at a clinic starting in ``[start, end)``, by start.

    ``now`` anchors minimum notice and the horizon; ``rules`` overrides the service's
    :class:`BookingPolicy`. A range wholly past the horizon, longer than the horizon, or with
    ``end <= start`` raises :class:`ValidationError`; a range partly past it is clipped.
    Unknown clinic or service (or a service the clinic does not offer): :class:`NotFoundError`.
    """
    window = slot_window(
        directory, clinic_id, service_id, start=start, end=end, now=now, rules=rules
    )
    if window.lo >= window.hi:
        return []
    return window_slots(window, busy if busy is not None else BusyTimes())


class Window(NamedTuple):
    """What :func:`find_slots` was asked, checked: slots starting in ``[lo, hi)`` (UTC seconds,
    notice and horizon applied) of ``service`` at ``clinic`` under ``policy``."""

    clinic: Clinic
    service: Service
    policy: BookingPolicy
    lo: int
    hi: int


def slot_window(
    directory: Directory,
    clinic_id: str,
    service_id: str,
    *,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    rules: BookingPolicy | None = None,
) -> Window:
    """The checks of :func:`find_slots` (same errors); ``lo >= hi`` when nothing can start."""
    clinic, service = _lookup(directory, clinic_id, service_id)
    # Compare instants in UTC: Python compares datetimes sharing a tzinfo by wall time.
    start = _aware(start, "start").astimezone(UTC)
    end = _aware(end, "end").astimezone(UTC)
    now = _aware(now, "now").astimezone(UTC)
    policy = rules if rules is not None else service.policy
    if end <= start:
        raise ValidationError("end must be later than start", field="end")
    horizon = dt.timedelta(days=policy.horizon_days)
    if end - start > horizon + dt.timedelta(days=1):
        raise ValidationError(
            f"the range may span at most {policy.horizon_days} days (the booking horizon)",
            field="end",
        )
    if start >= now + horizon:
        raise ValidationError(
            f"{service.name} can be booked at most {policy.horizon_days} days ahead",
            field="start",
        )
    lo = max(epoch(start), epoch(now) + policy.min_notice_minutes * 60)
    hi = min(epoch(end), epoch(now + horizon) + 1)
    return Window(clinic, service, policy, lo, hi)


def window_slots(window: Window, busy: BusyTimes) -> list[Slot]:
    """Every slot starting in the window, by start, given what ``busy`` says is taken.

    A slot depends only on its own start and the busy times, never on the window's edges: the
    slots of a wider window, cut to a narrower one, are the narrower window's slots.
    """
    clinic, service, policy, lo, hi = window
    zone = clinic.zone
    duration = service.duration_minutes * 60
    before = service.buffer_before_minutes * 60
    after = service.buffer_after_minutes * 60
    first = dt.datetime.fromtimestamp(lo, zone).date() - dt.timedelta(days=1)
    last = dt.datetime.fromtimestamp(hi, zone).date()
    clinic_windows: dict[dt.date, list[Span]] = {}
    for day in _dates(first, last):
        windows = day_windows(clinic.hours, clinic.exceptions, day, zone) or []
        if windows:
            clinic_windows[day] = windows
    clinic_open = merge(span for spans in clinic_windows.values() for span in spans)
    span_lo, span_hi = lo - before - 86400, hi + duration + after + 86400

    def resource(
        resource_id: str, hours: Sequence[HoursRule], exceptions: Sequence[DateException]
    ) -> _Resource:
        if not hours and not exceptions:  # the clinic's hours: nothing more to check
            return _Resource(resource_id, None, _busy_spans(busy, resource_id, span_lo, span_hi))
        own: list[Span] = []
        has_own = False
        for day in clinic_windows:
            windows = day_windows(hours, exceptions, day, zone)
            if windows is None:
                own.extend(clinic_windows[day])
            else:
                has_own = True
                own.extend(windows)
        windows_final = intersect(clinic_open, merge(own)) if has_own else None
        return _Resource(
            resource_id, windows_final, _busy_spans(busy, resource_id, span_lo, span_hi)
        )

    per_role: list[list[_Resource]] = []
    built: dict[str, _Resource] = {}
    for role in service.roles:
        members = []
        for member in clinic.staff:
            if role in member.roles:
                if member.id not in built:
                    built[member.id] = resource(member.id, member.hours, member.exceptions)
                members.append(built[member.id])
        per_role.append(members)
    if service.mode == "in-person":
        for kind in service.room_kinds:
            rooms = []
            for room in clinic.rooms:
                if room.kind == kind:
                    if room.id not in built:
                        built[room.id] = resource(room.id, room.hours, room.exceptions)
                    rooms.append(built[room.id])
            per_role.append(rooms)

    disjoint = len({r.id for pool in per_role for r in pool}) == sum(map(len, per_role))

    def choose(s: int, e: int, hs: int, he: int) -> tuple[str, ...] | None:
        if disjoint:  # no resource serves two needs: the first free one in each pool
            picked = []
            for pool in per_role:
                for r in pool:
                    if r.open_starts is not None and not r.free(s, e, hs, he):
                        continue
                    # inline busy check (the hot path): first busy span ending after hs
                    ends = r.busy_ends
                    j = bisect_right(ends, hs)
                    if j == len(ends) or r.busy_starts[j] >= he:
                        picked.append(r.id)
                        break
                else:
                    return None
            return tuple(picked)
        chosen: list[_Resource] = []

        def fill(i: int) -> bool:  # a person with two roles: search the assignments in order
            if i == len(per_role):
                return True
            for candidate in per_role[i]:
                if candidate in chosen or not candidate.free(s, e, hs, he):
                    continue
                chosen.append(candidate)
                if fill(i + 1):
                    return True
                chosen.pop()
            return False

        return tuple(r.id for r in chosen) if fill(0) else None

    group = service.capacity > 1
    cap = policy.max_per_day
    slots: list[Slot] = []
    per_day: dict[dt.date, int] = {}
    for day, at, local in _candidates(
        clinic_windows, zone, policy.step_minutes * 60, duration, lo, hi
    ):
        if cap is not None:
            if day not in per_day:
                per_day[day] = busy.day_counts.get((service.id, day), 0)
            if per_day[day] >= cap:
                continue
        hold = Interval(
            _EPOCH + dt.timedelta(seconds=at - before),
            _EPOCH + dt.timedelta(seconds=at + duration + after),
        )
        seats = service.capacity
        resources: tuple[str, ...] | None = None
        if group:
            key = (service.id, _EPOCH + dt.timedelta(seconds=at))
            taken = busy.group_seats.get(key, 0)
            seats -= taken
            if seats <= 0:
                continue
            if taken:
                resources = busy.group_resources.get(key)
        if resources is None:
            resources = choose(at, at + duration, at - before, at + duration + after)
            if resources is None:
                continue
        slots.append(
            Slot(
                clinic_id=clinic.id,
                service_id=service.id,
                start=local,
                # from the instant: ``local + length`` is wall-clock arithmetic, which across a
                # change gives a time that does not exist (02:00 in spring) or the wrong 01:xx
                end=dt.datetime.fromtimestamp(at + duration, zone),
                hold=hold,
                resources=resources,
                seats_left=seats,
            )
        )
    return slots


def free_slots(
    directory: Directory,
    clinic_id: str,
    service_id: str,
    *,
    start: dt.datetime,
    end: dt.datetime,
    busy: BusyProvider,
    now: dt.datetime,
) -> list[Slot]:
    """:func:`find_slots` in ``[start, end)``, asking ``busy`` what is taken over that range."""
    taken = busy(clinic_id, start, end)
    return find_slots(directory, clinic_id, service_id, start=start, end=end, busy=taken, now=now)


def slot_at(
    directory: Directory,
    clinic_id: str,
    service_id: str,
    start: dt.datetime,
    *,
    busy: BusyTimes | None = None,
    now: dt.datetime,
    rules: BookingPolicy | None = None,
) -> Slot | None:
    """The slot starting exactly at ``start`` if it is bookable now, with its resources.

    ``None`` when that time is not offered (outside hours, too soon, past the horizon,
    off the step grid, or taken). Unknown clinic/service: :class:`NotFoundError`.
    """
    start = _aware(start, "start").astimezone(UTC)
    now = _aware(now, "now").astimezone(UTC)
    _, service = _lookup(directory, clinic_id, service_id)
    policy = rules if rules is not None else service.policy
    if start >= now + dt.timedelta(days=policy.horizon_days) or start < now:
        return None
    found = find_slots(
        directory,
        clinic_id,
        service_id,
        start=start,
        end=start + dt.timedelta(seconds=1),
        busy=busy,
        now=now,
        rules=rules,
    )
    for slot in found:
        if slot.start.astimezone(UTC) == start:
            return slot
    return None
