"""The referral page: one client's later step of care, its open times, then the booking form.

``/referrals/<token>`` opens it; the times link back to it with ``?start=``, so the form
carries the token (never the person or the service in the address).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from markupsafe import Markup

from kat_widgets.booking.care import Referral
from kat_widgets.booking.rules import parse_start
from kat_widgets.fragments.booking import render_form, render_past
from kat_widgets.fragments.renderer import Renderer
from kat_widgets.fragments.scheduling import render_availability, spoken_day
from kat_widgets.scheduling.types import BusyProvider
from kat_widgets.scheduling.week import WeekQuery, open_week

__all__ = ["render_referral"]


def render_referral(
    renderer: Renderer,
    referral: Referral,
    token: str,
    page: str,
    params: Mapping[str, str],
    *,
    busy: BusyProvider,
    now: dt.datetime,
) -> Markup:
    """The page of ``referral`` (at ``page``): the form for ``params["start"]`` if it is
    still ahead, else the service and a week of its open times (``params["week"]``)."""
    directory = renderer.directory
    clinic = directory.clinic(referral.clinic_id)
    service = directory.service(referral.service_id)
    notice = Markup("")
    start_text = (params.get("start") or "").strip()
    if start_text:
        start = parse_start(start_text)
        if start > now:
            return render_form(
                renderer, clinic, service, start, values={"referral": token}, page=page
            )
        notice = render_past(renderer, clinic, start)
    query = WeekQuery.from_text(
        {"clinic": clinic.id, "service": service.id, "week": params.get("week") or ""}
    )
    times = render_availability(
        renderer, open_week(directory, query, busy=busy, now=now), page=page
    )
    return renderer.render(
        "booking/referral.html",
        clinic=clinic,
        service=service,
        until=spoken_day(referral.expires_at.astimezone(clinic.zone).date()),
        times_html=notice + times,
    )
