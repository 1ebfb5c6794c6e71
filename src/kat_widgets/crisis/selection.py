"""Choose the crisis resources for a region and a language (never from tracking the visitor)."""

from __future__ import annotations

import re
from typing import Literal

import msgspec

from kat_widgets.crisis.models import LANGUAGES, CrisisData, CrisisResource, Language
from kat_widgets.errors import ValidationError

__all__ = [
    "AREA_LANGUAGES",
    "Area",
    "CrisisSelection",
    "area_of",
    "normalize_language",
    "normalize_region",
    "select_resources",
]

Area = Literal["US", "CA", "elsewhere"]
AREA_LANGUAGES: dict[Area, tuple[Language, ...]] = {
    "US": ("en", "es"),
    "CA": ("en", "fr"),
    "elsewhere": ("en", "es", "fr"),
}
"""Page languages each area's resources support; others fall back to English."""

_REGION = re.compile(r"^[A-Z]{2}(?:-[A-Z0-9]{1,3})?$")
_LANGUAGE = re.compile(r"^([a-z]{2})(?:[-_][a-z]{2})?$")


class CrisisSelection(msgspec.Struct, frozen=True, kw_only=True):
    """What a banner shows: the lead line, the emergency number, the rest, in one language."""

    region: str
    area: Area
    lang: Language
    requested_lang: str
    lead: CrisisResource | None
    emergency: CrisisResource | None
    resources: tuple[CrisisResource, ...]
    """Every other resource for the region, in file order (the directory link elsewhere)."""
    include_unverified: bool = False

    @property
    def all(self) -> tuple[CrisisResource, ...]:
        """Every chosen resource: lead, the others, then the emergency number."""
        head = (self.lead,) if self.lead else ()
        tail = (self.emergency,) if self.emergency else ()
        return (*head, *self.resources, *tail)


def normalize_region(region: str) -> str:
    """``us-ut`` -> ``US-UT``; ``elsewhere`` stays. Raises :class:`ValidationError` otherwise."""
    text = region.strip()
    if text.lower() == "elsewhere":
        return "elsewhere"
    upper = text.upper()
    if not _REGION.match(upper):
        raise ValidationError(
            f"region {region!r} is not a region code; use e.g. 'US', 'US-UT', 'CA' or 'elsewhere'",
            field="region",
        )
    return upper


def area_of(region: str) -> Area:
    """The area whose resources apply: ``US-UT`` -> ``US``, ``CA-ON`` -> ``CA``, ``GB`` -> else."""
    country = region.split("-", 1)[0]
    if country == "US":
        return "US"
    if country == "CA":
        return "CA"
    return "elsewhere"


def normalize_language(lang: str) -> Language:
    """``es-US`` -> ``es``. Raises :class:`ValidationError` for a language we have no text in."""
    match = _LANGUAGE.match(lang.strip().lower())
    code = match.group(1) if match else ""
    for known in LANGUAGES:
        if code == known:
            return known
    raise ValidationError(
        f"language {lang!r} is not available; use one of {', '.join(LANGUAGES)}", field="lang"
    )


def select_resources(
    data: CrisisData, region: str, lang: str, *, include_unverified: bool = False
) -> CrisisSelection:
    """The resources for ``region`` in ``lang``.

    A US state gets the US resources plus its own (``US-UT``); Canada gets Canada's; everywhere
    else gets the international directory. A language the area's lines do not offer (French in the
    US, Spanish in Canada) falls back to English. Unverified entries are left out unless asked for.
    """
    code = normalize_region(region)
    requested = normalize_language(lang)
    area = area_of(code)
    chosen_lang = requested if requested in AREA_LANGUAGES[area] else "en"
    wanted: set[str] = {area, code}
    lead: CrisisResource | None = None
    emergency: CrisisResource | None = None
    others: list[CrisisResource] = []
    for resource in data.resources:
        if resource.unverified and not include_unverified:
            continue
        if not wanted.intersection(resource.regions):
            continue
        if resource.role == "lead" and lead is None:
            lead = resource
        elif resource.role == "emergency" and emergency is None:
            emergency = resource
        else:
            others.append(resource)
    return CrisisSelection(
        region=code,
        area=area,
        lang=chosen_lang,
        requested_lang=lang,
        lead=lead,
        emergency=emergency,
        resources=tuple(others),
        include_unverified=include_unverified,
    )
