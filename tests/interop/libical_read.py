"""Run by the system Python (``/usr/bin/python3``), not the project's: what libical reads from
.ics files, through its GObject bindings (Debian's ``gir1.2-ical-3.0`` and ``python3-gi``).

``python3 libical_read.py FILE...`` prints one JSON object: for each file, ``events`` (every
VEVENT) and ``available`` (every AVAILABLE inside a VAVAILABILITY), each a list of
``[uid, start, end]`` with start and end as UTC instants (``2027-03-08T16:00:00Z``), converted
by libical itself with the VTIMEZONE the file carries (``icalcomponent_get_dtstart`` resolves the
TZID in the enclosing VCALENDAR), and ``errors``, every ``X-LIC-ERROR`` libical added.
"""

import datetime
import json
import sys

import gi

gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib  # noqa: E402
from libical_check import errors  # noqa: E402

Kind = ICalGLib.ComponentKind


def instant(moment):
    """A libical time (with its zone, or UTC) as an ISO 8601 UTC instant."""
    seconds = moment.as_timet_with_zone(moment.get_timezone())
    utc = datetime.datetime.fromtimestamp(seconds, datetime.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%SZ")


def children(component, kind):
    child = component.get_first_component(kind)
    while child is not None:
        yield child
        child = component.get_next_component(kind)


def triple(component):
    return [component.get_uid(), instant(component.get_dtstart()), instant(component.get_dtend())]


def read(path):
    with open(path, encoding="utf-8", newline="") as file:
        calendar = ICalGLib.Component.new_from_string(file.read())
    if calendar is None:
        return {"events": [], "available": [], "errors": ["libical could not parse the file"]}
    events = [triple(event) for event in children(calendar, Kind.VEVENT_COMPONENT)]
    available = [
        triple(slot)
        for block in children(calendar, Kind.VAVAILABILITY_COMPONENT)
        for slot in children(block, Kind.XAVAILABLE_COMPONENT)
    ]
    return {"events": events, "available": available, "errors": errors(calendar)}


if __name__ == "__main__":
    json.dump({path: read(path) for path in sys.argv[1:]}, sys.stdout)
