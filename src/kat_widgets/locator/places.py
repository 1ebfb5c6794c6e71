"""What a visitor typed, classified: coordinates, ZIP, city, street address or nonsense.

Parsing is pure text work (no gazetteer, no network), so every input form is easy to test.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

import msgspec

from kat_widgets.errors import ValidationError
from kat_widgets.i18n import N_
from kat_widgets.i18n import gettext as _

__all__ = [
    "MAX_QUERY_LENGTH",
    "STATE_NAMES",
    "AddressQuery",
    "CityQuery",
    "CoordinatesQuery",
    "Place",
    "Precision",
    "Query",
    "ZipQuery",
    "check_coordinates",
    "normalize_city",
    "parse_query",
]

MAX_QUERY_LENGTH = 200
Precision = Literal["coordinates", "address", "zip", "city"]

STATE_NAMES: dict[str, str] = {
    "alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA",
    "colorado": "CO", "connecticut": "CT", "delaware": "DE", "district of columbia": "DC",
    "florida": "FL", "georgia": "GA", "hawaii": "HI", "idaho": "ID", "illinois": "IL",
    "indiana": "IN", "iowa": "IA", "kansas": "KS", "kentucky": "KY", "louisiana": "LA",
    "maine": "ME", "maryland": "MD", "massachusetts": "MA", "michigan": "MI", "minnesota": "MN",
    "mississippi": "MS", "missouri": "MO", "montana": "MT", "nebraska": "NE", "nevada": "NV",
    "new hampshire": "NH", "new jersey": "NJ", "new mexico": "NM", "new york": "NY",
    "north carolina": "NC", "north dakota": "ND", "ohio": "OH", "oklahoma": "OK", "oregon": "OR",
    "pennsylvania": "PA", "puerto rico": "PR", "rhode island": "RI", "south carolina": "SC",
    "south dakota": "SD", "tennessee": "TN", "texas": "TX", "utah": "UT", "vermont": "VT",
    "virginia": "VA", "washington": "WA", "west virginia": "WV", "wisconsin": "WI",
    "wyoming": "WY", "guam": "GU", "virgin islands": "VI",
}  # fmt: skip
STATE_CODES = frozenset(STATE_NAMES.values()) | {"AS", "MP", "FM", "MH", "PW"}

_ABBREVIATIONS = {"st": "saint", "mt": "mount", "ft": "fort", "n": "north", "s": "south",
                  "e": "east", "w": "west", "cty": "city", "hts": "heights"}  # fmt: skip
_NUMBER = r"[-+]?\d{1,3}(?:\.\d+)?"
_COORDINATES = re.compile(rf"^\s*({_NUMBER})\s*[,;\s]\s*({_NUMBER})\s*$")
_ZIP = re.compile(r"^(\d{5})(?:\s*-?\s*\d{4})?$")
_TRAILING_ZIP = re.compile(r"(?:^|[\s,])(\d{5})(?:-\d{4})?$")
_STREET = re.compile(r"^\d+[a-z]?\s+\S")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class Place(msgspec.Struct, frozen=True, kw_only=True):
    """A point the visitor is near, and how precisely we know it."""

    text: str
    """What the visitor typed, normalised (never shown unescaped)."""
    lat: float
    lon: float
    precision: Precision
    label: str
    """Honest, human: ``Near 84101, Salt Lake City, UT``."""
    state: str = ""
    source: str = "gazetteer"
    """``gazetteer``, ``browser``, ``input`` or the online geocoder's name."""
    note: str = ""
    """Why the answer is less precise than asked, e.g. the online geocoder was unavailable."""


class CoordinatesQuery(msgspec.Struct, frozen=True):
    lat: float
    lon: float


class ZipQuery(msgspec.Struct, frozen=True):
    zip: str


class CityQuery(msgspec.Struct, frozen=True):
    city: str
    """Normalised (see :func:`normalize_city`)."""
    state: str | None
    display: str


class AddressQuery(msgspec.Struct, frozen=True):
    text: str
    zip: str | None
    city: CityQuery | None


Query = CoordinatesQuery | ZipQuery | CityQuery | AddressQuery


def normalize_city(name: str) -> str:
    """``St. George`` -> ``saint george``: lower case, no accents, punctuation or abbreviations."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    words = re.sub(r"[^a-z0-9]+", " ", text).split()
    return " ".join(_ABBREVIATIONS.get(word, word) for word in words)


def check_coordinates(lat: float, lon: float) -> CoordinatesQuery:
    """Coordinates in range, or a :class:`ValidationError` saying which one is not."""
    if not -90 <= lat <= 90:
        raise ValidationError(_("Latitude must be between -90 and 90."), field="lat")
    if not -180 <= lon <= 180:
        raise ValidationError(_("Longitude must be between -180 and 180."), field="lon")
    return CoordinatesQuery(lat, lon)


def _split_state(text: str) -> tuple[str, str | None]:
    """``"salt lake city, ut"`` -> ``("salt lake city", "UT")``; state may be a full name."""
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if len(parts) >= 2:
        last = parts[-1].lower()
        state = STATE_NAMES.get(last) or (last.upper() if last.upper() in STATE_CODES else None)
        if state:
            return ", ".join(parts[:-1]), state
    words = text.replace(",", " ").split()
    if len(words) >= 2 and words[-1].upper() in STATE_CODES and len(words[-1]) == 2:
        return " ".join(words[:-1]), words[-1].upper()
    for name, code in STATE_NAMES.items():
        if len(name.split()) < len(words) and " ".join(words).lower().endswith(" " + name):
            return " ".join(words[: -len(name.split())]), code
    return text.replace(",", " ").strip(), None


def _city(text: str) -> CityQuery | None:
    name, state = _split_state(text)
    city = normalize_city(name)
    if not city or not re.search(r"[a-z]", city):
        return None
    display = " ".join(word.capitalize() for word in name.replace(",", " ").split())
    return CityQuery(city, state, display)


def parse_query(text: str) -> Query:
    """Classify what a visitor typed; raises :class:`ValidationError` for what it cannot be."""
    if _CONTROL.search(text):
        raise ValidationError(_("The search text contains control characters."), field="q")
    cleaned = " ".join(text.split())
    if not cleaned:
        raise ValidationError(_("Type a ZIP code, a city or an address to search."), field="q")
    if len(cleaned) > MAX_QUERY_LENGTH:
        raise ValidationError(
            _("The search text is too long ({count} characters at most).").format(
                count=MAX_QUERY_LENGTH
            ),
            field="q",
        )
    if "<" in cleaned or ">" in cleaned:
        raise ValidationError(_(_NOT_A_PLACE), field="q")
    coordinates = _COORDINATES.match(cleaned)
    if coordinates and "." in cleaned:
        return check_coordinates(float(coordinates.group(1)), float(coordinates.group(2)))
    zip_only = _ZIP.match(cleaned)
    if zip_only:
        return ZipQuery(zip_only.group(1))
    stripped = cleaned.strip(" ,.")
    trailing = _TRAILING_ZIP.search(stripped)
    zip_code = trailing.group(1) if trailing else None
    rest = stripped[: trailing.start()].strip(" ,") if trailing else stripped
    if _STREET.match(rest.lower()):
        parts = [part.strip() for part in rest.split(",") if part.strip()]
        city = _city(", ".join(parts[1:])) if len(parts) >= 2 else None
        return AddressQuery(stripped, zip_code, city)
    if zip_code:
        return ZipQuery(zip_code)
    city = _city(rest)
    if city is None:
        raise ValidationError(_(_NOT_A_PLACE), field="q")
    return city


_NOT_A_PLACE = N_(
    "We could not read that as a place. Try a ZIP code like 84101, a city like "
    '"Draper, UT", or a street address.'
)
