"""FHIR answers around resources: a searchset ``Bundle`` and the ``OperationOutcome`` of an error.

A search says when it was cut short: the Bundle's ``total`` counts every match, and an entry
in search mode ``outcome`` tells the reader how many were left out and how to ask for them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import msgspec

from kat_widgets.fhir.resources import FhirLocation, FhirSchedule, FhirSlot

__all__ = [
    "Bundle",
    "BundleEntry",
    "BundleLink",
    "EntrySearch",
    "OperationOutcome",
    "OutcomeIssue",
    "Resource",
    "operation_outcome",
    "searchset",
]


class _Fhir(msgspec.Struct, kw_only=True, omit_defaults=True, rename="camel"):
    """FHIR JSON: camelCase names, absent rather than empty or null."""


class OutcomeIssue(_Fhir):
    severity: Literal["fatal", "error", "warning", "information"]
    code: str
    """From the FHIR issue-type value set: ``invalid``, ``not-found``, ``too-costly``..."""
    diagnostics: str
    expression: list[str] = msgspec.field(default_factory=list)
    """The search parameter at fault, when one is."""


class OperationOutcome(_Fhir, tag_field="resourceType", tag="OperationOutcome"):
    issue: list[OutcomeIssue]


Resource = FhirLocation | FhirSchedule | FhirSlot | OperationOutcome


class EntrySearch(_Fhir):
    mode: Literal["match", "outcome"]


class BundleEntry(_Fhir):
    resource: Resource
    search: EntrySearch
    full_url: str | None = None


class BundleLink(_Fhir):
    relation: str
    url: str


class Bundle(_Fhir, tag_field="resourceType", tag="Bundle"):
    type: Literal["searchset"]
    total: int
    link: list[BundleLink] = msgspec.field(default_factory=list)
    entry: list[BundleEntry] = msgspec.field(default_factory=list)


def operation_outcome(
    diagnostics: str,
    *,
    code: str = "invalid",
    severity: Literal["fatal", "error", "warning", "information"] = "error",
    parameter: str | None = None,
) -> OperationOutcome:
    issue = OutcomeIssue(
        severity=severity,
        code=code,
        diagnostics=diagnostics,
        expression=[parameter] if parameter else [],
    )
    return OperationOutcome(issue=[issue])


def searchset(
    base: str,
    resources: Sequence[FhirLocation | FhirSchedule | FhirSlot],
    *,
    total: int,
    self_url: str,
    cut: str | None = None,
) -> Bundle:
    """The matches (``base``: the FHIR base URL their ``fullUrl``s start with); ``cut`` is
    the warning shown when fewer than ``total`` are returned."""
    entries = [
        BundleEntry(
            full_url=f"{base}/{type(resource).__struct_config__.tag}/{resource.id}",
            resource=resource,
            search=EntrySearch(mode="match"),
        )
        for resource in resources
    ]
    if cut is not None:
        warning = operation_outcome(cut, code="too-costly", severity="warning")
        entries.append(BundleEntry(resource=warning, search=EntrySearch(mode="outcome")))
    return Bundle(
        type="searchset",
        total=total,
        link=[BundleLink(relation="self", url=self_url)],
        entry=entries,
    )
