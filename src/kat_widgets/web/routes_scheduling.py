"""Slots API, the availability .ics feed and the availability fragment (thin handlers).

Busy times come from ``kat.busy_provider`` (see ``KatContext``): imported staff calendars by
default; bookings plug in there. "Now" comes from ``kat.clock``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from email.utils import format_datetime

import msgspec
from litestar import get
from litestar.di import NamedDependency
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


@get("/api/clinics/{clinic_id:str}/slots", tags=["scheduling"], sync_to_thread=True)
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


_FEED_LOCK = threading.Lock()
_FEED_SEEN: dict[tuple[int, str, str], tuple[str, dt.datetime]] = {}  # feed -> digest, since


@get(
    "/calendars/{clinic_id:str}/availability.ics",
    tags=["scheduling"],
    sync_to_thread=True,
    include_in_schema=True,
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
    key = (id(kat), clinic_id, f"{service_id}/{format or ''}")
    with _FEED_LOCK:
        seen = _FEED_SEEN.get(key)
        if seen is None or seen[0] != digest:
            seen = (digest, now.astimezone(dt.UTC).replace(microsecond=0))
            _FEED_SEEN[key] = seen
    etag = f'W/"{digest}"'  # weak: same open slots, though DTSTAMP may differ after a restart
    headers = {
        "ETag": etag,
        "Last-Modified": format_datetime(seen[1], usegmt=True),
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
            availability_vavailability(clinic, offered, found, stamp=seen[1], start=now, end=last)
        )
    else:
        body = availability_ics(clinic, offered, found, stamp=seen[1])
    return Response(
        body,
        media_type="text/calendar",
        headers={
            **headers,
            "Content-Disposition": f'inline; filename="{clinic_id}-{service_id}.ics"',
        },
    )


@get("/fragments/availability", tags=["fragments"], sync_to_thread=True)
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
    return Response(str(html), media_type="text/html; charset=utf-8")


ROUTES = [slots, availability_feed, availability_fragment]
