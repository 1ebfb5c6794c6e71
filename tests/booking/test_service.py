"""Use cases directly (no HTTP): group capacity, purge, staff calendars as busy time."""

from __future__ import annotations

import datetime as dt

import pytest

from kat_widgets.booking import BookingRequest, BookingService
from kat_widgets.errors import BookingConflictError, SlotTakenError, ValidationError
from kat_widgets.scheduling.types import BusyTimes, Interval
from tests.booking.booking_support import at


def request(start: dt.datetime, name: str, service: str = "info-call") -> BookingRequest:
    return BookingRequest(
        clinic_id="draper",
        service=service,
        start=start,
        name=name,
        email=f"{name.lower().replace(' ', '.')}@example.com",
        consent=True,
    )


def test_group_sessions_take_up_to_capacity_then_refuse(service: BookingService) -> None:
    start = at(9, 10)
    capacity = service.directory.service("integration-group").capacity
    for seat in range(capacity):
        service.book(request(start, f"Member {seat}", "integration-group"), public=False)
    with pytest.raises(SlotTakenError):
        service.book(request(start, "One Too Many", "integration-group"), public=False)
    holds = service.storage.all_holds()
    assert len(holds) == 2  # one therapist and one group room, shared by every seat


def test_cancelling_a_group_seat_frees_it(service: BookingService) -> None:
    start = at(9, 10)
    capacity = service.directory.service("integration-group").capacity
    bookings = [
        service.book(request(start, f"Member {seat}", "integration-group"), public=False)
        for seat in range(capacity)
    ]
    service.cancel(bookings[0].token)
    service.book(request(start, "Late Joiner", "integration-group"), public=False)


def test_staff_calendar_busy_time_blocks_booking(service: BookingService) -> None:
    def calendars(clinic_id: str, start: dt.datetime, end: dt.datetime) -> BusyTimes:
        return BusyTimes(by_resource={"draper-navigator": [Interval(at(9, 10), at(9, 11))]})

    service.free.calendars = calendars
    with pytest.raises(SlotTakenError):
        service.book(request(at(9, 10, 30), "Robin Example"))
    assert service.book(request(at(9, 11), "Robin Example")).booking.start == at(9, 11)


def test_purge_uses_the_retention_setting(service: BookingService, clock: object) -> None:
    done = service.book(request(at(9, 10), "Robin Example"))
    clock.now = at(9, 10) + dt.timedelta(days=91)  # type: ignore[attr-defined]
    assert service.purge() == 1
    assert service.storage.by_id(done.booking.id) is None


@pytest.mark.parametrize("days", [-5, 0, 3651, True])
def test_purge_refuses_an_age_outside_the_retention_range(
    service: BookingService, days: int
) -> None:
    upcoming = service.book(request(at(9, 10), "Robin Example"))
    with pytest.raises(ValidationError, match="from 1 to 3650"):
        service.purge(days)
    assert service.storage.by_id(upcoming.booking.id) is not None


def test_purge_dry_run_counts_without_deleting(service: BookingService, clock: object) -> None:
    done = service.book(request(at(9, 10), "Robin Example"))
    clock.now = at(9, 10) + dt.timedelta(days=91)  # type: ignore[attr-defined]
    assert service.purge(dry_run=True) == 1
    assert service.storage.by_id(done.booking.id) is not None
    assert service.purge() == 1


def test_concurrent_group_bookings_never_exceed_capacity(service: BookingService) -> None:
    from concurrent.futures import ThreadPoolExecutor

    start = at(10, 10)
    capacity = service.directory.service("integration-group").capacity

    def attempt(seat: int) -> str:
        try:
            service.book(request(start, f"Member {seat}", "integration-group"), public=False)
        except SlotTakenError:
            return "taken"
        return "booked"

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(attempt, range(capacity + 12)))
    assert outcomes.count("booked") == capacity
    assert outcomes.count("taken") == 12
    busy = service.storage.busy("draper", at(10, 0), at(11, 0))
    assert busy.group_seats[("integration-group", start.astimezone(dt.UTC))] == capacity


# -- the rules delivery layers only show: cut-off and the times a booking may move to ---------


def test_cut_off_is_the_start_minus_the_setting_and_closes_online_changes(
    service: BookingService, clock: object
) -> None:
    done = service.book(request(at(10, 10), "Robin Example"))
    record = done.booking
    hours = service.config.cancel_cutoff_hours
    assert service.cancel_by(record) == record.start - dt.timedelta(hours=hours)
    assert service.can_change(record)
    clock.now = service.cancel_by(record) + dt.timedelta(seconds=1)  # type: ignore[attr-defined]
    assert not service.can_change(record)
    view = service.manage(done.token)
    assert not view.can_change and view.moves.slots == () and view.moves.later is None
    with pytest.raises(BookingConflictError, match=f"within {hours} hours"):
        service.cancel(done.token)
    with pytest.raises(BookingConflictError, match=f"within {hours} hours"):
        service.reschedule(done.token, at(11, 10))


def test_move_choices_page_through_free_times_after_the_notice(
    service: BookingService, clock: object
) -> None:
    from kat_widgets.booking.cutoff import MOVE_NOTICE
    from kat_widgets.booking.service import MOVE_CHOICES

    done = service.book(request(at(10, 10), "Robin Example"))
    first = service.move_choices(done.booking)
    now = clock.now  # type: ignore[attr-defined]
    starts = [slot.start for slot in first.slots]
    assert len(starts) == MOVE_CHOICES and starts == sorted(starts)
    assert done.booking.start not in starts  # never its own time
    assert all(start >= now + MOVE_NOTICE for start in starts)
    assert first.later == starts[-1] and not first.paged
    second = service.move_choices(done.booking, first.later)
    assert second.paged and second.slots
    assert all(slot.start > starts[-1] for slot in second.slots)
    horizon = now + dt.timedelta(days=service.directory.service("info-call").policy.horizon_days)
    beyond = service.move_choices(done.booking, horizon + dt.timedelta(days=30))
    assert beyond.later is None and all(slot.start < horizon for slot in beyond.slots)


def test_a_service_may_have_its_own_cancellation_cut_off(
    service: BookingService, storage: object, settings: object
) -> None:
    """#18: info calls close online changes 48 hours ahead here; the site's 24 h stays for the
    others (a visit 26 hours ahead: info call refused, assessment still open)."""
    import msgspec

    from kat_widgets.directory import Directory

    base = service.directory
    services = tuple(
        msgspec.structs.replace(s, policy=msgspec.structs.replace(s.policy, cancel_cutoff_hours=48))
        if s.id == "info-call"
        else s
        for s in base.data.services
    )
    directory = Directory(msgspec.structs.replace(base.data, services=services))
    strict = BookingService(directory, settings, storage, clock=service.clock)  # type: ignore[arg-type]
    call = strict.book(request(at(9, 10), "Robin"))
    assert strict.cancel_by(call.booking) == call.booking.start - dt.timedelta(hours=48)
    view = strict.manage(call.token)
    assert view.cutoff_hours == 48 and not view.can_change
    with pytest.raises(BookingConflictError, match="within 48 hours"):
        strict.cancel(call.token)
    assessment = strict.book(request(at(9, 13), "Sam", "connect-assessment"), public=False)
    assert strict.manage(assessment.token).cutoff_hours == 24
    assert strict.cancel(assessment.token).status == "cancelled"
