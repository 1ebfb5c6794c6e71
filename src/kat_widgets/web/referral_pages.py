"""Referral links as pages: ``/referrals/<token>`` (a later step of care for one client: its
open times, then the booking form) and the manage page's "Book: <next step>" button.

Part of ``routes_booking.ROUTES``. A link that is not valid, has expired or is for another
visit is a page with the clinic's number (``web.errors``), never a 500.
"""

from __future__ import annotations

from typing import Any

from anyio import to_thread
from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from kat_widgets.fragments.referral import render_referral
from kat_widgets.fragments.widgets import FragmentView
from kat_widgets.i18n import gettext
from kat_widgets.web.context import AnyRequest, KatContext
from kat_widgets.web.errors import PAGE
from kat_widgets.web.responses import fragment_response

__all__ = ["ROUTES"]

_PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


@get("/referrals/{token:str}", include_in_schema=False, opt=PAGE, sync_to_thread=True)
def referral_page(
    request: AnyRequest,
    kat: NamedDependency[KatContext],
    token: FromPath[str],
    start: FromQuery[str | None] = None,
    week: FromQuery[str | None] = None,
) -> Response[str]:
    """The later step a referral opens: its open times (``week``), or the form for ``start``."""
    referral = kat.booking.care.open(token)
    widgets = kat.widgets_for(request)
    body = render_referral(
        widgets.renderer,
        referral,
        token,
        f"{kat.prefix(request)}/referrals/{token}",
        {"start": start or "", "week": week or ""},
        busy=kat.busy_provider,
        now=kat.clock(),
    )
    page = FragmentView(body, "booking", gettext("Book your next step"), 200)
    return fragment_response(request, kat, page, page=True, headers=_PRIVATE)


@post("/bookings/{token:str}/next", tags=["bookings"], include_in_schema=False, opt=PAGE)
async def manage_next_step(
    request: AnyRequest, kat: NamedDependency[KatContext], token: FromPath[str]
) -> Redirect:
    """The manage page's "Book: <next step>": a referral for the booking's client, then its
    page (the service travels in the form, never in an address)."""
    form: Any = await request.form()
    service = str(form.get("service") or "")
    referral = await to_thread.run_sync(lambda: kat.booking.refer_next(token, service))
    where = f"{kat.prefix(request)}/referrals/{referral}"
    return Redirect(where, status_code=303, headers=_PRIVATE)


ROUTES = [referral_page, manage_next_step]
