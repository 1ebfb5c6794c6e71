"""The locator widget: a plain GET search form and the nearest clinics, as safe HTML.

Rendering only: ``Widgets.locator`` asks the locator, this draws its answer. Directions links
carry the clinic's address, never the visitor's input.
"""

from __future__ import annotations

import functools
import json
import threading
import weakref
from collections.abc import Hashable, Sequence
from typing import Any, Literal, NamedTuple
from urllib.parse import quote, urlencode

from markupsafe import Markup

from kat_widgets.directory import Clinic, Directory
from kat_widgets.fragments.environment import WEEKDAY_NAMES, clock
from kat_widgets.fragments.locator_map import svg_map
from kat_widgets.fragments.renderer import Renderer, default_lang
from kat_widgets.i18n import N_
from kat_widgets.locator import KM_PER_MILE, LocateAnswer, LocatedClinic, LocateQuery
from kat_widgets.memo import Kept

__all__ = [
    "LocatorView",
    "directions_links",
    "json_ld",
    "render_locator",
    "svg_map",
]

Unit = Literal["mi", "km"]
_ROUTE_LABELS = {
    "iv": N_("Ketamine by IV"),
    "im": N_("Ketamine by injection"),
    "oral": N_("Ketamine lozenge"),
}


class LocatorView(NamedTuple):
    """The rendered widget and, when the search was invalid, the message shown in it."""

    html: Markup
    error: str | None
    answer: LocateAnswer | None


def format_distance(result: LocatedClinic, unit: Unit) -> str:
    value = result.distance_mi if unit == "mi" else result.distance_km
    return f"{value:,.1f} {unit}" if value < 100 else f"{value:,.0f} {unit}"


def directions_links(clinic: Clinic) -> list[tuple[str, str]]:
    """(service name, URL) for Google Maps, Apple Maps and OpenStreetMap, to the clinic."""
    address = clinic.address.one_line
    lat, lon = clinic.coordinates.lat, clinic.coordinates.lon
    return [
        (
            "Google Maps",
            "https://www.google.com/maps/dir/?"
            + urlencode({"api": "1", "destination": address}, quote_via=quote),
        ),
        ("Apple Maps", "https://maps.apple.com/?" + urlencode({"daddr": address}, quote_via=quote)),
        (
            "OpenStreetMap",
            "https://www.openstreetmap.org/directions?"
            + urlencode({"route": f";{lat:.5f},{lon:.5f}"}, quote_via=quote),
        ),
    ]


def _script_json(value: Any) -> Markup:
    """JSON safe inside ``<script>``: no ``<``, ``>``, ``&`` or line separators left raw."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for raw, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(raw, escaped)
    return Markup(text)  # noqa: S704 - every markup-significant character is escaped above


def json_ld(
    clinics: Sequence[Clinic],
    organization_name: str,
    website: str = "",
    *,
    public_url: str = "",
    lang: str = "",
) -> Markup:
    """schema.org ``MedicalClinic`` entries for ``<script type="application/ld+json">``
    (the same clinics, in the same order, are written once: the directory only changes on
    reload, and a search near the same place lists the same ones).

    Each clinic says where it is (``geo``), when it is open (``openingHoursSpecification``,
    days as the vocabulary's ``DayOfWeek`` members) and, given ``public_url`` (where visitors
    reach the widgets), how to book: a ``ReserveAction`` whose ``EntryPoint`` is the clinic's
    open-times page for the free informational call (``lang`` carried when given). Without
    ``public_url`` no action is written: the fragment sits in a host's page, where a relative
    URL would point at the host, not at us.
    """
    return _json_ld(tuple(clinics), organization_name, website, public_url.rstrip("/"), lang)


def _reserve_action(clinic: Clinic, public_url: str, lang: str) -> dict[str, Any]:
    query = {"clinic": clinic.id, "service": "info-call"}
    if lang:
        query["lang"] = lang
    return {
        "@type": "ReserveAction",
        "name": "Book a free informational call",
        "target": {
            "@type": "EntryPoint",
            "urlTemplate": f"{public_url}/embed/availability?{urlencode(query)}",
            "actionPlatform": [
                "https://schema.org/DesktopWebPlatform",
                "https://schema.org/MobileWebPlatform",
            ],
        },
    }


@functools.lru_cache(maxsize=256)
def _json_ld(
    clinics: tuple[Clinic, ...], organization_name: str, website: str, public_url: str, lang: str
) -> Markup:
    graph = []
    for clinic in clinics:
        entry: dict[str, Any] = {
            "@type": "MedicalClinic",
            "@id": f"#clinic-{clinic.id}",
            "name": clinic.name,
            "telephone": clinic.phone,
            "address": {
                "@type": "PostalAddress",
                "streetAddress": clinic.address.street_line,
                "addressLocality": clinic.address.city,
                "addressRegion": clinic.address.region,
                "postalCode": clinic.address.postal_code,
                "addressCountry": clinic.address.country,
            },
            "geo": {
                "@type": "GeoCoordinates",
                "latitude": clinic.coordinates.lat,
                "longitude": clinic.coordinates.lon,
            },
            "openingHoursSpecification": [
                {
                    "@type": "OpeningHoursSpecification",
                    "dayOfWeek": [f"https://schema.org/{WEEKDAY_NAMES[day]}" for day in rule.days],
                    "opens": rule.opens.strftime("%H:%M"),
                    "closes": rule.closes.strftime("%H:%M"),
                }
                for rule in clinic.hours
            ],
            "parentOrganization": {"@type": "Organization", "name": organization_name},
        }
        if website:
            entry["parentOrganization"]["url"] = website
        if public_url:
            entry["potentialAction"] = _reserve_action(clinic, public_url, lang)
        graph.append(entry)
    return _script_json({"@context": "https://schema.org", "@graph": graph})


_CARDS: weakref.WeakKeyDictionary[Directory, dict[tuple[str, ...], Markup]] = (
    weakref.WeakKeyDictionary()
)
_CARDS_PER_DIRECTORY = 1024
"""Clinics x languages x prefixes; the bound only guards against a prefix that keeps changing."""


def clinic_card(renderer: Renderer, clinic: Clinic) -> Markup:
    """The part of a clinic's result card no search changes (the booking link, address, phone,
    hours, directions), rendered once per clinic, language and prefix for a directory."""
    cards = _CARDS.setdefault(renderer.directory, {})
    key = (
        clinic.id,
        renderer.lang,
        str(renderer.carry_lang),
        renderer.base_path,
        renderer.static_url,
        default_lang(renderer.settings),
    )
    card = cards.get(key)
    if card is None:
        card = renderer.render("locator/_card.html", clinic=clinic, directions=directions_links)
        if len(cards) >= _CARDS_PER_DIRECTORY:
            cards.clear()
        cards[key] = card
    return card


def _routes(directory: Directory) -> list[tuple[str, str]]:
    routes = {s.route for s in directory.services if s.route}
    return [(route, label) for route, label in _ROUTE_LABELS.items() if route in routes]


def render_locator(
    renderer: Renderer,
    query: LocateQuery,
    answer: LocateAnswer | None,
    *,
    error: str | None = None,
    radius_km: float,
    unit: Unit | None = None,
    action: str | None = None,
) -> Markup:
    """The search form, and the nearest clinics of ``answer`` (or ``error``'s message).

    ``radius_km`` is the radius searched (the answer's, or the default shown in the form).
    The same inputs give the same HTML, so a search asked again (the same ZIP, the same clinics
    open or closed) is served from the last renders kept per directory (:data:`_PAGES_KEPT`).
    """
    unit = unit or renderer.settings.distance_unit
    key = _page_key(renderer, query, answer, error, radius_km, unit, action)
    with _PAGES_LOCK:
        pages = _PAGES.setdefault(renderer.directory, Kept(_PAGES_KEPT))

    def render() -> tuple[object, Markup]:  # held with its settings: their id stays theirs
        page = _render(
            renderer, query, answer, error=error, radius_km=radius_km, unit=unit, action=action
        )
        return renderer.settings, page

    return pages.get(key, render)[1]


def _render(
    renderer: Renderer,
    query: LocateQuery,
    answer: LocateAnswer | None,
    *,
    error: str | None,
    radius_km: float,
    unit: Unit,
    action: str | None,
) -> Markup:
    directory = renderer.directory
    return renderer.render(
        "locator/locator.html",
        q=(query.q or "")[:200],
        service=query.service or "",
        routes=_routes(directory),
        action=action,
        unit=unit,
        error=error,
        answer=answer,
        radius_text=(
            f"{radius_km / KM_PER_MILE:,.0f} mi" if unit == "mi" else f"{radius_km:,.0f} km"
        ),
        distance=lambda result: format_distance(result, unit),
        closes=lambda result: clock(result.status.closes) if result.status.closes else "",
        card=lambda clinic: clinic_card(renderer, clinic),
        map=(
            svg_map(answer.place, answer.results, lambda result: format_distance(result, unit))
            if answer
            else None
        ),
        json_ld=(
            json_ld(
                [r.clinic for r in answer.results],
                directory.organization.name,
                directory.organization.website,
                public_url=renderer.settings.visitor_url,
                lang=renderer.lang,
            )
            if answer
            else None
        ),
    )


_PAGES: weakref.WeakKeyDictionary[Directory, Kept[tuple[object, Markup]]] = (
    weakref.WeakKeyDictionary()
)
_PAGES_KEPT = 256
"""Renders kept per directory (about 20 KB each), the least recently asked dropped first."""
_PAGES_LOCK = threading.Lock()


def _page_key(
    renderer: Renderer,
    query: LocateQuery,
    answer: LocateAnswer | None,
    error: str | None,
    radius_km: float,
    unit: Unit,
    action: str | None,
) -> Hashable:
    """Everything the locator's HTML is drawn from: the renderer's language, prefixes and
    settings, the form's values, and the answer down to each clinic's distance and open-now
    status (so a clinic that opens or closes is drawn anew). Clinics are named by id: the
    directory they come from is the cache's own key."""
    found: Hashable = None
    if answer is not None:
        found = (
            answer.place,
            answer.radius_km,
            answer.nearest_anyway,
            answer.outside_region,
            tuple((r.clinic.id, r.distance_km, r.distance_mi, r.status) for r in answer.results),
        )
    return (
        id(renderer.settings),
        renderer.lang,
        renderer.carry_lang,
        renderer.base_path,
        renderer.static_url,
        renderer.crisis_link,
        (query.q or "")[:200],
        query.service or "",
        action,
        unit,
        error,
        radius_km,
        found,
    )
