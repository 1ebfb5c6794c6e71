"""SMART Scheduling Links and a read-only FHIR R4 face over the clinics' open times (thin).

``GET /fhir/$bulk-publish`` lists NDJSON files of Locations, Schedules and each clinic's Slots
(absolute URLs, under the mount prefix); ``/fhir/Location``, ``/fhir/Schedule`` and
``/fhir/Slot`` answer FHIR searches and reads. The resources come from :mod:`kat_widgets.fhir`;
here the request is parsed, the one call made and the answer encoded. Errors on these routes
are OperationOutcomes (400 for a bad parameter, 404 for an unknown id): ``FHIR_ERRORS``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Annotated

from litestar import Response, Router, get
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter

from kat_widgets.fhir import MAX_COUNT, encode
from kat_widgets.fhir.bundle import Bundle
from kat_widgets.fhir.capability import CapabilityStatement, capability_statement
from kat_widgets.fhir.publish import (
    BulkManifest,
    clinic_slots,
    locations_file,
    manifest,
    publishing_clinics,
    schedules_file,
    slots_file,
)
from kat_widgets.fhir.resources import FhirLocation, FhirSchedule, FhirSlot
from kat_widgets.fhir.server import (
    read_location,
    read_schedule,
    read_slot,
    search_locations,
    search_schedules,
    slot_bundle,
)
from kat_widgets.web.context import AnyRequest, KatContext
from kat_widgets.web.fhir_http import (
    BAD,
    FHIR_ERRORS,
    FHIR_JSON,
    NDJSON,
    UNCHANGED,
    UNKNOWN,
    Ids,
    answer,
    base_url,
    booking_site,
    cached,
    fhir_response,
    params,
    self_url,
)
from kat_widgets.web.schemas import LIMITED

__all__ = ["FHIR_JSON", "NDJSON", "ROUTES", "fhir_router"]


@get(
    "/fhir/$bulk-publish",
    summary="SMART Scheduling Links manifest",
    tags=["fhir"],
    sync_to_thread=True,
    media_type="application/json",
    responses={
        200: answer(BulkManifest, "The manifest", "application/json"),
        **UNCHANGED,
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
    base = base_url(request, kat)

    def write(since: dt.datetime) -> bytes:
        return encode(
            manifest(
                f"{base}/fhir/bulk", clinics, published=since, request=f"{base}/fhir/$bulk-publish"
            )
        )

    return cached(request, kat, "fhir/$bulk-publish", "|".join(keys), write, "application/json")


@get(
    "/fhir/bulk/Location.ndjson",
    summary="Clinics as FHIR Locations (NDJSON)",
    tags=["fhir"],
    sync_to_thread=False,
    media_type=NDJSON,
    responses={200: answer(str, "One Location a line", NDJSON), **UNCHANGED},
)
def location_file(request: AnyRequest, kat: NamedDependency[KatContext]) -> Response[bytes]:
    """Every clinic that publishes open times: name, phone, address, position, identifier."""
    body = locations_file(kat.directory, booking_site(request, kat))
    key = hashlib.sha256(body).hexdigest()
    return cached(request, kat, "fhir/Location", key, lambda _: body, NDJSON)


@get(
    "/fhir/bulk/Schedule.ndjson",
    summary="Online services as FHIR Schedules (NDJSON)",
    tags=["fhir"],
    sync_to_thread=False,
    media_type=NDJSON,
    responses={200: answer(str, "One Schedule a line", NDJSON), **UNCHANGED},
)
def schedule_file(request: AnyRequest, kat: NamedDependency[KatContext]) -> Response[bytes]:
    """One Schedule per clinic and service bookable online, its actor the clinic's Location."""
    body = schedules_file(kat.directory)
    key = hashlib.sha256(body).hexdigest()
    return cached(request, kat, "fhir/Schedule", key, lambda _: body, NDJSON)


@get(
    "/fhir/bulk/{clinic_id:str}/Slot.ndjson",
    summary="A clinic's open times as FHIR Slots (NDJSON)",
    tags=["fhir"],
    sync_to_thread=True,
    media_type=NDJSON,
    responses={
        200: answer(str, "One Slot a line", NDJSON),
        **UNCHANGED,
        **UNKNOWN,
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
    where = booking_site(request, kat)
    name = f"fhir/{found.clinic.id}/Slot"
    return cached(request, kat, name, found.key, lambda _: slots_file(found, where), NDJSON)


@get(
    "/fhir/Location",
    summary="Search FHIR Locations",
    tags=["fhir"],
    sync_to_thread=False,
    responses={200: answer(Bundle, "A searchset Bundle"), **BAD},
)
def locations(
    request: AnyRequest, kat: NamedDependency[KatContext], ids: Ids = None
) -> Response[bytes]:
    """The clinics that publish open times, as a searchset Bundle (``_id``: those ids)."""
    return fhir_response(
        search_locations(
            kat.directory,
            params(request),
            site=booking_site(request, kat),
            base=f"{base_url(request, kat)}/fhir",
            self_url=self_url(request, kat, "/fhir/Location"),
        )
    )


@get(
    "/fhir/Location/{location_id:str}",
    summary="Read a FHIR Location",
    tags=["fhir"],
    sync_to_thread=False,
    responses={200: answer(FhirLocation, "The Location"), **UNKNOWN},
)
def location(
    request: AnyRequest, kat: NamedDependency[KatContext], location_id: FromPath[str]
) -> Response[bytes]:
    """One clinic as a Location (its id is the clinic's id, ``draper``)."""
    return fhir_response(read_location(kat.directory, location_id, site=booking_site(request, kat)))


@get(
    "/fhir/Schedule",
    summary="Search FHIR Schedules",
    tags=["fhir"],
    sync_to_thread=False,
    responses={200: answer(Bundle, "A searchset Bundle"), **BAD},
)
def schedules(
    request: AnyRequest,
    kat: NamedDependency[KatContext],
    ids: Ids = None,
    actor: Annotated[
        str | None, QueryParameter(description="Location/ID or ID: the clinics' schedules.")
    ] = None,
) -> Response[bytes]:
    """The services bookable online at each clinic, as a searchset Bundle."""
    return fhir_response(
        search_schedules(
            kat.directory,
            params(request),
            base=f"{base_url(request, kat)}/fhir",
            self_url=self_url(request, kat, "/fhir/Schedule"),
        )
    )


@get(
    "/fhir/Schedule/{schedule_id:str}",
    summary="Read a FHIR Schedule",
    tags=["fhir"],
    sync_to_thread=False,
    responses={200: answer(FhirSchedule, "The Schedule"), **UNKNOWN},
)
def schedule(kat: NamedDependency[KatContext], schedule_id: FromPath[str]) -> Response[bytes]:
    """One clinic's online service as a Schedule (id ``draper.info-call``)."""
    return fhir_response(read_schedule(kat.directory, schedule_id))


@get(
    "/fhir/Slot",
    summary="Search FHIR Slots",
    tags=["fhir"],
    sync_to_thread=True,
    responses={200: answer(Bundle, "A searchset Bundle"), **BAD, **LIMITED},
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
    return fhir_response(
        slot_bundle(
            kat.directory,
            params(request),
            site=booking_site(request, kat),
            base=f"{base_url(request, kat)}/fhir",
            self_url=self_url(request, kat, "/fhir/Slot"),
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
    responses={200: answer(FhirSlot, "The Slot"), **UNKNOWN, **LIMITED},
)
def slot(
    request: AnyRequest, kat: NamedDependency[KatContext], slot_id: FromPath[str]
) -> Response[bytes]:
    """One slot that is still open (a taken or past one: 404)."""
    found = read_slot(
        kat.directory,
        slot_id,
        site=booking_site(request, kat),
        busy=kat.busy_provider,
        now=kat.clock(),
        cache=kat.slot_cache,
    )
    return fhir_response(found)


@get(
    "/fhir/metadata",
    summary="FHIR CapabilityStatement",
    tags=["fhir"],
    sync_to_thread=False,
    responses={200: answer(CapabilityStatement, "What this FHIR face answers")},
)
def metadata(request: AnyRequest, kat: NamedDependency[KatContext]) -> Response[bytes]:
    """Read-only: read and search of Location, Schedule and Slot, their search parameters."""
    return fhir_response(capability_statement(f"{base_url(request, kat)}/fhir"))


ROUTES = [
    metadata,
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
    return Router(path="/", route_handlers=ROUTES, exception_handlers=FHIR_ERRORS)
