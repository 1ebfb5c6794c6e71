"""Open now, in the clinic's own timezone, on both sides of the 2027 DST changes."""

from __future__ import annotations

import datetime as dt

import pytest

from kat_widgets.directory import load_directory
from kat_widgets.locator import open_status
from kat_widgets.settings import BUNDLED_DIRECTORY

UTC = dt.UTC


@pytest.fixture(scope="module")
def draper():  # type: ignore[no-untyped-def]
    return load_directory(BUNDLED_DIRECTORY).clinic("draper")


@pytest.mark.parametrize(
    ("instant", "is_open"),
    [
        # DST starts Sunday 2027-03-14: 14:30 UTC is 07:30 MST before, 08:30 MDT after.
        (dt.datetime(2027, 3, 12, 14, 30, tzinfo=UTC), False),  # Friday 07:30 MST
        (dt.datetime(2027, 3, 15, 14, 30, tzinfo=UTC), True),  # Monday 08:30 MDT
        (dt.datetime(2027, 3, 13, 15, 30, tzinfo=UTC), False),  # Saturday 08:30 MST
        (dt.datetime(2027, 3, 13, 16, 30, tzinfo=UTC), True),  # Saturday 09:30 MST
        (dt.datetime(2027, 3, 14, 18, 0, tzinfo=UTC), False),  # Sunday: closed
        # DST ends Sunday 2027-11-07: 14:30 UTC is 08:30 MDT before, 07:30 MST after.
        (dt.datetime(2027, 11, 5, 14, 30, tzinfo=UTC), True),  # Friday 08:30 MDT
        (dt.datetime(2027, 11, 8, 14, 30, tzinfo=UTC), False),  # Monday 07:30 MST
        (dt.datetime(2027, 11, 8, 15, 30, tzinfo=UTC), True),  # Monday 08:30 MST
        (dt.datetime(2027, 11, 5, 23, 30, tzinfo=UTC), False),  # Friday 17:30 MDT, closed at 17
        (dt.datetime(2027, 11, 9, 0, 30, tzinfo=UTC), True),  # Monday 17:30 MST, open until 18
    ],
)
def test_open_now_follows_local_time_across_dst(draper, instant, is_open) -> None:  # type: ignore[no-untyped-def]
    assert open_status(draper, instant).open is is_open


def test_a_dated_closure_wins_over_weekly_hours(draper) -> None:  # type: ignore[no-untyped-def]
    christmas_morning = dt.datetime(2026, 12, 25, 17, 0, tzinfo=UTC)  # Friday 10:00 MST
    status = open_status(draper, christmas_morning)
    assert not status.open
    assert status.note == "Christmas Day"


def test_open_status_reports_the_closing_time(draper) -> None:  # type: ignore[no-untyped-def]
    status = open_status(draper, dt.datetime(2027, 3, 15, 20, 0, tzinfo=UTC))
    assert status.open and status.closes == dt.time(18, 0)


def test_naive_datetimes_are_refused(draper) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="aware"):
        open_status(draper, dt.datetime(2027, 3, 15, 9, 0))


def test_the_clinics_own_hours_on_a_holiday_win_as_in_the_slot_engine(draper) -> None:  # type: ignore[no-untyped-def]
    """Holidays come first among the exceptions, the clinic's own after: the last one for a day
    rules it, here as when slots are computed (the locator used to take the first)."""
    import msgspec

    from kat_widgets.directory import DateException
    from kat_widgets.scheduling.rules import local_windows

    holiday = next(e for e in draper.exceptions if e.closed and e.note)
    open_anyway = DateException(
        date=holiday.date, opens=dt.time(9), closes=dt.time(12), note="Open this morning"
    )
    clinic = msgspec.structs.replace(draper, exceptions=(*draper.exceptions, open_anyway))
    ten = dt.datetime.combine(holiday.date, dt.time(10), tzinfo=clinic.zone)
    assert local_windows(clinic.hours, clinic.exceptions, holiday.date) == [
        (dt.time(9), dt.time(12))
    ]
    status = open_status(clinic, ten)
    assert status.open and status.closes == dt.time(12) and status.note == "Open this morning"
    assert not open_status(draper, ten).open  # the holiday alone closes it
