"""The read-only FHIR R4 face: search and read Location, Schedule and Slot (pure).

Each function is the one call a route makes: it checks the parameters (a wrong one is a
``ValidationError`` naming it), finds the resources and answers a searchset ``Bundle`` or a
resource (an unknown id: ``NotFoundError``). ``base`` is the FHIR base URL the reader used
(absolute), ``self_url`` the search as asked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from kat_widgets.directory import Directory
from kat_widgets.errors import NotFoundError
from kat_widgets.fhir.bundle import Bundle, searchset
from kat_widgets.fhir.publish import publishing_clinics
from kat_widgets.fhir.resources import (
    FhirLocation,
    FhirSchedule,
    FhirSlot,
    Site,
    fhir_location,
    fhir_schedule,
    fhir_slot,
    find_schedule,
    online_schedules,
    slot_id,
)
from kat_widgets.fhir.search import (
    MAX_COUNT,
    SlotSearch,
    check_parameters,
    reference_id,
    search_slots,
)
from kat_widgets.scheduling.cache import SlotCache
from kat_widgets.scheduling.queries import horizon_slots
from kat_widgets.scheduling.types import BusyProvider

__all__ = [
    "LOCATION_PARAMETERS",
    "SCHEDULE_PARAMETERS",
    "read_location",
    "read_schedule",
    "read_slot",
    "search_locations",
    "search_schedules",
    "slot_bundle",
]

Params = Mapping[str, Sequence[str]]
LOCATION_PARAMETERS = ("_id",)
SCHEDULE_PARAMETERS = ("_id", "actor")


def _ids(params: Params, name: str, kind: str) -> set[str] | None:
    if name not in params:
        return None
    return {
        reference_id(part, kind, field=name) for value in params[name] for part in value.split(",")
    }


def search_locations(
    directory: Directory, params: Params, *, site: Site, base: str, self_url: str
) -> Bundle:
    """Every clinic that publishes open times (``_id``: only those)."""
    check_parameters(params, LOCATION_PARAMETERS)
    wanted = _ids(params, "_id", "Location")
    found = [
        fhir_location(clinic, site)
        for clinic in publishing_clinics(directory)
        if wanted is None or clinic.id in wanted
    ]
    return searchset(base, found, total=len(found), self_url=self_url)


def read_location(directory: Directory, location_id: str, *, site: Site) -> FhirLocation:
    for clinic in publishing_clinics(directory):
        if clinic.id == location_id:
            return fhir_location(clinic, site)
    raise NotFoundError(f"No Location with id {location_id[:64]!r}.")


def _schedules(directory: Directory) -> list[FhirSchedule]:
    return [fhir_schedule(clinic, service) for clinic, service in online_schedules(directory)]


def search_schedules(directory: Directory, params: Params, *, base: str, self_url: str) -> Bundle:
    """Every clinic's online services (``actor``: at those Locations; ``_id``: only those)."""
    check_parameters(params, SCHEDULE_PARAMETERS)
    actors = _ids(params, "actor", "Location")
    wanted = _ids(params, "_id", "Schedule")
    found = [
        schedule
        for schedule in _schedules(directory)
        if (wanted is None or schedule.id in wanted)
        and (actors is None or schedule.actor[0].reference.removeprefix("Location/") in actors)
    ]
    return searchset(base, found, total=len(found), self_url=self_url)


def read_schedule(directory: Directory, wanted: str) -> FhirSchedule:
    clinic, service = find_schedule(directory, wanted)
    return fhir_schedule(clinic, service)


def slot_bundle(
    directory: Directory,
    params: Params,
    *,
    site: Site,
    base: str,
    self_url: str,
    busy: BusyProvider,
    now: dt.datetime,
    cache: SlotCache | None = None,
) -> Bundle:
    """Free slots from now to each service's horizon, by start, at most ``_count``."""
    search = SlotSearch.parse(params)
    matches = search_slots(directory, search, busy=busy, now=now, cache=cache)
    phones = {clinic.id: clinic.phone for clinic in directory.clinics}
    slots = [fhir_slot(slot, site=site, phone=phones[slot.clinic_id]) for slot in matches.slots]
    cut = None
    if matches.total > len(slots):
        cut = (
            f"{matches.total - len(slots)} more slots match; ask again with a later start "
            f"(start=gt...) or a larger _count (at most {MAX_COUNT})."
        )
    return searchset(base, slots, total=matches.total, self_url=self_url, cut=cut)


def read_slot(
    directory: Directory,
    wanted: str,
    *,
    site: Site,
    busy: BusyProvider,
    now: dt.datetime,
    cache: SlotCache | None = None,
) -> FhirSlot:
    """A slot that is still open; one taken or past since it was listed: ``NotFoundError``."""
    for clinic, service in online_schedules(directory):
        if not wanted.startswith(f"{clinic.id}.{service.id}.") and len(wanted) < 64:
            continue
        feed = horizon_slots(directory, clinic.id, service.id, busy=busy, now=now, cache=cache)
        for slot in feed.slots:
            if slot_id(slot) == wanted:
                return fhir_slot(slot, site=site, phone=clinic.phone)
    raise NotFoundError(f"No open Slot with id {wanted[:64]!r}: taken, past or never listed.")
