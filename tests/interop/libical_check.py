"""Run by the system Python (``/usr/bin/python3``), not the project's: libical's own iTIP
restriction check over .ics files, through its GObject bindings (Debian's ``gir1.2-ical-3.0``
and ``python3-gi``; they are not on PyPI).

``python3 libical_check.py FILE...`` prints one JSON object: for each file, ``ok`` (what
``icalcomponent_check_restrictions`` answers: the component keeps the restriction table of its
METHOD, libical's design-data/restrictions.csv) and ``errors``, every ``X-LIC-ERROR`` libical
added while parsing or checking (a parse error counts too).
"""

import json
import sys

import gi

gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib  # noqa: E402


def errors(component):
    found = []
    kind = ICalGLib.Component.kind_to_string(component.isa())
    prop = component.get_first_property(ICalGLib.PropertyKind.XLICERROR_PROPERTY)
    while prop is not None:
        found.append(f"{kind}: {prop.get_xlicerror()}")
        prop = component.get_next_property(ICalGLib.PropertyKind.XLICERROR_PROPERTY)
    child = component.get_first_component(ICalGLib.ComponentKind.ANY_COMPONENT)
    while child is not None:
        found.extend(errors(child))
        child = component.get_next_component(ICalGLib.ComponentKind.ANY_COMPONENT)
    return found


def check(path):
    with open(path, encoding="utf-8", newline="") as file:
        component = ICalGLib.Component.new_from_string(file.read())
    if component is None:
        return {"ok": False, "errors": ["libical could not parse the file"]}
    ok = bool(component.check_restrictions())
    return {"ok": ok, "errors": errors(component)}


if __name__ == "__main__":
    json.dump({path: check(path) for path in sys.argv[1:]}, sys.stdout)
