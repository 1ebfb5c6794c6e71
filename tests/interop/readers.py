"""Six independent iCalendar readers, each asked the same question about one file: per VEVENT,
and per AVAILABLE inside a VAVAILABILITY, the UID and the start and end as UTC instants.

The readers: Mozilla's ical.js (node, ``ical_dump.mjs``), icalendar (what the app itself builds
and imports with), vobject (what Radicale stores with), libical (the C library behind Evolution
and Cyrus, through the system Python: ``libical_read.py``), ics-py (``ics``) and allenporter's
``ical`` (Home Assistant's local calendar). Each converts to UTC on its own, from the VTIMEZONE
the file carries or from its own zone database: that is the point of asking six.

An instant is ``2027-03-08T16:00:00Z``: whole seconds, so a reader that drops or invents a
fraction disagrees too.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from unittest import mock

from tests import jstools

from .conftest import ical_js
from .file_kinds import Triple, instant

LIBICAL_READ = Path(__file__).with_name("libical_read.py")


class Reading(dict[str, list[Triple] | None]):
    """``events`` and ``available`` (``None``: the reader does not understand VAVAILABILITY)."""


READERS = ("ical.js", "icalendar", "vobject", "libical", "ics", "ical")
NO_VAVAILABILITY = {
    # ics-py 0.7 models VEVENT and VTODO only: it drops the block and reads zero components
    "ics": "ics-py has no VAVAILABILITY model (VEVENT and VTODO only)",
    # allenporter's ical models VEVENT, VTODO, VJOURNAL, VFREEBUSY; it ignores VAVAILABILITY
    "ical": "ical has no VAVAILABILITY model; it drops the block and reads zero components",
}
"""Readers that do not understand RFC 7953 VAVAILABILITY: skipped there, never for VEVENTs."""


def _js_instant(text: str) -> str:
    # toISOString() always prints milliseconds: they must be .000 to agree to the second
    assert text.endswith(".000Z"), text
    return text.removesuffix(".000Z") + "Z"


def read_ical_js(files: dict[str, bytes], tmp_path: Path) -> dict[str, Reading]:
    out = {}
    for name, data in files.items():
        parsed = ical_js(data, tmp_path)
        out[name] = Reading(
            events=[
                (e["uid"], _js_instant(e["start"]), _js_instant(e["end"])) for e in parsed["events"]
            ],
            available=[
                (a["uid"], _js_instant(a["start"]), _js_instant(a["end"]))
                for a in parsed["available"]
            ],
        )
    return out


def _icalendar(data: bytes) -> Reading:
    import icalendar

    calendar = icalendar.Calendar.from_ical(data)

    def triples(components: Iterable[Any]) -> list[Triple]:
        return [
            (
                str(c["UID"]),
                instant(c.decoded("DTSTART")),
                instant(c.decoded("DTEND")),
            )
            for c in components
        ]

    return Reading(
        events=triples(calendar.walk("VEVENT")), available=triples(calendar.walk("AVAILABLE"))
    )


def _vobject(data: bytes) -> Reading:
    import vobject

    calendar = vobject.readOne(data.decode("utf-8"))

    def triple(component: Any) -> Triple:
        return (
            component.uid.value,
            instant(component.dtstart.value),
            instant(component.dtend.value),
        )

    events, available = [], []
    for child in calendar.getChildren():
        if child.name == "VEVENT":
            events.append(triple(child))
        elif child.name == "VAVAILABILITY":
            available.extend(triple(a) for a in child.getChildren() if a.name == "AVAILABLE")
    return Reading(events=events, available=available)


def ics_py_calendar(text: str) -> Any:
    """ics-py's ``Calendar`` of ``text``."""
    import ics
    import tatsu.color

    # ics-py parses with TatSu, which calls colorama.init() on every parse when colorama is
    # installed (tatsu/contexts.py, _reset); each call wraps sys.stdout again, and a feed of a few
    # hundred events ends in RecursionError (tartley/colorama#182). Our file is not involved:
    # colour is for TatSu's traces, so it is switched off for the parse.
    with mock.patch.object(tatsu.color, "init", return_value=None):
        return ics.Calendar(text)


def _ics(data: bytes) -> Reading:
    calendar = ics_py_calendar(data.decode("utf-8"))

    def moment(value: Any) -> dt.datetime:
        return value.datetime if hasattr(value, "datetime") else value  # arrow (0.7) or not

    return Reading(
        events=[(e.uid, instant(moment(e.begin)), instant(moment(e.end))) for e in calendar.events],
        available=None,
    )


def _ical(data: bytes) -> Reading:
    from ical.calendar_stream import IcsCalendarStream

    calendar = IcsCalendarStream.calendar_from_ics(data.decode("utf-8"))
    return Reading(
        events=[(e.uid or "", instant(e.start), instant(e.end)) for e in calendar.events],  # type: ignore[arg-type]
        available=None,
    )


def read_libical(files: dict[str, bytes], tmp_path: Path) -> dict[str, Reading]:
    jstools.require("libical")
    folder = tmp_path / f"libical-{time.monotonic_ns()}"
    folder.mkdir()
    paths = {}
    for index, (name, data) in enumerate(files.items()):
        paths[name] = folder / f"{index}.ics"
        paths[name].write_bytes(data)
    done = subprocess.run(
        [jstools.SYSTEM_PYTHON, str(LIBICAL_READ), *map(str, paths.values())],
        capture_output=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr.decode()
    seen: dict[str, Any] = json.loads(done.stdout)
    out = {}
    for name, path in paths.items():
        answer = seen[str(path)]
        assert answer["errors"] == [], (name, answer["errors"])
        out[name] = Reading(
            events=[tuple(t) for t in answer["events"]],  # type: ignore[misc]
            available=[tuple(t) for t in answer["available"]],  # type: ignore[misc]
        )
    return out


IN_PROCESS: dict[str, Callable[[bytes], Reading]] = {
    "icalendar": _icalendar,
    "vobject": _vobject,
    "ics": _ics,
    "ical": _ical,
}


def read_all(files: dict[str, bytes], tmp_path: Path) -> dict[str, dict[str, Reading]]:
    """``{reader: {file name: Reading}}`` for all six readers. A file with a VAVAILABILITY is
    not given to the readers in :data:`NO_VAVAILABILITY`."""
    jstools.require("node", "ical.js", "libical", "vobject", "ics", "ical")
    out: dict[str, dict[str, Reading]] = {
        "ical.js": read_ical_js(files, tmp_path),
        "libical": read_libical(files, tmp_path),
    }
    for reader, read in IN_PROCESS.items():
        out[reader] = {
            name: read(data)
            for name, data in files.items()
            if not (reader in NO_VAVAILABILITY and b"BEGIN:VAVAILABILITY" in data)
        }
    return out
