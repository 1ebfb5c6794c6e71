"""Days a clinic is closed beyond its own exceptions: public holidays and closed ranges.

``holidays = "US-UT"`` in clinics.toml closes the clinic on the public holidays of Utah (the
``holidays`` package's calendar, observed days included); ``[[clinics.closures]]`` close it from
one day to another. Both become closed :class:`DateException` entries placed *before* the
clinic's own exceptions, so an exception for the same day (hours on a holiday) still wins.
"""

from __future__ import annotations

import datetime as dt
import functools

import msgspec

from kat_widgets.directory.models import Clinic, DateException

__all__ = ["MAX_CLOSURE_DAYS", "YEARS_AHEAD", "holiday_dates", "holiday_years", "with_closures"]

YEARS_AHEAD = 3
"""Holidays are expanded from last year to this many years ahead (bookings reach two)."""
MAX_CLOSURE_DAYS = 366


def holiday_years(today: dt.date) -> tuple[int, ...]:
    """The years holidays are expanded for: last year to :data:`YEARS_AHEAD` ahead."""
    return tuple(range(today.year - 1, today.year + YEARS_AHEAD + 1))


@functools.lru_cache(maxsize=32)
def holiday_dates(code: str, years: tuple[int, ...]) -> dict[dt.date, str]:
    """The public holidays of ``code`` (``US``, ``US-UT``) in ``years``, by date (computed once
    per calendar: five clinics on one calendar share it).

    :class:`ValueError` for a country or state the package does not know.
    """
    import holidays  # imported only by directories that name holidays (~0.1 s)

    country, _, subdivision = code.partition("-")
    try:
        calendar = holidays.country_holidays(country, subdiv=subdivision or None, years=years)
    except NotImplementedError as exc:  # the package's word for an unknown country or state
        raise ValueError(str(exc)) from None
    return dict(calendar.items())


def with_closures(clinic: Clinic, *, today: dt.date) -> Clinic:
    """``clinic`` with its holidays and closed ranges as closed exceptions before its own."""
    if clinic.holidays is None and not clinic.closures:
        return clinic
    closed: list[DateException] = []
    if clinic.holidays is not None:
        for day, name in sorted(holiday_dates(clinic.holidays, holiday_years(today)).items()):
            closed.append(DateException(date=day, closed=True, note=name))
    for closure in clinic.closures:
        day = closure.start
        while day <= closure.end:
            closed.append(DateException(date=day, closed=True, note=closure.note))
            day += dt.timedelta(days=1)
    return msgspec.structs.replace(clinic, exceptions=(*closed, *clinic.exceptions))
