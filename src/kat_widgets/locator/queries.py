"""``LocateQuery``: what a visitor asks the locator, each field's limits stated here once."""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta

from kat_widgets.queries import Query

__all__ = ["MAX_LIMIT", "MAX_RADIUS_KM", "LocateQuery"]

MAX_LIMIT = 20
MAX_RADIUS_KM = 20000.0
"""Half the Earth's circumference, roughly: any larger radius means "anywhere"."""

PlaceText = Annotated[
    str, Meta(description="ZIP, ZIP+4, 'City, UT', a street address or 'lat,lon'.")
]
Latitude = Annotated[float, Meta(description="Latitude (browser coordinates).")]
Longitude = Annotated[float, Meta(description="Longitude (browser coordinates).")]
Limit = Annotated[int, Meta(ge=1, le=MAX_LIMIT, description=f"How many clinics (1-{MAX_LIMIT}).")]
RadiusKm = Annotated[
    float,
    Meta(gt=0, le=MAX_RADIUS_KM, description="Search radius in km; the nearest anyway if none."),
]
ServiceRef = Annotated[
    str, Meta(description="A service id (experience-iv) or a route (iv, im, oral).")
]
OpenNow = Annotated[bool, Meta(description="Only clinics open now.")]


class LocateQuery(Query, frozen=True):
    """Where the visitor is (text, or browser coordinates, which win) and what they want.

    Coordinates are checked by the locator (a message per coordinate), text by its parser.
    """

    q: PlaceText | None = None
    lat: Latitude | None = None
    lon: Longitude | None = None
    limit: Limit = 5
    radius_km: RadiusKm | None = None
    """Default: the ``locator_radius_km`` setting."""
    service: ServiceRef | None = None
    open_now: OpenNow = False

    @property
    def searching(self) -> bool:
        """Whether there is anything to search for (else the widget shows only its form)."""
        return bool((self.q or "").strip()) or self.lat is not None or self.lon is not None
