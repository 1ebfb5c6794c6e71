"""The availability week grid: open slots of one service at one clinic, days as columns."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from markupsafe import Markup

from kat_widgets import i18n
from kat_widgets.directory import Clinic, Service
from kat_widgets.fragments.environment import ZONE_NAMES, clock, zone_name
from kat_widgets.fragments.renderer import Renderer
from kat_widgets.i18n import gettext as _
from kat_widgets.scheduling.types import Slot
from kat_widgets.scheduling.week import Week

__all__ = [
    "ZONE_NAMES",
    "page_slot_href",
    "render_availability",
    "render_unavailable",
    "slot_href",
    "spoken_time",
    "webcal_href",
    "zone_name",
]


def spoken_day(day: dt.date) -> str:
    """``Tuesday 9 March 2027`` (``martes, 9 de marzo de 2027``)."""
    if i18n.current() == i18n.DEFAULT:
        return f"{day:%A} {day.day} {day:%B} {day.year}"
    from babel.dates import format_date  # English never needs it (~12 ms of import, #14)

    return format_date(day, "full", locale=i18n.babel_locale())


def short_day(day: dt.date) -> str:
    """``Tue 9 Mar`` (``mar 9 mar``): a column heading."""
    if i18n.current() == i18n.DEFAULT:
        return f"{day:%a} {day.day} {day:%b}"
    from babel.dates import format_date

    return format_date(day, "EEE d MMM", locale=i18n.babel_locale())


def spoken_time(start: dt.datetime, tzid: str) -> str:
    """``Tuesday 9 March 2027, 10:00 AM Mountain Time``: the full name of a slot."""
    return _("{day}, {time} {zone}").format(
        day=spoken_day(start.date()), time=clock(start), zone=zone_name(tzid)
    )


def slot_href(base_path: str, slot: Slot) -> str:
    """The booking form for ``slot`` (its start in the clinic's offset, as the API gives it)."""
    query = urlencode(
        {"clinic": slot.clinic_id, "service": slot.service_id, "start": slot.start.isoformat()}
    )
    # the anchor: the form's widget, so Tab from there reaches its first field at once
    return f"{base_path}/fragments/booking?{query}#kat-booking"


def page_slot_href(page: str, slot: Slot) -> str:
    """``slot`` on a page of its own that shows the form for ``?start=`` (a referral's)."""
    return f"{page}?{urlencode({'start': slot.start.isoformat()})}#kat-booking"


def webcal_href(base_path: str, visitor_url: str, path: str) -> str | None:
    """``path`` (``/calendars/...``, under our routes) as a ``webcal://`` address, which makes
    Apple Calendar (and other apps that handle the scheme) subscribe instead of importing once.
    It must be absolute: from ``base_path`` when that is a full URL (a host rendering fragments
    of a remote server), else from ``visitor_url`` (where visitors reach us); None when neither
    is known."""
    for root in (base_path, visitor_url):
        scheme, sep, rest = root.partition("://")
        if sep and scheme in ("http", "https") and rest:
            return f"webcal://{rest.rstrip('/')}{path}"
    return None


def render_availability(renderer: Renderer, week: Week, *, page: str | None = None) -> Markup:
    """``week`` as an accessible table, days as columns, each time a link to the booking form.

    ``page``: the page the times and weeks link back to with ``?start=`` and ``?week=`` (a
    referral link's page) instead of the booking widget; it offers no calendar feed.
    """
    clinic, service = week.clinic, week.service
    base = renderer.base_path
    zone = zone_name(clinic.timezone)
    by_day: dict[dt.date, list[dict[str, str]]] = {day: [] for day in week.days}
    for slot in week.slots:
        by_day[slot.start.date()].append(
            {
                "href": slot_href(base, slot) if page is None else page_slot_href(page, slot),
                "visible": clock(slot.start),
                "before": f"{spoken_day(slot.start.date())}, ",
                "after": f" {zone}",
                "start": slot.start.astimezone(dt.UTC).isoformat(),
            }
        )

    feed_path = f"/calendars/{clinic.id}/availability.ics?" + urlencode({"service": service.id})

    def week_link(day: dt.date | None) -> str | None:
        if day is None:
            return None
        if page is not None:
            return f"{page}?{urlencode({'week': day.isoformat()})}"
        query = urlencode({"clinic": clinic.id, "service": service.id, "week": day.isoformat()})
        return f"{base}/fragments/availability?{query}"

    return renderer.render(
        "scheduling/availability.html",
        clinic=clinic,
        service=service,
        days=[
            {
                "date": day,
                "short": short_day(day),
                "full": spoken_day(day),
                "past": week.today is not None and day < week.today,
                "today": day == week.today,
            }
            for day in week.days
        ],
        by_day=by_day,
        week_label=spoken_day(week.monday),
        zone_label=zone,
        previous_href=week_link(week.previous),
        next_href=week_link(week.following),
        # the https address (Google Calendar's "From URL" wants https) and, where an absolute
        # address is known, the same feed as webcal:// (subscribe, not import once)
        feed_href=None if page is not None else f"{base}{feed_path}",
        subscribe_href=None
        if page is not None
        else webcal_href(base, renderer.settings.visitor_url, feed_path),
        any_slots=bool(week.slots),
        waitlist_href=f"{base}/fragments/waitlist?"
        + urlencode({"clinic": clinic.id, "service": service.id})
        if page is None and service.public
        else None,
    )


def render_unavailable(renderer: Renderer, clinic: Clinic, service: Service) -> Markup:
    """In place of the open times when bookings cannot be read: call us, never a guess."""
    return renderer.render("scheduling/unavailable.html", clinic=clinic, service=service)
