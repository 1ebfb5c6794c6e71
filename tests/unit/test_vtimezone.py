from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
import pytest

from kat_widgets.scheduling.vtimezone import compact_vtimezone, compact_vtimezone_text


def test_denver_is_two_yearly_rules() -> None:
    text = compact_vtimezone_text("America/Denver")
    assert text.count("BEGIN:DAYLIGHT") == 1 and text.count("BEGIN:STANDARD") == 1
    assert "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU" in text
    assert "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU" in text
    assert "DTSTART:19701101T020000" in text
    assert "TZOFFSETFROM:-0600\r\nTZOFFSETTO:-0700" in text


def test_last_sunday_rules_use_minus_one() -> None:
    assert "BYDAY=-1SU" in compact_vtimezone_text("Europe/Berlin")


def test_zone_without_dst_falls_back_to_icalendar() -> None:
    text = compact_vtimezone_text("America/Phoenix")
    assert "RRULE" not in text and "TZOFFSETTO:-0700" in text


@pytest.mark.parametrize("tzid", ["America/Denver", "Europe/Berlin", "Australia/Sydney"])
def test_rules_reproduce_zoneinfo_offsets_2026_to_2037(tzid: str) -> None:
    component = compact_vtimezone(tzid)
    calendar = icalendar.Calendar()
    calendar.add_component(component)
    zone = component.to_tz()
    real = ZoneInfo(tzid)
    moment = dt.datetime(2026, 1, 1, 12)
    while moment.year < 2038:
        assert moment.replace(tzinfo=zone).utcoffset() == moment.replace(tzinfo=real).utcoffset()
        moment += dt.timedelta(days=3, hours=5)
