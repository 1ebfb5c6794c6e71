"""RFC 5546's restriction tables for the METHODs we emit, as a checker.

``problems(data)`` names every way an iCalendar object breaks the rules of its METHOD:

- ``PUBLISH`` (RFC 5546 §3.2.1), ``REQUEST`` (§3.2.2) and ``CANCEL`` (§3.2.5) for VEVENT: the
  properties each table requires exactly once, allows at most once, requires at least once or
  forbids, the STATUS values it allows, and the subcomponents it forbids (VALARM in a CANCEL);
  REQUEST and CANCEL: every VEVENT has the same UID. A CANCEL of a whole event "MUST include all
  Attendees" (§3.2.5): we only ever cancel whole events, so at least one ATTENDEE is required.
- ``PUBLISH`` with VAVAILABILITY (RFC 7953 §3.1): RFC 5546 has no table for it; we hold it to
  RFC 7953's cardinalities plus what PUBLISH asks of every published component (ORGANIZER once,
  no ATTENDEE).
- No METHOD: not an iTIP message (RFC 5545 §3.7.2), RFC 5545 §3.6.1's VEVENT rules (DTSTAMP,
  UID, DTSTART once: DTSTART is required "if the component appears in an iCalendar object that
  doesn't specify the METHOD property"). ``own_event=True`` (a file for one person's own
  calendar) also forbids ORGANIZER and ATTENDEE (RFC 5545 §3.8.4.3: no ORGANIZER on components
  "only on a single user's calendar"; without one, no ATTENDEE makes sense).
- Everywhere: METHOD at most once and one of those we emit; VERSION and PRODID once; DTEND and
  DURATION never together; a VTIMEZONE for every TZID used (each table: "MUST be present if any
  date/time refers to a timezone"); no VFREEBUSY, VTODO or VJOURNAL beside the events.

Only the rows that can matter for what kat-widgets writes are encoded (COMMENT, ATTACH, RDATE...
we never write, so their rows are left out); the tables themselves are in RFC 5546 §3.2.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import icalendar

Method = Literal["PUBLISH", "REQUEST", "CANCEL"]


@dataclass(frozen=True)
class Table:
    """One component's rows of a restriction table (property names upper case)."""

    one: frozenset[str] = frozenset()
    """Exactly once."""
    one_or_more: frozenset[str] = frozenset()
    at_most_one: frozenset[str] = frozenset()
    none: frozenset[str] = frozenset()
    """Forbidden (presence 0)."""
    status: frozenset[str] | None = None
    """The STATUS values allowed (None: any the component allows)."""
    no_subcomponents: frozenset[str] = frozenset()


_OPTIONAL_ONCE = frozenset(
    {
        "CLASS",
        "CREATED",
        "DESCRIPTION",
        "DTEND",
        "DURATION",
        "GEO",
        "LAST-MODIFIED",
        "LOCATION",
        "PRIORITY",
        "RECURRENCE-ID",
        "SEQUENCE",
        "STATUS",
        "TRANSP",
        "URL",
    }
)

VEVENT: dict[Method | None, Table] = {
    # RFC 5546 §3.2.1: DTSTAMP, DTSTART, ORGANIZER, SUMMARY, UID 1; ATTENDEE, REQUEST-STATUS 0;
    # STATUS "MAY be one of TENTATIVE/CONFIRMED/CANCELLED"
    "PUBLISH": Table(
        one=frozenset({"DTSTAMP", "DTSTART", "ORGANIZER", "SUMMARY", "UID"}),
        at_most_one=_OPTIONAL_ONCE,
        none=frozenset({"ATTENDEE", "REQUEST-STATUS"}),
        status=frozenset({"TENTATIVE", "CONFIRMED", "CANCELLED"}),
    ),
    # §3.2.2: ATTENDEE 1+; DTSTAMP, DTSTART, ORGANIZER, SUMMARY, UID 1; SEQUENCE 0 or 1;
    # STATUS "MAY be one of TENTATIVE/CONFIRMED"; REQUEST-STATUS 0
    "REQUEST": Table(
        one=frozenset({"DTSTAMP", "DTSTART", "ORGANIZER", "SUMMARY", "UID"}),
        one_or_more=frozenset({"ATTENDEE"}),
        at_most_one=_OPTIONAL_ONCE,
        none=frozenset({"REQUEST-STATUS"}),
        status=frozenset({"TENTATIVE", "CONFIRMED"}),
    ),
    # §3.2.5: DTSTAMP, ORGANIZER, SEQUENCE, UID 1; ATTENDEE "MUST include all Attendees if the
    # entire event is cancelled"; STATUS "MUST be set to CANCELLED to cancel the entire event";
    # SUMMARY, DTSTART 0 or 1; REQUEST-STATUS 0; VALARM 0
    "CANCEL": Table(
        one=frozenset({"DTSTAMP", "ORGANIZER", "SEQUENCE", "UID"}),
        one_or_more=frozenset({"ATTENDEE"}),
        at_most_one=_OPTIONAL_ONCE | {"DTSTART", "SUMMARY"},
        none=frozenset({"REQUEST-STATUS"}),
        status=frozenset({"CANCELLED"}),
        no_subcomponents=frozenset({"VALARM"}),
    ),
    # RFC 5545 §3.6.1 with no METHOD: DTSTAMP, UID, DTSTART required, the rest at most once
    None: Table(
        one=frozenset({"DTSTAMP", "UID", "DTSTART"}),
        at_most_one=_OPTIONAL_ONCE | {"ORGANIZER", "SUMMARY"},
        status=frozenset({"TENTATIVE", "CONFIRMED", "CANCELLED"}),
    ),
}

VAVAILABILITY_PUBLISH = Table(
    # RFC 7953 §3.1: DTSTAMP, UID once; BUSYTYPE, DTSTART, LOCATION, ORGANIZER, SUMMARY... at most
    # once; as published (PUBLISH), ORGANIZER once and no ATTENDEE
    one=frozenset({"DTSTAMP", "UID", "ORGANIZER"}),
    at_most_one=frozenset(
        {"BUSYTYPE", "CLASS", "CREATED", "DESCRIPTION", "DTSTART", "DTEND", "DURATION"}
        | {"LAST-MODIFIED", "LOCATION", "PRIORITY", "SEQUENCE", "SUMMARY", "URL"}
    ),
    none=frozenset({"ATTENDEE", "REQUEST-STATUS"}),
)
AVAILABLE = Table(
    # RFC 7953 §3.1: DTSTAMP, DTSTART, UID once; DTEND or DURATION, SUMMARY... at most once
    one=frozenset({"DTSTAMP", "DTSTART", "UID"}),
    at_most_one=frozenset({"DTEND", "DURATION", "SUMMARY", "LOCATION", "DESCRIPTION"}),
)
OWN_EVENT = frozenset({"ORGANIZER", "ATTENDEE"})
"""What a file for one person's own calendar never carries (RFC 5545 §3.8.4.3)."""


def _counts(component: icalendar.cal.Component) -> dict[str, int]:
    counts: dict[str, int] = {}
    for name, _ in component.property_items(recursive=False):
        if name not in ("BEGIN", "END"):
            counts[name] = counts.get(name, 0) + 1
    return counts


def _check(component: icalendar.cal.Component, table: Table, where: str) -> list[str]:
    found: list[str] = []
    counts = _counts(component)
    for name in sorted(table.one):
        if counts.get(name, 0) != 1:
            found.append(f"{where}: {name} must appear once, found {counts.get(name, 0)}")
    for name in sorted(table.one_or_more):
        if counts.get(name, 0) < 1:
            found.append(f"{where}: {name} must appear at least once, found none")
    for name in sorted(table.at_most_one):
        if counts.get(name, 0) > 1:
            found.append(f"{where}: {name} may appear at most once, found {counts[name]}")
    for name in sorted(table.none):
        if counts.get(name, 0):
            found.append(f"{where}: {name} is not allowed, found {counts[name]}")
    if counts.get("DTEND") and counts.get("DURATION"):
        found.append(f"{where}: DTEND and DURATION are not allowed together")
    status = str(component.get("STATUS", "")).upper()
    if table.status is not None and status and status not in table.status:
        found.append(f"{where}: STATUS {status} is not allowed (only {sorted(table.status)})")
    for sub in component.subcomponents:
        if sub.name in table.no_subcomponents:
            found.append(f"{where}: {sub.name} is not allowed inside {component.name}")
    return found


def _tzids(component: icalendar.cal.Component) -> set[str]:
    used: set[str] = set()
    for _, value in component.property_items(recursive=True):
        params = getattr(value, "params", None)
        if params is not None and "TZID" in params:
            used.add(str(params["TZID"]))
    return used


def problems(data: bytes | icalendar.Calendar, *, own_event: bool = False) -> list[str]:
    """Every way ``data`` breaks the rules of its METHOD (empty: none). ``own_event``: a file
    meant for one person's own calendar, which must also have no METHOD, ORGANIZER or ATTENDEE.
    """
    calendar = data if isinstance(data, icalendar.Calendar) else icalendar.Calendar.from_ical(data)
    found: list[str] = []
    top = _counts(calendar)
    for name in ("VERSION", "PRODID"):
        if top.get(name, 0) != 1:
            found.append(f"VCALENDAR: {name} must appear once, found {top.get(name, 0)}")
    if top.get("METHOD", 0) > 1:
        found.append(f"VCALENDAR: METHOD may appear at most once, found {top['METHOD']}")
    raw = calendar.get("METHOD")
    method = str(raw).upper() if raw is not None else None
    if method not in VEVENT:
        return [*found, f"VCALENDAR: METHOD {method} is not one we check"]
    if own_event and method is not None:
        found.append(f"VCALENDAR: METHOD {method} in a file for one person's own calendar")
    events = [c for c in calendar.subcomponents if c.name == "VEVENT"]
    blocks = [c for c in calendar.subcomponents if c.name == "VAVAILABILITY"]
    for other in ("VFREEBUSY", "VTODO", "VJOURNAL"):
        if any(c.name == other for c in calendar.subcomponents):
            found.append(f"VCALENDAR: {other} is not allowed beside the events")
    if method is not None and not events and not blocks:
        found.append(f"VCALENDAR: METHOD {method} needs at least one VEVENT, found none")
    table = VEVENT[method]  # type: ignore[index]  # method is one of VEVENT's keys
    for index, event in enumerate(events):
        where = f"VEVENT #{index + 1} ({event.get('UID', 'no UID')})"
        found.extend(_check(event, table, where))
        if own_event:
            for name in sorted(OWN_EVENT):
                if name in event:
                    found.append(f"{where}: {name} in a file for one person's own calendar")
    if method in ("REQUEST", "CANCEL") and len({str(e.get("UID")) for e in events}) > 1:
        found.append(f"VCALENDAR: every VEVENT of a {method} must have the same UID")
    for index, block in enumerate(blocks):
        where = f"VAVAILABILITY #{index + 1}"
        if method != "PUBLISH":
            found.append(f"{where}: only published (METHOD:PUBLISH) here, not {method}")
            continue
        found.extend(_check(block, VAVAILABILITY_PUBLISH, where))
        for number, available in enumerate(block.walk("AVAILABLE")):
            found.extend(_check(available, AVAILABLE, f"{where} AVAILABLE #{number + 1}"))
    zones = {str(c["TZID"]) for c in calendar.subcomponents if c.name == "VTIMEZONE"}
    for tzid in sorted(_tzids(calendar) - zones):
        found.append(f"VCALENDAR: TZID {tzid} is used but has no VTIMEZONE")
    return found


def method_of(data: bytes) -> str | None:
    """The METHOD an object says, or None."""
    raw = icalendar.Calendar.from_ical(data).get("METHOD")
    return str(raw).upper() if raw is not None else None
