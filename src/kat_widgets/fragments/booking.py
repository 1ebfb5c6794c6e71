"""Booking fragments: the form, the confirmation and the manage page (plain HTML forms).

Rendering only: the use cases and every booking rule live in :mod:`kat_widgets.booking`; these
draw their answers. No Litestar and no SQL here.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup

from kat_widgets.booking.crisis_words import mentions_crisis
from kat_widgets.booking.models import NOTE_MAX, BookingRecord, ManageView
from kat_widgets.directory import Clinic, Service
from kat_widgets.fragments.renderer import Renderer
from kat_widgets.fragments.scheduling import page_slot_href, slot_href, spoken_time
from kat_widgets.i18n import gettext as _
from kat_widgets.scheduling.types import Slot

__all__ = ["render_confirmation", "render_form", "render_manage", "render_past"]


_FIELD_IDS = frozenset({"name", "email", "phone", "note", "consent", "start"})
"""Fields the form's error summary links to (``kat-booking-<field>``); others: the button."""


def _slot_links(
    renderer: Renderer, slots: Sequence[Slot], page: str | None = None
) -> list[dict[str, str]]:
    directory = renderer.directory
    return [
        {
            "href": slot_href(renderer.base_path, slot)
            if page is None
            else page_slot_href(page, slot),
            "label": spoken_time(slot.start, directory.clinic(slot.clinic_id).timezone),
            "value": slot.start.isoformat(),
        }
        for slot in slots
    ]


def _crisis(renderer: Renderer, clinic: Clinic) -> Markup:
    """The inline crisis banner for the clinic's region, shown beside every booking view."""
    return renderer.crisis_banner(variant="inline", clinic=clinic)


def render_form(
    renderer: Renderer,
    clinic: Clinic,
    service: Service,
    start: dt.datetime,
    *,
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    message: str | None = None,
    next_slots: Sequence[Slot] = (),
    page: str | None = None,
    routed: tuple[str, str] | None = None,
) -> Markup:
    """The short booking form for one slot; ``errors`` are shown next to their fields.

    ``page``: the referral link's page the form belongs to ("Change time" and other times
    link back to it; ``values["referral"]`` carries its token). ``routed``: ``(clinic id,
    service id)`` an intake answer sends the visitor to (the message says why)."""
    local = start.astimezone(clinic.zone)
    values = dict(values or {})
    values.setdefault("idempotency_key", secrets.token_urlsafe(16))
    return renderer.render(
        "booking/form.html",
        clinic=clinic,
        service=service,
        start_value=local.isoformat(),
        when=spoken_time(local, clinic.timezone),
        values=values,
        errors=dict(errors or {}),
        message=message,
        next_slots=_slot_links(renderer, next_slots, page),
        questions=_questions(renderer, service),
        routed=_routed(renderer, *routed) if routed else None,
        note_max=NOTE_MAX,
        field_ids=_FIELD_IDS | {f"answers.{q.id}" for q in service.questions},
        texts_on=renderer.settings.notifications.sms is not None,
        crisis_html=_crisis(renderer, clinic),
        action=f"{renderer.base_path}/fragments/booking",
        change_href=f"{page}?{urlencode({'week': local.date().isoformat()})}"
        if page is not None
        else _open_times_href(renderer, clinic, service, local.date()),
    )


def _questions(renderer: Renderer, service: Service) -> list[dict[str, Any]]:
    """The service's intake questions in this language, each with the answers it offers."""
    tr = renderer.directory.translate
    yes_no = [("yes", _("Yes")), ("no", _("No"))]
    return [
        {
            "id": q.id,
            "kind": q.kind,
            "label": tr(q.label),
            "required": q.required,
            "max_length": q.max_length,
            "options": yes_no if q.kind == "yes-no" else [(c.id, tr(c.label)) for c in q.choices],
        }
        for q in service.questions
    ]


def _routed(renderer: Renderer, clinic_id: str, service_id: str) -> dict[str, str]:
    """The link to the open times an intake answer sends the visitor to."""
    directory = renderer.directory
    service = directory.service(service_id)
    query = urlencode({"clinic": clinic_id, "service": service_id})
    return {
        "href": f"{renderer.base_path}/fragments/booking?{query}",
        "label": _("See the open times for {service}").format(
            service=directory.translate(service.name)
        ),
    }


def _open_times_href(renderer: Renderer, clinic: Clinic, service: Service, day: dt.date) -> str:
    """The open times of ``day``'s week, at their anchor ("Change time")."""
    query = urlencode({"clinic": clinic.id, "service": service.id, "week": day.isoformat()})
    anchor = f"kat-open-times-{clinic.id}-{service.id}"
    return f"{renderer.base_path}/fragments/availability?{query}#{anchor}"


def render_past(renderer: Renderer, clinic: Clinic, start: dt.datetime) -> Markup:
    """Instead of a form for a time that has passed: a plain notice (the open times follow)."""
    local = start.astimezone(clinic.zone)
    return renderer.render(
        "booking/past.html", clinic=clinic, when=spoken_time(local, clinic.timezone)
    )


def _visit(renderer: Renderer, record: BookingRecord, token: str, calendar: str) -> dict[str, Any]:
    """The visit and its links; ``calendar`` is the read-only key of the .ics, not the token."""
    # icalendar is imported only when a booking is shown, not by every fragment
    from kat_widgets.booking.calendar import event_title, google_link, outlook_link

    directory = renderer.directory
    clinic = directory.clinic(record.clinic_id)
    service = directory.service(record.service_id)
    base = renderer.base_path
    return {
        "clinic": clinic,
        "service": service,
        "record": record,
        "title": event_title(clinic, service),
        "when": spoken_time(record.start.astimezone(clinic.zone), clinic.timezone),
        "start_iso": record.start.astimezone(dt.UTC).isoformat(),
        "ics_href": f"{base}/calendars/bookings/{calendar}.ics",
        "manage_href": f"{base}/bookings/{token}",
        "google_href": google_link(record, directory),
        "outlook_href": outlook_link(record, directory),
        "crisis_html": _crisis(renderer, clinic),
    }


def render_confirmation(
    renderer: Renderer,
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
    return renderer.render(
        "booking/confirmation.html",
        crisis_first=mentions_crisis(note),
        **_visit(renderer, record, token, calendar_key),
    )


def render_manage(
    renderer: Renderer,
    view: ManageView,
    token: str,
    *,
    message: str | None = None,
    error: str | None = None,
    error_field: str | None = None,
    confirm_cancel: bool = False,
) -> Markup:
    """The manage page: status, calendar links, reschedule form (or whom to call), links
    paging through the times to move to, and cancelling in two steps (``confirm_cancel``:
    the second, "Cancel this appointment?"). ``error_field`` names what the error is about
    (``start``: the times to move to) so the summary links to it."""
    page = f"{renderer.base_path}/bookings/{token}"
    later = view.moves.later
    clinic = renderer.directory.clinic(view.record.clinic_id)
    slots = _slot_links(renderer, view.moves.slots)
    return renderer.render(
        "booking/manage.html",
        can_change=view.can_change,
        cutoff_hours=view.cutoff_hours,
        changes_close=spoken_time(view.cancel_by.astimezone(clinic.zone), clinic.timezone),
        next_slots=slots,
        message=message,
        error=error,
        error_field="kat-move-1" if error_field == "start" and slots else None,
        confirm_cancel=confirm_cancel,
        page_href=page,
        confirm_href=f"{page}?step=cancel",
        cancel_action=f"{page}/cancel",
        reschedule_action=f"{page}/reschedule",
        later_href=f"{page}?{urlencode({'after': later.isoformat()})}" if later else None,
        earliest_href=page if view.moves.paged else None,
        next_steps=[renderer.directory.service(step) for step in view.next_steps],
        next_action=f"{page}/next",
        **_visit(renderer, view.record, token, view.calendar_key),
    )
