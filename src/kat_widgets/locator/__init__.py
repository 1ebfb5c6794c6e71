"""The clinic locator: places from text, offline gazetteer, online geocoders, nearest clinics.

Pure domain: no web framework, no templates. See docs/locator.md.
"""

from __future__ import annotations

from kat_widgets.locator.gazetteer import Gazetteer, default_gazetteer
from kat_widgets.locator.geocoders import GeocodeResult, OnlineGeocoder
from kat_widgets.locator.hours import OpenStatus, open_status
from kat_widgets.locator.index import SpatialIndex
from kat_widgets.locator.places import Place, Precision, parse_query
from kat_widgets.locator.service import (
    KM_PER_MILE,
    LocateAnswer,
    LocatedClinic,
    LocateQuery,
    Locator,
    locator_from_settings,
)

__all__ = [
    "KM_PER_MILE",
    "Gazetteer",
    "GeocodeResult",
    "LocateAnswer",
    "LocateQuery",
    "LocatedClinic",
    "Locator",
    "OnlineGeocoder",
    "OpenStatus",
    "Place",
    "Precision",
    "SpatialIndex",
    "default_gazetteer",
    "locator_from_settings",
    "open_status",
    "parse_query",
]
