"""Render the crisis banner (``bar``, ``card``, ``inline``) as safe HTML, with no Litestar.

Rendering reads only the crisis data file: no database, no network, no visitor tracking. The
region comes from the caller, a clinic's address or ``Settings.region``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from markupsafe import Markup

from kat_widgets.crisis import (
    WORDING,
    Channel,
    CrisisData,
    CrisisResource,
    Language,
    cached_crisis_data,
    normalize_language,
    normalize_region,
    select_resources,
)
from kat_widgets.crisis.wording import channel_label
from kat_widgets.directory import Clinic
from kat_widgets.errors import ValidationError
from kat_widgets.fragments.environment import environment
from kat_widgets.settings import Settings

__all__ = [
    "CRISIS_CSS",
    "VARIANTS",
    "Variant",
    "crisis_snippet",
    "region_of",
    "render_crisis_banner",
]

Variant = Literal["bar", "card", "inline", "link"]
VARIANTS: tuple[Variant, ...] = ("bar", "card", "inline")
"""The public variants; ``link`` (only the "Get help now" link) is for other widgets' templates."""
CRISIS_CSS = Path(__file__).resolve().parent.parent / "static" / "crisis.css"


def region_of(clinic: Clinic) -> str:
    """``US-UT`` for a clinic in Utah: the region comes from where the clinic is."""
    return f"{clinic.address.country}-{clinic.address.region}"


def _variant(variant: str) -> Variant:
    for known in (*VARIANTS, "link"):
        if variant == known:
            return known
    raise ValidationError(
        f"variant {variant!r} is not available; use one of {', '.join(VARIANTS)}",
        field="variant",
    )


def render_crisis_banner(
    region: str | None = None,
    lang: str | None = None,
    variant: str = "bar",
    *,
    clinic: Clinic | None = None,
    settings: Settings | None = None,
    data: CrisisData | None = None,
    include_unverified: bool = False,
) -> Markup:
    """The banner for ``region`` (else the clinic's, else ``settings.region``) in ``lang``.

    Raises :class:`~kat_widgets.errors.ValidationError` for an unknown region, language or
    variant. Without ``data``, ``settings.crisis_file`` is read once and the HTML is cached per
    (file, region, language, variant).
    """
    settings = settings if settings is not None else Settings()
    if region is None:
        region = region_of(clinic) if clinic is not None else settings.region
    code = normalize_region(region)
    language = normalize_language(lang if lang is not None else settings.locale)
    chosen = _variant(variant)
    if data is None:
        return _cached(settings.crisis_file, code, language, chosen, include_unverified)
    return _render(data, code, language, chosen, include_unverified)


@lru_cache(maxsize=256)
def _cached(
    path: str, region: str, lang: Language, variant: Variant, include_unverified: bool
) -> Markup:
    return _render(cached_crisis_data(path), region, lang, variant, include_unverified)


def _render(
    data: CrisisData, region: str, lang: Language, variant: Variant, include_unverified: bool
) -> Markup:
    selection = select_resources(data, region, lang, include_unverified=include_unverified)
    words = WORDING[selection.lang]
    html = (
        environment()
        .get_template(f"crisis/{variant}.html")
        .render(
            sel=selection,
            lang=selection.lang,
            w=words,
            label=lambda channel: channel_label(channel, selection.lang),
            now_link=_now_link(selection.lead or _first(selection.resources), selection.lang),
            unverified=include_unverified,
        )
    )
    return Markup(html)  # noqa: S704 - the environment autoescapes every value


def _first(resources: tuple[CrisisResource, ...]) -> CrisisResource | None:
    return resources[0] if resources else None


def _now_link(resource: CrisisResource | None, lang: Language) -> tuple[str, str] | None:
    """``("tel:988", "Get help now: call 988")``: the link a dismissed bar leaves behind."""
    channels: tuple[Channel, ...] = resource.channels_for(lang) if resource else ()
    if not channels:
        return None
    channel = channels[0]
    action = channel_label(channel, lang)
    action = action[:1].lower() + action[1:]
    return channel.href, WORDING[lang].get_help.format(action=action)


def crisis_snippet(
    region: str | None = None,
    lang: str | None = None,
    variant: str = "bar",
    *,
    settings: Settings | None = None,
) -> str:
    """A self-contained HTML snippet (its own ``<style>``) for hosts that cannot run Python."""
    settings = settings if settings is not None else Settings()
    banner = render_crisis_banner(region, lang, variant, settings=settings)
    css = CRISIS_CSS.read_text(encoding="utf-8")
    oldest = min(r.verified for r in cached_crisis_data(settings.crisis_file).resources)
    return (
        f"<!-- kat-widgets crisis banner, static snippet. Oldest entry verified {oldest}. "
        "Re-generate it whenever the crisis data changes: kat-widgets crisis-snippet -->\n"
        f"<style>\n{css}</style>\n{banner}\n"
    )
