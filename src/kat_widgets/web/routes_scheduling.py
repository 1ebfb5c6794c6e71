"""Slots API, the availability .ics feed and the availability fragment (thin handlers).

Busy times come from ``kat.busy_provider`` (see ``KatContext``): imported staff calendars by
default; bookings plug in there. "Now" comes from ``kat.clock``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from email.utils import format_datetime

import msgspec
from litestar import get
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, FromQuery
from litestar.response import Response

from kat_widgets.errors import ValidationError
from kat_widgets.scheduling import find_slots
from kat_widgets.scheduling.ics_export import (
    availability_ics,
    availability_vavailability,
    to_ics,
)
from kat_widgets.scheduling.timeparse import parse_moment
from kat_widgets.web.context import AnyRequest, KatContext
from kat_widgets.web.responses import fragment_response
from kat_widgets.web.schemas import INVALID, NOT_FOUND

__all__ = ["ROUTES", "SlotList", "SlotOut", "availability_feed", "availability_fragment", "slots"]


class SlotOut(msgspec.Struct, kw_only=True):
    """One bookable time, ISO 8601 with the clinic's UTC offset."""

    start: dt.datetime
    end: dt.datetime


class SlotList(msgspec.Struct, kw_only=True):
    clinic_id: str
    service: str
    timezone: str
    slots: list[SlotOut]


def _need(value: str | None, field: str) -> str:
    if not value:
        raise ValidationError(f"the {field} query parameter is required", field=field)
    return value


@get(
    "/api/clinics/{clinic_id:str}/slots",
    summary="Open times for a service at a clinic",
    tags=["scheduling"],
    sync_to_thread=True,
    responses={**NOT_FOUND, **INVALID},
)
def slots(
    kat: NamedDependency[KatContext],
    clinic_id: FromPath[str],
    service: FromQuery[str | None] = None,
    start: FromQuery[str | None] = None,
    end: FromQuery[str | None] = None,
) -> SlotList:
    """Open slots of ``service`` at a clinic in ``[start, end)`` (default: the next 7 days).

    ``start``/``end`` are ISO 8601 dates or date-times; without an offset they are read in the
    clinic's zone. Unknown clinic or service: 404; bad dates or a range past the horizon: 422.
    """
    service_id = _need(service, "service")
    clinic = kat.directory.clinic(clinic_id)
    kat.directory.service(service_id)
    now = kat.clock()
    first = parse_moment(start, clinic.zone, field="start") if start else now
    last = parse_moment(end, clinic.zone, field="end") if end else first + dt.timedelta(days=7)
    if last <= first:
        raise ValidationError("end must be later than start", field="end")
    busy = kat.busy_provider(clinic_id, first, last)
    found = find_slots(
        kat.directory, clinic_id, service_id, start=first, end=last, busy=busy, now=now
    )
    return SlotList(
        clinic_id=clinic_id,
        service=service_id,
        timezone=clinic.timezone,
        slots=[SlotOut(start=slot.start, end=slot.end) for slot in found],
    )


@get(
    "/calendars/{clinic_id:str}/availability.ics",
    summary="Open times as a calendar feed (.ics)",
    tags=["scheduling"],
    sync_to_thread=True,
    media_type="text/calendar",
    responses={
        304: ResponseSpec(data_container=None, description="Unchanged since If-None-Match"),
        **NOT_FOUND,
        **INVALID,
    },
)
def availability_feed(
    request: AnyRequest,
    kat: NamedDependency[KatContext],
    clinic_id: FromPath[str],
    service: FromQuery[str | None] = None,
    format: FromQuery[str | None] = None,
) -> Response[bytes]:
    """A subscribable iCalendar feed of open slots over the service's booking horizon.

    DTSTAMP and ``Last-Modified`` are the time the open slots last changed, so an unchanged feed
    answers ``If-None-Match`` with 304. ``format=vavailability`` gives the same slots as one
    RFC 7953 VAVAILABILITY instead of transparent events.
    """
    if format not in (None, "", "events", "vavailability"):
        raise ValidationError("format must be events or vavailability", field="format")
    service_id = _need(service or "info-call", "service")
    clinic = kat.directory.clinic(clinic_id)
    offered = kat.directory.service(service_id)
    now = kat.clock()
    last = now + dt.timedelta(days=offered.policy.horizon_days)
    busy = kat.busy_provider(clinic_id, now, last)
    found = find_slots(
        kat.directory, clinic_id, service_id, start=now, end=last, busy=busy, now=now
    )
    digest = hashlib.sha256(
        "|".join(
            [format or "", *(f"{s.start.isoformat()}/{s.end.isoformat()}" for s in found)]
        ).encode()
    ).hexdigest()[:32]
    since = kat.feeds.since(f"{clinic_id}/{service_id}/{format or ''}", digest, now)
    etag = f'W/"{digest}"'  # weak: same open slots, though DTSTAMP may differ after a restart
    headers = {
        "ETag": etag,
        "Last-Modified": format_datetime(since, usegmt=True),
        "Cache-Control": "public, max-age=300",
    }
    wanted = {
        tag.strip().removeprefix("W/")
        for tag in request.headers.get("if-none-match", "").split(",")
    }
    if f'"{digest}"' in wanted or "*" in wanted:
        return Response(b"", status_code=304, headers=headers)
    if format == "vavailability":
        body = to_ics(
            availability_vavailability(clinic, offered, found, stamp=since, start=now, end=last)
        )
    else:
        body = availability_ics(clinic, offered, found, stamp=since)
    return Response(
        body,
        media_type="text/calendar",
        headers={
            **headers,
            "Content-Disposition": f'inline; filename="{clinic_id}-{service_id}.ics"',
        },
    )


@get(
    "/fragments/availability",
    summary="Open-times widget (HTML)",
    tags=["fragments"],
    sync_to_thread=True,
    media_type="text/html",
    responses={**NOT_FOUND, **INVALID},
)
def availability_fragment(
    request: AnyRequest,
    kat: NamedDependency[KatContext],
    clinic: FromQuery[str | None] = None,
    service: FromQuery[str | None] = None,
    week: FromQuery[str | None] = None,
) -> Response[str]:
    """HTML fragment: a week grid of open slots, each a link to the booking form."""
    widgets = kat.widgets_for(request)
    html = widgets.availability(
        _need(clinic, "clinic"),
        _need(service, "service"),
        week=week,
        busy_provider=kat.busy_provider,
        now=kat.clock(),
    )
    return fragment_response(request, kat, html, widget="availability", title="Open times")


ROUTES = [slots, availability_feed, availability_fragment]
