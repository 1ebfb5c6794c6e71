"""``GET /fhir/metadata``: the CapabilityStatement FHIR clients read before anything else.

It states what the face answers (read and search of Location, Schedule and Slot, JSON only,
nothing written) with the search parameters taken from the very tuples the searches check,
so the statement cannot promise a parameter that a search refuses.
"""

from __future__ import annotations

from typing import Literal

import msgspec

from kat_widgets.fhir.search import SLOT_PARAMETERS
from kat_widgets.fhir.server import LOCATION_PARAMETERS, SCHEDULE_PARAMETERS
from kat_widgets.version import __version__

__all__ = ["CapabilityStatement", "capability_statement"]

STATEMENT_DATE = "2026-12-06"
"""When what this statement says last changed (FHIR requires a date)."""
_TYPES = {
    "_id": "token",
    "_count": "number",
    "actor": "reference",
    "schedule": "reference",
    "start": "date",
    "status": "token",
}


class _Fhir(msgspec.Struct, kw_only=True, omit_defaults=True, rename="camel"):
    """FHIR JSON: camelCase names, absent rather than empty or null."""


class SearchParam(_Fhir):
    name: str
    type: str


class Interaction(_Fhir):
    code: Literal["read", "search-type"]


class RestResource(_Fhir):
    type: str
    interaction: list[Interaction]
    search_param: list[SearchParam]


class Rest(_Fhir):
    mode: Literal["server"]
    documentation: str
    resource: list[RestResource]


class Software(_Fhir):
    name: str
    version: str


class Implementation(_Fhir):
    description: str
    url: str


class CapabilityStatement(_Fhir, tag_field="resourceType", tag="CapabilityStatement"):
    status: Literal["active"]
    date: str
    kind: Literal["instance"]
    software: Software
    implementation: Implementation
    fhir_version: str
    format: list[str]
    rest: list[Rest]


def _resource(kind: str, parameters: tuple[str, ...]) -> RestResource:
    return RestResource(
        type=kind,
        interaction=[Interaction(code="read"), Interaction(code="search-type")],
        search_param=[SearchParam(name=name, type=_TYPES[name]) for name in parameters],
    )


def capability_statement(base: str) -> CapabilityStatement:
    """What the face at ``base`` (absolute FHIR base URL) answers."""
    return CapabilityStatement(
        status="active",
        date=STATEMENT_DATE,
        kind="instance",
        software=Software(name="kat-widgets", version=__version__),
        implementation=Implementation(description="Clinics and their open times", url=base),
        fhir_version="4.0.1",
        format=["json"],
        rest=[
            Rest(
                mode="server",
                documentation=(
                    "Read-only. Slots are free times from now to each service's booking "
                    "horizon; Slot searches return at most _count (1000) entries. SMART "
                    "Scheduling Links: $bulk-publish."
                ),
                resource=[
                    _resource("Location", LOCATION_PARAMETERS),
                    _resource("Schedule", SCHEDULE_PARAMETERS),
                    _resource("Slot", SLOT_PARAMETERS),
                ],
            )
        ],
    )
