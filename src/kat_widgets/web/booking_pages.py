"""Booking as plain HTML forms (no JavaScript): the form fragment, its POST, the manage page.

Part of ``routes_booking.ROUTES``. Parse, call the booking service, render its answer: errors
are shown next to the fields, or as a page (``web.errors``) where a person navigated.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, cast

from anyio import to_thread
from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect
from markupsafe import Markup

from kat_widgets.booking import BookingRequest, ManageView
from kat_widgets.booking.models import BookingFormQuery, Language
from kat_widgets.booking.rules import parse_start
from kat_widgets.directory import Service
from kat_widgets.errors import (
    BookingConflictError,
    IntakeRouteError,
    PathwayError,
    ReferralError,
    SlotTakenError,
    StorageUnavailableError,
    ValidationError,
)
from kat_widgets.fragments.booking import render_confirmation, render_form, render_manage
from kat_widgets.fragments.widgets import FragmentView
from kat_widgets.i18n import N_, gettext
from kat_widgets.scheduling.types import Slot
from kat_widgets.web.context import AnyRequest, KatContext
from kat_widgets.web.errors import FRAGMENT, PAGE
from kat_widgets.web.queries import text_dependency
from kat_widgets.web.responses import fragment_response
from kat_widgets.web.schemas import FRAGMENT_ERRORS, LIMITED, html_answers

__all__ = ["ROUTES"]

_PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
_BLANK_FORM = {"Cache-Control": "private, no-cache", "Referrer-Policy": "no-referrer"}
"""The empty form holds nothing personal, only its idempotency key: the browser may keep it
for Back (not ``no-store``), so Back and send again replays the visitor's own booking instead
of finding "their" time taken. Answers with a name or a token stay ``no-store``."""
_DONE = {
    "cancelled": N_("Your appointment is cancelled. You can book again at any time."),
    "moved": N_("Your appointment has been moved. Please update your calendar."),
}
_TITLE = N_("Book an appointment")


def _booking_view(body: Markup, status: int = 200) -> FragmentView:
    return FragmentView(body, "booking", gettext(_TITLE), status)


def _phone(kat: KatContext) -> str:
    organization = kat.directory.organization
    return organization.phone_label(organization.phone)


@get(
    "/fragments/booking",
    summary="Booking form widget (HTML)",
    tags=["fragments"],
    sync_to_thread=False,
    media_type="text/html",
    dependencies={"params": text_dependency(BookingFormQuery)},
    responses=FRAGMENT_ERRORS,
    opt=FRAGMENT,
)
def booking_form(
    request: AnyRequest,
    kat: NamedDependency[KatContext],
    params: NamedDependency[Mapping[str, str]],
) -> Response[str]:
    """HTML fragment: the booking form for one slot (it POSTs back as a plain form).

    With no ``start`` yet, the clinic's open times for the service, each linking back here.
    """
    view = kat.widgets_for(request).fragment_view(
        "booking", params, busy_provider=kat.busy_provider, now=kat.clock()
    )
    return fragment_response(request, kat, view, headers=_BLANK_FORM)


def _form_values(form: Any) -> dict[str, str]:
    keys = (
        "clinic_id",
        "service",
        "start",
        "name",
        "email",
        "phone",
        "note",
        "consent",
        "sms_reminders",
    )
    return {key: str(form.get(key) or "") for key in (*keys, "idempotency_key", "referral")}


def _answers(form: Any, service: Service) -> dict[str, bool | str]:
    """The form's ``answers.<id>`` fields as the booking takes them (a yes-no's yes/no as
    true/false; anything else as sent, for the booking to check)."""
    found: dict[str, bool | str] = {}
    for question in service.questions:
        text = str(form.get(f"answers.{question.id}") or "")
        if text:
            yes_no = {"yes": True, "no": False} if question.kind == "yes-no" else {}
            found[question.id] = yes_no.get(text, text)
    return found


def _shown(value: bool | str) -> str:
    return ("yes" if value else "no") if isinstance(value, bool) else value


@post(
    "/fragments/booking",
    summary="Submit the booking form (HTML)",
    tags=["fragments"],
    status_code=201,
    media_type="text/html",
    responses={**FRAGMENT_ERRORS, **html_answers(409, 422), **LIMITED},
    opt=FRAGMENT,
)
async def booking_form_post(request: AnyRequest, kat: NamedDependency[KatContext]) -> Response[str]:
    """The form's POST: the confirmation, or the form again with errors next to the fields."""
    bookings = kat.booking
    widgets = kat.widgets_for(request)
    form = await request.form()
    values = _form_values(form)
    start = parse_start(values["start"])
    clinic = kat.directory.clinic(values["clinic_id"])
    service = kat.directory.service(values["service"])
    answers = _answers(form, service)
    values.update({f"answers.{key}": _shown(value) for key, value in answers.items()})
    body = BookingRequest(
        clinic_id=clinic.id,
        service=service.id,
        start=start,
        name=values["name"],
        email=values["email"] or None,
        phone=values["phone"] or None,
        note=values["note"] or None,
        consent=values["consent"] == "yes",
        sms_reminders=values["sms_reminders"] == "yes",
        # later messages and the manage page speak it too (i18n.LANGUAGES are Language's)
        language=cast(Language, widgets.lang),
        referral=values["referral"] or None,
        answers=answers or None,
    )
    key = values["idempotency_key"] or None
    # a referral's form belongs to its page: other times and "Change time" link back there
    page = f"{kat.prefix(request)}/referrals/{body.referral}" if body.referral else None

    def again(status: int, **options: Any) -> Response[str]:
        form = render_form(
            widgets.renderer, clinic, service, start, values=values, page=page, **options
        )
        return fragment_response(request, kat, _booking_view(form, status), headers=_PRIVATE)

    try:
        done = await to_thread.run_sync(lambda: bookings.book(body, idempotency_key=key))
    except SlotTakenError as exc:
        slots = [slot for slot in exc.next_slots if isinstance(slot, Slot)]
        return again(409, message=str(exc), next_slots=slots)
    except IntakeRouteError as exc:  # an answer sends them elsewhere: say why, link there
        routed = (exc.clinic_id, exc.service_id or service.id)
        return again(422, message=str(exc), routed=routed)
    except (PathwayError, ReferralError) as exc:  # about the visit, not a field to fix
        return again(422, message=str(exc))
    except ValidationError as exc:
        errors = exc.fields or {exc.field or "start": str(exc)}
        if "Idempotency-Key" in errors:  # a stale form: start again with a fresh key
            values.pop("idempotency_key", None)
            errors = {"start": gettext("Please check the form and send it again.")}
        return again(422, errors=errors)
    except StorageUnavailableError:
        message = gettext(
            "Online booking is not available right now. Please call us at {phone}."
        ).format(phone=_phone(kat))
        return again(503, message=message)
    confirmation = render_confirmation(
        widgets.renderer,
        done.booking,
        done.token,
        calendar_key=bookings.calendar_key(done.token),
        note=body.note,
    )
    return fragment_response(request, kat, _booking_view(confirmation, 201), headers=_PRIVATE)


def _after_param(value: str | None) -> dt.datetime | None:
    """The manage page's ``after`` (show times after it): an ISO date-time with offset.

    Any instant: the booking service clamps it to the times a booking may move to.
    """
    return parse_start(value, field="after", bounded=False) if value else None


def _manage(
    request: AnyRequest,
    kat: KatContext,
    view: ManageView,
    token: str,
    *,
    message: str | None = None,
    error: str | None = None,
    error_field: str | None = None,
    confirm_cancel: bool = False,
    status: int = 200,
) -> Response[str]:
    widgets = kat.widgets_for(request)
    if "lang" not in request.query_params:  # the language the visitor booked in
        kat.speak(request, view.record.language)
        widgets = widgets.with_lang(view.record.language)
    message = gettext(message) if message else None
    body = render_manage(
        widgets.renderer,
        view,
        token,
        message=message,
        error=error,
        error_field=error_field,
        confirm_cancel=confirm_cancel,
    )
    page = FragmentView(body, "booking", gettext("Your appointment"), status)
    return fragment_response(request, kat, page, page=True, headers=_PRIVATE)


@get(
    "/bookings/{token:str}",
    tags=["bookings"],
    sync_to_thread=True,
    include_in_schema=False,
    opt=PAGE,
)
def manage_page(
    request: AnyRequest,
    kat: NamedDependency[KatContext],
    token: FromPath[str],
    done: FromQuery[str | None] = None,
    after: FromQuery[str | None] = None,
    step: FromQuery[str | None] = None,
) -> Response[str]:
    """The page behind ``manage_url``: the booking, cancel and reschedule forms.

    ``after`` pages through later times to move to ("Show later times"); ``step=cancel`` is
    the second step of cancelling ("Cancel this appointment?" and its own form).
    """
    bookings = kat.booking
    problem: str | None = None
    try:
        later = _after_param(after)
    except ValidationError as exc:
        later, problem = None, str(exc)
    view = bookings.manage(token, after=later)
    if problem is not None:
        return _manage(request, kat, view, token, error=problem, status=422)
    confirm = step == "cancel"
    return _manage(request, kat, view, token, message=_DONE.get(done or ""), confirm_cancel=confirm)


def _after(request: AnyRequest, kat: KatContext, token: str, done: str) -> Redirect:
    root = kat.prefix(request)
    return Redirect(f"{root}/bookings/{token}?done={done}", status_code=303, headers=_PRIVATE)


async def _refused(
    request: AnyRequest, kat: KatContext, token: str, exc: BookingConflictError | ValidationError
) -> Response[str]:
    """The manage page again with why the change was refused (422 bad input, 409 conflict).

    Rendering reads the database (the booking, the times to move to): off the event loop.
    """
    status = 422 if isinstance(exc, ValidationError) else 409

    field = exc.field if isinstance(exc, ValidationError) else None

    def page() -> Response[str]:
        view = kat.booking.manage(token)
        return _manage(request, kat, view, token, error=str(exc), error_field=field, status=status)

    return await to_thread.run_sync(page)


@post("/bookings/{token:str}/cancel", tags=["bookings"], include_in_schema=False, opt=PAGE)
async def manage_cancel(
    request: AnyRequest, kat: NamedDependency[KatContext], token: FromPath[str]
) -> Response[Any]:
    """Plain-form cancel, the second step: it cancels only with ``confirm=yes`` (the form of
    "Cancel this appointment?"); without it, that question. Then back to the manage page
    (303), or the page with the reason."""
    bookings = kat.booking
    form = await request.form()
    if form.get("confirm") != "yes":

        def question() -> Response[str] | None:
            view = bookings.manage(token)
            if not view.can_change:  # cancelled already, or inside the cut-off: say so below
                return None
            return _manage(request, kat, view, token, confirm_cancel=True)

        asked = await to_thread.run_sync(question)
        if asked is not None:
            return asked
    try:
        await to_thread.run_sync(lambda: bookings.cancel(token))
    except BookingConflictError as exc:
        return await _refused(request, kat, token, exc)
    return _after(request, kat, token, "cancelled")


@post("/bookings/{token:str}/reschedule", tags=["bookings"], include_in_schema=False, opt=PAGE)
async def manage_reschedule(
    request: AnyRequest, kat: NamedDependency[KatContext], token: FromPath[str]
) -> Response[Any]:
    """Plain-form reschedule to the chosen ``start``."""
    bookings = kat.booking
    form = await request.form()
    seen = str(form.get("sequence") or "")
    sequence = int(seen) if seen.isdigit() and len(seen) < 10 else None
    try:
        chosen = str(form.get("start") or "")
        if not chosen:  # nothing is chosen for the visitor
            raise ValidationError(gettext("Please choose the time to move to."), field="start")
        start = parse_start(chosen)
        await to_thread.run_sync(lambda: bookings.reschedule(token, start, sequence=sequence))
    except (BookingConflictError, ValidationError) as exc:
        return await _refused(request, kat, token, exc)
    return _after(request, kat, token, "moved")


ROUTES = [booking_form, booking_form_post, manage_page, manage_cancel, manage_reschedule]
