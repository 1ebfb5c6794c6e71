"""The clinic directory: clinics, services, staff and rooms, loaded from TOML and checked."""

from __future__ import annotations

from kat_widgets.directory.loader import Directory, load_directory, parse_directory
from kat_widgets.directory.models import (
    Address,
    Clinic,
    Coordinates,
    DateException,
    DirectoryData,
    HoursRule,
    Organization,
    Role,
    Room,
    Service,
    Staff,
)

__all__ = [
    "Address",
    "Clinic",
    "Coordinates",
    "DateException",
    "Directory",
    "DirectoryData",
    "HoursRule",
    "Organization",
    "Role",
    "Room",
    "Service",
    "Staff",
    "load_directory",
    "parse_directory",
]
