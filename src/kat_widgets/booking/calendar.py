"""Calendar files and add-to-calendar links for a booking; never any personal data in them.

Built with icalendar here; kept behind three small functions so the scheduling package's event
builders can replace them without touching callers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from urllib.parse import urlencode

from icalendar import Calendar, Event
from icalendar.enums import STATUS

from kat_widgets.booking.storage import BookingRecord
from kat_widgets.directory import Clinic, Directory, Service

__all__ = ["booking_ics", "event_title", "google_link", "outlook_link", "staff_feed_ics"]

PRODID = "-//kat-widgets//booking//EN"


def event_title(service: Service, directory: Directory) -> str:
    """``Free informational call - Numinus Utah``: what the visit is, never who."""
    return f"{service.name} - {directory.organization.name}"


def _where(clinic: Clinic, service: Service) -> str:
    if service.mode == "phone-video":
        return f"Phone or video call with {clinic.name}"
    return f"{clinic.name}, {clinic.address.one_line}"


def _details(clinic: Clinic, directory: Directory) -> str:
    return (
        f"To change or cancel, use the link from your confirmation or call {clinic.phone}. "
        "This calendar entry is not monitored: in a crisis call or text 988, "
        "in an emergency call 911."
    )


def _event(
    record: BookingRecord, directory: Directory, *, cancelled: bool, now: dt.datetime
) -> Event:
    clinic = directory.clinic(record.clinic_id)
    service = directory.service(record.service_id)
    return Event.new(
        uid=f"{record.id}@kat-widgets",
        sequence=record.sequence,
        stamp=now.astimezone(dt.UTC),
        start=record.start.astimezone(dt.UTC),
        end=record.end.astimezone(dt.UTC),
        summary=event_title(service, directory),
        location=_where(clinic, service),
        description=_details(clinic, directory),
        status=STATUS.CANCELLED if cancelled else STATUS.CONFIRMED,
    )


def booking_ics(record: BookingRecord, directory: Directory, *, now: dt.datetime) -> bytes:
    """The visitor's own event: METHOD:PUBLISH, or METHOD:CANCEL (same UID) once cancelled."""
    cancelled = record.status == "cancelled"
    calendar = Calendar.new(
        prodid=PRODID,
        method="CANCEL" if cancelled else "PUBLISH",
        subcomponents=[_event(record, directory, cancelled=cancelled, now=now)],
    )
    return bytes(calendar.to_ical())


def staff_feed_ics(
    records: Iterable[BookingRecord],
    directory: Directory,
    *,
    now: dt.datetime,
    show_names: bool = False,
) -> bytes:
    """Booked visits for staff. Titles are discreet ("Booked: <service>") unless names are on."""
    events = []
    for record in records:
        service = directory.service(record.service_id)
        event = _event(record, directory, cancelled=False, now=now)
        title = f"Booked: {service.name}"
        if show_names and record.name:
            title = f"{title} ({record.name})"
        event["SUMMARY"] = title
        event["DESCRIPTION"] = "Details are in the booking system."
        events.append(event)
    calendar = Calendar.new(
        prodid=PRODID, method="PUBLISH", name="Booked visits", subcomponents=events
    )
    return bytes(calendar.to_ical())


def _stamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def google_link(record: BookingRecord, directory: Directory) -> str:
    """A Google Calendar template link; title, place and details only, no personal data."""
    clinic = directory.clinic(record.clinic_id)
    service = directory.service(record.service_id)
    query = urlencode(
        {
            "action": "TEMPLATE",
            "text": event_title(service, directory),
            "dates": f"{_stamp(record.start)}/{_stamp(record.end)}",
            "location": _where(clinic, service),
            "details": _details(clinic, directory),
        }
    )
    return f"https://calendar.google.com/calendar/render?{query}"


def outlook_link(record: BookingRecord, directory: Directory) -> str:
    """An Outlook on the web compose link with the same fields as :func:`google_link`."""
    clinic = directory.clinic(record.clinic_id)
    service = directory.service(record.service_id)
    query = urlencode(
        {
            "path": "/calendar/action/compose",
            "rru": "addevent",
            "subject": event_title(service, directory),
            "startdt": record.start.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
            "enddt": record.end.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
            "location": _where(clinic, service),
            "body": _details(clinic, directory),
        }
    )
    return f"https://outlook.office.com/calendar/deeplink/compose?{query}"
