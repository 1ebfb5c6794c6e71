"""Offline gazetteer: every US ZIP centroid and every USPS city name, from the ``zipcodes`` package.

The index is built once per process on first use (about half a second), never at import, so the
app starts fast. Lookups are then plain dict reads.
"""

from __future__ import annotations

import functools
import threading
from collections import defaultdict
from typing import NamedTuple

from kat_widgets.locator.places import normalize_city

__all__ = ["CityEntry", "Gazetteer", "ZipEntry", "default_gazetteer"]

_NOT_PLACES = frozenset({"AA", "AE", "AP"})  # military mail, no fixed place


class ZipEntry(NamedTuple):
    lat: float
    lon: float
    city: str
    state: str


class CityEntry(NamedTuple):
    lat: float
    lon: float
    name: str
    state: str
    zip_count: int


class Gazetteer:
    """ZIP -> centroid and (city, state) -> centroid, built from ``zipcodes`` on first use.

    A city's point is the mean of its ZIP centroids: ZIPs whose USPS city it is (standard ZIPs
    first), else ZIPs that accept the name (``Murray`` is accepted by 84107 and 84123).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._zips: dict[str, ZipEntry] | None = None
        self._cities: dict[tuple[str, str], CityEntry] = {}
        self._by_name: dict[str, list[CityEntry]] = {}

    def _load(self) -> dict[str, ZipEntry]:
        zips = self._zips
        if zips is not None:
            return zips
        with self._lock:
            if self._zips is None:
                self._build()
            assert self._zips is not None
            return self._zips

    def _build(self) -> None:
        import zipcodes

        normalize = functools.cache(normalize_city)  # ~30k distinct names in 42k rows
        zips: dict[str, ZipEntry] = {}
        # (city, state) -> [rank, points]; rank 0 standard primary, 1 other primary, 2 accepted
        groups: dict[tuple[str, str], list[tuple[int, float, float, str]]] = defaultdict(list)
        for row in zipcodes.list_all():  # type: ignore[no-untyped-call]
            state = row["state"]
            if row["country"] != "US" or state in _NOT_PLACES:
                continue
            lat, lon = float(row["lat"]), float(row["long"])
            if lat == 0 and lon == 0:
                continue
            zips[row["zip_code"]] = ZipEntry(lat, lon, row["city"], state)
            rank = 0 if row["zip_code_type"] == "STANDARD" else 1
            groups[normalize(row["city"]), state].append((rank, lat, lon, row["city"]))
            for name in row["acceptable_cities"]:
                groups[normalize(name), state].append((2, lat, lon, name))
        cities: dict[tuple[str, str], CityEntry] = {}
        by_name: dict[str, list[CityEntry]] = defaultdict(list)
        for key, members in groups.items():
            best = min(rank for rank, *_ in members)
            chosen = [m for m in members if m[0] == best]
            name = next((m[3] for m in members if m[0] < 2), chosen[0][3])
            entry = CityEntry(
                sum(m[1] for m in chosen) / len(chosen),
                sum(m[2] for m in chosen) / len(chosen),
                name,
                key[1],
                len(chosen),
            )
            cities[key] = entry
            by_name[key[0]].append(entry)
        self._cities = cities
        self._by_name = dict(by_name)
        self._zips = zips

    def zip(self, code: str) -> ZipEntry | None:
        """The centroid of a 5-digit ZIP (a ZIP+4 is looked up by its first five digits)."""
        return self._load().get(code[:5])

    def city(self, name: str, state: str | None = None, *, prefer: str = "UT") -> CityEntry | None:
        """A city by name; without a state, the one in ``prefer``, else the one with most ZIPs."""
        self._load()
        key = normalize_city(name)
        if state:
            return self._cities.get((key, state.upper()))
        candidates = self._by_name.get(key, [])
        if not candidates:
            return None
        return max(candidates, key=lambda c: (c.state == prefer, c.zip_count, c.state))

    def __len__(self) -> int:
        return len(self._load())

    @property
    def loaded(self) -> bool:
        """Whether the tables are built (the first look-up builds them, ~2 s)."""
        return self._zips is not None


_DEFAULT = Gazetteer()


def default_gazetteer() -> Gazetteer:
    """The process-wide gazetteer (built on first lookup)."""
    return _DEFAULT
