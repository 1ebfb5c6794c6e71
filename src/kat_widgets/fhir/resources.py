"""The directory and open slots as FHIR R4 resources: Location, Schedule, Slot (pure).

Shaped as SMART Scheduling Links asks (https://github.com/smart-on-fhir/smart-scheduling-links):
a Location per clinic, a Schedule per clinic and service bookable online, a free Slot per open
time, with the booking deep link, the booking phone and the seats left. Only clinics and open
times are described: nothing here names a person, and no URL carries personal data.

Resources are msgspec Structs (``resourceType`` is their tag), encoded by msgspec, so the
package needs no FHIR library; tests check what we write against ``fhir.resources``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Iterator
from urllib.parse import urlencode

import msgspec

from kat_widgets.directory import Clinic, Directory, Service
from kat_widgets.errors import NotFoundError
from kat_widgets.scheduling.types import Slot

__all__ = [
    "BOOKING_DEEP_LINK",
    "BOOKING_PHONE",
    "FHIR_ID",
    "SLOT_CAPACITY",
    "FhirLocation",
    "FhirSchedule",
    "FhirSlot",
    "Site",
    "encode",
    "fhir_location",
    "fhir_schedule",
    "fhir_slot",
    "find_schedule",
    "instant",
    "ndjson",
    "online_schedules",
    "schedule_id",
    "slot_id",
]

BOOKING_DEEP_LINK = "http://fhir-registry.smarthealthit.org/StructureDefinition/booking-deep-link"
BOOKING_PHONE = "http://fhir-registry.smarthealthit.org/StructureDefinition/booking-phone"
SLOT_CAPACITY = "http://fhir-registry.smarthealthit.org/StructureDefinition/slot-capacity"
SERVICE_SYSTEM = "urn:kat-widgets:service"
"""Our own code system for services: their ids (``info-call``)."""
FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
"""What FHIR (and the SMART spec) allow as a resource id."""


class _Fhir(msgspec.Struct, kw_only=True, omit_defaults=True, rename="camel"):
    """FHIR JSON: camelCase names, absent rather than empty or null (so a field whose value
    must always be written, such as ``status``, has no default)."""


class Coding(_Fhir):
    system: str
    code: str
    display: str | None = None


class CodeableConcept(_Fhir):
    coding: list[Coding]
    text: str | None = None


class Identifier(_Fhir):
    system: str
    value: str


class ContactPoint(_Fhir):
    system: str
    value: str


class FhirAddress(_Fhir):
    line: list[str]
    city: str
    state: str
    postal_code: str
    country: str


class Position(_Fhir):
    latitude: float
    longitude: float


class Reference(_Fhir):
    reference: str
    display: str | None = None


class Extension(_Fhir):
    url: str
    value_url: str | None = None
    value_string: str | None = None
    value_integer: int | None = None


class FhirLocation(_Fhir, tag_field="resourceType", tag="Location"):
    id: str
    identifier: list[Identifier]
    status: str
    name: str
    telecom: list[ContactPoint]
    address: FhirAddress
    position: Position


class FhirSchedule(_Fhir, tag_field="resourceType", tag="Schedule"):
    id: str
    active: bool
    service_type: list[CodeableConcept]
    actor: list[Reference]


class FhirSlot(_Fhir, tag_field="resourceType", tag="Slot"):
    id: str
    extension: list[Extension]
    schedule: Reference
    status: str
    start: str
    end: str


class Site(msgspec.Struct, frozen=True, kw_only=True):
    """Where visitors reach us (absolute, no trailing slash): booking links and identifiers."""

    url: str

    def booking_link(self, slot: Slot) -> str:
        """The booking form for ``slot``: clinic, service and start only, nothing personal."""
        query = {"clinic": slot.clinic_id, "service": slot.service_id, "start": instant(slot.start)}
        return f"{self.url}/embed/booking?{urlencode(query)}"

    def open_times(self, clinic: Clinic) -> str:
        return f"{self.url}/embed/availability?{urlencode({'clinic': clinic.id})}"


def _fhir_id(text: str) -> str:
    """``text`` as a FHIR id: itself when it fits in 64 characters, else a prefix and a hash."""
    if len(text) <= 64:
        return text
    return f"{text[:47]}.{hashlib.sha256(text.encode()).hexdigest()[:16]}"


def instant(moment: dt.datetime) -> str:
    """A FHIR instant to the second with the moment's own offset (``...T08:00:00-07:00``)."""
    return moment.replace(microsecond=0).isoformat()


def schedule_id(clinic_id: str, service_id: str) -> str:
    return _fhir_id(f"{clinic_id}.{service_id}")


def slot_id(slot: Slot) -> str:
    """Stable per schedule and start (UTC), so a directory sees the same slot again."""
    start = slot.start.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return _fhir_id(f"{slot.clinic_id}.{slot.service_id}.{start}")


def online_schedules(directory: Directory) -> Iterator[tuple[Clinic, Service]]:
    """Each clinic with each service it offers that visitors book online, in directory order."""
    for clinic in directory.clinics:
        for service in directory.services_at(clinic):
            if service.public:
                yield clinic, service


def find_schedule(directory: Directory, wanted: str) -> tuple[Clinic, Service]:
    """The clinic and service of a Schedule id; ``NotFoundError`` when none has it."""
    for clinic, service in online_schedules(directory):
        if schedule_id(clinic.id, service.id) == wanted:
            return clinic, service
    raise NotFoundError(f"No Schedule with id {wanted[:64]!r}.")


def fhir_location(clinic: Clinic, site: Site) -> FhirLocation:
    address = clinic.address
    return FhirLocation(
        id=_fhir_id(clinic.id),
        identifier=[Identifier(system=f"{site.url}/api/clinics", value=clinic.id)],
        status="active",
        name=clinic.name,
        telecom=[
            ContactPoint(system="phone", value=clinic.phone),
            ContactPoint(system="url", value=site.open_times(clinic)),
        ],
        address=FhirAddress(
            line=[address.street, *([address.unit] if address.unit else [])],
            city=address.city,
            state=address.region,
            postal_code=address.postal_code,
            country=address.country,
        ),
        position=Position(latitude=clinic.coordinates.lat, longitude=clinic.coordinates.lon),
    )


def fhir_schedule(clinic: Clinic, service: Service) -> FhirSchedule:
    """The service's name in the directory's own words, whatever the reader's language: the
    same bytes for every reader, so a shared cache may keep them."""
    display = service.name
    return FhirSchedule(
        id=schedule_id(clinic.id, service.id),
        active=True,
        service_type=[
            CodeableConcept(
                coding=[Coding(system=SERVICE_SYSTEM, code=service.id, display=display)],
                text=display,
            )
        ],
        actor=[Reference(reference=f"Location/{_fhir_id(clinic.id)}", display=clinic.name)],
    )


def fhir_slot(slot: Slot, *, site: Site, phone: str) -> FhirSlot:
    """A free Slot; ``phone`` is who to call to book it (the clinic's number)."""
    return FhirSlot(
        id=slot_id(slot),
        extension=[
            Extension(url=BOOKING_DEEP_LINK, value_url=site.booking_link(slot)),
            Extension(url=BOOKING_PHONE, value_string=phone),
            Extension(url=SLOT_CAPACITY, value_integer=slot.seats_left),
        ],
        schedule=Reference(reference=f"Schedule/{schedule_id(slot.clinic_id, slot.service_id)}"),
        status="free",
        start=instant(slot.start),
        end=instant(slot.end),
    )


_ENCODER = msgspec.json.Encoder()


def encode(value: object) -> bytes:
    """One FHIR JSON document (a resource, a Bundle, an OperationOutcome)."""
    return _ENCODER.encode(value)


def ndjson(resources: Iterable[msgspec.Struct]) -> bytes:
    """One minified resource per line, each line ending in a newline."""
    buffer = bytearray()
    for resource in resources:
        _ENCODER.encode_into(resource, buffer, -1)
        buffer.extend(b"\n")
    return bytes(buffer)
