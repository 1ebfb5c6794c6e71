"""The staff day sheet: ``/staff/day/{link}``, opened with ``kat-widgets staff-link``.

One clinic's day of bookings with names, and plain forms to mark a visit or cancel it for the
client (who is told). The link stands for a key with every scope for its one clinic, for a few
hours; each action is audited under the link's id. Works without JavaScript; English (staff).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from anyio import to_thread
from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from kat_widgets.booking.day_sheet import day_sheet
from kat_widgets.booking.staff_keys import StaffKey
from kat_widgets.errors import BookingConflictError, ValidationError
from kat_widgets.fragments.staff import render_day_sheet
from kat_widgets.fragments.widgets import FragmentView
from kat_widgets.web.context import AnyRequest, KatContext
from kat_widgets.web.errors import PAGE
from kat_widgets.web.responses import fragment_response

__all__ = ["ROUTES"]

_PRIVATE = {"Cache-Control": "no-store"}
"""(The site-wide ``Referrer-Policy: same-origin`` keeps the link from other sites; no-referrer
would make the forms post ``Origin: null``, which the origin check refuses.)"""
_DONE = {
    "attended": "Marked attended.",
    "no-show": "Marked no-show.",
    "completed": "Marked completed.",
    "cancelled": "Cancelled; the client is being told.",
    "approved": "Approved; the client is being told.",
    "declined": "Declined; the client is being told.",
}


def _page(
    request: AnyRequest,
    kat: KatContext,
    key: StaffKey,
    token: str,
    date: str | None,
    *,
    message: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response[str]:
    clinic_id = key.clinics[0]
    sheet = day_sheet(kat.staff, key, clinic_id, date)
    widgets = kat.widgets_for(request)  # English: day_page and _act said so first
    body = render_day_sheet(widgets.renderer, sheet, token, message=message, error=error)
    view = FragmentView(
        body, "staff-day", f"{widgets.directory.clinic(clinic_id).name}: day", status
    )
    return fragment_response(request, kat, view, page=True, headers=_PRIVATE)


@get("/staff/day/{token:str}", include_in_schema=False, opt=PAGE, sync_to_thread=True)
def day_page(
    request: AnyRequest,
    kat: NamedDependency[KatContext],
    token: FromPath[str],
    date: FromQuery[str | None] = None,
    done: FromQuery[str | None] = None,
) -> Response[str]:
    """The clinic's day (``?date=2027-03-09``; default today)."""
    kat.speak(request, "en")  # staff pages, their errors too, are English
    key = kat.staff.open_day_link(token)
    return _page(request, kat, key, token, date, message=_DONE.get(done or ""))


async def _act(
    request: AnyRequest, kat: KatContext, token: str, action: str, booking_id: str
) -> Response[Any]:
    kat.speak(request, "en")
    staff = kat.staff
    key = await to_thread.run_sync(staff.open_day_link, token)  # the link before the body
    form = await request.form()
    date = request.query_params.get("date")

    def run() -> Response[Any]:
        try:
            if action == "cancel":
                if form.get("confirm") != "yes":
                    raise ValidationError("Press the cancel button to cancel.", field="confirm")
                staff.cancel(key, booking_id)
                done = "cancelled"
            elif action == "decide":
                decision = form.get("decision")
                if decision not in ("approve", "decline"):
                    raise ValidationError("Press Approve or Decline.", field="decision")
                decide = staff.approve if decision == "approve" else staff.decline
                decide(key, booking_id)
                done = f"{decision}d"
            else:
                status = str(form.get("status", ""))
                staff.mark(key, booking_id, status)  # type: ignore[arg-type]  # checked there
                done = status
        except (BookingConflictError, ValidationError) as exc:
            code = 409 if isinstance(exc, BookingConflictError) else 422
            return _page(request, kat, key, token, date, error=str(exc), status=code)
        query = urlencode({"done": done, **({"date": date[:10]} if date else {})})
        where = f"{kat.prefix(request)}/staff/day/{token}?{query}"
        return Redirect(where, status_code=303, headers=_PRIVATE)

    return await to_thread.run_sync(run)


@post("/staff/day/{token:str}/bookings/{booking_id:str}/status", include_in_schema=False, opt=PAGE)
async def day_mark(
    request: AnyRequest,
    kat: NamedDependency[KatContext],
    token: FromPath[str],
    booking_id: FromPath[str],
) -> Response[Any]:
    """A status button: attended, no-show, completed; back to the day (303)."""
    return await _act(request, kat, token, "status", booking_id)


@post("/staff/day/{token:str}/bookings/{booking_id:str}/cancel", include_in_schema=False, opt=PAGE)
async def day_cancel(
    request: AnyRequest,
    kat: NamedDependency[KatContext],
    token: FromPath[str],
    booking_id: FromPath[str],
) -> Response[Any]:
    """Cancel and tell the client; back to the day (303)."""
    return await _act(request, kat, token, "cancel", booking_id)


@post("/staff/day/{token:str}/bookings/{booking_id:str}/decide", include_in_schema=False, opt=PAGE)
async def day_decide(
    request: AnyRequest,
    kat: NamedDependency[KatContext],
    token: FromPath[str],
    booking_id: FromPath[str],
) -> Response[Any]:
    """Approve or decline a request (``decision``), telling the client; back to the day."""
    return await _act(request, kat, token, "decide", booking_id)


ROUTES: list[Any] = [day_page, day_mark, day_cancel, day_decide]
