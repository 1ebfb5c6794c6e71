"""Calendar files and add-to-calendar links for a booking; never any personal data in them.

The events come from the scheduling package's builders (stable UID, SEQUENCE, VTIMEZONE,
reminder); this module only maps stored bookings onto them. What the visitor gets (their file,
their invitation, the Google and Outlook links) speaks the language they booked in; the staff's
copies speak English.

The visitor's download is their own event, not an iTIP message: no METHOD, no ORGANIZER, no
ATTENDEE, so calendar apps import it as an ordinary event the visitor can rename or change
(RFC 5545 §3.7.2: without METHOD "a scheduling transaction MUST NOT be assumed"). Cancelled, it
is the same event (same UID) with STATUS:CANCELLED and the booking's higher SEQUENCE. Only the
emailed invitation (:func:`attendee_invitation`) is a meeting: REQUEST or CANCEL with the
clinic as ORGANIZER and the visitor as ATTENDEE.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Literal
from urllib.parse import urlencode

import icalendar

from kat_widgets import i18n
from kat_widgets.booking.models import BookingRecord
from kat_widgets.directory import Clinic, Directory, Service
from kat_widgets.scheduling.ics_export import (
    StaffFeedEntry,
    booking_calendar,
    booking_event,
    discreet_title,
    staff_feed,
    to_ics,
    visit_place,
)

__all__ = [
    "attendee_invitation",
    "booking_ics",
    "event_title",
    "google_link",
    "outlook_link",
    "staff_event_ics",
    "staff_feed_ics",
]

STAFF_REFRESH = dt.timedelta(minutes=15)
"""How often a subscribed staff feed should be read again (REFRESH-INTERVAL)."""


def event_title(clinic: Clinic, service: Service) -> str:
    """``Numinus Draper: informational call``: what kind of visit, never who or which drug
    (in the current language)."""
    return f"{clinic.name}: {discreet_title(service)}"


def _details(clinic: Clinic) -> str:
    return i18n.gettext(
        "To change or cancel, use the link from your confirmation or call {phone}. "
        "This calendar entry is not monitored: in a crisis call or text 988, "
        "in an emergency call 911."
    ).format(phone=clinic.phone)


def _status(record: BookingRecord) -> Literal["CONFIRMED", "TENTATIVE", "CANCELLED"]:
    """A request waiting for staff is TENTATIVE (RFC 5545), as calendars show it."""
    if record.status == "cancelled":
        return "CANCELLED"
    return "TENTATIVE" if record.status == "requested" else "CONFIRMED"


def _visit_event(
    record: BookingRecord,
    directory: Directory,
    *,
    now: dt.datetime,
    organizer: str | None,
    cancelled: bool,
) -> icalendar.Event:
    """The visit's one event (its UID and SEQUENCE are the booking's), for every copy of it;
    ``organizer`` ``None``: no ORGANIZER (the visitor's own file)."""
    clinic = directory.clinic(record.clinic_id)
    return booking_event(
        uid=f"{record.id}@kat-widgets",
        clinic=clinic,
        service=directory.service(record.service_id),
        start=record.start,
        end=record.end,
        stamp=now,
        organizer_email=organizer,
        sequence=record.sequence,
        status=_status(record) if not cancelled else "CANCELLED",
        description=_details(clinic),
    )


def booking_ics(record: BookingRecord, directory: Directory, *, now: dt.datetime) -> bytes:
    """The visitor's own event, a plain iCalendar object (no METHOD, no ORGANIZER or ATTENDEE):
    STATUS CONFIRMED or TENTATIVE, or CANCELLED (same UID, the booking's higher SEQUENCE, no
    reminder) once cancelled. Nothing about the visitor is in it."""
    clinic = directory.clinic(record.clinic_id)
    cancelled = record.status == "cancelled"
    with i18n.using(record.language):
        event = _visit_event(record, directory, now=now, organizer=None, cancelled=cancelled)
    return to_ics(booking_calendar([event], method=None, tzid=clinic.timezone))


def attendee_invitation(
    record: BookingRecord,
    directory: Directory,
    *,
    now: dt.datetime,
    organizer: str,
    method: Literal["REQUEST", "CANCEL"],
) -> bytes:
    """The visit as an iMIP invitation (RFC 6047) to the visitor's own address: ORGANIZER the
    clinic (``organizer``, named after it), ATTENDEE the visitor, the booking's UID and
    SEQUENCE; ``CANCEL`` (same UID, higher SEQUENCE) once cancelled."""
    clinic = directory.clinic(record.clinic_id)
    cancelled = method == "CANCEL"
    with i18n.using(record.language):
        event = _visit_event(record, directory, now=now, organizer=organizer, cancelled=cancelled)
    if record.email:
        attendee = icalendar.vCalAddress(f"mailto:{record.email}")
        attendee.params["ROLE"] = "REQ-PARTICIPANT"
        attendee.params["PARTSTAT"] = "ACCEPTED"  # they booked it themselves
        attendee.params["RSVP"] = "FALSE"
        event.add("ATTENDEE", attendee)
    return to_ics(booking_calendar([event], method=method, tzid=clinic.timezone))


def staff_event_ics(
    record: BookingRecord, directory: Directory, *, now: dt.datetime, organizer: str = ""
) -> bytes:
    """One visit as the staff feed shows it (discreet title, no name), to attach to an alert."""
    return staff_feed_ics([record], directory, now=now, organizer=organizer)


def staff_feed_ics(
    records: Iterable[BookingRecord],
    directory: Directory,
    *,
    now: dt.datetime,
    show_names: bool = False,
    organizer: str = "",
    name: str | None = None,
    resources: Mapping[str, tuple[str, ...]] | None = None,
) -> bytes:
    """Booked visits for staff: ``Booked: assessment`` unless names are on (in English, whatever
    language the visitors booked in). METHOD:PUBLISH: each event names its clinic as ORGANIZER
    (``organizer``, the configured ``mail_from``; a reserved ``.invalid`` address when empty)
    and, in RESOURCES, the staff and rooms it holds (``resources``, by booking id). ``name``:
    the calendar's (default: the whole feed's, "<organization>: booked visits")."""
    with i18n.using(i18n.DEFAULT):
        return _staff_feed_ics(
            records,
            directory,
            now=now,
            show_names=show_names,
            organizer=organizer,
            name=name or f"{directory.organization.name}: booked visits",
            resources=resources or {},
        )


def _staff_feed_ics(
    records: Iterable[BookingRecord],
    directory: Directory,
    *,
    now: dt.datetime,
    show_names: bool,
    organizer: str,
    name: str,
    resources: Mapping[str, tuple[str, ...]],
) -> bytes:
    events = []
    by_clinic: dict[str, list[StaffFeedEntry]] = {}
    for record in records:
        by_clinic.setdefault(record.clinic_id, []).append(
            StaffFeedEntry(
                # not the visitor's UID: one CalDAV collection may hold both copies
                uid=f"staff-{record.id}@kat-widgets",
                service_id=record.service_id,
                start=record.start,
                end=record.end,
                sequence=record.sequence,
                status=_status(record),
                client_name=record.name,
                resources=resources.get(record.id, ()),
            )
        )
    for clinic_id, entries in by_clinic.items():
        feed = staff_feed(
            directory.clinic(clinic_id),
            directory.services,
            entries,
            stamp=now,
            show_names=show_names,
            organizer_email=organizer,
        )
        events.extend(feed.events)
    # no bookings, no METHOD: a PUBLISH needs at least one event (RFC 5546 §3.2.1)
    method: Literal["PUBLISH"] | None = "PUBLISH" if events else None
    return to_ics(booking_calendar(events, method=method, name=name, refresh=STAFF_REFRESH))


def _stamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def google_link(record: BookingRecord, directory: Directory) -> str:
    """A Google Calendar template link; title, place and details only, no personal data."""
    clinic = directory.clinic(record.clinic_id)
    service = directory.service(record.service_id)
    with i18n.using(record.language):
        query = urlencode(
            {
                "action": "TEMPLATE",
                "text": event_title(clinic, service),
                "dates": f"{_stamp(record.start)}/{_stamp(record.end)}",
                "location": visit_place(clinic, service),
                "details": _details(clinic),
            }
        )
    return f"https://calendar.google.com/calendar/render?{query}"


def outlook_link(record: BookingRecord, directory: Directory) -> str:
    """An Outlook on the web compose link with the same fields as :func:`google_link`."""
    clinic = directory.clinic(record.clinic_id)
    service = directory.service(record.service_id)
    with i18n.using(record.language):
        query = urlencode(
            {
                "path": "/calendar/action/compose",
                "rru": "addevent",
                "subject": event_title(clinic, service),
                "startdt": record.start.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
                "enddt": record.end.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
                "location": visit_place(clinic, service),
                "body": _details(clinic),
            }
        )
    return f"https://outlook.office.com/calendar/deeplink/compose?{query}"
