"""Booking JSON API and calendar files: thin handlers over ``kat_widgets.booking``.

Litestar decodes the bodies (so OpenAPI documents them); a route-level handler turns a body of
the wrong shape into the contract's 422 naming the field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

import msgspec
from anyio import to_thread
from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import ClientException
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, JSONBody

from kat_widgets.booking import BookingRecord, BookingRequest, RescheduleRequest
from kat_widgets.booking.calendar import booking_ics, google_link, outlook_link, staff_feed_ics
from kat_widgets.directory import Directory
from kat_widgets.errors import NotFoundError, ValidationError
from kat_widgets.web import booking_pages, referral_pages, routes_intake
from kat_widgets.web.context import AnyRequest, KatContext
from kat_widgets.web.errors import json_error
from kat_widgets.web.json_depth import JsonTooDeep
from kat_widgets.web.responses import safe_http_error
from kat_widgets.web.schemas import (
    INVALID,
    LIMITED,
    NOT_FOUND,
    UNAVAILABLE,
    ErrorBody,
    SlotTakenOut,
)

__all__ = ["ROUTES"]

T = TypeVar("T")
_FIELD_NAMES = {"clinic_id", "service", "start", "name", "email", "phone", "note", "consent"}


class BookingOut(msgspec.Struct, kw_only=True):
    """A booking as its owner sees it; times in ISO 8601 with the clinic's offset."""

    id: str
    clinic_id: str
    service: str
    start: str
    end: str
    status: str


class CalendarLinks(msgspec.Struct, kw_only=True):
    google: str
    outlook: str


class BookingAnswer(msgspec.Struct, kw_only=True):
    """``POST /api/bookings`` and the manage endpoints answer with this."""

    booking: BookingOut
    manage_url: str
    """The visitor's secret link: view, cancel, move. Show it only to them."""
    ics_url: str
    """The visit as an .ics file, by a read-only key: it cannot change the booking."""
    add_to_calendar: CalendarLinks
    cancel_by: str
    """Online cancel/reschedule closes at this time; after it, visitors call the clinic."""


async def _run(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    return await to_thread.run_sync(lambda: fn(*args, **kwargs))


def _local(value: dt.datetime, directory: Directory, clinic_id: str) -> str:
    return value.astimezone(directory.clinic(clinic_id).zone).isoformat()


def booking_out(record: BookingRecord, directory: Directory) -> BookingOut:
    return BookingOut(
        id=record.id,
        clinic_id=record.clinic_id,
        service=record.service_id,
        start=_local(record.start, directory, record.clinic_id),
        end=_local(record.end, directory, record.clinic_id),
        status=record.status,
    )


def answer_for(
    request: AnyRequest, kat: KatContext, record: BookingRecord, token: str
) -> BookingAnswer:
    base = kat.prefix(request)
    bookings = kat.booking
    return BookingAnswer(
        booking=booking_out(record, kat.directory),
        manage_url=f"{base}/bookings/{token}",
        ics_url=f"{base}/calendars/bookings/{bookings.calendar_key(token)}.ics",
        add_to_calendar=CalendarLinks(
            google=google_link(record, kat.directory),
            outlook=outlook_link(record, kat.directory),
        ),
        cancel_by=_local(bookings.cancel_by(record), kat.directory, record.clinic_id),
    )


def _body_invalid(request: AnyRequest, exc: ClientException) -> Response[Any]:
    """Litestar's 400 for a body of the wrong shape, as our 422 naming the field.

    Every other client error (413 too large, 408 too slow, 429 too many) keeps its own status.
    """
    if exc.status_code != 400:
        return safe_http_error(request, exc)
    if isinstance(exc, JsonTooDeep):
        return json_error(422, exc.detail)
    extra = exc.extra if isinstance(exc.extra, list) else []
    first = extra[0] if extra and isinstance(extra[0], dict) else {}
    key = str(first.get("key", "")).split(".")[0]
    message = str(first.get("message") or "The request body must be a JSON object.")
    field = key if key in _FIELD_NAMES else None
    detail = f"{key}: {message}" if key else message
    return json_error(422, detail, **({"field": field} if field else {}))


_CONFLICT = {409: ResponseSpec(ErrorBody, description="Inside the cut-off: call the clinic")}


@post(
    "/api/bookings",
    summary="Book an appointment",
    tags=["bookings"],
    status_code=201,
    exception_handlers={ClientException: _body_invalid},
    responses={
        409: ResponseSpec(SlotTakenOut, description="The slot was just taken"),
        422: ResponseSpec(ErrorBody, description="Invalid input, per field"),
        503: ResponseSpec(ErrorBody, description="Database unreachable; call the clinic"),
        **LIMITED,
    },
)
async def create_booking(
    request: AnyRequest, data: JSONBody[BookingRequest], kat: NamedDependency[KatContext]
) -> Response[BookingAnswer]:
    """Book a slot. Send ``Idempotency-Key`` to make retries safe (same key: first result)."""
    bookings = kat.booking
    key = request.headers.get("idempotency-key")
    confirmation = await _run(bookings.book, data, idempotency_key=key)
    headers = {"Idempotent-Replayed": "true"} if confirmation.replayed else {}
    return Response(
        answer_for(request, kat, confirmation.booking, confirmation.token),
        status_code=201,
        headers={**headers, "Cache-Control": "no-store"},
    )


@get(
    "/api/bookings/{token:str}",
    summary="View a booking",
    tags=["bookings"],
    responses={**NOT_FOUND, **UNAVAILABLE},
)
async def view_booking(
    request: AnyRequest, token: FromPath[str], kat: NamedDependency[KatContext]
) -> Response[BookingAnswer]:
    """The booking a manage token opens (404 for any unknown token)."""
    record = await _run(kat.booking.view, token)
    return _booking_response(request, kat, record, token)


@post(
    "/api/bookings/{token:str}/cancel",
    summary="Cancel a booking",
    tags=["bookings"],
    status_code=200,
    responses={**NOT_FOUND, **_CONFLICT, **UNAVAILABLE},
)
async def cancel_booking(
    request: AnyRequest, token: FromPath[str], kat: NamedDependency[KatContext]
) -> Response[BookingAnswer]:
    """Cancel; refused (409) inside the cut-off, with the number to call."""
    record = await _run(kat.booking.cancel, token)
    return _booking_response(request, kat, record, token)


@post(
    "/api/bookings/{token:str}/reschedule",
    summary="Move a booking to another time",
    tags=["bookings"],
    status_code=200,
    exception_handlers={ClientException: _body_invalid},
    responses={
        409: ResponseSpec(SlotTakenOut, description="Taken, or inside the cut-off"),
        **NOT_FOUND,
        **INVALID,
        **UNAVAILABLE,
    },
)
async def reschedule_booking(
    request: AnyRequest,
    token: FromPath[str],
    data: JSONBody[RescheduleRequest],
    kat: NamedDependency[KatContext],
) -> Response[BookingAnswer]:
    """Move to another current slot: body ``{"start": "..."}``; 409 if it was just taken.

    Send the booking's ``ETag`` as ``If-Match`` (or ``sequence`` in the body): if the booking
    changed since (another tab moved it), 409 instead of a second move.
    """
    sequence = data.sequence if data.sequence is not None else _if_match(request)
    record = await _run(kat.booking.reschedule, token, data.start, sequence=sequence)
    return _booking_response(request, kat, record, token)


def _if_match(request: AnyRequest) -> int | None:
    """The sequence an ``If-Match: "3"`` header names (``None``: no condition)."""
    value = request.headers.get("if-match", "").strip().removeprefix("W/").strip('"')
    if not value or value == "*":
        return None
    if not value.isdigit() or len(value) > 9:
        raise ValidationError('If-Match must be the booking\'s ETag, such as "3"', field="If-Match")
    return int(value)


def _booking_response(
    request: AnyRequest, kat: KatContext, record: BookingRecord, token: str, status: int = 200
) -> Response[BookingAnswer]:
    """The answer, with the booking's sequence as its ``ETag`` (for ``If-Match``)."""
    return Response(
        answer_for(request, kat, record, token),
        status_code=status,
        headers={"Cache-Control": "no-store", "ETag": f'"{record.sequence}"'},
    )


def _ics(filename: str) -> str:
    if not filename.endswith(".ics"):
        raise NotFoundError("Calendar files end in .ics.")
    return filename.removesuffix(".ics")


@get(
    "/calendars/bookings/{filename:str}",
    summary="A visitor's appointment as a calendar file (.ics)",
    tags=["calendars"],
    media_type="text/calendar",
    responses={**NOT_FOUND, **UNAVAILABLE},
)
async def booking_calendar(
    filename: FromPath[str], kat: NamedDependency[KatContext]
) -> Response[bytes]:
    """The visitor's own event, no METHOD (an ordinary event to import, not an invitation):
    STATUS:CANCELLED with a higher SEQUENCE once cancelled."""
    bookings = kat.booking
    record = await _run(bookings.view_calendar, _ics(filename))
    body = booking_ics(record, kat.directory, now=bookings.clock())
    # the name the page's link says (the cancelled event once cancelled); Litestar adds the
    # charset, and no method= parameter: the file is not an iTIP message (RFC 5545 §3.7.2)
    name = "appointment-cancelled.ics" if record.status == "cancelled" else "appointment.ics"
    return Response(
        body,
        media_type="text/calendar",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@get(
    "/calendars/staff/{filename:str}",
    summary="Booked visits as a staff calendar feed (.ics): all, or one clinic, staff, room",
    tags=["calendars"],
    media_type="text/calendar",
    responses={**NOT_FOUND, **UNAVAILABLE},
)
async def staff_calendar(
    filename: FromPath[str], kat: NamedDependency[KatContext]
) -> Response[bytes]:
    """Booked visits for staff calendars: every booking with ``staff_feed_token``, or one
    clinic's, staff member's or room's with that feed's key (``kat-widgets calendars
    staff-feeds`` lists them); discreet titles unless ``staff_feed_names`` is on."""
    bookings = kat.booking
    feed = await _run(bookings.feeds.open, _ics(filename))
    body = staff_feed_ics(
        feed.records,
        kat.directory,
        now=bookings.clock(),
        show_names=kat.settings.staff_feed_names,
        organizer=kat.settings.mail_from,
        name=feed.scope.name,
        resources=feed.resources,
    )
    return Response(body, media_type="text/calendar", headers={"Cache-Control": "no-store"})


ROUTES = [
    *booking_pages.ROUTES,
    *referral_pages.ROUTES,
    *routes_intake.ROUTES,
    create_booking,
    view_booking,
    cancel_booking,
    reschedule_booking,
    booking_calendar,
    staff_calendar,
]
