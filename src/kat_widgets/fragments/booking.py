"""Booking fragments: the form, the confirmation and the manage page (plain HTML forms).

Rendering only: the use cases live in :mod:`kat_widgets.booking.service`; no Litestar here.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from kat_widgets.booking.calendar import event_title, google_link, outlook_link
from kat_widgets.booking.crisis_words import mentions_crisis
from kat_widgets.booking.models import NOTE_MAX, BookingRecord
from kat_widgets.directory import Clinic
from kat_widgets.fragments.scheduling import spoken_time
from kat_widgets.scheduling.types import Slot

if TYPE_CHECKING:
    from kat_widgets.fragments.widgets import Widgets

__all__ = ["crisis_html", "render_confirmation", "render_form", "render_manage"]


def crisis_html(widgets: Widgets, clinic: Clinic | None) -> Markup:
    """The inline crisis banner for the clinic's region, shown beside every booking view."""
    return widgets.crisis_banner(variant="inline", clinic=clinic)


def _slot_links(widgets: Widgets, slots: Sequence[Slot]) -> list[dict[str, str]]:
    from urllib.parse import urlencode

    out = []
    for slot in slots:
        clinic = widgets.directory.clinic(slot.clinic_id)
        query = urlencode(
            {"clinic": slot.clinic_id, "service": slot.service_id, "start": slot.start.isoformat()}
        )
        out.append(
            {
                "href": f"{widgets.base_path}/fragments/booking?{query}",
                "label": spoken_time(slot.start, clinic.timezone),
                "value": slot.start.isoformat(),
            }
        )
    return out


def render_form(
    widgets: Widgets,
    clinic_id: str,
    service_id: str,
    start: dt.datetime,
    *,
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    message: str | None = None,
    next_slots: Sequence[Slot] = (),
) -> Markup:
    """The short booking form for one slot; ``errors`` are shown next to their fields."""
    directory = widgets.directory
    clinic = directory.clinic(clinic_id)
    service = directory.service(service_id)
    local = start.astimezone(clinic.zone)
    values = dict(values or {})
    values.setdefault("idempotency_key", secrets.token_urlsafe(16))
    return widgets.render(
        "booking/form.html",
        clinic=clinic,
        service=service,
        start_value=local.isoformat(),
        when=spoken_time(local, clinic.timezone),
        values=values,
        errors=dict(errors or {}),
        message=message,
        next_slots=_slot_links(widgets, next_slots),
        note_max=NOTE_MAX,
        crisis_html=crisis_html(widgets, clinic),
        action=f"{widgets.base_path}/fragments/booking",
    )


def _visit(widgets: Widgets, record: BookingRecord, token: str, calendar: str) -> dict[str, Any]:
    """The visit and its links; ``calendar`` is the read-only key of the .ics, not the token."""
    directory = widgets.directory
    clinic = directory.clinic(record.clinic_id)
    service = directory.service(record.service_id)
    base = widgets.base_path
    return {
        "clinic": clinic,
        "service": service,
        "record": record,
        "title": event_title(clinic, service),
        "when": spoken_time(record.start.astimezone(clinic.zone), clinic.timezone),
        "ics_href": f"{base}/calendars/bookings/{calendar}.ics",
        "manage_href": f"{base}/bookings/{token}",
        "google_href": google_link(record, directory),
        "outlook_href": outlook_link(record, directory),
        "crisis_html": crisis_html(widgets, clinic),
    }


def render_confirmation(
    widgets: Widgets,
    record: BookingRecord,
    token: str,
    *,
    calendar_key: str,
    note: str | None = None,
) -> Markup:
    """ "You are booked": details, .ics download, add-to-calendar links, the manage link.

    ``calendar_key`` is ``BookingService.calendar_key(token)``. Crisis resources come first when
    the visitor's note mentions a crisis word.
    """
    return widgets.render(
        "booking/confirmation.html",
        crisis_first=mentions_crisis(note),
        **_visit(widgets, record, token, calendar_key),
    )


def render_manage(
    widgets: Widgets,
    record: BookingRecord,
    token: str,
    *,
    calendar_key: str,
    can_change: bool,
    cutoff_hours: int,
    next_slots: Sequence[Slot] = (),
    message: str | None = None,
    error: str | None = None,
    later_href: str | None = None,
    earliest_href: str | None = None,
) -> Markup:
    """The manage page: status, calendar links, cancel and reschedule forms (or whom to call).

    ``later_href``/``earliest_href`` page through the times to move to, when there are more.
    """
    base = widgets.base_path
    return widgets.render(
        "booking/manage.html",
        can_change=can_change and record.status == "confirmed",
        cutoff_hours=cutoff_hours,
        next_slots=_slot_links(widgets, next_slots),
        message=message,
        error=error,
        cancel_action=f"{base}/bookings/{token}/cancel",
        reschedule_action=f"{base}/bookings/{token}/reschedule",
        later_href=later_href,
        earliest_href=earliest_href,
        **_visit(widgets, record, token, calendar_key),
    )
