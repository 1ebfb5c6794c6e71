"""The locator over HTTP: ``GET /api/locate`` (JSON) and ``GET /fragments/locator`` (HTML)."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from litestar import get
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.params import QueryParameter
from litestar.response import Response

from kat_widgets.fragments.locator import locator_from_params
from kat_widgets.locator import LocateAnswer
from kat_widgets.web.context import AnyRequest, KatContext
from kat_widgets.web.responses import fragment_response
from kat_widgets.web.schemas import INVALID, LIMITED, ClinicOut, clinic_out

__all__ = ["ROUTES", "LocateOut", "LocateQueryOut", "LocateResultOut", "locate", "locator_fragment"]

Limit = Annotated[int, QueryParameter(ge=1, le=20, description="How many clinics (1-20).")]
RadiusKm = Annotated[
    float | None,
    QueryParameter(
        gt=0, le=20000, description="Search radius in km; nearest anyway if none inside."
    ),
]
Lat = Annotated[float | None, QueryParameter(description="Latitude (browser coordinates).")]
Lon = Annotated[float | None, QueryParameter(description="Longitude (browser coordinates).")]
Service = Annotated[
    str | None,
    QueryParameter(description="A service id (experience-iv) or a route (iv, im, oral)."),
]
NumberText = Annotated[
    str | None,
    QueryParameter(
        description="A number (empty means not given, as HTML forms send it)",
        schema_extra={"pattern": r"^(-?[0-9]+(\.[0-9]+)?)?$"},
    ),
]
OpenNow = Annotated[bool, QueryParameter(description="Only clinics open now.")]
Text = Annotated[
    str | None,
    QueryParameter(description="ZIP, ZIP+4, 'City, UT', a street address or 'lat,lon'."),
]


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
    sync_to_thread=True,
    responses={**INVALID, **LIMITED},
)
def locate(
    request: AnyRequest,
    kat: NamedDependency[KatContext],
    q: Text = None,
    lat: Lat = None,
    lon: Lon = None,
    limit: Limit = 5,
    radius_km: RadiusKm = None,
    service: Service = None,
    open_now: OpenNow = False,
) -> LocateOut:
    """The clinics nearest to a ZIP, city, address or ``lat``/``lon`` (browser coordinates win).

    Distances are exact WGS-84 geodesics. Bad input answers 422 with a message.
    """
    widgets = kat.widgets_for(request)
    answer = widgets.locator_service.locate(
        q, lat=lat, lon=lon, limit=limit, radius_km=radius_km, service=service, open_now=open_now
    )
    return _locate_out(answer, widgets.base_path)


@get(
    "/fragments/locator",
    summary="Clinic locator widget (HTML)",
    tags=["fragments"],
    sync_to_thread=True,
    media_type="text/html",
    responses={
        422: ResponseSpec(
            data_container=str, media_type="text/html", description="The widget with a message"
        ),
        **LIMITED,
    },
)
def locator_fragment(
    request: AnyRequest,
    kat: NamedDependency[KatContext],
    q: Text = None,
    lat: NumberText = None,
    lon: NumberText = None,
    limit: NumberText = None,
    radius_km: NumberText = None,
    service: Service = None,
) -> Response[str]:
    """The locator widget as an HTML fragment; 422 (with the message in the widget) if invalid.

    Numbers arrive as text so that a malformed one is explained inside the widget too.
    """
    params = {key: value for key, value in request.query_params.items()}
    widgets = kat.widgets_for(request)
    # the form submits here, not to the host page that fetched it (embed.js) or shows it
    view = locator_from_params(widgets, params, action=f"{widgets.base_path}/fragments/locator")
    return fragment_response(
        request,
        kat,
        view.html,
        widget="locator",
        title="Find a clinic near you",
        status_code=422 if view.error else 200,
    )


ROUTES = [locate, locator_fragment]
