"""SMART Scheduling Links bulk publication: the ``$bulk-publish`` manifest and its files' data.

A directory (a slot finder, a state's vaccine-style finder) polls the manifest every few
minutes and fetches the NDJSON files it lists: one of Locations, one of Schedules, and one of
Slots per clinic (tagged with the clinic's state, so a finder reads only the states it serves).
Each file's key names its content, so an unchanged file costs a 304 and no slot computation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import Literal, NamedTuple

import msgspec

from kat_widgets.directory import Clinic, Directory
from kat_widgets.errors import NotFoundError
from kat_widgets.fhir.resources import (
    Site,
    fhir_location,
    fhir_schedule,
    fhir_slot,
    ndjson,
    online_schedules,
)
from kat_widgets.scheduling.cache import SlotCache
from kat_widgets.scheduling.queries import horizon_slots
from kat_widgets.scheduling.types import BusyProvider, Slot

__all__ = [
    "BulkManifest",
    "BulkOutput",
    "ClinicSlots",
    "clinic_slots",
    "locations_file",
    "manifest",
    "publishing_clinics",
    "schedules_file",
    "slots_file",
]


class BulkOutputTags(msgspec.Struct, kw_only=True):
    state: list[str]
    """The states or jurisdictions a file's data are about (``["UT"]``)."""


class BulkOutput(msgspec.Struct, kw_only=True, omit_defaults=True):
    type: Literal["Location", "Schedule", "Slot"]
    url: str
    """Absolute, as the spec requires."""
    extension: BulkOutputTags | None = None


class BulkManifest(msgspec.Struct, kw_only=True, rename="camel"):
    transaction_time: str
    """When this data set was published: when its content last changed."""
    request: str
    """The manifest's own absolute URL."""
    output: list[BulkOutput]
    error: list[BulkOutput]
    """Always empty: a file we cannot write is an error answer of its own."""


def publishing_clinics(directory: Directory) -> list[Clinic]:
    """Clinics with at least one service visitors book online, in directory order."""
    seen: dict[str, Clinic] = {}
    for clinic, _ in online_schedules(directory):
        seen.setdefault(clinic.id, clinic)
    return list(seen.values())


def manifest(
    base: str, clinics: Sequence[Clinic], *, published: dt.datetime, request: str
) -> BulkManifest:
    """``base``: where the files are (absolute, no trailing slash)."""
    outputs = [
        BulkOutput(type="Location", url=f"{base}/Location.ndjson"),
        BulkOutput(type="Schedule", url=f"{base}/Schedule.ndjson"),
        *(
            BulkOutput(
                type="Slot",
                url=f"{base}/{clinic.id}/Slot.ndjson",
                extension=BulkOutputTags(state=[clinic.address.region]),
            )
            for clinic in clinics
        ),
    ]
    stamp = published.astimezone(dt.UTC).replace(microsecond=0).isoformat()
    return BulkManifest(
        transaction_time=stamp.replace("+00:00", "Z"), request=request, output=outputs, error=[]
    )


class ClinicSlots(NamedTuple):
    clinic: Clinic
    slots: list[Slot]
    """Every open slot of every online service, from now to each one's horizon."""
    key: str
    """Names exactly these slots (from the slot cache's keys: no hashing of the slots)."""


def clinic_slots(
    directory: Directory,
    clinic_id: str,
    *,
    busy: BusyProvider,
    now: dt.datetime,
    cache: SlotCache | None = None,
) -> ClinicSlots:
    """A clinic's Slot file; an unknown clinic or one with no online service: NotFoundError."""
    clinic = directory.clinic(clinic_id)
    slots: list[Slot] = []
    keys = [clinic.id]
    for _, service in (pair for pair in online_schedules(directory) if pair[0].id == clinic.id):
        feed = horizon_slots(directory, clinic.id, service.id, busy=busy, now=now, cache=cache)
        slots.extend(feed.slots)
        keys.append(f"{service.id}:{feed.key}")
    if len(keys) == 1:
        raise NotFoundError(f"{clinic.name} publishes no open times online.")
    slots.sort(key=lambda slot: (slot.start.astimezone(dt.UTC), slot.service_id))
    return ClinicSlots(clinic, slots, hashlib.sha256("|".join(keys).encode()).hexdigest()[:32])


def locations_file(directory: Directory, site: Site) -> bytes:
    """The Location file: every clinic that publishes open times, one per line."""
    return ndjson(fhir_location(clinic, site) for clinic in publishing_clinics(directory))


def schedules_file(directory: Directory) -> bytes:
    """The Schedule file: one per clinic and online service."""
    return ndjson(fhir_schedule(clinic, service) for clinic, service in online_schedules(directory))


def slots_file(found: ClinicSlots, site: Site) -> bytes:
    """A clinic's Slot file: its free slots, one per line, by start."""
    phone = found.clinic.phone
    return ndjson(fhir_slot(slot, site=site, phone=phone) for slot in found.slots)
