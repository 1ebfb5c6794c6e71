"""Load the crisis resources TOML and check it, reporting the file and the path inside it."""

from __future__ import annotations

import datetime as dt
import os
from functools import cache
from pathlib import Path

from kat_widgets.crisis.models import CrisisData, CrisisResource, LocalText
from kat_widgets.errors import CrisisDataError
from kat_widgets.tomlfile import decode_toml, read_data_file

__all__ = [
    "BUNDLED_CRISIS",
    "bundled_crisis_data",
    "cached_crisis_data",
    "load_crisis_data",
    "parse_crisis_data",
    "stale_resources",
]

BUNDLED_CRISIS = Path(__file__).resolve().parent.parent / "data" / "crisis.toml"
"""The bundled file (also ``kat_widgets.settings.BUNDLED_CRISIS``)."""


def load_crisis_data(path: str | os.PathLike[str]) -> CrisisData:
    """Read and check a crisis file; raises :class:`CrisisDataError` naming file and path."""
    return parse_crisis_data(read_data_file(path, error=CrisisDataError), source=str(path))


def bundled_crisis_data() -> CrisisData:
    """The bundled file, read and checked once per process."""
    return cached_crisis_data(str(BUNDLED_CRISIS))


@cache
def cached_crisis_data(path: str) -> CrisisData:
    """``path`` read and checked once per process (restart to pick up edits)."""
    return load_crisis_data(path)


def parse_crisis_data(raw: bytes | str, *, source: str = "<memory>") -> CrisisData:
    """Decode crisis TOML text; see :func:`load_crisis_data`."""
    data = decode_toml(raw, CrisisData, source=source, error=CrisisDataError)
    _check(data, source)
    return data


def stale_resources(
    data: CrisisData, *, max_age_days: int, today: dt.date | None = None
) -> list[CrisisResource]:
    """Entries whose ``verified`` date is more than ``max_age_days`` ago: re-check them."""
    today = today if today is not None else dt.datetime.now(dt.UTC).date()
    oldest = today - dt.timedelta(days=max_age_days)
    return [resource for resource in data.resources if resource.verified < oldest]


def _check(data: CrisisData, source: str) -> None:
    def fail(path: str, message: str) -> CrisisDataError:
        return CrisisDataError(message, file=source, path=path)

    today = dt.datetime.now(dt.UTC).date()
    seen: set[str] = set()
    for index, resource in enumerate(data.resources):
        where = f"resources[{index}]"
        if resource.id in seen:
            raise fail(f"{where}.id", f"duplicate id {resource.id!r}")
        seen.add(resource.id)
        if resource.verified > today:
            raise fail(f"{where}.verified", f"date {resource.verified} is in the future")
        for field in ("name", "audience", "hours"):
            texts: LocalText = getattr(resource, field)
            if (texts or field == "name") and "en" not in texts:
                raise fail(f"{where}.{field}", "needs an English text (en = ...)")
        canadian = "CA" in resource.regions or any(r.startswith("CA-") for r in resource.regions)
        for c_index, channel in enumerate(resource.channels):
            path = f"{where}.channels[{c_index}]"
            if channel.label and "en" not in channel.label:
                raise fail(f"{path}.label", "needs an English text (en = ...)")
            if channel.kind in ("call", "text", "tty") and not channel.number:
                raise fail(path, f"a {channel.kind} channel needs a number")
            if channel.kind in ("chat", "video", "web") and not channel.url:
                raise fail(path, f"a {channel.kind} channel needs a url")
            if channel.kind == "app" and not (channel.url or channel.label):
                raise fail(path, "an app channel needs a url or a label")
            if channel.keyword and channel.kind != "text":
                raise fail(f"{path}.keyword", "only text channels have a keyword")
            if channel.press and channel.kind != "call":
                raise fail(f"{path}.press", "only call channels have a menu option")
            if canadian and (channel.press or channel.keyword == "AYUDA"):
                raise fail(path, "Canadian lines have no 'press 1/2' menu and no AYUDA keyword")
