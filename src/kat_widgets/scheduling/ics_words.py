"""What every calendar file says about a visit: the discreet titles, the place, the clinic as
organizer, times on the clinic's wall clock, and the VCALENDAR they go in (used by
:mod:`kat_widgets.scheduling.ics_export`, which re-exports them, and
:mod:`kat_widgets.scheduling.ics_staff`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal

import icalendar

from kat_widgets.directory.models import Clinic, Service
from kat_widgets.i18n import N_, gettext
from kat_widgets.scheduling.types import Slot
from kat_widgets.scheduling.vtimezone import compact_vtimezone

__all__ = [
    "FALLBACK_ORGANIZER",
    "PRODID",
    "Method",
    "availability_title",
    "availability_uid",
    "discreet_title",
    "new_calendar",
    "organizer_address",
    "publish_method",
    "visit_place",
    "zoned",
]

PRODID = "-//kat-widgets//scheduling//EN"
Method = Literal["PUBLISH", "REQUEST", "CANCEL"]
FALLBACK_ORGANIZER = "bookings@kat-widgets.invalid"
"""The ORGANIZER's address when no sender address (``mail_from``) is configured: a reserved
``.invalid`` name (RFC 2606) that never reaches a stranger's mailbox."""
_TITLES = {
    "info": N_("informational call"),
    "connect": N_("assessment"),
    "prepare": N_("preparation session"),
    "experience": N_("care session"),
    "integrate": N_("integration session"),
    "reconnect": N_("follow-up session"),
}


def discreet_title(service: Service) -> str:
    """A title that says what kind of visit without naming a treatment: ``informational call``."""
    if service.capacity > 1:
        return gettext("group session")  # in the current language (English for feeds)
    return gettext(_TITLES.get(service.step, N_("appointment")))


def availability_title(service: Service) -> str:
    """``Available: informational call``."""
    return f"Available: {discreet_title(service)}"


def availability_uid(slot: Slot) -> str:
    """Stable per clinic, service and start instant, so subscribers update rather than duplicate."""
    start = slot.start.astimezone(dt.UTC)
    return f"avail-{slot.clinic_id}-{slot.service_id}-{start:%Y%m%dT%H%M%SZ}@kat-widgets"


def zoned(moment: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """``moment`` on the clinic's wall clock, as a file writes it (``DTSTART;TZID=...``), or in
    UTC when that wall time is ambiguous: in the hour autumn repeats, a TZID time cannot say
    which of the two it is, and readers differ. (A wall time from ``astimezone`` always exists.)
    """
    local = moment.astimezone(zone)
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        return local.astimezone(dt.UTC)
    return local


def organizer_address(clinic: Clinic, email: str = "") -> icalendar.vCalAddress:
    """The clinic as ORGANIZER: ``CN`` its name, ``mailto:`` the clinic's sender address
    (``email``, the configured ``mail_from``; :data:`FALLBACK_ORGANIZER` when empty). Never a
    person: no staff member's name or mailbox goes into a file anyone may read."""
    address = icalendar.vCalAddress(f"mailto:{email or FALLBACK_ORGANIZER}")
    address.params["CN"] = clinic.name
    return address


def visit_place(clinic: Clinic, service: Service) -> str:
    """Where the visit happens, as LOCATION says it (in the current language)."""
    if service.mode == "phone-video":
        return gettext("Phone or video call with {clinic}").format(clinic=clinic.name)
    return f"{clinic.name}, {clinic.address.one_line}"


def new_calendar(
    method: Method | None, tzid: str, *, name: str | None = None, uid: str | None = None
) -> icalendar.Calendar:
    """A VCALENDAR with ``METHOD`` (none for ``None``), CALSCALE and the zone's VTIMEZONE."""
    calendar = icalendar.Calendar.new(prodid=PRODID, method=method, name=name, uid=uid)
    if uid is None:
        calendar.pop("UID", None)  # Calendar.new invents a random one; keep output stable
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add_component(compact_vtimezone(tzid))
    return calendar


def publish_method(events: Sequence[object]) -> Method | None:
    """PUBLISH for a feed with events; none without: RFC 5546 §3.2.1 asks for one or more."""
    return "PUBLISH" if events else None
