"""Slots API, the availability .ics feed and the availability fragment (thin handlers).

Busy times come from ``kat.busy_provider`` (see ``KatContext``): imported staff calendars by
default; bookings plug in there. "Now" comes from ``kat.clock``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from email.utils import format_datetime
from typing import TypeVar, cast

import msgspec
from litestar import MediaType, get
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, FromQuery
from litestar.response import Response
from litestar.serialization import encode_json

from kat_widgets.errors import ValidationError
from kat_widgets.scheduling.ics_export import (
    availability_ics,
    availability_vavailability,
    to_ics,
)
from kat_widgets.scheduling.queries import SlotsQuery, horizon_slots, open_slots
from kat_widgets.scheduling.types import busy_may_block
from kat_widgets.scheduling.week import WeekQuery
from kat_widgets.web.context import AnyRequest, KatContext, in_thread_if
from kat_widgets.web.errors import FRAGMENT
from kat_widgets.web.queries import query_dependency, text_dependency
from kat_widgets.web.responses import SafeJSONResponse, fragment_response, inert_json
from kat_widgets.web.schemas import FRAGMENT_ERRORS, INVALID, NOT_FOUND, SlotOut

__all__ = ["ROUTES", "SlotList", "SlotOut", "availability_feed", "availability_fragment", "slots"]

T = TypeVar("T")


async def _answer(kat: KatContext, answer: Callable[[], T]) -> T:
    """``answer()`` on the event loop unless reading busy times may wait on another machine
    (SQLite and calendar files do not). Computing slots anew is CPU either way, which a thread
    would not take off the GIL."""
    return await in_thread_if(busy_may_block(kat.busy_provider), answer)


class SlotList(msgspec.Struct, kw_only=True):
    clinic_id: str
    service: str
    timezone: str
    slots: list[SlotOut]


@get(
    "/api/clinics/{clinic_id:str}/slots",
    summary="Open times for a service at a clinic",
    tags=["scheduling"],
    dependencies={"asked": query_dependency(SlotsQuery, path=("clinic_id",))},
    responses={**NOT_FOUND, **INVALID},
)
async def slots(
    kat: NamedDependency[KatContext], asked: NamedDependency[SlotsQuery]
) -> Response[SlotList]:
    """Open slots of ``service`` at a clinic in ``[start, end)`` (default: the next 7 days).

    ``start``/``end`` are ISO 8601 dates or date-times; without an offset they are read in the
    clinic's zone. Unknown clinic or service: 404; bad dates or a range past the horizon: 422.
    """
    return await _answer(kat, lambda: _slot_list(kat, asked))


def _slot_list(kat: KatContext, asked: SlotsQuery) -> Response[SlotList]:
    found = open_slots(
        kat.directory, asked, busy=kat.busy_provider, now=kat.clock(), cache=kat.slot_cache
    )
    clinic, service = found.clinic, found.service

    def write() -> bytes:
        listed = SlotList(
            clinic_id=clinic.id,
            service=service.id,
            timezone=clinic.timezone,
            slots=[SlotOut(start=slot.start, end=slot.end) for slot in found.slots],
        )
        return inert_json(encode_json(listed))

    # the key names exactly these slots: the same ones asked again are the same bytes,
    # neither built nor encoded again (~30 us of a 14-day list, #14)
    body = kat.feeds.keyed(f"slots|{clinic.id}|{service.id}|{clinic.timezone}|{found.key}", write)
    return cast("Response[SlotList]", SafeJSONResponse(body, media_type=MediaType.JSON))


@get(
    "/calendars/{clinic_id:str}/availability.ics",
    summary="Open times as a calendar feed (.ics)",
    tags=["scheduling"],
    media_type="text/calendar",
    responses={
        304: ResponseSpec(data_container=None, description="Unchanged since If-None-Match"),
        **NOT_FOUND,
        **INVALID,
    },
)
async def availability_feed(
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
    wanted = request.headers.get("if-none-match", "")
    return await _answer(kat, lambda: _feed(kat, clinic_id, service, format, wanted))


def _feed(
    kat: KatContext, clinic_id: str, service: str | None, format: str | None, if_none_match: str
) -> Response[bytes]:
    now = kat.clock()
    feed = horizon_slots(
        kat.directory,
        clinic_id,
        service or "info-call",
        busy=kat.busy_provider,
        now=now,
        cache=kat.slot_cache,
    )
    clinic, offered, found = feed.clinic, feed.service, feed.slots
    service_id = offered.id
    # the slots' key (from the schedule version: no hashing of 900 events on a 304)
    digest = hashlib.sha256(f"{format or ''}|{feed.key}".encode()).hexdigest()[:32]
    feed_name = f"{clinic_id}/{service_id}/{format or ''}"
    since = kat.feeds.since(feed_name, digest, now)
    etag = f'W/"{digest}"'  # weak: same open slots, though DTSTAMP may differ after a restart
    headers = {
        "ETag": etag,
        "Last-Modified": format_datetime(since, usegmt=True),
        "Cache-Control": "public, max-age=300",
    }
    wanted = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    if f'"{digest}"' in wanted or "*" in wanted:
        return Response(b"", status_code=304, headers=headers)

    organizer = kat.settings.mail_from  # the clinic's ORGANIZER (PUBLISH asks for one)

    def write() -> bytes:
        if format == "vavailability":
            return to_ics(
                availability_vavailability(
                    clinic,
                    offered,
                    found,
                    stamp=since,
                    start=now,
                    end=feed.end,
                    organizer_email=organizer,
                )
            )
        return availability_ics(clinic, offered, found, stamp=since, organizer_email=organizer)

    # the same open slots, the same bytes (written once, not for every subscriber's poll)
    body = kat.feeds.body(feed_name, digest, write)
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
    media_type="text/html",
    dependencies={"params": text_dependency(WeekQuery)},
    responses=FRAGMENT_ERRORS,
    opt=FRAGMENT,
)
async def availability_fragment(
    request: AnyRequest,
    kat: NamedDependency[KatContext],
    params: NamedDependency[Mapping[str, str]],
) -> Response[str]:
    """HTML fragment: a week grid of open slots, each a link to the booking form."""
    widgets = kat.widgets_for(request)
    view = await _answer(
        kat,
        lambda: widgets.fragment_view(
            "availability", params, busy_provider=kat.busy_provider, now=kat.clock()
        ),
    )
    return fragment_response(request, kat, view)


ROUTES = [slots, availability_feed, availability_fragment]
