"""Booking as plain HTML forms (no JavaScript): the form fragment, its POST, the manage page.

Part of ``routes_booking.ROUTES``. Errors are rendered as HTML next to the fields.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from anyio import to_thread
from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect
from markupsafe import Markup

from kat_widgets.booking import BookingRequest, BookingService, ManageView
from kat_widgets.booking.rules import online_service, parse_start
from kat_widgets.errors import (
    BookingConflictError,
    NotFoundError,
    SlotTakenError,
    StorageUnavailableError,
    ValidationError,
)
from kat_widgets.fragments import Widgets
from kat_widgets.fragments.booking import render_confirmation, render_form, render_manage
from kat_widgets.scheduling.types import Slot
from kat_widgets.web.context import AnyRequest, KatContext
from kat_widgets.web.responses import fragment_response
from kat_widgets.web.schemas import (
    INVALID,
    LIMITED,
    NOT_FOUND,
    UNAVAILABLE,
    html_answers,
)

__all__ = ["ROUTES"]

_HTML = "text/html"
_PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
_DONE = {
    "cancelled": "Your appointment is cancelled. You can book again at any time.",
    "moved": "Your appointment has been moved. Please update your calendar.",
}


def _html(body: Markup | str, status: int = 200) -> Response[str]:
    return Response(str(body), media_type=_HTML, status_code=status, headers=_PRIVATE)


def _fragment(
    request: AnyRequest, kat: KatContext, body: Markup, status: int = 200
) -> Response[str]:
    """The fragment alone for hosts that fetch it; a whole page when a browser navigates to it
    (a link from the availability grid, a plain form POST, an iframe)."""
    return fragment_response(
        request,
        kat,
        body,
        widget="booking",
        title="Book an appointment",
        status_code=status,
        headers=_PRIVATE,
    )


def _page(widgets: Widgets, body: Markup, title: str, status: int = 200) -> Response[str]:
    page = widgets.render("embed/page.html", fragment=body, widget="booking", title=title)
    return _html(page, status)


def _service(kat: KatContext) -> BookingService:
    if kat.bookings is None:
        raise NotFoundError("Online booking is not enabled here.")
    return kat.bookings


def _phone(kat: KatContext) -> str:
    organization = kat.directory.organization
    return organization.phone_label(organization.phone)


@get(
    "/fragments/booking",
    summary="Booking form widget (HTML)",
    tags=["fragments"],
    sync_to_thread=False,
    media_type="text/html",
    responses={**NOT_FOUND, **INVALID, **UNAVAILABLE},
)
def booking_form(
    request: AnyRequest,
    kat: NamedDependency[KatContext],
    clinic: FromQuery[str | None] = None,
    service: FromQuery[str | None] = None,
    start: FromQuery[str | None] = None,
) -> Response[str]:
    """HTML fragment: the booking form for one slot (it POSTs back as a plain form).

    With no ``start`` yet, the clinic's open times for the service, each linking back here.
    """
    if not clinic or not service:
        raise ValidationError("the clinic and service query parameters are required")
    if not (start or "").strip():
        widgets = kat.widgets_for(request)
        grid = widgets.availability(
            clinic, service, busy_provider=kat.busy_provider, now=kat.clock()
        )
        return fragment_response(request, kat, grid, widget="availability", title="Open times")
    online_service(kat.directory, clinic, service)
    widgets = kat.widgets_for(request)
    return _fragment(request, kat, render_form(widgets, clinic, service, parse_start(start)))


def _form_values(form: Any) -> dict[str, str]:
    keys = ("clinic_id", "service", "start", "name", "email", "phone", "note", "consent")
    return {key: str(form.get(key) or "") for key in (*keys, "idempotency_key")}


@post(
    "/fragments/booking",
    summary="Submit the booking form (HTML)",
    tags=["fragments"],
    status_code=201,
    media_type="text/html",
    responses={
        **html_answers(409, 422),
        **NOT_FOUND,
        **INVALID,
        **LIMITED,
        **UNAVAILABLE,
    },
)
async def booking_form_post(request: AnyRequest, kat: NamedDependency[KatContext]) -> Response[str]:
    """The form's POST: the confirmation, or the form again with errors next to the fields."""
    bookings = _service(kat)
    widgets = kat.widgets_for(request)
    values = _form_values(await request.form())
    start = parse_start(values["start"])
    clinic_id, service_id = values["clinic_id"], values["service"]
    kat.directory.clinic(clinic_id)
    kat.directory.service(service_id)
    body = BookingRequest(
        clinic_id=clinic_id,
        service=service_id,
        start=start,
        name=values["name"],
        email=values["email"] or None,
        phone=values["phone"] or None,
        note=values["note"] or None,
        consent=values["consent"] == "yes",
    )
    key = values["idempotency_key"] or None

    def again(status: int, **options: Any) -> Response[str]:
        form = render_form(widgets, clinic_id, service_id, start, values=values, **options)
        return _fragment(request, kat, form, status)

    try:
        done = await to_thread.run_sync(lambda: bookings.book(body, idempotency_key=key))
    except SlotTakenError as exc:
        slots = [slot for slot in exc.next_slots if isinstance(slot, Slot)]
        return again(409, message=str(exc), next_slots=slots)
    except ValidationError as exc:
        errors = exc.fields or {exc.field or "start": str(exc)}
        if "Idempotency-Key" in errors:  # a stale form: start again with a fresh key
            values.pop("idempotency_key", None)
            errors = {"start": "Please check the form and send it again."}
        return again(422, errors=errors)
    except StorageUnavailableError:
        message = f"Online booking is not available right now. Please call us at {_phone(kat)}."
        return again(503, message=message)
    confirmation = render_confirmation(
        widgets,
        done.booking,
        done.token,
        calendar_key=bookings.calendar_key(done.token),
        note=body.note,
    )
    return _fragment(request, kat, confirmation, 201)


def _after_param(value: str | None) -> dt.datetime | None:
    """The manage page's ``after`` (show times after it): an ISO date-time with offset."""
    if not value:
        return None
    try:
        after = dt.datetime.fromisoformat(value)
    except ValueError:
        after = None
    if after is None or after.tzinfo is None:
        raise ValidationError("after must be an ISO 8601 date-time with a UTC offset")
    return after


def _manage(
    kat: KatContext,
    widgets: Widgets,
    view: ManageView,
    token: str,
    *,
    message: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response[str]:
    page = f"{widgets.base_path}/bookings/{token}"
    later = view.moves.later
    body = render_manage(
        widgets,
        view.record,
        token,
        calendar_key=view.calendar_key,
        can_change=view.can_change,
        cutoff_hours=view.cutoff_hours,
        next_slots=view.moves.slots,
        message=message,
        error=error,
        later_href=page + "?" + urlencode({"after": later.isoformat()}) if later else None,
        earliest_href=page if view.moves.paged else None,
    )
    return _page(widgets, body, "Your appointment", status)


def _not_found(kat: KatContext, widgets: Widgets) -> Response[str]:
    body = Markup(
        "<section class='kat-widget kat-booking'><h1>Booking not found</h1>"
        "<p>We could not find a booking for this link. Please call us at {}.</p></section>"
    ).format(_phone(kat))
    return _page(widgets, body, "Booking not found", 404)


@get("/bookings/{token:str}", tags=["bookings"], sync_to_thread=True, include_in_schema=False)
def manage_page(
    request: AnyRequest,
    kat: NamedDependency[KatContext],
    token: FromPath[str],
    done: FromQuery[str | None] = None,
    after: FromQuery[str | None] = None,
) -> Response[str]:
    """The page behind ``manage_url``: the booking, cancel and reschedule forms.

    ``after`` pages through later times to move to ("Show later times").
    """
    widgets = kat.widgets_for(request)
    bookings = _service(kat)
    problem: str | None = None
    try:
        later = _after_param(after)
    except ValidationError as exc:
        later, problem = None, str(exc)
    try:
        view = bookings.manage(token, after=later)
    except NotFoundError:
        return _not_found(kat, widgets)
    if problem is not None:
        return _manage(kat, widgets, view, token, error=problem, status=422)
    return _manage(kat, widgets, view, token, message=_DONE.get(done or ""))


def _after(request: AnyRequest, kat: KatContext, token: str, done: str) -> Redirect:
    root = kat.prefix(request)
    return Redirect(f"{root}/bookings/{token}?done={done}", status_code=303, headers=_PRIVATE)


async def _refused(
    kat: KatContext, widgets: Widgets, token: str, exc: BookingConflictError | ValidationError
) -> Response[str]:
    """The manage page again with why the change was refused (422 bad input, 409 conflict).

    Rendering reads the database (the booking, the times to move to): off the event loop.
    """
    status = 422 if isinstance(exc, ValidationError) else 409

    def page() -> Response[str]:
        view = _service(kat).manage(token)
        return _manage(kat, widgets, view, token, error=str(exc), status=status)

    return await to_thread.run_sync(page)


@post("/bookings/{token:str}/cancel", tags=["bookings"], include_in_schema=False)
async def manage_cancel(
    request: AnyRequest, kat: NamedDependency[KatContext], token: FromPath[str]
) -> Response[Any]:
    """Plain-form cancel; back to the manage page (303), or the page with the reason."""
    bookings = _service(kat)
    widgets = kat.widgets_for(request)
    try:
        await to_thread.run_sync(lambda: bookings.cancel(token))
    except NotFoundError:
        return _not_found(kat, widgets)
    except BookingConflictError as exc:
        return await _refused(kat, widgets, token, exc)
    return _after(request, kat, token, "cancelled")


@post("/bookings/{token:str}/reschedule", tags=["bookings"], include_in_schema=False)
async def manage_reschedule(
    request: AnyRequest, kat: NamedDependency[KatContext], token: FromPath[str]
) -> Response[Any]:
    """Plain-form reschedule to the chosen ``start``."""
    bookings = _service(kat)
    widgets = kat.widgets_for(request)
    form = await request.form()
    try:
        start = parse_start(str(form.get("start") or ""))
        await to_thread.run_sync(lambda: bookings.reschedule(token, start))
    except NotFoundError:
        return _not_found(kat, widgets)
    except (BookingConflictError, ValidationError) as exc:
        return await _refused(kat, widgets, token, exc)
    return _after(request, kat, token, "moved")


ROUTES = [booking_form, booking_form_post, manage_page, manage_cancel, manage_reschedule]
