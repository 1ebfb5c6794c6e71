from __future__ import annotations

import datetime as dt

import pytest

from kat_widgets.fragments.environment import clock, tel_href, weekdays


@pytest.mark.parametrize(
    ("days", "text"),
    [
        (("mon", "tue", "wed", "thu"), "Monday to Thursday"),
        (("fri",), "Friday"),
        (("sat", "sun"), "Saturday, Sunday"),
        (("mon", "wed", "thu", "fri"), "Monday, Wednesday to Friday"),
    ],
)
def test_weekdays(days: tuple[str, ...], text: str) -> None:
    assert weekdays(days) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (dt.time(0, 5), "12:05 AM"),
        (dt.time(8, 0), "8:00 AM"),
        (dt.time(12, 30), "12:30 PM"),
        (dt.time(18, 0), "6:00 PM"),
    ],
)
def test_clock(value: dt.time, text: str) -> None:
    assert clock(value) == text


def test_tel_href_keeps_only_digits() -> None:
    assert tel_href("+1-833-686-4687") == "tel:+18336864687"
    assert tel_href("(801) 587-3000") == "tel:8015873000"
