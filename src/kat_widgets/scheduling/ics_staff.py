"""The staff feeds' events: booked times, titled discreetly, saying who and what holds them.

A feed is ``METHOD:PUBLISH`` (RFC 5546 §3.2.1): every event names the clinic as ORGANIZER and
none may carry an ATTENDEE, so the staff member and the room a visit holds are said with RFC
5545's RESOURCES (§3.8.1.10), by their names in the directory; never the client's, unless the
caller asks (``show_names``, for feeds that never leave the clinic's own systems).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Literal

import icalendar
import msgspec
from icalendar.enums import STATUS, TRANSP
from icalendar.prop import vCategory

from kat_widgets.directory.models import Clinic, Service
from kat_widgets.scheduling.ics_words import (
    discreet_title,
    new_calendar,
    organizer_address,
    publish_method,
    visit_place,
    zoned,
)

__all__ = ["StaffFeedEntry", "staff_feed"]


class StaffFeedEntry(msgspec.Struct, frozen=True, kw_only=True):
    """One booked time for a staff feed. ``client_name`` is shown only with ``show_names``;
    ``resources``: the names of the staff and rooms it holds (RESOURCES; none: left out)."""

    uid: str
    service_id: str
    start: dt.datetime
    end: dt.datetime
    sequence: int = 0
    status: Literal["CONFIRMED", "TENTATIVE", "CANCELLED"] = "CONFIRMED"
    client_name: str | None = None
    resources: tuple[str, ...] = ()


def staff_feed(
    clinic: Clinic,
    services: Iterable[Service],
    entries: Iterable[StaffFeedEntry],
    *,
    stamp: dt.datetime,
    show_names: bool = False,
    name: str | None = None,
    organizer_email: str = "",
) -> icalendar.Calendar:
    """A staff member's booked times (METHOD:PUBLISH), titled discreetly: ``Booked: assessment``;
    each event names the clinic as ORGANIZER (:func:`organizer_address` of ``organizer_email``)
    and, in RESOURCES, the staff and rooms it holds.

    ``services`` resolves ``service_id``; with ``show_names`` the client's name is appended
    (only for feeds that never leave the clinic's own systems).
    """
    by_id = {service.id: service for service in services}
    entries = list(entries)
    calendar = new_calendar(
        publish_method(entries), clinic.timezone, name=name or f"{clinic.name}: bookings"
    )
    zone = clinic.zone
    for entry in entries:
        service = by_id[entry.service_id]
        title = f"Booked: {discreet_title(service)}"
        if show_names and entry.client_name:
            title = f"{title} ({' '.join(entry.client_name.split())})"  # one line, always
        event = icalendar.Event.new(
            uid=entry.uid,
            sequence=entry.sequence,
            stamp=stamp.astimezone(dt.UTC),
            start=zoned(entry.start, zone),
            end=zoned(entry.end, zone),
            summary=title,
            location=visit_place(clinic, service),
            status=STATUS(entry.status),
            transparency=TRANSP.OPAQUE,
        )
        event.add("ORGANIZER", organizer_address(clinic, organizer_email))
        if entry.resources:
            # one RESOURCES line, each name escaped on its own (a comma in a name stays text)
            event.add("RESOURCES", vCategory([" ".join(r.split()) for r in entry.resources]))
        calendar.add_component(event)
    return calendar
