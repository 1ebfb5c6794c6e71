"""Offline gazetteer: every US ZIP centroid and every USPS city name, from the ``zipcodes`` package.

The tables are computed ahead of time (``tools/build_gazetteer.py``) into
``data/gazetteer.msgpack``: columns that msgspec decodes in a few tens of milliseconds, so a
worker is ready at once instead of spending a second of CPU (most of it in one call that holds the
GIL) building them from ``zipcodes`` on start. The file records the ``zipcodes`` version it was
built from; with another version installed, the tables are built from ``zipcodes`` on first use,
as before, so an answer never depends on a stale file. Nothing is read at import.
"""

from __future__ import annotations

import functools
import threading
from collections import defaultdict
from pathlib import Path
from typing import NamedTuple

import msgspec

from kat_widgets.locator.places import normalize_city

__all__ = [
    "SHIPPED_TABLES",
    "CityEntry",
    "Gazetteer",
    "Tables",
    "ZipEntry",
    "default_gazetteer",
    "tables_from_zipcodes",
]

SHIPPED_TABLES = Path(__file__).resolve().parent.parent / "data" / "gazetteer.msgpack"
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


class Tables(msgspec.Struct, array_like=True, frozen=True):
    """The gazetteer as columns: names and states are indexes into ``names`` and ``states``."""

    source: str
    """``zipcodes==<version>``: what the columns were computed from."""
    names: list[str]
    states: list[str]
    zip_codes: list[str]
    zip_lat: list[float]
    zip_lon: list[float]
    zip_name: list[int]
    zip_state: list[int]
    city_keys: list[str]
    """The normalized name each city is looked up by."""
    city_lat: list[float]
    city_lon: list[float]
    city_name: list[int]
    city_state: list[int]
    city_zip_count: list[int]


def _zipcodes_source() -> str:
    from importlib.metadata import PackageNotFoundError, version  # 10 ms: not at import

    try:
        return f"zipcodes=={version('zipcodes')}"
    except PackageNotFoundError:  # pragma: no cover - it is a dependency
        return "zipcodes"


def tables_from_zipcodes() -> Tables:
    """Compute the tables from ``zipcodes`` (about a second of CPU).

    A city's point is the mean of its ZIP centroids: ZIPs whose USPS city it is (standard ZIPs
    first), else ZIPs that accept the name (``Murray`` is accepted by 84107 and 84123).
    """
    import zipcodes

    normalize = functools.cache(normalize_city)  # ~30k distinct names in 42k rows
    names: dict[str, int] = {}
    states: dict[str, int] = {}
    zip_rows: list[tuple[str, float, float, int, int]] = []
    # (city, state) -> [rank, points]; rank 0 standard primary, 1 other primary, 2 accepted
    groups: dict[tuple[str, str], list[tuple[int, float, float, str]]] = defaultdict(list)
    for row in zipcodes.list_all():  # type: ignore[no-untyped-call]
        state = row["state"]
        if row["country"] != "US" or state in _NOT_PLACES:
            continue
        lat, lon = float(row["lat"]), float(row["long"])
        if lat == 0 and lon == 0:
            continue
        name = names.setdefault(row["city"], len(names))
        zip_rows.append((row["zip_code"], lat, lon, name, states.setdefault(state, len(states))))
        rank = 0 if row["zip_code_type"] == "STANDARD" else 1
        groups[normalize(row["city"]), state].append((rank, lat, lon, row["city"]))
        for accepted in row["acceptable_cities"]:
            groups[normalize(accepted), state].append((2, lat, lon, accepted))
    zip_rows.sort()
    cities: list[tuple[str, float, float, int, int, int]] = []
    for (key, state), members in sorted(groups.items()):
        best = min(rank for rank, *_ in members)
        chosen = [m for m in members if m[0] == best]
        shown = next((m[3] for m in members if m[0] < 2), chosen[0][3])
        cities.append(
            (
                key,
                sum(m[1] for m in chosen) / len(chosen),
                sum(m[2] for m in chosen) / len(chosen),
                names.setdefault(shown, len(names)),
                states.setdefault(state, len(states)),
                len(chosen),
            )
        )
    return Tables(
        source=_zipcodes_source(),
        names=list(names),
        states=list(states),
        zip_codes=[z[0] for z in zip_rows],
        zip_lat=[z[1] for z in zip_rows],
        zip_lon=[z[2] for z in zip_rows],
        zip_name=[z[3] for z in zip_rows],
        zip_state=[z[4] for z in zip_rows],
        city_keys=[c[0] for c in cities],
        city_lat=[c[1] for c in cities],
        city_lon=[c[2] for c in cities],
        city_name=[c[3] for c in cities],
        city_state=[c[4] for c in cities],
        city_zip_count=[c[5] for c in cities],
    )


def _shipped_tables(path: Path) -> Tables | None:
    """The tables computed ahead of time, if they were computed from the installed zipcodes."""
    try:
        tables = msgspec.msgpack.decode(path.read_bytes(), type=Tables)
    except (OSError, msgspec.DecodeError):
        return None
    return tables if tables.source == _zipcodes_source() else None


class Gazetteer:
    """ZIP -> centroid and (city, state) -> centroid, loaded on first use.

    ``tables`` gives them outright (tests); otherwise the shipped file at ``path``, or, when it
    does not match the installed ``zipcodes``, a build from ``zipcodes``.
    """

    def __init__(self, tables: Tables | None = None, *, path: Path = SHIPPED_TABLES) -> None:
        self._lock = threading.Lock()
        self._path = path
        self._tables: Tables | None = None
        self._given = tables
        self._zips: dict[str, int] = {}
        self._cities: dict[tuple[str, str], int] = {}
        self._by_name: dict[str, list[int]] = {}
        self.built_from_zipcodes = False
        """True when the shipped file did not match and the tables were computed here."""

    def _load(self) -> Tables:
        tables = self._tables
        if tables is not None:
            return tables
        with self._lock:
            if self._tables is None:
                self._index(self._given or self._read())
            assert self._tables is not None
            return self._tables

    def _read(self) -> Tables:
        shipped = _shipped_tables(self._path)
        if shipped is not None:
            return shipped
        self.built_from_zipcodes = True
        return tables_from_zipcodes()

    def _index(self, tables: Tables) -> None:
        states = tables.states
        self._zips = dict(zip(tables.zip_codes, range(len(tables.zip_codes)), strict=True))
        by_name: dict[str, list[int]] = defaultdict(list)
        cities: dict[tuple[str, str], int] = {}
        for i, (key, state) in enumerate(zip(tables.city_keys, tables.city_state, strict=True)):
            cities[key, states[state]] = i
            by_name[key].append(i)
        self._cities = cities
        self._by_name = dict(by_name)
        self._tables = tables

    def _city_entry(self, tables: Tables, i: int) -> CityEntry:
        return CityEntry(
            tables.city_lat[i],
            tables.city_lon[i],
            tables.names[tables.city_name[i]],
            tables.states[tables.city_state[i]],
            tables.city_zip_count[i],
        )

    def zip(self, code: str) -> ZipEntry | None:
        """The centroid of a 5-digit ZIP (a ZIP+4 is looked up by its first five digits)."""
        tables = self._load()
        i = self._zips.get(code[:5])
        if i is None:
            return None
        return ZipEntry(
            tables.zip_lat[i],
            tables.zip_lon[i],
            tables.names[tables.zip_name[i]],
            tables.states[tables.zip_state[i]],
        )

    def city(self, name: str, state: str | None = None, *, prefer: str = "UT") -> CityEntry | None:
        """A city by name; without a state, the one in ``prefer``, else the one with most ZIPs."""
        tables = self._load()
        key = normalize_city(name)
        if state:
            i = self._cities.get((key, state.upper()))
            return None if i is None else self._city_entry(tables, i)
        candidates = [self._city_entry(tables, i) for i in self._by_name.get(key, [])]
        if not candidates:
            return None
        return max(candidates, key=lambda c: (c.state == prefer, c.zip_count, c.state))

    def __len__(self) -> int:
        self._load()
        return len(self._zips)

    @property
    def loaded(self) -> bool:
        """Whether the tables are loaded (the first look-up loads them)."""
        return self._tables is not None


_DEFAULT = Gazetteer()


def default_gazetteer() -> Gazetteer:
    """The process-wide gazetteer (loaded on first lookup)."""
    return _DEFAULT
