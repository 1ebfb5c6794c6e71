"""The waitlist over HTTP: join it, see or leave one's place, claim an offered time; as JSON
(``/api/waitlist...``) and as plain pages (``/waitlist/...``, the links in messages)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec
from anyio import to_thread
from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, JSONBody
from litestar.response import Redirect
from markupsafe import Markup

from kat_widgets.booking.waitlist_models import WaitlistEntry, WaitlistFormQuery, WaitlistRequest
from kat_widgets.errors import ValidationError, split_validation_error
from kat_widgets.fragments.booking import render_confirmation
from kat_widgets.fragments.waitlist import (
    render_joined,
    render_offer,
    render_wait,
    render_waitlist_form,
)
from kat_widgets.fragments.widgets import FragmentView
from kat_widgets.i18n import N_, gettext
from kat_widgets.web.context import AnyRequest, KatContext
from kat_widgets.web.errors import FRAGMENT, PAGE
from kat_widgets.web.queries import text_dependency
from kat_widgets.web.responses import fragment_response
from kat_widgets.web.routes_booking import BookingAnswer, answer_for
from kat_widgets.web.schemas import (
    FRAGMENT_ERRORS,
    INVALID,
    LIMITED,
    NOT_FOUND,
    UNAVAILABLE,
    ErrorBody,
    html_answers,
)

__all__ = ["ROUTES"]

_PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
_LEFT = N_("You have left the waitlist.")
_WAITLIST = N_("Tell me when a time opens")
_CHECK = N_("Please check this date, e.g. 2027-03-09.")
_FORM = {"Cache-Control": "private, no-cache", "Referrer-Policy": "no-referrer"}


class WaitlistOut(msgspec.Struct, kw_only=True, omit_defaults=True):
    id: str
    status: str
    """``waiting``, ``offered`` (a time is held for them: see the message we sent), ``booked``,
    ``cancelled`` or ``expired``."""
    expires: str
    clinic_id: str
    service: str
    offer_until: str | None = None


class WaitlistAnswer(msgspec.Struct, kw_only=True, omit_defaults=True):
    waitlist: WaitlistOut
    manage_url: str | None = None
    """The visitor's secret link to their place (leave the list); shown once, to them."""


def _out(entry: WaitlistEntry) -> WaitlistOut:
    return WaitlistOut(
        id=entry.id,
        status=entry.status,
        expires=entry.expires_at.isoformat(),
        clinic_id=entry.clinic_id,
        service=entry.service_id,
        offer_until=entry.offer_until.isoformat() if entry.offer_until else None,
    )


@post(
    "/api/waitlist",
    summary="Wait for a time to open",
    tags=["waitlist"],
    status_code=201,
    responses={**INVALID, **NOT_FOUND, **UNAVAILABLE, **LIMITED},
)
async def join_waitlist(
    request: AnyRequest, kat: NamedDependency[KatContext], data: JSONBody[WaitlistRequest]
) -> Response[WaitlistAnswer]:
    """One contact, consent, and the days that suit (``earliest``, ``latest``, ``days``). When a
    matching time frees up, the first visitor waiting gets a link that books it, held for them
    for 30 minutes. The place lasts 30 days."""
    waitlist = kat.booking.waitlist
    entry, token = await to_thread.run_sync(waitlist.join, data)
    answer = WaitlistAnswer(
        waitlist=_out(entry), manage_url=f"{kat.prefix(request)}/waitlist/{token}"
    )
    return Response(answer, status_code=201, headers=_PRIVATE)


@get(
    "/api/waitlist/{token:str}",
    summary="A place on the waitlist",
    tags=["waitlist"],
    responses=NOT_FOUND,
)
async def view_waitlist(
    kat: NamedDependency[KatContext], token: FromPath[str]
) -> Response[WaitlistAnswer]:
    """The place a waitlist token opens: its status (``offered`` while a time is held for it,
    until ``offer_until``) and when it ends; 404 for any unknown token."""
    entry = await to_thread.run_sync(kat.booking.waitlist.view, token)
    return Response(WaitlistAnswer(waitlist=_out(entry)), headers=_PRIVATE)


@post(
    "/api/waitlist/{token:str}/cancel",
    summary="Leave the waitlist",
    tags=["waitlist"],
    status_code=200,
    responses={**NOT_FOUND, **LIMITED},
)
async def leave_waitlist(
    kat: NamedDependency[KatContext], token: FromPath[str]
) -> Response[WaitlistAnswer]:
    """Leave the list (again: no change); a time held for this place goes to the next."""
    entry = await to_thread.run_sync(kat.booking.waitlist.cancel, token)
    return Response(WaitlistAnswer(waitlist=_out(entry)), headers=_PRIVATE)


@post(
    "/api/waitlist/claims/{claim:str}",
    summary="Book the time a waitlist offer holds",
    tags=["waitlist"],
    status_code=201,
    responses={
        409: ResponseSpec(ErrorBody, description="Already booked with this link, or passed"),
        **NOT_FOUND,
        **LIMITED,
    },
)
async def claim_offer(
    request: AnyRequest, kat: NamedDependency[KatContext], claim: FromPath[str]
) -> Response[BookingAnswer]:
    """The offer's time becomes the visitor's booking (201, as ``POST /api/bookings``); once
    only: a second claim, or one after the offer passed, is 409."""
    done = await to_thread.run_sync(kat.booking.waitlist.claim, claim)
    return Response(
        answer_for(request, kat, done.booking, done.token), status_code=201, headers=_PRIVATE
    )


# -- the widget ----------------------------------------------------------------------------------


@get(
    "/fragments/waitlist",
    summary="Waitlist widget (HTML)",
    tags=["fragments"],
    sync_to_thread=False,
    media_type="text/html",
    dependencies={"params": text_dependency(WaitlistFormQuery)},
    responses=FRAGMENT_ERRORS,
    opt=FRAGMENT,
)
def waitlist_form(
    request: AnyRequest,
    kat: NamedDependency[KatContext],
    params: NamedDependency[Mapping[str, str]],
) -> Response[str]:
    """HTML fragment: "Tell me when a time opens" for ``service`` at ``clinic`` (it POSTs
    back as a plain form)."""
    view = kat.widgets_for(request).fragment_view("waitlist", params)
    return fragment_response(request, kat, view, headers=_FORM)


@post(
    "/fragments/waitlist",
    summary="Submit the waitlist form (HTML)",
    tags=["fragments"],
    status_code=201,
    media_type="text/html",
    responses={**FRAGMENT_ERRORS, **html_answers(422), **LIMITED},
    opt=FRAGMENT,
)
async def waitlist_form_post(
    request: AnyRequest, kat: NamedDependency[KatContext]
) -> Response[str]:
    """The form's POST: "You are on the waitlist" with the private link, or the form again
    with errors next to the fields."""
    form = await request.form()
    values: dict[str, Any] = {
        key: str(form.get(key) or "")
        for key in ("clinic_id", "service", "email", "phone", "earliest", "latest", "consent")
    }
    values["days"] = [str(day) for day in form.getall("days", [])]
    values["parts_of_day"] = [str(part) for part in form.getall("parts_of_day", [])]
    widgets = kat.widgets_for(request)
    clinic = kat.directory.clinic(values["clinic_id"])
    service = kat.directory.service(values["service"])

    def again(errors: dict[str, str]) -> Response[str]:
        body = render_waitlist_form(widgets.renderer, clinic, service, values=values, errors=errors)
        page = FragmentView(body, "waitlist", gettext(_WAITLIST), 422)
        return fragment_response(request, kat, page, headers=_PRIVATE)

    try:
        wanted = msgspec.convert(
            {
                "clinic_id": clinic.id,
                "service": service.id,
                "email": values["email"] or None,
                "phone": values["phone"] or None,
                "consent": values["consent"] == "yes",
                "earliest": values["earliest"] or None,
                "latest": values["latest"] or None,
                "days": values["days"],
                "parts_of_day": values["parts_of_day"],
                "lang": widgets.lang,
            },
            WaitlistRequest,
        )
    except msgspec.ValidationError as exc:
        field = split_validation_error(exc)[0].split("[")[0]
        return again({field if field in values else "earliest": gettext(_CHECK)})
    try:
        entry, token = await to_thread.run_sync(kat.booking.waitlist.join, wanted)
    except ValidationError as exc:
        return again(exc.fields or {exc.field or "email": str(exc)})
    body = render_joined(widgets.renderer, entry, token)
    page = FragmentView(body, "waitlist", gettext(_WAITLIST), 201)
    return fragment_response(request, kat, page, headers=_PRIVATE)


# -- pages (the links in messages) --------------------------------------------------------------


def _page(
    request: AnyRequest, kat: KatContext, body: Markup, title: str, status: int = 200
) -> Response[str]:
    page = FragmentView(body, "booking", gettext(title), status)
    return fragment_response(request, kat, page, page=True, headers=_PRIVATE)


@get("/waitlist/{token:str}", include_in_schema=False, opt=PAGE, sync_to_thread=True)
def waitlist_page(
    request: AnyRequest, kat: NamedDependency[KatContext], token: FromPath[str]
) -> Response[str]:
    """A visitor's place: what for, until when, and "Leave the waitlist"."""
    entry = kat.booking.waitlist.view(token)
    widgets = kat.widgets_for(request)
    message = gettext(_LEFT) if request.query_params.get("done") == "left" else None
    body = render_wait(widgets.renderer, entry, token, message=message)
    return _page(request, kat, body, N_("Your place on the waitlist"))


@post("/waitlist/{token:str}/cancel", include_in_schema=False, opt=PAGE)
async def waitlist_leave(
    request: AnyRequest, kat: NamedDependency[KatContext], token: FromPath[str]
) -> Redirect:
    await to_thread.run_sync(kat.booking.waitlist.cancel, token)
    where = f"{kat.prefix(request)}/waitlist/{token}?done=left"
    return Redirect(where, status_code=303, headers=_PRIVATE)


@get("/waitlist/claims/{claim:str}", include_in_schema=False, opt=PAGE, sync_to_thread=True)
def offer_page(
    request: AnyRequest, kat: NamedDependency[KatContext], claim: FromPath[str]
) -> Response[str]:
    """The offered time and one button (opening the link books nothing by itself)."""
    entry, record = kat.booking.waitlist.offered(claim)
    widgets = kat.widgets_for(request)
    body = render_offer(widgets.renderer, entry, record, claim)
    return _page(request, kat, body, N_("A time has opened for you"))


@post("/waitlist/claims/{claim:str}", include_in_schema=False, opt=PAGE)
async def offer_claim(
    request: AnyRequest, kat: NamedDependency[KatContext], claim: FromPath[str]
) -> Response[str]:
    bookings = kat.booking
    done = await to_thread.run_sync(bookings.waitlist.claim, claim)
    widgets = kat.widgets_for(request)
    body = render_confirmation(
        widgets.renderer, done.booking, done.token, calendar_key=bookings.calendar_key(done.token)
    )
    return _page(request, kat, body, N_("Book an appointment"), 201)


ROUTES: list[Any] = [
    waitlist_form,
    waitlist_form_post,
    join_waitlist,
    view_waitlist,
    leave_waitlist,
    claim_offer,
    waitlist_page,
    waitlist_leave,
    offer_page,
    offer_claim,
]
