"""Read the times visitors and callers send: ISO 8601 dates and datetimes, in a clinic's zone.

Every time the API accepts lies in one typed range, :data:`EARLIEST` to :data:`LATEST`: far
enough for any booking, near enough that adding a horizon or a day of margin never overflows.
"""

from __future__ import annotations

import datetime as dt
from typing import overload
from zoneinfo import ZoneInfo

from kat_widgets.errors import ValidationError

__all__ = ["EARLIEST", "LATEST", "check_moment", "parse_moment", "week_start"]

EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2200, 1, 1, tzinfo=dt.UTC)


@overload
def check_moment(value: dt.datetime, field: str) -> dt.datetime: ...
@overload
def check_moment(value: dt.date, field: str) -> dt.date: ...
def check_moment(value: dt.date, field: str) -> dt.date:
    """``value`` if it lies in ``[EARLIEST, LATEST)``, else a :class:`ValidationError`.

    An aware datetime is compared as an instant, a date or naive datetime by its calendar date.
    """
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        inside = EARLIEST <= value < LATEST
    else:
        day = value.date() if isinstance(value, dt.datetime) else value
        inside = EARLIEST.date() <= day < LATEST.date()
    if not inside:
        raise ValidationError(
            f"{field} must be between {EARLIEST.year} and {LATEST.year - 1}", field=field
        )
    return value


def parse_moment(text: str, zone: ZoneInfo, *, field: str) -> dt.datetime:
    """``2027-03-09`` (local midnight), ``2027-03-09T10:00`` (local) or with an offset/``Z``.

    Raises :class:`ValidationError` naming ``field`` for anything else.
    """
    value = text.strip()
    try:
        if len(value) == 10:
            moment = dt.datetime.combine(dt.date.fromisoformat(value), dt.time(0))
        else:
            moment = dt.datetime.fromisoformat(value.replace(" ", "+"))
    except ValueError:
        raise ValidationError(
            f"{field} must be an ISO 8601 date or date-time such as 2027-03-09 or "
            f"2027-03-09T10:00:00-07:00, got {text[:40]!r}",
            field=field,
        ) from None
    check_moment(moment, field)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment


def week_start(day: dt.date) -> dt.date:
    """The Monday on or before ``day``."""
    return day - dt.timedelta(days=day.weekday())
