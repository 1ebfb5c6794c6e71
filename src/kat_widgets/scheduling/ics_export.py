"""iCalendar export (RFC 5545/5546): the availability feed, booked visits, staff feeds.

Titles are discreet: a calendar may be seen by others, so no treatment name and no client name
appear unless the caller asks (``show_names``). Every calendar carries a compact VTIMEZONE
(:mod:`kat_widgets.scheduling.vtimezone`); event times are written in the clinic's zone.

Each file is what its METHOD says (docs/calendars.md, "What each file carries"): the feeds are
``METHOD:PUBLISH``, so every event names its ORGANIZER, the clinic (RFC 5546 §3.2.1); an
invitation is ``REQUEST``/``CANCEL`` with ORGANIZER and ATTENDEE (§3.2.2, §3.2.5); a file for
one person's own calendar has no METHOD and no ORGANIZER or ATTENDEE (``method=None``): not an
iTIP message, so calendar apps import it as an ordinary event the person can edit (RFC 5545
§3.7.2, §3.8.4.3). The staff feeds' events (RESOURCES naming who and what a visit holds) are
built in :mod:`kat_widgets.scheduling.ics_staff` and re-exported here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import Literal

import icalendar
from icalendar.enums import STATUS, TRANSP
from icalendar.parser import Contentline

from kat_widgets.directory.models import Clinic, Service
from kat_widgets.i18n import gettext
from kat_widgets.scheduling.ics_staff import StaffFeedEntry, staff_feed
from kat_widgets.scheduling.ics_words import (
    FALLBACK_ORGANIZER,
    PRODID,
    Method,
    availability_title,
    availability_uid,
    discreet_title,
    new_calendar,
    organizer_address,
    publish_method,
    visit_place,
    zoned,
)
from kat_widgets.scheduling.types import Slot
from kat_widgets.scheduling.vtimezone import compact_vtimezone_text

__all__ = [
    "FALLBACK_ORGANIZER",
    "PRODID",
    "Method",
    "StaffFeedEntry",
    "availability_calendar",
    "availability_ics",
    "availability_title",
    "availability_uid",
    "availability_vavailability",
    "booking_calendar",
    "booking_event",
    "discreet_title",
    "organizer_address",
    "staff_feed",
    "to_ics",
    "visit_place",
    "zoned",
]


def _when(name: str, prefix: str, moment: dt.datetime, zone: dt.tzinfo) -> str:
    """A DTSTART/DTEND line for the fast writer, by the rule of :func:`zoned`."""
    at = zoned(moment, zone)
    if at.tzinfo is dt.UTC:
        return f"{name}:{at:%Y%m%dT%H%M%SZ}\r\n"
    return f"{prefix}{at:%Y%m%dT%H%M%S}\r\n"


def _organizer_line(clinic: Clinic, email: str) -> str:
    """The ORGANIZER content line as icalendar writes it (parameter quoting), for the fast
    writer."""
    address = organizer_address(clinic, email)
    return _fold(str(Contentline.from_parts("ORGANIZER", address.params, str(address))))


def availability_calendar(
    clinic: Clinic,
    service: Service,
    slots: Iterable[Slot],
    *,
    stamp: dt.datetime,
    organizer_email: str = "",
) -> icalendar.Calendar:
    """The subscribable feed of open slots (METHOD:PUBLISH, transparent events, each with the
    clinic as ORGANIZER: :func:`organizer_address` of ``organizer_email``). With no open slots,
    no METHOD: a PUBLISH needs at least one event (RFC 5546 §3.2.1).

    ``stamp`` is DTSTAMP for every event: pass the time the content last changed so an
    unchanged feed serialises to the same bytes (and the same ETag).
    """
    title = availability_title(service)
    slots = list(slots)
    calendar = new_calendar(
        publish_method(slots),
        clinic.timezone,
        name=f"{clinic.name}: {title}",
        uid=f"availability-{clinic.id}-{service.id}@kat-widgets",
    )
    calendar.add("REFRESH-INTERVAL", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", "PT1H")
    location = visit_place(clinic, service)
    zone = clinic.zone
    for slot in slots:
        event = icalendar.Event.new(
            uid=availability_uid(slot),
            stamp=stamp.astimezone(dt.UTC),
            start=zoned(slot.start, zone),
            end=zoned(slot.end, zone),
            summary=title,
            location=location,
            transparency=TRANSP.TRANSPARENT,
        )
        event.add("ORGANIZER", organizer_address(clinic, organizer_email))
        calendar.add_component(event)
    return calendar


def availability_vavailability(
    clinic: Clinic,
    service: Service,
    slots: Iterable[Slot],
    *,
    stamp: dt.datetime,
    start: dt.datetime,
    end: dt.datetime,
    organizer_email: str = "",
) -> icalendar.Calendar:
    """The same open slots as RFC 7953 VAVAILABILITY: busy over ``[start, end)`` except the
    AVAILABLE times (for CalDAV servers and schedulers that read availability, not events).
    The block names the clinic as ORGANIZER (RFC 7953 §3.1 allows one), as PUBLISH asks of
    every component it publishes."""
    title = availability_title(service)
    zone = clinic.zone
    stamp_utc = stamp.astimezone(dt.UTC)
    available = [
        icalendar.Available.new(
            uid=availability_uid(slot),
            stamp=stamp_utc,
            start=zoned(slot.start, zone),
            end=zoned(slot.end, zone),
            summary=title,
        )
        for slot in slots
    ]
    block = icalendar.Availability.new(
        uid=f"availability-{clinic.id}-{service.id}-vavailability@kat-widgets",
        stamp=stamp_utc,
        start=zoned(start, zone),
        end=zoned(end, zone),
        summary=f"{clinic.name}: {title}",
        location=visit_place(clinic, service),
        components=available,
    )
    block.add("BUSYTYPE", "BUSY-UNAVAILABLE")
    block.add("ORGANIZER", organizer_address(clinic, organizer_email))
    calendar = new_calendar("PUBLISH", clinic.timezone, name=f"{clinic.name}: {title}")
    calendar.add_component(block)
    return calendar


# -- the fast serialiser: the same content as availability_calendar, written directly ---------


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # not allowed in TEXT (RFC 5545 3.3.11)


def _escape(text: str) -> str:
    # any line break becomes an escaped \n: a bare CR would end the content line for some readers
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 3.1), never inside a UTF-8 sequence."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line + "\r\n"
    out: list[str] = []
    chunk = 75
    while data:
        cut = min(chunk, len(data))
        while cut < len(data) and (data[cut] & 0xC0) == 0x80:
            cut -= 1
        out.append(data[:cut].decode("utf-8"))
        data = data[cut:]
        chunk = 74  # continuation lines start with a space
    return "\r\n ".join(out) + "\r\n"


def availability_ics(
    clinic: Clinic,
    service: Service,
    slots: Sequence[Slot],
    *,
    stamp: dt.datetime,
    organizer_email: str = "",
) -> bytes:
    """:func:`availability_calendar` serialised directly: same parsed content, much faster.

    Equivalence with the icalendar path is checked by tests parsing both with icalendar and
    ical.js.
    """
    title = availability_title(service)
    tzid = clinic.timezone
    zone = clinic.zone
    summary = _fold(f"SUMMARY:{_escape(title)}")
    location = _fold(f"LOCATION:{_escape(visit_place(clinic, service))}")
    dtstamp = f"DTSTAMP:{stamp.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}\r\n"
    organizer = _organizer_line(clinic, organizer_email)
    head = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
        + _fold(f"PRODID:{PRODID}")
        + ("METHOD:PUBLISH\r\n" if slots else "")
        + _fold(f"NAME:{_escape(f'{clinic.name}: {title}')}")
        + _fold(f"X-WR-CALNAME:{_escape(f'{clinic.name}: {title}')}")
        + "CALSCALE:GREGORIAN\r\n"
        + _fold(f"UID:availability-{clinic.id}-{service.id}@kat-widgets")
        + "REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\nX-PUBLISHED-TTL:PT1H\r\n"
        + compact_vtimezone_text(tzid)
    )
    parts = [head]
    append = parts.append
    start_prefix = f"DTSTART;TZID={tzid}:"
    end_prefix = f"DTEND;TZID={tzid}:"
    uid_prefix = f"UID:avail-{clinic.id}-{service.id}-"
    for slot in slots:
        start = _when("DTSTART", start_prefix, slot.start, zone)
        end = _when("DTEND", end_prefix, slot.end, zone)
        uid = _fold(f"{uid_prefix}{slot.start.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}@kat-widgets")
        append(
            f"BEGIN:VEVENT\r\n{summary}{start}{end}{dtstamp}{uid}{location}"
            f"TRANSP:TRANSPARENT\r\n{organizer}END:VEVENT\r\n"
        )
    append("END:VCALENDAR\r\n")
    return "".join(parts).encode("utf-8")


# -- booked visits -------------------------------------------------------------------------


def booking_event(
    *,
    uid: str,
    clinic: Clinic,
    service: Service,
    start: dt.datetime,
    end: dt.datetime,
    stamp: dt.datetime,
    organizer_email: str | None,
    sequence: int = 0,
    status: Literal["CONFIRMED", "TENTATIVE", "CANCELLED"] = "CONFIRMED",
    summary: str | None = None,
    description: str | None = None,
    url: str | None = None,
    reminder_minutes: int | None = 60,
) -> icalendar.Event:
    """One booked visit for the visitor's calendar.

    ``uid`` must stay the same for the life of the booking (reschedules and cancellation raise
    ``sequence``). LOCATION is the clinic's address and GEO its coordinates for in-person
    services; phone/video visits say so instead and carry no GEO. ORGANIZER is
    ``mailto:organizer_email`` named after the clinic, for an invitation (REQUEST, CANCEL);
    ``None`` leaves it out, for a file that is the person's own event (no METHOD). A DISPLAY
    alarm fires
    ``reminder_minutes`` before the start (``None``: no alarm). The default title is discreet:
    ``"<clinic name>: informational call"``.
    """
    zone = clinic.zone
    event = icalendar.Event.new(
        uid=uid,
        sequence=sequence,
        stamp=stamp.astimezone(dt.UTC),
        start=zoned(start, zone),
        end=zoned(end, zone),
        summary=summary or f"{clinic.name}: {discreet_title(service)}",
        location=visit_place(clinic, service),
        description=description
        or gettext("Questions or changes: call {phone}.").format(phone=clinic.phone)
        + f" {clinic.name}, {clinic.address.one_line}.",
        url=url,
        status=STATUS(status),
        transparency=TRANSP.OPAQUE,
    )
    if organizer_email is not None:
        event.add("ORGANIZER", organizer_address(clinic, organizer_email))
    if service.mode == "in-person":
        event.add("GEO", (clinic.coordinates.lat, clinic.coordinates.lon))
    if reminder_minutes is not None and status != "CANCELLED":
        alarm = icalendar.Alarm()
        alarm.add("ACTION", "DISPLAY")
        alarm.add("DESCRIPTION", gettext("Reminder: {visit}").format(visit=discreet_title(service)))
        alarm.add("TRIGGER", dt.timedelta(minutes=-reminder_minutes))
        event.add_component(alarm)
    return event


def booking_calendar(
    events: Iterable[icalendar.Event],
    *,
    method: Method | None,
    tzid: str = "America/Denver",
    name: str | None = None,
    refresh: dt.timedelta | None = None,
) -> icalendar.Calendar:
    """Wrap events in a VCALENDAR with ``METHOD`` (PUBLISH for a feed, whose events name their
    ORGANIZER; REQUEST for an invitation; CANCEL with ``status="CANCELLED"`` events and a raised
    sequence; ``None`` for a file that is the person's own event, not an iTIP message) and a
    compact
    VTIMEZONE; zones other than ``tzid`` get theirs via ``add_missing_timezones``. A feed gets
    its ``name`` (NAME, X-WR-CALNAME) and how often to read it again (REFRESH-INTERVAL,
    X-PUBLISHED-TTL)."""
    calendar = new_calendar(method, tzid, name=name)
    if refresh is not None:
        calendar.add("REFRESH-INTERVAL", refresh, parameters={"VALUE": "DURATION"})
        calendar.add("X-PUBLISHED-TTL", f"PT{int(refresh.total_seconds()) // 60}M")
    for event in events:
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar


def to_ics(calendar: icalendar.Calendar) -> bytes:
    """Serialise a calendar (CRLF lines, folded)."""
    data: bytes = calendar.to_ical()
    return data
