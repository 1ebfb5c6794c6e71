"""``kat-widgets calendars staff-feeds``: every staff feed's address, each one working (#20)."""

from __future__ import annotations

from itertools import pairwise

import pytest
from icalendar import Calendar
from litestar.testing import TestClient

from kat_widgets import create_app, load_settings
from kat_widgets.cli import main
from kat_widgets.directory import load_directory

BASE = "https://book.clinic.example/w"
FEED_TOKEN = "f" * 40


@pytest.fixture
def env(env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI tests' environment (conftest.py), with the public address feeds are given at."""
    monkeypatch.setenv("KAT_PUBLIC_URL", BASE)


def _feeds(printed: str) -> dict[str, str]:
    """``kind clinic/resource`` -> its address, from the command's output."""
    lines = printed.strip().splitlines()
    found = {}
    for label, address in pairwise(lines):
        if address.startswith(f"  {BASE}/calendars/staff/"):
            found[label.split(":", 1)[0]] = address.strip()
    return found


def test_staff_feeds_prints_a_working_address_for_every_feed(
    env: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KAT_STAFF_FEED_TOKEN", FEED_TOKEN)
    assert main(["calendars", "staff-feeds"]) == 0
    feeds = _feeds(capsys.readouterr().out)
    settings = load_settings()
    clinics = load_directory(settings.directory_file).clinics
    directory_size = 1 + sum(1 + len(clinic.staff) + len(clinic.rooms) for clinic in clinics)
    assert len(feeds) == directory_size and len(set(feeds.values())) == directory_size
    assert feeds["all *"] == f"{BASE}/calendars/staff/{FEED_TOKEN}.ics"
    navigator = feeds["staff draper/draper-navigator"]
    assert FEED_TOKEN not in navigator and "draper" not in navigator.removeprefix(BASE)
    with TestClient(create_app(settings)) as client:
        for label in ("staff draper/draper-navigator", "room draper/draper-consult-1"):
            answer = client.get(feeds[label].removeprefix(BASE))
            assert answer.status_code == 200, label
            name = str(Calendar.from_ical(answer.content)["X-WR-CALNAME"])
            assert name.startswith("Numinus Draper: ")
    assert main(["calendars", "staff-feeds", "--clinic", "layton"]) == 0
    layton = _feeds(capsys.readouterr().out)
    assert layton and all(" layton" in label for label in layton)


def test_staff_feeds_says_they_are_off_without_a_token(
    env: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KAT_STAFF_FEED_TOKEN", raising=False)
    assert main(["calendars", "staff-feeds"]) == 1
    assert "KAT_STAFF_FEED_TOKEN" in capsys.readouterr().err
    monkeypatch.setenv("KAT_STAFF_FEED_TOKEN", FEED_TOKEN)
    assert main(["calendars", "staff-feeds", "--clinic", "nowhere"]) == 1
    assert "No clinic" in capsys.readouterr().err
