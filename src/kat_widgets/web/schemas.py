"""JSON shapes of the HTTP API (msgspec Structs, so OpenAPI documents them exactly)."""

from __future__ import annotations

import msgspec

from kat_widgets.directory import Address, Clinic, Coordinates, HoursRule

__all__ = ["ClinicList", "ClinicOut", "Health", "clinic_out"]


class ClinicOut(msgspec.Struct, kw_only=True):
    """A clinic as the public sees it: no staff or room details."""

    id: str
    name: str
    address: Address
    address_line: str
    phone: str
    coordinates: Coordinates
    timezone: str
    hours: tuple[HoursRule, ...]
    services: tuple[str, ...]


class ClinicList(msgspec.Struct, kw_only=True):
    clinics: list[ClinicOut]


class Health(msgspec.Struct, kw_only=True):
    status: str


def clinic_out(clinic: Clinic) -> ClinicOut:
    return ClinicOut(
        id=clinic.id,
        name=clinic.name,
        address=clinic.address,
        address_line=clinic.address.one_line,
        phone=clinic.phone,
        coordinates=clinic.coordinates,
        timezone=clinic.timezone,
        hours=clinic.hours,
        services=clinic.services,
    )
