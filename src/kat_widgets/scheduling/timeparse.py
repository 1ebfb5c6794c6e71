"""Read the times visitors and callers send: ISO 8601 dates and datetimes, in a clinic's zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from kat_widgets.errors import ValidationError

__all__ = ["parse_moment", "week_start"]


def parse_moment(text: str, zone: ZoneInfo, *, field: str) -> dt.datetime:
    """``2027-03-09`` (local midnight), ``2027-03-09T10:00`` (local) or with an offset/``Z``.

    Raises :class:`ValidationError` naming ``field`` for anything else.
    """
    value = text.strip()
    try:
        if len(value) == 10:
            day = dt.date.fromisoformat(value)
            return dt.datetime.combine(day, dt.time(0), tzinfo=zone)
        moment = dt.datetime.fromisoformat(value.replace(" ", "+"))
    except ValueError:
        raise ValidationError(
            f"{field} must be an ISO 8601 date or date-time such as 2027-03-09 or "
            f"2027-03-09T10:00:00-07:00, got {text[:40]!r}",
            field=field,
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment


def week_start(day: dt.date) -> dt.date:
    """The Monday on or before ``day``."""
    return day - dt.timedelta(days=day.weekday())
