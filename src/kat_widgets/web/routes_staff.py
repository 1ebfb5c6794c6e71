"""The staff API: ``Authorization: Bearer <key>`` on every call (keys from ``kat-widgets keys
create``). No key or a wrong, revoked one: 401; a key without the scope or the clinic: 403.
The only place a visitor's name and contact leave the database, to a key with ``names:read``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from anyio import to_thread
from litestar import Response, get, post
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.handlers.base import BaseRouteHandler
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import Components, SecurityScheme
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.types import Guard

from kat_widgets.booking.care import DEFAULT_DAYS, MAX_DAYS
from kat_widgets.booking.models import BookingRecord, Outcome, StaffBookingRequest
from kat_widgets.booking.staff import StaffService
from kat_widgets.booking.staff_keys import StaffKey
from kat_widgets.web.context import AnyRequest, KatContext
from kat_widgets.web.schemas import INVALID, LIMITED, UNAVAILABLE, ErrorBody, SlotTakenOut

__all__ = ["ROUTES", "STAFF_COMPONENTS", "staff_guard"]

_SECURITY: list[dict[str, list[str]]] = [{"StaffKey": []}]
STAFF_COMPONENTS = Components(
    security_schemes={
        "StaffKey": SecurityScheme(
            type="http",
            scheme="bearer",
            description="A staff key from `kat-widgets keys create`: `kat_<id>_<secret>`.",
        )
    }
)
_PRIVATE = {"Cache-Control": "no-store"}
_REFUSED = {
    400: ResponseSpec(data_container=ErrorBody, description="The body is not what it should be"),
    401: ResponseSpec(data_container=ErrorBody, description="No key, or a wrong or revoked one"),
    403: ResponseSpec(data_container=ErrorBody, description="The key lacks the scope or clinic"),
    404: ResponseSpec(data_container=ErrorBody, description="No such clinic or booking"),
    **INVALID,
    **LIMITED,
    **UNAVAILABLE,
}
_MARK_REFUSED = {
    409: ResponseSpec(data_container=ErrorBody, description="Cancelled, or not started/ended yet"),
    **_REFUSED,
}


class StaffBookingOut(msgspec.Struct, kw_only=True, omit_defaults=True):
    """A booking as staff see it; ``name``, ``email`` and ``phone`` only with ``names:read``."""

    id: str
    clinic_id: str
    service: str
    start: str
    end: str
    status: str
    """``confirmed``, ``requested`` (waiting for approval) or ``cancelled``, or what staff
    marked: ``attended``, ``no-show``, ``completed``."""
    language: str
    client_id: str | None = None
    """The client record the booking belongs to: book on behalf or refer with it."""
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    answers: dict[str, bool | str] | None = None
    """The intake answers (with ``names:read`` only)."""


class ReferralIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Who may book what online: the client of ``booking_id``, or ``client_id``, or (neither)
    a new client."""

    clinic_id: str
    service: str
    client_id: str | None = None
    booking_id: str | None = None
    days: Annotated[int, msgspec.Meta(ge=1, le=MAX_DAYS)] = DEFAULT_DAYS
    """How long the link stays valid."""


class ReferralOut(msgspec.Struct, kw_only=True):
    url: str
    """The link to send the client (relative to this app's address); shown once."""
    client_id: str
    clinic_id: str
    service: str
    expires: str


class StaffBookingsOut(msgspec.Struct, kw_only=True):
    bookings: list[StaffBookingOut]


class StatusIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    status: Outcome


def _out(record: BookingRecord, key: StaffKey, staff: StaffService) -> StaffBookingOut:
    zone = staff.directory.clinic(record.clinic_id).zone
    names = key.may("names:read")
    return StaffBookingOut(
        id=record.id,
        clinic_id=record.clinic_id,
        service=record.service_id,
        start=record.start.astimezone(zone).isoformat(),
        end=record.end.astimezone(zone).isoformat(),
        status=record.outcome or record.status,
        language=record.language,
        client_id=record.client_id,
        name=record.name if names else None,
        email=record.email if names else None,
        phone=record.phone if names else None,
        answers=record.answers if names else None,
    )


def staff_guard(kat: KatContext) -> Guard:
    """Before anything else of a staff route (its body is not even read): the key, with the
    scope the route's ``opt["staff_scope"]`` names; the clinic is checked by the action."""

    async def guard(
        connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
    ) -> None:
        scope = handler.opt.get("staff_scope")
        if scope is None:  # Litestar's own OPTIONS answer (CORS preflight): nothing to do
            return
        authorization = connection.headers.get("authorization")
        key = await to_thread.run_sync(kat.staff.authorize, authorization, scope)
        connection.scope.setdefault("state", {})[_KEY] = key

    return guard


_KEY = "kat_staff_key"


def _key(request: AnyRequest) -> StaffKey:
    key = request.scope["state"][_KEY]
    assert isinstance(key, StaffKey)
    return key


@get(
    "/api/staff/bookings",
    summary="A clinic's bookings for a day or a range",
    tags=["staff"],
    security=_SECURITY,
    opt={"staff_scope": "bookings:read"},
    responses=_REFUSED,
    sync_to_thread=True,
)
def staff_bookings(
    request: AnyRequest,
    kat: NamedDependency[KatContext],
    clinic: FromQuery[str],
    start: FromQuery[str | None] = None,
    end: FromQuery[str | None] = None,
) -> Response[StaffBookingsOut]:
    """Bookings starting from ``start`` to ``end`` (ISO dates, the clinic's days, ``end``
    included; or date-times with an offset), by default the clinic's today; at most 31 days.
    Needs ``bookings:read`` for the clinic."""
    staff, key = kat.staff, _key(request)
    found = staff.list_bookings(key, clinic, start, end)
    body = StaffBookingsOut(bookings=[_out(record, key, staff) for record in found])
    return Response(body, headers=_PRIVATE)


@post(
    "/api/staff/bookings/{booking_id:str}/status",
    summary="Mark a visit attended, no-show or completed",
    tags=["staff"],
    security=_SECURITY,
    status_code=200,
    opt={"staff_scope": "bookings:write"},
    responses=_MARK_REFUSED,
    sync_to_thread=True,
)
def staff_mark(
    request: AnyRequest,
    kat: NamedDependency[KatContext],
    booking_id: FromPath[str],
    data: JSONBody[StatusIn],
) -> Response[StaffBookingOut]:
    """``{"status": "attended" | "no-show" | "completed"}`` for a confirmed visit that has
    started (``completed``: ended); 409 otherwise. Needs ``bookings:write``."""
    staff, key = kat.staff, _key(request)
    marked = staff.mark(key, booking_id, data.status)
    return Response(_out(marked, key, staff), headers=_PRIVATE)


@post(
    "/api/staff/bookings/{booking_id:str}/cancel",
    summary="Cancel a booking for a visitor",
    tags=["staff"],
    security=_SECURITY,
    status_code=200,
    opt={"staff_scope": "bookings:write"},
    responses={
        409: ResponseSpec(data_container=ErrorBody, description="The visit has started"),
        **_REFUSED,
    },
    sync_to_thread=True,
)
def staff_cancel(
    request: AnyRequest, kat: NamedDependency[KatContext], booking_id: FromPath[str]
) -> Response[StaffBookingOut]:
    """Cancel a visit that is still ahead, inside the visitors' online cut-off too; the visitor
    is told by email and text as when they cancel themselves (and webhooks and the clinic's
    alert follow). Again: no change. Needs ``bookings:write``."""
    staff, key = kat.staff, _key(request)
    return Response(_out(staff.cancel(key, booking_id), key, staff), headers=_PRIVATE)


_DECIDE_REFUSED = {
    409: ResponseSpec(ErrorBody, description="Not a request (any more), or it has started"),
    **_REFUSED,
}


def _decision(verb: Literal["approve", "decline"], summary: str, doc: str) -> Any:
    """``POST /api/staff/bookings/{id}/approve`` or ``.../decline``: the two decisions on a
    request share everything but the verb."""

    @post(
        f"/api/staff/bookings/{{booking_id:str}}/{verb}",
        summary=summary,
        description=doc,
        operation_id=f"ApiStaffBookingsBookingId{verb.title()}Staff{verb.title()}",
        tags=["staff"],
        security=_SECURITY,
        status_code=200,
        opt={"staff_scope": "bookings:write"},
        responses=_DECIDE_REFUSED,
        sync_to_thread=True,
    )
    def decide(
        request: AnyRequest, kat: NamedDependency[KatContext], booking_id: FromPath[str]
    ) -> Response[StaffBookingOut]:
        staff, key = kat.staff, _key(request)
        act = staff.approve if verb == "approve" else staff.decline
        return Response(_out(act(key, booking_id), key, staff), headers=_PRIVATE)

    return decide


staff_approve = _decision(
    "approve",
    "Approve a requested visit",
    "Confirm a visit of a service that `requires_approval` (status `requested`, still ahead): "
    "the visitor gets the confirmation with the calendar invitation, and the reminders. A "
    "cancelled, declined or confirmed booking, or one that has started: 409. Needs "
    "`bookings:write`.",
)
staff_decline = _decision(
    "decline",
    "Decline a requested visit",
    "Decline a requested visit: its time is freed and the visitor is told, with the number to "
    "call. Not a request (any more), or started: 409. Needs `bookings:write`.",
)


@post(
    "/api/staff/bookings",
    summary="Book on behalf of a visitor",
    tags=["staff"],
    security=_SECURITY,
    status_code=201,
    opt={"staff_scope": "bookings:write"},
    responses={
        409: ResponseSpec(SlotTakenOut, description="The time was just taken"),
        **_REFUSED,
    },
    sync_to_thread=True,
)
def staff_book(
    request: AnyRequest, kat: NamedDependency[KatContext], data: JSONBody[StaffBookingRequest]
) -> Response[StaffBookingOut]:
    """The same body as ``POST /api/bookings`` (``consent``: the visitor agreed to be
    contacted), for any service the clinic offers, phone-only ones too, plus ``client_id``
    (a later step of care for that client; their pathway rules apply). The visitor gets the
    confirmation and their manage link by email or text; the answer carries no link. Send
    ``Idempotency-Key`` to make retries safe. Needs ``bookings:write``."""
    staff, key = kat.staff, _key(request)
    idempotency_key = request.headers.get("idempotency-key")
    booked = staff.book(key, data, idempotency_key=idempotency_key)
    return Response(_out(booked, key, staff), status_code=201, headers=_PRIVATE)


@post(
    "/api/staff/referrals",
    summary="A referral link: one client books a later step online",
    tags=["staff"],
    security=_SECURITY,
    status_code=201,
    opt={"staff_scope": "bookings:write"},
    responses={
        409: ResponseSpec(ErrorBody, description="The booking has no client record"),
        **_REFUSED,
    },
    sync_to_thread=True,
)
def staff_refer(
    request: AnyRequest, kat: NamedDependency[KatContext], data: JSONBody[ReferralIn]
) -> Response[ReferralOut]:
    """A link for one client to book ``service`` at ``clinic_id`` online (phone-only services
    too), valid ``days``. The link opens that service's open times; booking with it checks
    the client's care pathway. Needs ``bookings:write``; audited as ``referrals.create``."""
    staff, key = kat.staff, _key(request)
    token, referral = staff.refer(
        key,
        data.clinic_id,
        data.service,
        client_id=data.client_id,
        booking_id=data.booking_id,
        days=data.days,
    )
    out = ReferralOut(
        url=f"{kat.prefix(request)}/referrals/{token}",
        client_id=referral.client_id,
        clinic_id=referral.clinic_id,
        service=referral.service_id,
        expires=referral.expires_at.isoformat(),
    )
    return Response(out, status_code=201, headers=_PRIVATE)


ROUTES: list[Any] = [
    staff_bookings,
    staff_mark,
    staff_cancel,
    staff_approve,
    staff_decline,
    staff_book,
    staff_refer,
]
