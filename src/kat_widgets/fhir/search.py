"""FHIR search over the open slots: ``schedule``, ``start`` (with prefixes), ``status``, ``_count``.

Every parameter is checked here, once, so a wrong one is a ``ValidationError`` naming it (the
web answers 400 with an OperationOutcome), never a server error. A search is bounded twice:
in time by the services' booking horizons (slots come from the same engine and cache as the
slots API) and in size by ``_count`` (at most :data:`MAX_COUNT`).

``start`` follows FHIR's date search: a value is the range its precision implies (a day, a
minute...), read in the clinic's zone without an offset, and ``ge``/``gt``/``le``/``lt``/``eq``
compare a slot's start with that range. Several ``start`` values all apply.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import NamedTuple
from zoneinfo import ZoneInfo

import msgspec

from kat_widgets.directory import Directory
from kat_widgets.errors import ValidationError
from kat_widgets.fhir.resources import FHIR_ID, online_schedules, schedule_id
from kat_widgets.scheduling.cache import SlotCache
from kat_widgets.scheduling.queries import horizon_slots
from kat_widgets.scheduling.types import BusyProvider, Slot

__all__ = [
    "DEFAULT_COUNT",
    "MAX_COUNT",
    "SLOT_PARAMETERS",
    "SlotMatches",
    "SlotSearch",
    "check_parameters",
    "reference_id",
    "search_slots",
]

DEFAULT_COUNT = 200
MAX_COUNT = 1000
SLOT_PARAMETERS = ("schedule", "start", "status", "_count")
PREFIXES = ("eq", "ge", "gt", "le", "lt")
SLOT_STATUSES = ("busy", "free", "busy-unavailable", "busy-tentative", "entered-in-error")
_VALUE = re.compile(
    r"^(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2})"
    r"(?:T(?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?P<fraction>\.\d{1,9})?)?"
    r"(?P<offset>Z|[+-]\d{2}:\d{2})?)?)?)?$"
)
_PREFIX = re.compile(r"^([a-z]{2})(?=\d)")


def check_parameters(params: Mapping[str, Sequence[str]], known: Sequence[str]) -> None:
    """Refuse a parameter we do not support: ignoring it would answer a different question."""
    for name in params:
        if name not in known:
            listed = ", ".join(known) if known else "none"
            raise ValidationError(
                f"Unknown search parameter {name[:40]!r}; supported: {listed}.", field=name[:40]
            )


def reference_id(text: str, kind: str, *, field: str) -> str:
    """``Schedule/ID`` or ``ID`` -> ``ID``, checked to be a FHIR id."""
    value = text.removeprefix(f"{kind}/")
    if not FHIR_ID.match(value):
        message = f"{field} must be {kind}/ID or ID (letters, digits, - and .)"
        raise ValidationError(message, field=field)
    return value


class StartBound(NamedTuple):
    prefix: str
    text: str


class SlotSearch(msgspec.Struct, frozen=True, kw_only=True):
    """A checked Slot search."""

    schedules: frozenset[str] | None = None
    """Schedule ids (any of them); ``None``: every schedule."""
    starts: tuple[StartBound, ...] = ()
    statuses: frozenset[str] | None = None
    count: int = DEFAULT_COUNT

    @classmethod
    def parse(cls, params: Mapping[str, Sequence[str]]) -> SlotSearch:
        """From the query string (each parameter's values, in order)."""
        check_parameters(params, SLOT_PARAMETERS)
        schedules = None
        if "schedule" in params:
            schedules = frozenset(
                reference_id(part, "Schedule", field="schedule")
                for value in params["schedule"]
                for part in value.split(",")
            )
        statuses = None
        if "status" in params:
            statuses = frozenset(part for value in params["status"] for part in value.split(","))
            if not statuses <= set(SLOT_STATUSES):
                message = f"status must be one of {', '.join(SLOT_STATUSES)}"
                raise ValidationError(message, field="status")
        starts = tuple(_bound(value) for value in params.get("start", ()))
        return cls(schedules=schedules, starts=starts, statuses=statuses, count=_count(params))

    def window(self, zone: ZoneInfo) -> tuple[dt.datetime | None, dt.datetime | None]:
        """``[lower, upper)`` in UTC that a slot's start must lie in (``None``: open)."""
        lower: dt.datetime | None = None
        upper: dt.datetime | None = None
        for prefix, text in self.starts:
            lo, hi = _range(text, zone)
            low, high = {
                "eq": (lo, hi),
                "ge": (lo, None),
                "gt": (hi, None),
                "le": (None, hi),
                "lt": (None, lo),
            }[prefix]
            if low is not None:
                lower = low if lower is None else max(lower, low)
            if high is not None:
                upper = high if upper is None else min(upper, high)
        return lower, upper


def _count(params: Mapping[str, Sequence[str]]) -> int:
    values = params.get("_count", ())
    if not values:
        return DEFAULT_COUNT
    if len(values) > 1 or not values[0].isascii() or not values[0].isdigit():
        message = f"_count must be one whole number from 0 to {MAX_COUNT}"
        raise ValidationError(message, field="_count")
    count = int(values[0][:8])
    if count > MAX_COUNT:
        raise ValidationError(f"_count must be at most {MAX_COUNT}", field="_count")
    return count


def _bound(value: str) -> StartBound:
    prefix = "eq"
    found = _PREFIX.match(value)
    if found:
        prefix, value = found.group(1), value[2:]
        if prefix not in PREFIXES:
            message = f"start prefix must be one of {', '.join(PREFIXES)}"
            raise ValidationError(message, field="start")
    if not _VALUE.match(value):
        raise ValidationError(
            "start must be a date or dateTime, with an optional prefix: ge2027-03-09, "
            "lt2027-03-10T12:00:00-07:00",
            field="start",
        )
    _range(value, ZoneInfo("UTC"))  # a real date and time (no 31 February)
    return StartBound(prefix, value)


def _range(text: str, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """The span ``text`` names at its precision, in UTC (``zone`` when it has no offset)."""
    found = _VALUE.match(text)
    assert found is not None
    part = found.groupdict()
    tz: dt.tzinfo = zone
    if part["offset"] == "Z":
        tz = dt.UTC
    elif part["offset"]:
        sign = -1 if part["offset"][0] == "-" else 1
        hours, minutes = int(part["offset"][1:3]), int(part["offset"][4:6])
        try:
            tz = dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))
        except ValueError:
            raise ValidationError("start has an impossible UTC offset", field="start") from None
    year = int(part["year"])
    try:
        if part["month"] is None:
            lo, hi = dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz)
        elif part["day"] is None:
            month = int(part["month"])
            lo = dt.datetime(year, month, 1, tzinfo=tz)
            hi = dt.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=tz)
        elif part["hour"] is None:
            day = dt.date(year, int(part["month"]), int(part["day"]))
            lo = dt.datetime.combine(day, dt.time(), tz)
            hi = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tz)
        else:
            lo = dt.datetime(
                year,
                int(part["month"]),
                int(part["day"]),
                int(part["hour"]),
                int(part["minute"]),
                int(part["second"] or 0),
                int((part["fraction"] or ".0")[1:7].ljust(6, "0")),
                tzinfo=tz,
            )
            step = "seconds" if part["second"] else "minutes"
            step = "microseconds" if part["fraction"] else step
            hi = lo + dt.timedelta(**{step: 1})
        return lo.astimezone(dt.UTC), hi.astimezone(dt.UTC)
    except (ValueError, OverflowError):
        message = f"start {text[:40]!r} is not a real date and time"
        raise ValidationError(message, field="start") from None


class SlotMatches(NamedTuple):
    slots: list[Slot]
    """The first ``count`` matches, by start."""
    total: int
    """Every match."""


def search_slots(
    directory: Directory,
    search: SlotSearch,
    *,
    busy: BusyProvider,
    now: dt.datetime,
    cache: SlotCache | None = None,
) -> SlotMatches:
    """The free slots ``search`` asks for, from now to each service's booking horizon."""
    if search.statuses is not None and "free" not in search.statuses:
        return SlotMatches([], 0)  # we publish free slots only
    found: list[tuple[dt.datetime, str, Slot]] = []
    for clinic, service in online_schedules(directory):
        schedule = schedule_id(clinic.id, service.id)
        if search.schedules is not None and schedule not in search.schedules:
            continue
        lower, upper = search.window(clinic.zone)
        if lower is not None and upper is not None and lower >= upper:
            continue
        feed = horizon_slots(directory, clinic.id, service.id, busy=busy, now=now, cache=cache)
        for slot in feed.slots:
            start = slot.start.astimezone(dt.UTC)
            if (lower is None or start >= lower) and (upper is None or start < upper):
                found.append((start, schedule, slot))
    found.sort(key=lambda item: (item[0], item[1]))
    return SlotMatches([slot for _, _, slot in found[: search.count]], len(found))
