"""Exact nearest neighbours by geodesic distance, fast for 100,000 points, in pure Python.

Points live on the unit sphere as 3-D vectors in a k-d tree. A best-first walk yields them in
increasing chord (hence great-circle) distance ``s``; each candidate then gets its exact WGS-84
geodesic distance ``g`` from geopy. The walk stops once ``s * LOWER_BOUND_RATIO`` exceeds the k-th
best ``g`` so far: no point left can beat it, so the answer equals a brute-force geodesic scan.

Why the bound holds: mapping the ellipsoid to the sphere of radius ``R`` point for point (same
latitude and longitude) shrinks no length by more than ``min(M, N) / R``, where ``M`` and ``N`` are
the ellipsoid's radii of curvature; their least value is ``b^2 / a`` = 6335.439 km (the meridian at
the equator). Every ellipsoid path, the geodesic included, is therefore at least
``6335.439 / 6371.0088`` = 0.99442 times as long as its image, which is at least ``s``. We use
0.99 for a margin against rounding.
"""

from __future__ import annotations

import functools
import heapq
import math
from collections.abc import Callable, Iterator, Sequence
from typing import Generic, NamedTuple, TypeVar

__all__ = ["EARTH_RADIUS_KM", "LOWER_BOUND_RATIO", "Neighbour", "SpatialIndex", "unit_vector"]

T = TypeVar("T")
EARTH_RADIUS_KM = 6371.0088
LOWER_BOUND_RATIO = 0.99
GEODESIC_CACHE = 65_536
"""Exact distances kept per index: (place, item) pairs, a few MB at most."""
_LEAF_SIZE = 8


class Neighbour(NamedTuple, Generic[T]):
    item: T
    position: int
    distance_km: float


def unit_vector(lat: float, lon: float) -> tuple[float, float, float]:
    phi, lam = math.radians(lat), math.radians(lon)
    return (math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi))


class _Node:
    __slots__ = ("hi", "left", "lo", "points", "right")

    def __init__(self, points: list[tuple[float, float, float, int]]) -> None:
        self.lo = tuple(min(p[axis] for p in points) for axis in range(3))
        self.hi = tuple(max(p[axis] for p in points) for axis in range(3))
        self.left: _Node | None = None
        self.right: _Node | None = None
        self.points: list[tuple[float, float, float, int]] | None = None
        if len(points) <= _LEAF_SIZE:
            self.points = points
            return
        axis = max(range(3), key=lambda a: self.hi[a] - self.lo[a])
        points.sort(key=lambda p: p[axis])
        middle = len(points) // 2
        self.left = _Node(points[:middle])
        self.right = _Node(points[middle:])

    def box_distance2(self, x: float, y: float, z: float) -> float:
        lo, hi = self.lo, self.hi
        total = 0.0
        for value, low, high in ((x, lo[0], hi[0]), (y, lo[1], hi[1]), (z, lo[2], hi[2])):
            if value < low:
                total += (low - value) ** 2
            elif value > high:
                total += (value - high) ** 2
        return total


class SpatialIndex(Generic[T]):
    """Items at (lat, lon) points; ``nearest`` ranks them by exact geodesic distance."""

    def __init__(self, items: Sequence[T], points: Sequence[tuple[float, float]]) -> None:
        if len(items) != len(points):
            raise ValueError("items and points must have the same length")
        self.items = tuple(items)
        self.points = tuple((float(lat), float(lon)) for lat, lon in points)
        vectors = [(*unit_vector(lat, lon), i) for i, (lat, lon) in enumerate(self.points)]
        self._root = _Node(vectors) if vectors else None
        # the same place (a ZIP, a city centre) is asked again and again: its exact distances
        # are kept, bounded; the index never changes, so they never go stale
        self._geodesic_km = functools.lru_cache(maxsize=GEODESIC_CACHE)(self._measure)

    def _measure(self, lat: float, lon: float, position: int) -> float:
        from geopy.distance import geodesic

        km: float = geodesic((lat, lon), self.points[position]).km
        return km

    def __len__(self) -> int:
        return len(self.items)

    def _walk(self, lat: float, lon: float) -> Iterator[tuple[float, int]]:
        """Every point as ``(great-circle km, position)``, nearest first."""
        if self._root is None:
            return
        x, y, z = unit_vector(lat, lon)
        counter = 0
        heap: list[tuple[float, int, _Node | int]] = [(0.0, counter, self._root)]
        while heap:
            distance2, _, entry = heapq.heappop(heap)
            if isinstance(entry, int):
                chord = math.sqrt(distance2)
                yield 2 * EARTH_RADIUS_KM * math.asin(min(1.0, chord / 2)), entry
                continue
            if entry.points is not None:
                for px, py, pz, position in entry.points:
                    counter += 1
                    d2 = (px - x) ** 2 + (py - y) ** 2 + (pz - z) ** 2
                    heapq.heappush(heap, (d2, counter, position))
                continue
            for child in (entry.left, entry.right):
                if child is not None:
                    counter += 1
                    heapq.heappush(heap, (child.box_distance2(x, y, z), counter, child))

    def nearest(
        self,
        lat: float,
        lon: float,
        *,
        limit: int = 5,
        radius_km: float | None = None,
        where: Callable[[T], bool] | None = None,
    ) -> list[Neighbour[T]]:
        """The ``limit`` items nearest by geodesic distance (ties: earlier item first)."""
        if limit < 1:
            return []
        best: list[tuple[float, int]] = []  # max-heap of (-km, -position)
        for spherical_km, position in self._walk(lat, lon):
            lower = spherical_km * LOWER_BOUND_RATIO
            if radius_km is not None and lower > radius_km:
                break
            if len(best) == limit and lower > -best[0][0]:
                break
            item = self.items[position]
            if where is not None and not where(item):
                continue
            km = self._geodesic_km(lat, lon, position)
            if radius_km is not None and km > radius_km:
                continue
            entry = (-km, -position)
            if len(best) < limit:
                heapq.heappush(best, entry)
            elif entry > best[0]:
                heapq.heapreplace(best, entry)
        ranked = sorted((-neg_km, -neg_pos) for neg_km, neg_pos in best)
        return [Neighbour(self.items[pos], pos, km) for km, pos in ranked]

    def brute_force(self, lat: float, lon: float, *, limit: int = 5) -> list[Neighbour[T]]:
        """The same answer as :meth:`nearest` by measuring every item (tests, benchmarks)."""
        from geopy.distance import geodesic

        ranked = sorted(
            (geodesic((lat, lon), point).km, position) for position, point in enumerate(self.points)
        )
        return [Neighbour(self.items[pos], pos, km) for km, pos in ranked[:limit]]
