"""Load a clinic directory TOML file and check it, reporting the file and the path inside it."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kat_widgets.directory.closures import (
    MAX_CLOSURE_DAYS,
    holiday_dates,
    holiday_years,
    with_closures,
)
from kat_widgets.directory.intake import check_questions
from kat_widgets.directory.models import (
    Clinic,
    DateException,
    DirectoryData,
    HoursRule,
    Organization,
    Role,
    Service,
)
from kat_widgets.directory.texts import Translations, missing_translations, split_translations
from kat_widgets.errors import DirectoryError, NotFoundError
from kat_widgets.i18n import current
from kat_widgets.i18n import gettext as _
from kat_widgets.tomlfile import decode_toml, read_data_file

__all__ = ["Directory", "load_directory", "parse_directory"]


class Directory:
    """A checked directory with lookups by id. Build it with :func:`load_directory`."""

    __slots__ = (
        "__weakref__",  # caches of what is rendered from a directory live as long as it does
        "_clinics",
        "_roles",
        "_services",
        "data",
        "missing_translations",
        "source",
        "translations",
    )

    def __init__(
        self,
        data: DirectoryData,
        *,
        source: str = "<memory>",
        translations: Translations | None = None,
        missing_translations: tuple[str, ...] = (),
    ) -> None:
        _check(data, source)
        self.data = data
        self.source = source
        self.translations: Translations = translations or {}
        self.missing_translations = missing_translations
        """Where a language the widgets speak has no text of its own (``kat-widgets check``)."""
        today = dt.date.today()
        self._clinics = {clinic.id: with_closures(clinic, today=today) for clinic in data.clinics}
        self._services = {service.id: service for service in data.services}
        self._roles = {role.id: role for role in data.roles}

    @property
    def organization(self) -> Organization:
        return self.data.organization

    @property
    def clinics(self) -> tuple[Clinic, ...]:
        """Every clinic, its holidays and closed ranges among its exceptions."""
        return tuple(self._clinics.values())

    @property
    def services(self) -> tuple[Service, ...]:
        return self.data.services

    @property
    def roles(self) -> Mapping[str, Role]:
        return self._roles

    def translate(self, text: str, lang: str | None = None) -> str:
        """The directory's ``text`` (its English) in ``lang`` (default: the current language),
        or the English when the file gives none (:mod:`kat_widgets.directory.texts`)."""
        return self.translations.get(text, {}).get(lang or current(), text)

    def clinic(self, clinic_id: str) -> Clinic:
        try:
            return self._clinics[clinic_id]
        except KeyError:
            raise NotFoundError(_("No clinic with id {id!r}.").format(id=clinic_id)) from None

    def service(self, service_id: str) -> Service:
        try:
            return self._services[service_id]
        except KeyError:
            raise NotFoundError(_("No service with id {id!r}.").format(id=service_id)) from None

    def services_at(self, clinic: Clinic) -> tuple[Service, ...]:
        return tuple(self._services[service_id] for service_id in clinic.services)

    def offers(self, clinic: Clinic, service_id: str) -> bool:
        return service_id in clinic.services


def load_directory(path: str | os.PathLike[str]) -> Directory:
    """Read and check a directory file; raises :class:`DirectoryError` naming file and path."""
    return parse_directory(read_data_file(path, error=DirectoryError), source=str(path))


def parse_directory(raw: bytes | str, *, source: str = "<memory>") -> Directory:
    """Decode directory TOML text; see :func:`load_directory`."""
    translations: Translations = {}
    missing: list[str] = []

    def prepare(document: dict[str, Any]) -> None:
        translations.update(split_translations(document, source=source))
        missing.extend(missing_translations(document, translations))

    data = decode_toml(raw, DirectoryData, source=source, error=DirectoryError, prepare=prepare)
    return Directory(
        data, source=source, translations=translations, missing_translations=tuple(missing)
    )


def _duplicates(ids: Iterable[str]) -> Iterator[tuple[int, str]]:
    seen: set[str] = set()
    for index, item in enumerate(ids):
        if item in seen:
            yield index, item
        seen.add(item)


def _check(data: DirectoryData, source: str) -> None:
    def fail(path: str, message: str) -> DirectoryError:
        return DirectoryError(message, file=source, path=path)

    for list_name, ids in (
        ("roles", [role.id for role in data.roles]),
        ("services", [service.id for service in data.services]),
    ):
        for index, item_id in _duplicates(ids):
            raise fail(f"{list_name}[{index}].id", f"duplicate id {item_id!r}")
    for index, clinic_id in _duplicates(clinic.id for clinic in data.clinics):
        raise fail(f"clinics[{index}].id", f"duplicate clinic id {clinic_id!r}")

    role_ids = {role.id for role in data.roles}

    def known_roles(where: str, roles: Iterable[str]) -> None:
        for r_index, role_id in enumerate(roles):
            if role_id not in role_ids:
                raise fail(
                    f"{where}.roles[{r_index}]",
                    f"unknown role {role_id!r}; expected one of {sorted(role_ids)}",
                )

    services = {service.id: service for service in data.services}
    for s_index, service in enumerate(data.services):
        known_roles(f"services[{s_index}]", service.roles)

    for s_index, service in enumerate(data.services):
        for r_index, required in enumerate(service.pathway.requires_completed):
            if required not in services:
                raise fail(
                    f"services[{s_index}].pathway.requires_completed[{r_index}]",
                    f"unknown service {required!r}; expected one of {sorted(services)}",
                )
        if (service.pathway.offered_within_days_after is None) != (
            service.pathway.after_step is None
        ):
            raise fail(
                f"services[{s_index}].pathway",
                "give both offered_within_days_after and after_step, or neither",
            )

    check_questions(
        ((index, service.id, service.questions) for index, service in enumerate(data.services)),
        services,
        (clinic.id for clinic in data.clinics),
        fail,
    )

    for c_index, clinic in enumerate(data.clinics):
        where = f"clinics[{c_index}]"
        try:
            ZoneInfo(clinic.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise fail(
                f"{where}.timezone",
                f"unknown IANA timezone {clinic.timezone!r}; expected e.g. 'America/Denver'",
            ) from None
        _check_rules(fail, where, clinic.hours, clinic.exceptions)
        _check_closures(fail, where, clinic)
        for index, member in enumerate(clinic.staff):
            _check_rules(fail, f"{where}.staff[{index}]", member.hours, member.exceptions)
        for index, room in enumerate(clinic.rooms):
            _check_rules(fail, f"{where}.rooms[{index}]", room.hours, room.exceptions)
        for kind, ids in (
            ("staff", [member.id for member in clinic.staff]),
            ("rooms", [room.id for room in clinic.rooms]),
        ):
            for index, item_id in _duplicates(ids):
                raise fail(f"{where}.{kind}[{index}].id", f"duplicate id {item_id!r}")
        for st_index, member in enumerate(clinic.staff):
            known_roles(f"{where}.staff[{st_index}]", member.roles)
        staff_roles = {role for member in clinic.staff for role in member.roles}
        room_kinds = {room.kind for room in clinic.rooms}
        for s_index, service_id in enumerate(clinic.services):
            path = f"{where}.services[{s_index}]"
            offered = services.get(service_id)
            if offered is None:
                raise fail(
                    path, f"unknown service {service_id!r}; expected one of {sorted(services)}"
                )
            missing_roles = [role for role in offered.roles if role not in staff_roles]
            if missing_roles:
                raise fail(path, f"{service_id!r} needs staff with role {missing_roles[0]!r}")
            if offered.mode == "in-person":
                missing_rooms = [kind for kind in offered.room_kinds if kind not in room_kinds]
                if missing_rooms:
                    raise fail(path, f"{service_id!r} needs a room of kind {missing_rooms[0]!r}")
        for index, service_id in _duplicates(clinic.services):
            raise fail(f"{where}.services[{index}]", f"service {service_id!r} listed twice")


def _check_rules(
    fail: Callable[[str, str], DirectoryError],
    where: str,
    hours: Sequence[HoursRule],
    exceptions: Sequence[DateException],
) -> None:
    """Weekly hours and dated exceptions must each describe a real, non-empty window."""
    for h_index, rule in enumerate(hours):
        if rule.opens >= rule.closes:
            raise fail(f"{where}.hours[{h_index}]", "opens must be earlier than closes")
    for e_index, exception in enumerate(exceptions):
        if exception.closed:
            continue
        if exception.opens is None or exception.closes is None:
            raise fail(
                f"{where}.exceptions[{e_index}]",
                "give closed = true, or both opens and closes",
            )
        if exception.opens >= exception.closes:
            raise fail(f"{where}.exceptions[{e_index}]", "opens must be earlier than closes")


def _check_closures(fail: Callable[[str, str], DirectoryError], where: str, clinic: Clinic) -> None:
    """A holiday calendar the ``holidays`` package knows; closed ranges that run forward."""
    if clinic.holidays is not None:
        try:
            holiday_dates(clinic.holidays, holiday_years(dt.date.today()))
        except ValueError as exc:
            raise fail(
                f"{where}.holidays",
                f"unknown holiday calendar {clinic.holidays!r} ({exc}); expected e.g. 'US' or "
                "'US-UT'",
            ) from None
    for index, closure in enumerate(clinic.closures):
        days = (closure.end - closure.start).days + 1
        if not 1 <= days <= MAX_CLOSURE_DAYS:
            raise fail(
                f"{where}.closures[{index}]",
                f"end must be on or after start, and at most {MAX_CLOSURE_DAYS} days after it",
            )
