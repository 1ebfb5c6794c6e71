"""Crisis resources by region and language: data, checks and selection. No I/O beyond the file."""

from __future__ import annotations

from kat_widgets.crisis.loader import (
    BUNDLED_CRISIS,
    bundled_crisis_data,
    cached_crisis_data,
    load_crisis_data,
    parse_crisis_data,
    stale_resources,
)
from kat_widgets.crisis.models import LANGUAGES, Channel, CrisisData, CrisisResource, Language
from kat_widgets.crisis.selection import (
    AREA_LANGUAGES,
    CrisisSelection,
    area_of,
    normalize_language,
    normalize_region,
    select_resources,
)
from kat_widgets.crisis.wording import WORDING, Wording

__all__ = [
    "AREA_LANGUAGES",
    "BUNDLED_CRISIS",
    "LANGUAGES",
    "WORDING",
    "Channel",
    "CrisisData",
    "CrisisResource",
    "CrisisSelection",
    "Language",
    "Wording",
    "area_of",
    "bundled_crisis_data",
    "cached_crisis_data",
    "load_crisis_data",
    "normalize_language",
    "normalize_region",
    "parse_crisis_data",
    "select_resources",
    "stale_resources",
]
