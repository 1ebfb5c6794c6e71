"""The locator's tile-free map: Utah's outline, the numbered clinics and the searched place.

No tiles, no network, no script: an SVG drawn from the answer. The main panel frames the
results; an inset shows the whole state with that frame marked, so a visitor sees where in
Utah the clinics are. Markers never hide one another: a marker pushed off its true position
keeps a leader line to a dot at that position. A text alternative says, for each clinic, how
far and in which direction it lies from the search.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from kat_widgets.i18n import N_
from kat_widgets.locator import LocatedClinic, Place

__all__ = ["MARKER_GAP", "UTAH_OUTLINE", "MapPoint", "compass", "svg_map"]

UTAH_OUTLINE: tuple[tuple[float, float], ...] = (
    (-114.05, 42.0),
    (-111.05, 42.0),
    (-111.05, 41.0),
    (-109.05, 41.0),
    (-109.05, 37.0),
    (-114.05, 37.0),
)
"""Utah's border as (longitude, latitude) corners: the parallels 37°N, 41°N and 42°N and the
meridians 109°03'W, 111°03'W and 114°03'W, as in the U.S. Census Bureau's TIGER/Line state
boundary (a work of the U.S. Government, public domain). At this map's scale the surveyed
lines' wanderings are under a pixel, so the outline is simplified to its six corners."""

_WIDTH, _HEIGHT, _PAD = 320.0, 220.0, 22.0
_MAIN_RIGHT = 236.0  # the main panel's right edge; the state inset sits beside it
_INSET = (244.0, 8.0, 70.0, 90.0)  # x, y, width, height
_MAX_SPAN_KM = 1500
MARKER_GAP = 24.0
"""Least distance between two markers' centres (a clinic's circle is 20 px across)."""
_NAMES = (
    N_("north"),
    N_("north-east"),
    N_("east"),
    N_("south-east"),
    N_("south"),
    N_("south-west"),
    N_("west"),
    N_("north-west"),
)


class MapPoint(NamedTuple):
    x: float
    y: float
    label: str
    true_x: float
    true_y: float

    @property
    def moved(self) -> bool:
        """Pushed off its true position to keep clear of another marker."""
        return math.hypot(self.x - self.true_x, self.y - self.true_y) > 1.0


def compass(origin: Place, lat: float, lon: float) -> str:
    """The eight-point direction from ``origin`` to (lat, lon): "north-west"."""
    phi1, phi2 = math.radians(origin.lat), math.radians(lat)
    d_lon = math.radians(lon - origin.lon)
    y = math.sin(d_lon) * math.cos(phi2)
    x = math.cos(phi1) * math.sin(phi2) - math.sin(phi1) * math.cos(phi2) * math.cos(d_lon)
    bearing = (math.degrees(math.atan2(y, x)) + 360) % 360
    return _NAMES[round(bearing / 45) % 8]


def _projector(
    lons: Sequence[float], lats: Sequence[float], box: tuple[float, float, float, float]
) -> Callable[[float, float], tuple[float, float]]:
    """Equirectangular, shrunk east-west by the cosine of the middle latitude, fit in ``box``."""
    left, top, width, height = box
    shrink = math.cos(math.radians((max(lats) + min(lats)) / 2))
    xs = [lon * shrink for lon in lons]
    span_x = max(max(xs) - min(xs), 0.05)
    span_y = max(max(lats) - min(lats), 0.05)
    scale = min(width / span_x, height / span_y)
    cx, cy = (max(xs) + min(xs)) / 2, (max(lats) + min(lats)) / 2

    def project(lon: float, lat: float) -> tuple[float, float]:
        return (
            round(left + width / 2 + (lon * shrink - cx) * scale, 1),
            round(top + height / 2 - (lat - cy) * scale, 1),
        )

    return project


def _spread(points: list[list[float]], bounds: tuple[float, float, float, float]) -> None:
    """Push markers apart (in place) until every two are ``MARKER_GAP`` apart, within bounds."""
    left, top, right, bottom = bounds
    for _ in range(200):
        clear = True
        for i in range(len(points)):
            for j in range(i + 1, len(points)):
                (xi, yi), (xj, yj) = points[i], points[j]
                dx, dy = xj - xi, yj - yi
                distance = math.hypot(dx, dy)
                if distance >= MARKER_GAP - 0.01:
                    continue
                clear = False
                if distance < 0.01:  # the same place: part them along a fixed direction
                    angle = math.radians(30 + 70 * j)
                    dx, dy, distance = math.cos(angle), math.sin(angle), 1.0
                push = (MARKER_GAP - distance) / 2 + 0.1
                ux, uy = dx / distance, dy / distance
                points[i][0], points[i][1] = xi - ux * push, yi - uy * push
                points[j][0], points[j][1] = xj + ux * push, yj + uy * push
        for point in points:
            point[0] = min(max(point[0], left), right)
            point[1] = min(max(point[1], top), bottom)
        if clear:
            return


def _outline(project: Callable[[float, float], tuple[float, float]]) -> str:
    return " ".join(f"{x},{y}" for x, y in (project(lon, lat) for lon, lat in UTAH_OUTLINE))


def svg_map(
    place: Place, results: Sequence[LocatedClinic], distance: Callable[[LocatedClinic], str]
) -> dict[str, Any] | None:
    """What the template draws, or ``None`` when the points are too far apart for one map.

    ``distance`` formats a result's distance in the visitor's unit (for the text alternative).
    """
    if not results or max(r.distance_km for r in results) > _MAX_SPAN_KM:
        return None
    lats = [place.lat, *(r.clinic.coordinates.lat for r in results)]
    lons = [place.lon, *(r.clinic.coordinates.lon for r in results)]
    main = (_PAD, _PAD, _MAIN_RIGHT - 2 * _PAD, _HEIGHT - 2 * _PAD)
    project = _projector(lons, lats, main)
    true = [project(lon, lat) for lon, lat in zip(lons, lats, strict=True)]
    placed = [list(point) for point in true]
    _spread(placed, (12.0, 12.0, _MAIN_RIGHT - 12.0, _HEIGHT - 12.0))
    labels = ["You", *(str(number) for number in range(1, len(results) + 1))]
    points = [
        MapPoint(round(x, 1), round(y, 1), label, tx, ty)
        for (x, y), (tx, ty), label in zip(placed, true, labels, strict=True)
    ]
    # the inset: the whole state, with the main panel's frame marked on it
    state_lons = [lon for lon, _ in UTAH_OUTLINE]
    state_lats = [lat for _, lat in UTAH_OUTLINE]
    inset = _projector(state_lons, state_lats, _INSET)
    corner = _corner_coordinates(project, main)
    (fx1, fy1), (fx2, fy2) = inset(corner[0], corner[1]), inset(corner[2], corner[3])
    left, top, width, height = _INSET
    frame = {
        "x": max(min(fx1, fx2), left),
        "y": max(min(fy1, fy2), top),
        "width": max(min(abs(fx2 - fx1), width), 3.0),
        "height": max(min(abs(fy2 - fy1), height), 3.0),
    }
    return {
        "width": int(_WIDTH),
        "height": int(_HEIGHT),
        "main_right": _MAIN_RIGHT,
        "outline": _outline(project),
        "inset_outline": _outline(inset),
        "inset": dict(zip(("x", "y", "width", "height"), _INSET, strict=True)),
        "frame": {key: round(value, 1) for key, value in frame.items()},
        "you": points[0],
        "clinics": points[1:],
        "described": [
            (
                number,
                result.clinic.name,
                distance(result),
                compass(place, result.clinic.coordinates.lat, result.clinic.coordinates.lon),
            )
            for number, result in enumerate(results, start=1)
        ],
    }


def _corner_coordinates(
    project: Callable[[float, float], tuple[float, float]], box: tuple[float, float, float, float]
) -> tuple[float, float, float, float]:
    """(lon, lat) of the main panel's top-left and bottom-right corners (``project`` undone)."""
    left, top, width, height = box
    (x0, y0), (x1, y1) = project(0.0, 0.0), project(1.0, 1.0)  # the map is linear in each axis
    per_lon, per_lat = x1 - x0, y1 - y0

    def back(x: float, y: float) -> tuple[float, float]:
        return (x - x0) / per_lon, (y - y0) / per_lat

    lon1, lat1 = back(left - _PAD, top - _PAD)
    lon2, lat2 = back(left + width + _PAD, top + height + _PAD)
    return lon1, lat1, lon2, lat2
