"""The locator: text or coordinates -> a :class:`Place` -> the nearest clinics.

Fallback chain for street addresses: the online geocoder (when configured), then the address's own
ZIP, then its city, from the offline gazetteer. Everything else is answered offline.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from typing import Any

import msgspec

from kat_widgets import i18n
from kat_widgets.directory import Clinic, Directory
from kat_widgets.errors import GeocoderError, ValidationError
from kat_widgets.i18n import gettext as _
from kat_widgets.locator.gazetteer import Gazetteer, default_gazetteer
from kat_widgets.locator.geocoders import OnlineGeocoder, geocoder_from_settings
from kat_widgets.locator.hours import OpenStatus, open_status
from kat_widgets.locator.index import SpatialIndex
from kat_widgets.locator.places import (
    AddressQuery,
    CityQuery,
    CoordinatesQuery,
    Place,
    ZipQuery,
    check_coordinates,
    parse_query,
)
from kat_widgets.locator.queries import LocateQuery
from kat_widgets.memo import Kept
from kat_widgets.settings import Settings

__all__ = [
    "KM_PER_MILE",
    "LocateAnswer",
    "LocateQuery",
    "LocatedClinic",
    "Locator",
    "locator_from_settings",
]

KM_PER_MILE = 1.609344
log = logging.getLogger("kat_widgets.locator")


class LocatedClinic(msgspec.Struct, frozen=True, kw_only=True):
    clinic: Clinic
    distance_km: float
    distance_mi: float
    status: OpenStatus


class LocateAnswer(msgspec.Struct, frozen=True, kw_only=True):
    place: Place
    results: tuple[LocatedClinic, ...]
    radius_km: float
    nearest_anyway: bool
    """Nothing was inside ``radius_km``: these are the nearest clinics anyway."""
    outside_region: bool
    """The place is in another state than the clinics' home state."""


class Locator:
    """Answers "which clinics are nearest to this place?" for one directory."""

    def __init__(
        self,
        directory: Directory,
        *,
        geocoder: OnlineGeocoder | None = None,
        gazetteer: Gazetteer | None = None,
        home_state: str = "UT",
        radius_km: float = 100.0,
    ) -> None:
        self.directory = directory
        self.geocoder = geocoder
        self.gazetteer = gazetteer if gazetteer is not None else default_gazetteer()
        self.home_state = home_state
        self.radius_km = radius_km
        self._index: SpatialIndex[Clinic] | None = None
        self._lock = threading.Lock()
        self._answers: Kept[LocateAnswer] = Kept(_ANSWERS_KEPT)
        self._by_minute = _hours_in_whole_minutes(directory)

    @property
    def index(self) -> SpatialIndex[Clinic]:
        if self._index is None:
            with self._lock:
                if self._index is None:
                    clinics = self.directory.clinics
                    self._index = SpatialIndex(
                        clinics, [(c.coordinates.lat, c.coordinates.lon) for c in clinics]
                    )
        return self._index

    def warm(self) -> None:
        """Build the gazetteer and the clinic index now (else the first search does, ~1 s)."""
        len(self.gazetteer)
        len(self.index)

    # -- text -> place -------------------------------------------------------------------------

    def may_block(self, text: str | None, *, coordinates: bool = False) -> bool:
        """Whether resolving ``text`` may wait on the network: only a street address, with an
        online geocoder configured and no browser coordinates. Everything else (ZIP, city,
        coordinates, an invalid text) is answered in microseconds from the gazetteer, so a web
        handler need not hand it to a thread."""
        if self.geocoder is None or coordinates or not text:
            return False
        try:
            return isinstance(parse_query(text), AddressQuery)
        except ValidationError:
            return False

    def resolve(
        self, text: str | None = None, *, lat: float | None = None, lon: float | None = None
    ) -> Place:
        """Where the visitor is: browser coordinates win over text; raises ValidationError."""
        if lat is not None or lon is not None:
            if lat is None or lon is None:
                raise ValidationError(
                    _("Give both lat and lon."), field="lat" if lat is None else "lon"
                )
            point = check_coordinates(lat, lon)
            return Place(
                text="",
                lat=point.lat,
                lon=point.lon,
                precision="coordinates",
                label=_("Near your location"),
                source="browser",
            )
        query = parse_query(text or "")
        if isinstance(query, CoordinatesQuery):
            return Place(
                text=f"{query.lat:.5f}, {query.lon:.5f}",
                lat=query.lat,
                lon=query.lon,
                precision="coordinates",
                label=_("Near {lat}, {lon}").format(lat=f"{query.lat:.4f}", lon=f"{query.lon:.4f}"),
                source="input",
            )
        if isinstance(query, ZipQuery):
            return self._zip_place(query.zip)
        if isinstance(query, CityQuery):
            return self._city_place(query)
        return self._address_place(query)

    def _zip_place(self, code: str, *, note: str = "", of_address: bool = False) -> Place:
        entry = self.gazetteer.zip(code)
        if entry is None:
            raise ValidationError(
                _(
                    "We do not know the ZIP code {code}. Check it, or type your city instead."
                ).format(code=code),
                field="q",
            )
        suffix = _(" (the ZIP code of the address)") if of_address else ""
        return Place(
            text=code,
            lat=entry.lat,
            lon=entry.lon,
            precision="zip",
            label=_("Near {code}, {city}, {state}").format(
                code=code, city=entry.city, state=entry.state
            )
            + suffix,
            state=entry.state,
            note=note,
        )

    def _city_place(self, query: CityQuery, *, note: str = "", of_address: bool = False) -> Place:
        entry = self.gazetteer.city(query.city, query.state, prefer=self.home_state)
        if entry is None:
            where = f"{query.display}, {query.state}" if query.state else query.display
            raise ValidationError(
                _("We could not find {where}. Try a ZIP code like 84101 or a nearby town.").format(
                    where=where
                ),
                field="q",
            )
        suffix = _(" (the city of the address)") if of_address else _(" (city centre)")
        return Place(
            text=f"{entry.name}, {entry.state}",
            lat=entry.lat,
            lon=entry.lon,
            precision="city",
            label=_("Near {city}, {state}").format(city=entry.name, state=entry.state) + suffix,
            state=entry.state,
            note=note,
        )

    def _address_place(self, query: AddressQuery) -> Place:
        note = ""
        if self.geocoder is not None:
            try:
                found = self.geocoder.geocode(query.text)
            except GeocoderError as exc:
                log.warning("online geocoder unavailable, using the gazetteer: %s", exc)
                note = _("The street-level lookup is unavailable right now.")
            else:
                if found is not None:
                    state = query.city.state if query.city and query.city.state else ""
                    return Place(
                        text=query.text,
                        lat=found.lat,
                        lon=found.lon,
                        precision="address" if found.precision != "city" else "city",
                        label=_("Near the address you entered"),
                        state=state,
                        source=found.source,
                    )
                note = _("The street-level lookup did not find this address.")
        else:
            note = _("Street addresses are matched by their ZIP code or city.")
        if query.zip and self.gazetteer.zip(query.zip) is not None:
            return self._zip_place(query.zip, note=note, of_address=True)
        if query.city is not None:
            return self._city_place(query.city, note=note, of_address=True)
        leading = query.text.split()[0]
        if len(leading) == 5 and self.gazetteer.zip(leading) is not None:  # "84101 Salt Lake"
            return self._zip_place(leading, note=note if self.geocoder else "")
        raise ValidationError(
            _(
                "Add the ZIP code or the city to the address (for example "
                '"721 E 12200 S, Draper, UT 84020"), or type only a ZIP code.'
            ),
            field="q",
        )

    # -- place -> clinics ----------------------------------------------------------------------

    def service_filter(self, service: str | None) -> frozenset[str] | None:
        """Service ids matching ``service``: a service id, or a route (``iv``, ``im``, ``oral``)."""
        if not service:
            return None
        ids = {s.id for s in self.directory.services}
        if service in ids:
            return frozenset({service})
        by_route = frozenset(s.id for s in self.directory.services if s.route == service)
        if by_route:
            return by_route
        raise ValidationError(
            f"Unknown service; use one of {', '.join(sorted(ids))} or a route (iv, im, oral).",
            field="service",
        )

    def nearest(
        self, place: Place, query: LocateQuery, *, at: dt.datetime | None = None
    ) -> LocateAnswer:
        """The ``query.limit`` clinics nearest to ``place`` by exact geodesic distance."""
        radius = self.radius_km if query.radius_km is None else query.radius_km
        wanted = self.service_filter(query.service)
        when = at if at is not None else dt.datetime.now(dt.UTC)

        def keep(clinic: Clinic) -> bool:
            if wanted is not None and wanted.isdisjoint(clinic.services):
                return False
            return not query.open_now or open_status(clinic, when).open

        limit = query.limit
        found = self.index.nearest(place.lat, place.lon, limit=limit, radius_km=radius, where=keep)
        anyway = not found
        if anyway:
            found = self.index.nearest(place.lat, place.lon, limit=limit, where=keep)
        results = tuple(
            LocatedClinic(
                clinic=n.item,
                distance_km=n.distance_km,
                distance_mi=n.distance_km / KM_PER_MILE,
                status=open_status(n.item, when),
            )
            for n in found
        )
        return LocateAnswer(
            place=place,
            results=results,
            radius_km=radius,
            nearest_anyway=anyway and bool(results),
            outside_region=place.state != self.home_state if place.state else anyway,
        )

    def locate(
        self,
        query: LocateQuery | str | None = None,
        /,
        *,
        at: dt.datetime | None = None,
        **fields: Any,
    ) -> LocateAnswer:
        """:meth:`resolve` then :meth:`nearest`.

        ``query`` is a :class:`LocateQuery`, or its text ``q`` with the other fields as keywords
        (``locate("84020", limit=2)``). ``at`` is "now" for open-now (default: the clock).
        """
        if not isinstance(query, LocateQuery):
            query = LocateQuery.of(q=query, **fields)
        when = at if at is not None else dt.datetime.now(dt.UTC)
        # the same search in the same minute and language has the same answer (open-now turns
        # at whole minutes; labels and notes are in the current language): kept, but never one
        # an online geocoder gave (~20 us a search, #14)
        coordinates = query.lat is not None or query.lon is not None
        asked = query

        def answer() -> LocateAnswer:
            self.service_filter(asked.service)
            place = self.resolve(asked.q, lat=asked.lat, lon=asked.lon)
            return self.nearest(place, asked, at=when)

        if not self._by_minute or self.may_block(query.q, coordinates=coordinates):
            return answer()
        return self._answers.get((query, int(when.timestamp()) // 60, i18n.current()), answer)


_ANSWERS_KEPT = 512
"""Searches kept by :meth:`Locator.locate` (each ~1 KB), the least recently asked dropped."""


def _hours_in_whole_minutes(directory: Directory) -> bool:
    """Whether every opening and closing time is a whole minute (so open-now holds a minute)."""
    times = [t for c in directory.clinics for rule in c.hours for t in (rule.opens, rule.closes)]
    times += [
        t
        for c in directory.clinics
        for exception in c.exceptions
        for t in (exception.opens, exception.closes)
        if t is not None
    ]
    return all(t.second == 0 and t.microsecond == 0 for t in times)


def locator_from_settings(settings: Settings, directory: Directory) -> Locator:
    """A :class:`Locator` with the online geocoder the settings name (none for ``offline``)."""
    geocoder = geocoder_from_settings(settings)
    region = settings.region.split("-")
    home_state = region[1] if len(region) == 2 and region[0] == "US" else "UT"
    return Locator(
        directory, geocoder=geocoder, home_state=home_state, radius_km=settings.locator_radius_km
    )
