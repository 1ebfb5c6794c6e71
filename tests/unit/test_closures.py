"""Holidays and closed ranges (#18): clinics.toml `holidays = "US"` and [[clinics.closures]]."""

from __future__ import annotations

import datetime as dt

import pytest

from kat_widgets.directory import load_directory, parse_directory
from kat_widgets.errors import DirectoryError
from kat_widgets.scheduling import find_slots
from kat_widgets.settings import BUNDLED_DIRECTORY

DENVER = dt.timezone(dt.timedelta(hours=-7))


def _day(directory: object, day: dt.date, clinic: str = "draper") -> int:
    start = dt.datetime.combine(day, dt.time(0), tzinfo=DENVER)
    return len(
        find_slots(
            directory,  # type: ignore[arg-type]
            clinic,
            "info-call",
            start=start,
            end=start + dt.timedelta(days=1),
            now=start - dt.timedelta(days=7),
        )
    )


def _with(extra: str, *, holidays: str | None = '"US"') -> str:
    """The bundled directory with ``extra`` TOML for Draper (and its holidays setting)."""
    text = BUNDLED_DIRECTORY.read_text(encoding="utf-8")
    marker = 'id = "draper"\n'
    text = text.replace(marker, marker + extra, 1)
    if holidays is None:
        text = text.replace('holidays = "US"\n', "")
    elif holidays != '"US"':
        text = text.replace('holidays = "US"\n', f"holidays = {holidays}\n")
    return text


def _draper(before_hours: str, text: str | None = None) -> str:
    """``text`` (the bundled file) with ``before_hours`` just before Draper's first hours."""
    text = text if text is not None else _with("")
    at = text.index("[[clinics.hours]]", text.index('id = "draper"\n'))
    return text[:at] + before_hours + text[at:]


def test_the_bundled_clinics_close_on_federal_holidays() -> None:
    directory = load_directory(BUNDLED_DIRECTORY)
    assert _day(directory, dt.date(2026, 11, 26)) == 0  # Thanksgiving 2026 (the 20)
    assert _day(directory, dt.date(2026, 11, 25)) > 0  # the day before is open
    assert _day(directory, dt.date(2027, 5, 31)) == 0  # Memorial Day
    assert _day(directory, dt.date(2026, 12, 25)) == 0  # Christmas, as before
    without = parse_directory(_with("", holidays=None), source="clinics.toml")
    assert _day(without, dt.date(2026, 11, 26)) > 0


def test_an_exception_on_a_holiday_still_wins() -> None:
    text = _draper(
        "[[clinics.exceptions]]\ndate = 2026-11-26\nopens = 09:00:00\ncloses = 12:00:00\n"
        'note = "Open Thanksgiving morning"\n\n'
    )
    directory = parse_directory(text, source="clinics.toml")
    assert _day(directory, dt.date(2026, 11, 26), "american-fork") == 0
    assert 0 < _day(directory, dt.date(2026, 11, 26)) <= 6  # 09:00-12:00 only


def test_utah_adds_pioneer_day_and_a_closed_range_closes_every_day_of_it() -> None:
    utah = parse_directory(_with("", holidays='"US-UT"'), source="clinics.toml")
    assert _day(utah, dt.date(2027, 7, 23)) == 0  # Pioneer Day (observed, Friday)
    assert _day(load_directory(BUNDLED_DIRECTORY), dt.date(2027, 7, 23)) > 0
    text = _draper(
        '[[clinics.closures]]\nstart = 2027-03-08\nend = 2027-03-10\nnote = "Moving"\n\n'
    )
    moved = parse_directory(text, source="clinics.toml")
    for day in (8, 9, 10):
        assert _day(moved, dt.date(2027, 3, day)) == 0
    assert _day(moved, dt.date(2027, 3, 11)) > 0


@pytest.mark.parametrize(
    ("holidays", "closure", "path", "said"),
    [
        ('"XX"', "", "holidays", "unknown holiday calendar 'XX'"),
        ('"US-ZZ"', "", "holidays", "unknown holiday calendar 'US-ZZ'"),
        ('"us"', "", "holidays", "matching regex"),
        (
            '"US"',
            "[[clinics.closures]]\nstart = 2027-03-10\nend = 2027-03-08\n\n",
            "closures",
            "end must be on or after start",
        ),
    ],
)
def test_a_bad_calendar_or_range_is_refused_naming_its_place(
    holidays: str, closure: str, path: str, said: str
) -> None:
    text = BUNDLED_DIRECTORY.read_text(encoding="utf-8").replace(
        'holidays = "US"\n', f"holidays = {holidays}\n", 1
    )
    text = text.replace("[[clinics.hours]]", closure + "[[clinics.hours]]", 1)
    with pytest.raises(DirectoryError) as refused:
        parse_directory(text, source="clinics.toml")
    message = str(refused.value)
    assert message.startswith("clinics.toml") and ("clinics[0]" in message or "#1" in message)
    assert path in message and said in message
