"""Refine the clinic coordinates in a directory TOML file with an online geocoder.

The file is edited in place with a minimal text change to each ``[clinics.coordinates]`` table,
so the operator's comments, ordering and formatting survive (a TOML writer would drop comments).
The result is parsed and checked again before it replaces the file atomically.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

import msgspec

from kat_widgets.directory import Clinic, Coordinates, load_directory, parse_directory
from kat_widgets.errors import DirectoryError, GeocoderError
from kat_widgets.locator.geocoders import OnlineGeocoder

__all__ = ["RefineOutcome", "geocoding_query", "refine_directory_file", "set_coordinates"]

_HEADER = re.compile(r"^\s*\[\s*clinics\s*\.\s*coordinates\s*\]\s*(#.*)?$")
_ANY_HEADER = re.compile(r"^\s*\[")
_KEY = re.compile(r"^\s*(lat|lon|precision|source)\s*=")


class RefineOutcome(msgspec.Struct, frozen=True, kw_only=True):
    clinic_id: str
    old: Coordinates
    new: Coordinates | None
    message: str


def geocoding_query(clinic: Clinic) -> str:
    """The address without the suite, which only confuses geocoders."""
    address = clinic.address
    return f"{address.street}, {address.city}, {address.region} {address.postal_code}"


def _toml_line(key: str, value: float | str) -> str:
    if isinstance(value, float):
        return f"{key} = {value:.6f}"
    return f"{key} = {json.dumps(value, ensure_ascii=False)}"


def set_coordinates(text: str, updates: Mapping[int, Coordinates]) -> str:
    """Rewrite the ``[clinics.coordinates]`` tables of the clinics at the given positions."""
    lines = text.splitlines(keepends=True)
    headers = [i for i, line in enumerate(lines) if _HEADER.match(line)]
    count = len(parse_directory(text).clinics)
    if len(headers) != count:
        raise DirectoryError(
            f"cannot edit coordinates: found {len(headers)} [clinics.coordinates] tables for "
            f"{count} clinics (write each as its own table, not inline)"
        )
    for position in sorted(updates, reverse=True):
        coordinates = updates[position]
        values: dict[str, float | str] = {
            "lat": coordinates.lat,
            "lon": coordinates.lon,
            "precision": coordinates.precision,
            "source": coordinates.source,
        }
        start = headers[position] + 1
        end = start
        while end < len(lines) and not _ANY_HEADER.match(lines[end]):
            end += 1
        last_key = start - 1
        for index in range(start, end):
            match = _KEY.match(lines[index])
            if match:
                lines[index] = _toml_line(match.group(1), values.pop(match.group(1))) + "\n"
                last_key = index
        missing = [_toml_line(key, value) + "\n" for key, value in values.items()]
        lines[last_key + 1 : last_key + 1] = missing
    return "".join(lines)


def refine_directory_file(
    path: str | os.PathLike[str],
    geocoder: OnlineGeocoder,
    *,
    dry_run: bool = False,
    progress: Callable[[int, int, RefineOutcome], None] | None = None,
) -> list[RefineOutcome]:
    """Geocode every clinic (waiting for the rate limit) and write what was found."""
    directory = load_directory(path)
    clinics = directory.clinics
    today = dt.datetime.now(dt.UTC).date().isoformat()
    updates: dict[int, Coordinates] = {}
    outcomes: list[RefineOutcome] = []
    for position, clinic in enumerate(clinics):
        old = clinic.coordinates
        try:
            found = geocoder.geocode(geocoding_query(clinic), wait=True)
        except GeocoderError as exc:
            outcome = RefineOutcome(clinic_id=clinic.id, old=old, new=None, message=str(exc))
        else:
            if found is None:
                outcome = RefineOutcome(
                    clinic_id=clinic.id, old=old, new=None, message="not found; kept as it was"
                )
            else:
                new = Coordinates(
                    lat=round(found.lat, 6),
                    lon=round(found.lon, 6),
                    precision=found.precision,
                    source=f"{found.source} {today}",
                )
                updates[position] = new
                outcome = RefineOutcome(clinic_id=clinic.id, old=old, new=new, message="")
        outcomes.append(outcome)
        if progress is not None:
            progress(position + 1, len(clinics), outcome)
    if updates and not dry_run:
        target = Path(path)
        text = set_coordinates(target.read_text(encoding="utf-8"), updates)
        checked = parse_directory(text, source=str(target))
        for position, new in updates.items():
            if checked.clinics[position].coordinates != new:
                raise DirectoryError("coordinates did not round-trip; file left unchanged")
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
            os.chmod(temporary, target.stat().st_mode & 0o777)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    return outcomes
