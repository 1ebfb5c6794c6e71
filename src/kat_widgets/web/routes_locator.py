"""The locator over HTTP: ``GET /api/locate`` (JSON) and ``GET /fragments/locator`` (HTML).

Both run on the event loop: a ZIP, a city or coordinates are answered from the gazetteer in
microseconds, less than handing the request to a thread costs (~90 us). Only a street address
with an online geocoder configured (:meth:`Locator.may_block`) goes to a worker thread.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import msgspec
from litestar import get
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.response import Response

from kat_widgets.locator import LocateAnswer, LocateQuery
from kat_widgets.web.context import AnyRequest, KatContext, in_thread_if
from kat_widgets.web.errors import FRAGMENT
from kat_widgets.web.queries import query_dependency, text_dependency
from kat_widgets.web.responses import fragment_response
from kat_widgets.web.schemas import INVALID, LIMITED, ClinicOut, clinic_out

__all__ = ["ROUTES", "LocateOut", "LocateQueryOut", "LocateResultOut", "locate", "locator_fragment"]


class LocateQueryOut(msgspec.Struct, kw_only=True):
    """Where we searched from, and how precisely we know it."""

    text: str
    lat: float
    lon: float
    precision: Literal["coordinates", "address", "zip", "city"]
    label: str
    source: str
    note: str


class LocateResultOut(msgspec.Struct, kw_only=True):
    clinic: ClinicOut
    distance_km: float
    distance_mi: float
    open_now: bool
    booking_url: str
    """Where to book the free informational call (phone or video) with this clinic's health
    navigators: its open times, each linking to the booking form."""


class LocateOut(msgspec.Struct, kw_only=True):
    query: LocateQueryOut
    results: list[LocateResultOut]
    radius_km: float
    nearest_anyway: bool
    """Nothing was inside ``radius_km``; these are the nearest clinics anyway."""
    outside_region: bool
    """The place is outside the clinics' state; the informational call still works remotely."""


def _locate_out(answer: LocateAnswer, base: str) -> LocateOut:
    place = answer.place
    return LocateOut(
        query=LocateQueryOut(
            text=place.text,
            lat=round(place.lat, 6),
            lon=round(place.lon, 6),
            precision=place.precision,
            label=place.label,
            source=place.source,
            note=place.note,
        ),
        results=[
            LocateResultOut(
                clinic=clinic_out(result.clinic),
                distance_km=round(result.distance_km, 3),
                distance_mi=round(result.distance_mi, 3),
                open_now=result.status.open,
                booking_url=f"{base}/fragments/availability?clinic={result.clinic.id}&service=info-call",
            )
            for result in answer.results
        ],
        radius_km=answer.radius_km,
        nearest_anyway=answer.nearest_anyway,
        outside_region=answer.outside_region,
    )


@get(
    "/api/locate",
    summary="Find the nearest clinics",
    tags=["locator"],
    dependencies={"asked": query_dependency(LocateQuery)},
    responses={**INVALID, **LIMITED},
)
async def locate(
    request: AnyRequest, kat: NamedDependency[KatContext], asked: NamedDependency[LocateQuery]
) -> LocateOut:
    """The clinics nearest to a ZIP, city, address or ``lat``/``lon`` (browser coordinates win).

    Distances are exact WGS-84 geodesics. Bad input answers 422 with a message.
    """
    widgets = kat.widgets_for(request)
    locator = widgets.locator_service
    coordinates = asked.lat is not None or asked.lon is not None
    blocking = locator.may_block(asked.q, coordinates=coordinates)
    answer = await in_thread_if(blocking, lambda: locator.locate(asked))
    return _locate_out(answer, widgets.base_path)


@get(
    "/fragments/locator",
    summary="Clinic locator widget (HTML)",
    tags=["fragments"],
    media_type="text/html",
    dependencies={"params": text_dependency(LocateQuery)},
    responses={
        422: ResponseSpec(
            data_container=str, media_type="text/html", description="The widget with a message"
        ),
        **LIMITED,
    },
    opt=FRAGMENT,
)
async def locator_fragment(
    request: AnyRequest,
    kat: NamedDependency[KatContext],
    params: NamedDependency[Mapping[str, str]],
) -> Response[str]:
    """The locator widget as an HTML fragment; 422 (with the message in the widget) if invalid.

    Numbers arrive as text so that a malformed one is explained inside the widget too.
    """
    widgets = kat.widgets_for(request)
    # the form submits here, not to the host page that fetched it (embed.js) or shows it
    action = f"{widgets.base_path}/fragments/locator"
    coordinates = any(params.get(name, "").strip() for name in ("lat", "lon"))
    blocking = widgets.locator_service.may_block(params.get("q"), coordinates=coordinates)
    view = await in_thread_if(
        blocking, lambda: widgets.fragment_view("locator", params, action=action)
    )
    return fragment_response(request, kat, view, kept_render=True)


ROUTES = [locate, locator_fragment]
