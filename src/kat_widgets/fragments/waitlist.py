"""The waitlist's pages: a visitor's place on it (leave it), and an offered time (book it)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping

from markupsafe import Markup

from kat_widgets.booking.models import BookingRecord
from kat_widgets.booking.waitlist_models import WaitlistEntry
from kat_widgets.directory import Clinic, Service
from kat_widgets.fragments.environment import weekdays
from kat_widgets.fragments.renderer import Renderer
from kat_widgets.fragments.scheduling import spoken_day, spoken_time
from kat_widgets.i18n import N_, gettext

__all__ = ["render_joined", "render_offer", "render_wait", "render_waitlist_form"]


def render_wait(
    renderer: Renderer, entry: WaitlistEntry, token: str, *, message: str | None = None
) -> Markup:
    """A visitor's place on the waitlist: what for, until when, and a button to leave it."""
    directory = renderer.directory
    clinic = directory.clinic(entry.clinic_id)
    return renderer.render(
        "booking/waitlist.html",
        entry=entry,
        clinic=clinic,
        service=directory.service(entry.service_id),
        until=spoken_day(entry.expires_at.astimezone(clinic.zone).date()),
        leave_action=f"{renderer.base_path}/waitlist/{token}/cancel",
        message=message,
        crisis_html=renderer.crisis_banner(variant="inline", clinic=clinic),
    )


def render_offer(
    renderer: Renderer, entry: WaitlistEntry, record: BookingRecord, claim: str
) -> Markup:
    """An offered time: when, until when it is held, and the button that books it."""
    directory = renderer.directory
    clinic = directory.clinic(record.clinic_id)
    until = entry.offer_until or record.start
    return renderer.render(
        "booking/offer.html",
        clinic=clinic,
        service=directory.service(record.service_id),
        when=spoken_time(record.start.astimezone(clinic.zone), clinic.timezone),
        held_until=spoken_time(until.astimezone(clinic.zone), clinic.timezone),
        claim_action=f"{renderer.base_path}/waitlist/claims/{claim}",
        crisis_html=renderer.crisis_banner(variant="inline", clinic=clinic),
    )


_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_PARTS = {
    "morning": N_("Mornings (before noon)"),
    "afternoon": N_("Afternoons (noon to 5 PM)"),
    "evening": N_("Evenings (from 5 PM)"),
}


def render_waitlist_form(
    renderer: Renderer,
    clinic: Clinic,
    service: Service,
    *,
    values: Mapping[str, str | list[str]] | None = None,
    errors: Mapping[str, str] | None = None,
) -> Markup:
    """ "Tell me when a time opens": one contact, consent, the days that suit (a plain form)."""
    values = dict(values or {})
    values.setdefault("idempotency_key", secrets.token_urlsafe(16))
    chosen = values.get("days") or []
    return renderer.render(
        "booking/waitlist_form.html",
        clinic=clinic,
        service=service,
        values=values,
        errors=dict(errors or {}),
        days=[(day, weekdays((day,)), day in chosen) for day in _DAYS],
        parts=[
            (part, gettext(_PARTS[part]), part in (values.get("parts_of_day") or []))
            for part in _PARTS
        ],
        action=f"{renderer.base_path}/fragments/waitlist",
        crisis_html=renderer.crisis_banner(variant="inline", clinic=clinic),
    )


def render_joined(renderer: Renderer, entry: WaitlistEntry, token: str) -> Markup:
    """After joining: what happens next, and the private link to the place (to leave it)."""
    clinic = renderer.directory.clinic(entry.clinic_id)
    return renderer.render(
        "booking/waitlist_joined.html",
        clinic=clinic,
        service=renderer.directory.service(entry.service_id),
        until=spoken_day(entry.expires_at.astimezone(clinic.zone).date()),
        manage_href=f"{renderer.base_path}/waitlist/{token}",
        crisis_html=renderer.crisis_banner(variant="inline", clinic=clinic),
    )
