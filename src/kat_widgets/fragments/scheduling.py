"""The availability week grid: open slots of one service at one clinic, days as columns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from markupsafe import Markup

from kat_widgets.errors import ValidationError
from kat_widgets.fragments.environment import clock
from kat_widgets.scheduling import find_slots
from kat_widgets.scheduling.timeparse import week_start
from kat_widgets.scheduling.types import BusyProvider, Slot

if TYPE_CHECKING:
    from kat_widgets.fragments.widgets import Widgets

__all__ = ["ZONE_NAMES", "render_availability", "spoken_time", "zone_name"]

ZONE_NAMES: Mapping[str, str] = {
    "America/Denver": "Mountain Time",
    "America/Boise": "Mountain Time",
    "America/Phoenix": "Mountain Standard Time",
    "America/Chicago": "Central Time",
    "America/New_York": "Eastern Time",
    "America/Los_Angeles": "Pacific Time",
}


def zone_name(tzid: str) -> str:
    """``Mountain Time`` for America/Denver; the IANA id for zones we have no name for."""
    return ZONE_NAMES.get(tzid, tzid)


def spoken_day(day: dt.date) -> str:
    """``Tuesday 9 March 2027``."""
    return f"{day:%A} {day.day} {day:%B} {day.year}"


def spoken_time(start: dt.datetime, tzid: str) -> str:
    """``Tuesday 9 March 2027, 10:00 AM Mountain Time``: the full name of a slot."""
    return f"{spoken_day(start.date())}, {clock(start)} {zone_name(tzid)}"


def _week(week: str | dt.date | None, today: dt.date) -> dt.date:
    if week is None or week == "":
        return week_start(today)
    if isinstance(week, dt.date):
        return week_start(week)
    try:
        return week_start(dt.date.fromisoformat(week.strip()))
    except ValueError:
        raise ValidationError(
            f"week must be a date such as 2027-03-08, got {week[:40]!r}", field="week"
        ) from None


def _week_slots(
    widgets: Widgets,
    clinic_id: str,
    service_id: str,
    monday: dt.date,
    busy_provider: BusyProvider,
    now: dt.datetime,
) -> list[Slot]:
    zone = widgets.directory.clinic(clinic_id).zone
    first = dt.datetime.combine(monday, dt.time(0), tzinfo=zone)
    last = dt.datetime.combine(monday + dt.timedelta(days=7), dt.time(0), tzinfo=zone)
    if last <= now:
        return []
    start = max(first, now)
    busy = busy_provider(clinic_id, start, last)
    return find_slots(
        widgets.directory, clinic_id, service_id, start=start, end=last, busy=busy, now=now
    )


def render_availability(
    widgets: Widgets,
    clinic_id: str,
    service_id: str,
    *,
    week: str | dt.date | None = None,
    busy_provider: BusyProvider,
    now: dt.datetime,
) -> Markup:
    """Render the week containing ``week`` (default: this week) as an accessible table."""
    directory = widgets.directory
    clinic = directory.clinic(clinic_id)
    service = directory.service(service_id)
    zone = clinic.zone
    today = now.astimezone(zone).date()
    monday = _week(week, today)
    horizon_end = (now + dt.timedelta(days=service.policy.horizon_days)).astimezone(zone).date()
    if monday > horizon_end or monday < week_start(today):
        monday = week_start(today)
    slots = _week_slots(widgets, clinic_id, service_id, monday, busy_provider, now)
    if not slots and week in (None, "") and monday + dt.timedelta(days=7) <= horizon_end:
        monday += dt.timedelta(days=7)  # nothing left this week: show the next one
        slots = _week_slots(widgets, clinic_id, service_id, monday, busy_provider, now)
    days = [monday + dt.timedelta(days=offset) for offset in range(7)]
    by_day: dict[dt.date, list[dict[str, str]]] = {day: [] for day in days}
    base = widgets.base_path
    for slot in slots:
        query = urlencode(
            {"clinic": clinic_id, "service": service_id, "start": slot.start.isoformat()}
        )
        by_day[slot.start.date()].append(
            {
                "href": f"{base}/fragments/booking?{query}",
                "visible": clock(slot.start),
                "before": f"{spoken_day(slot.start.date())}, ",
                "after": f" {zone_name(clinic.timezone)}",
            }
        )

    def week_link(day: dt.date) -> str:
        query = urlencode({"clinic": clinic_id, "service": service_id, "week": day.isoformat()})
        return f"{base}/fragments/availability?{query}"

    previous = monday - dt.timedelta(days=7)
    following = monday + dt.timedelta(days=7)
    return widgets.render(
        "scheduling/availability.html",
        clinic=clinic,
        service=service,
        days=[
            {"date": day, "short": f"{day:%a} {day.day} {day:%b}", "full": spoken_day(day)}
            for day in days
        ],
        by_day=by_day,
        week_label=spoken_day(monday),
        zone_label=zone_name(clinic.timezone),
        previous_href=week_link(previous) if previous >= week_start(today) else None,
        next_href=week_link(following) if following <= horizon_end else None,
        feed_href=f"{base}/calendars/{clinic_id}/availability.ics?"
        + urlencode({"service": service_id}),
        any_slots=bool(slots),
    )
