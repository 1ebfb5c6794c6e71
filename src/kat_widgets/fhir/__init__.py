"""The clinics and their open times as FHIR R4 (pure): SMART Scheduling Links and search.

Optional and read-only: directories that speak FHIR find our clinics and open times here and
send visitors into our own booking flow. Domain-side: no web framework, no FHIR library (the
JSON is built with msgspec); :mod:`kat_widgets.web.routes_fhir` serves it.
"""

from __future__ import annotations

from kat_widgets.fhir.bundle import Bundle, OperationOutcome, operation_outcome, searchset
from kat_widgets.fhir.publish import BulkManifest, ClinicSlots, clinic_slots, manifest
from kat_widgets.fhir.resources import (
    Site,
    encode,
    fhir_location,
    fhir_schedule,
    fhir_slot,
    find_schedule,
    ndjson,
    online_schedules,
)
from kat_widgets.fhir.search import MAX_COUNT, SlotSearch, search_slots

__all__ = [
    "MAX_COUNT",
    "BulkManifest",
    "Bundle",
    "ClinicSlots",
    "OperationOutcome",
    "Site",
    "SlotSearch",
    "clinic_slots",
    "encode",
    "fhir_location",
    "fhir_schedule",
    "fhir_slot",
    "find_schedule",
    "manifest",
    "ndjson",
    "online_schedules",
    "operation_outcome",
    "search_slots",
    "searchset",
]
