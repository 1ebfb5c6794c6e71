"""Booking .ics files as Mozilla's ical.js reads them: same instants, UID, SEQUENCE, METHOD."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from kat_widgets.booking.calendar import booking_ics
from kat_widgets.booking.models import BookingRecord
from kat_widgets.directory import Directory
from tests import jstools
from tests.interop.file_kinds import booking_record

pytestmark = pytest.mark.slow  # node in a subprocess
ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("booking_ics.mjs")


def _read_with_icaljs(data: bytes) -> dict[str, Any]:
    jstools.require("node", "ical.js")
    node = shutil.which("node")
    assert node is not None
    result = subprocess.run(
        [node, str(SCRIPT)], input=data, capture_output=True, check=True, cwd=ROOT, timeout=30
    )
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


def _record(status: str, sequence: int) -> BookingRecord:
    return booking_record(
        dt.datetime(2027, 3, 9, 17, 0, tzinfo=dt.UTC), status=status, sequence=sequence
    )


@pytest.mark.parametrize(("status", "sequence"), [("confirmed", 0), ("cancelled", 2)])
def test_icaljs_reads_the_booking_event(directory: Directory, status: str, sequence: int) -> None:
    now = dt.datetime(2027, 3, 8, 15, 0, tzinfo=dt.UTC)
    seen = _read_with_icaljs(booking_ics(_record(status, sequence), directory, now=now))
    assert seen["method"] is None  # the visitor's own event, not an iTIP message
    [event] = seen["events"]
    assert event["uid"] == "b" * 32 + "@kat-widgets"
    assert event["sequence"] == sequence
    assert event["start"] == "2027-03-09T17:00:00.000Z"
    assert event["end"] == "2027-03-09T17:20:00.000Z"
    assert event["status"] == status.upper()
    assert "Robin" not in event["summary"]
    assert event["organizer"] is None and event["attendees"] == []
