"""SMART Scheduling Links and a read-only FHIR R4 face over the clinics' open times (thin).

``GET /fhir/$bulk-publish`` lists NDJSON files of Locations, Schedules and each clinic's Slots
(absolute URLs, under the mount prefix); ``/fhir/Location``, ``/fhir/Schedule`` and
``/fhir/Slot`` answer FHIR searches and reads. The resources come from :mod:`kat_widgets.fhir`;
here the request is parsed, the one call made and the answer encoded. Errors on these routes
are OperationOutcomes (400 for a bad parameter, 404 for an unknown id), see :func:`fhir_errors`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from email.utils import format_datetime
from typing import Annotated, Any

from litestar import Response, Router, get
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, QueryParameter
from litestar.types import ExceptionHandlersMap

from kat_widgets.errors import NotFoundError, ValidationError
from kat_widgets.fhir import MAX_COUNT, encode, operation_outcome
from kat_widgets.fhir.bundle import Bundle, OperationOutcome
from kat_widgets.fhir.publish import (
    BulkManifest,
    clinic_slots,
    locations_file,
    manifest,
    publishing_clinics,
    schedules_file,
    slots_file,
)
from kat_widgets.fhir.resources import FhirLocation, FhirSchedule, FhirSlot, Site
from kat_widgets.fhir.server import (
    read_location,
    read_schedule,
    read_slot,
    search_locations,
    search_schedules,
    slot_bundle,
)
from kat_widgets.web.context import AnyRequest, KatContext
from kat_widgets.web.schemas import LIMITED

__all__ = ["FHIR_JSON", "NDJSON", "ROUTES", "fhir_router"]

FHIR_JSON = "application/fhir+json"
NDJSON = "application/fhir+ndjson"
_UNCHANGED = {304: ResponseSpec(data_container=None, description="Unchanged since If-None-Match")}
_BAD = {400: ResponseSpec(OperationOutcome, media_type=FHIR_JSON, description="A bad parameter")}
_UNKNOWN = {404: ResponseSpec(OperationOutcome, media_type=FHIR_JSON, description="No such id")}


_Ids = Annotated[str | None, QueryParameter(name="_id", description="Ids, comma-separated.")]


def _answer(data_container: Any, description: str, media_type: str = FHIR_JSON) -> ResponseSpec:
    return ResponseSpec(data_container, media_type=media_type, description=description)


def _base(request: AnyRequest, kat: KatContext) -> str:
    """Our absolute URL as this request reached us: scheme, host and the mount prefix."""
    url = request.url
    return f"{url.scheme}://{url.netloc}{kat.prefix(request)}"


def _site(request: AnyRequest, kat: KatContext) -> Site:
    """Where booking links point: the public URL when set, else where this request came."""
    return Site(url=kat.settings.visitor_url or _base(request, kat))


def _params(request: AnyRequest) -> dict[str, list[str]]:
    query = request.query_params
    return {name: query.getall(name) for name in query}


def _self_url(request: AnyRequest, kat: KatContext, path: str) -> str:
    query = request.url.query
    return f"{_base(request, kat)}{path}" + (f"?{query}" if query else "")


def _fhir(value: object) -> Response[bytes]:
    return Response(encode(value), media_type=FHIR_JSON)


def _cached(
    request: AnyRequest,
    kat: KatContext,
    name: str,
    key: str,
    write: Callable[[dt.datetime], bytes],
    media_type: str,
) -> Response[bytes]:
    """``write(since)``'s bytes under a weak ETag: 304 when the client has them, written once
    per content, not per poll. ``key`` names the data (``since``: when it last changed); the
    ETag also names the URLs in it, which follow the request's host."""
    data = hashlib.sha256(f"{name}|{key}".encode()).hexdigest()[:32]
    since = kat.feeds.since(name, data, kat.clock())
    site = _site(request, kat).url
    digest = hashlib.sha256(f"{data}|{_base(request, kat)}|{site}".encode()).hexdigest()[:32]
    headers = {
        "ETag": f'W/"{digest}"',
        "Last-Modified": format_datetime(since, usegmt=True),
        "Cache-Control": "public, max-age=300",  # the spec's polling hint: five minutes
    }
    asked = request.headers.get("if-none-match", "")
    wanted = {tag.strip().removeprefix("W/") for tag in asked.split(",")}
    if f'"{digest}"' in wanted or "*" in wanted:
        return Response(b"", status_code=304, headers=headers)
    body = kat.feeds.body(name, digest, lambda: write(since))
    return Response(body, media_type=media_type, headers=headers)


@get(
    "/fhir/$bulk-publish",
    summary="SMART Scheduling Links manifest",
    tags=["fhir"],
    sync_to_thread=True,
    media_type="application/json",
    responses={
        200: _answer(BulkManifest, "The manifest", "application/json"),
        **_UNCHANGED,
        **LIMITED,
    },
)
def bulk_publish(request: AnyRequest, kat: NamedDependency[KatContext]) -> Response[bytes]:
    """The entry point for slot directories: absolute URLs of the Location, Schedule and
    per-clinic Slot NDJSON files (each Slot file tagged with its state); ``transactionTime``
    is when the published data last changed. Poll it every few minutes with If-None-Match."""
    clinics = publishing_clinics(kat.directory)
    now = kat.clock()
    keys = [
        clinic_slots(
            kat.directory, clinic.id, busy=kat.busy_provider, now=now, cache=kat.slot_cache
        ).key
        for clinic in clinics
    ]
    base = _base(request, kat)

    def write(since: dt.datetime) -> bytes:
        return encode(
            manifest(
                f"{base}/fhir/bulk", clinics, published=since, request=f"{base}/fhir/$bulk-publish"
            )
        )

    return _cached(request, kat, "fhir/$bulk-publish", "|".join(keys), write, "application/json")


@get(
    "/fhir/bulk/Location.ndjson",
    summary="Clinics as FHIR Locations (NDJSON)",
    tags=["fhir"],
    sync_to_thread=False,
    media_type=NDJSON,
    responses={200: _answer(str, "One Location a line", NDJSON), **_UNCHANGED},
)
def location_file(request: AnyRequest, kat: NamedDependency[KatContext]) -> Response[bytes]:
    """Every clinic that publishes open times: name, phone, address, position, identifier."""
    body = locations_file(kat.directory, _site(request, kat))
    key = hashlib.sha256(body).hexdigest()
    return _cached(request, kat, "fhir/Location", key, lambda _: body, NDJSON)


@get(
    "/fhir/bulk/Schedule.ndjson",
    summary="Online services as FHIR Schedules (NDJSON)",
    tags=["fhir"],
    sync_to_thread=False,
    media_type=NDJSON,
    responses={200: _answer(str, "One Schedule a line", NDJSON), **_UNCHANGED},
)
def schedule_file(request: AnyRequest, kat: NamedDependency[KatContext]) -> Response[bytes]:
    """One Schedule per clinic and service bookable online, its actor the clinic's Location."""
    body = schedules_file(kat.directory)
    key = hashlib.sha256(body).hexdigest()
    return _cached(request, kat, "fhir/Schedule", key, lambda _: body, NDJSON)


@get(
    "/fhir/bulk/{clinic_id:str}/Slot.ndjson",
    summary="A clinic's open times as FHIR Slots (NDJSON)",
    tags=["fhir"],
    sync_to_thread=True,
    media_type=NDJSON,
    responses={
        200: _answer(str, "One Slot a line", NDJSON),
        **_UNCHANGED,
        **_UNKNOWN,
        **LIMITED,
    },
)
def slot_file(
    request: AnyRequest, kat: NamedDependency[KatContext], clinic_id: FromPath[str]
) -> Response[bytes]:
    """Every free slot of the clinic's online services over their booking horizons (the
    slots API's times), with a booking link, the booking phone and the seats left."""
    found = clinic_slots(
        kat.directory, clinic_id, busy=kat.busy_provider, now=kat.clock(), cache=kat.slot_cache
    )
    site = _site(request, kat)
    name = f"fhir/{found.clinic.id}/Slot"
    return _cached(request, kat, name, found.key, lambda _: slots_file(found, site), NDJSON)


@get(
    "/fhir/Location",
    summary="Search FHIR Locations",
    tags=["fhir"],
    sync_to_thread=False,
    responses={200: _answer(Bundle, "A searchset Bundle"), **_BAD},
)
def locations(
    request: AnyRequest, kat: NamedDependency[KatContext], ids: _Ids = None
) -> Response[bytes]:
    """The clinics that publish open times, as a searchset Bundle (``_id``: those ids)."""
    return _fhir(
        search_locations(
            kat.directory,
            _params(request),
            site=_site(request, kat),
            base=f"{_base(request, kat)}/fhir",
            self_url=_self_url(request, kat, "/fhir/Location"),
        )
    )


@get(
    "/fhir/Location/{location_id:str}",
    summary="Read a FHIR Location",
    tags=["fhir"],
    sync_to_thread=False,
    responses={200: _answer(FhirLocation, "The Location"), **_UNKNOWN},
)
def location(
    request: AnyRequest, kat: NamedDependency[KatContext], location_id: FromPath[str]
) -> Response[bytes]:
    """One clinic as a Location (its id is the clinic's id, ``draper``)."""
    return _fhir(read_location(kat.directory, location_id, site=_site(request, kat)))


@get(
    "/fhir/Schedule",
    summary="Search FHIR Schedules",
    tags=["fhir"],
    sync_to_thread=False,
    responses={200: _answer(Bundle, "A searchset Bundle"), **_BAD},
)
def schedules(
    request: AnyRequest,
    kat: NamedDependency[KatContext],
    ids: _Ids = None,
    actor: Annotated[
        str | None, QueryParameter(description="Location/ID or ID: the clinics' schedules.")
    ] = None,
) -> Response[bytes]:
    """The services bookable online at each clinic, as a searchset Bundle."""
    return _fhir(
        search_schedules(
            kat.directory,
            _params(request),
            base=f"{_base(request, kat)}/fhir",
            self_url=_self_url(request, kat, "/fhir/Schedule"),
        )
    )


@get(
    "/fhir/Schedule/{schedule_id:str}",
    summary="Read a FHIR Schedule",
    tags=["fhir"],
    sync_to_thread=False,
    responses={200: _answer(FhirSchedule, "The Schedule"), **_UNKNOWN},
)
def schedule(kat: NamedDependency[KatContext], schedule_id: FromPath[str]) -> Response[bytes]:
    """One clinic's online service as a Schedule (id ``draper.info-call``)."""
    return _fhir(read_schedule(kat.directory, schedule_id))


@get(
    "/fhir/Slot",
    summary="Search FHIR Slots",
    tags=["fhir"],
    sync_to_thread=True,
    responses={200: _answer(Bundle, "A searchset Bundle"), **_BAD, **LIMITED},
)
def slots(
    request: AnyRequest,
    kat: NamedDependency[KatContext],
    schedule: Annotated[
        str | None, QueryParameter(description="Schedule/ID or ID, comma-separated for several.")
    ] = None,
    start: Annotated[
        list[str] | None,
        QueryParameter(description="A date or dateTime, prefixed ge, gt, le, lt or eq; repeats."),
    ] = None,
    status: Annotated[str | None, QueryParameter(description="Slot status codes (free).")] = None,
    count: Annotated[
        str | None, QueryParameter(name="_count", description=f"At most {MAX_COUNT} (default 200).")
    ] = None,
) -> Response[bytes]:
    """Free slots from now to each service's booking horizon, by start, at most ``_count``
    (the Bundle's ``total`` counts every match and an outcome entry says when some were left
    out). The same times as the slots API, with a booking link each."""
    return _fhir(
        slot_bundle(
            kat.directory,
            _params(request),
            site=_site(request, kat),
            base=f"{_base(request, kat)}/fhir",
            self_url=_self_url(request, kat, "/fhir/Slot"),
            busy=kat.busy_provider,
            now=kat.clock(),
            cache=kat.slot_cache,
        )
    )


@get(
    "/fhir/Slot/{slot_id:str}",
    summary="Read a FHIR Slot",
    tags=["fhir"],
    sync_to_thread=True,
    responses={200: _answer(FhirSlot, "The Slot"), **_UNKNOWN, **LIMITED},
)
def slot(
    request: AnyRequest, kat: NamedDependency[KatContext], slot_id: FromPath[str]
) -> Response[bytes]:
    """One slot that is still open (a taken or past one: 404)."""
    found = read_slot(
        kat.directory,
        slot_id,
        site=_site(request, kat),
        busy=kat.busy_provider,
        now=kat.clock(),
        cache=kat.slot_cache,
    )
    return _fhir(found)


def _outcome(status: int, message: str, *, code: str, field: str | None = None) -> Response[bytes]:
    body = operation_outcome(message, code=code, parameter=field)
    return Response(encode(body), status_code=status, media_type=FHIR_JSON)


def _invalid(request: AnyRequest, exc: ValidationError) -> Response[bytes]:
    return _outcome(400, str(exc), code="invalid", field=exc.field)


def _not_found(request: AnyRequest, exc: NotFoundError) -> Response[bytes]:
    return _outcome(404, str(exc), code="not-found")


def _http(request: AnyRequest, exc: HTTPException) -> Response[bytes]:
    code = {404: "not-found", 429: "throttled"}.get(exc.status_code, "invalid")
    if exc.status_code >= 500:
        return _outcome(500, "Something went wrong on our side.", code="exception")
    return _outcome(exc.status_code, str(exc.detail), code=code)


ROUTES = [
    bulk_publish,
    location_file,
    schedule_file,
    slot_file,
    locations,
    location,
    schedules,
    schedule,
    slots,
    slot,
]


def fhir_router() -> Router:
    """The FHIR routes, whose errors are OperationOutcomes instead of our JSON or pages."""
    handlers: ExceptionHandlersMap = {
        ValidationError: _invalid,
        NotFoundError: _not_found,
        HTTPException: _http,
    }
    return Router(path="/", route_handlers=ROUTES, exception_handlers=handlers)
