"""The clinic directory: clinics, services, staff and rooms, loaded from TOML and checked."""

from __future__ import annotations

from kat_widgets.directory.loader import Directory, load_directory, parse_directory
from kat_widgets.directory.models import (
    Address,
    BookingPolicy,
    Clinic,
    Coordinates,
    DateException,
    DirectoryData,
    HoursRule,
    Organization,
    PathwayRules,
    Role,
    Room,
    Service,
    Staff,
)

__all__ = [
    "Address",
    "BookingPolicy",
    "Clinic",
    "Coordinates",
    "DateException",
    "Directory",
    "DirectoryData",
    "HoursRule",
    "Organization",
    "PathwayRules",
    "Role",
    "Room",
    "Service",
    "Staff",
    "load_directory",
    "parse_directory",
]
