"""Shared steps of the end-to-end flows: ZIP -> nearest clinic -> open times -> book -> .ics."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import icalendar

from kat_widgets import Settings
from tests.browser.conftest import LiveServer
from tests.servers import static_files

ZIP = "84020"
NEAREST = "Numinus Draper"
SLOT_NAME = re.compile(r"\d{1,2}:\d{2} (AM|PM) Mountain Time$")
SPOKEN_WHEN = re.compile(
    r"(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday) \d{1,2} [A-Z][a-z]+ \d{4}, "
    r"\d{1,2}:\d{2} (AM|PM) Mountain Time"
)


def flow_settings(folder: Path, *, origins: tuple[str, ...] = ()) -> Settings:
    """A fresh database per server, and no rate limit: the flows book several times."""
    folder.mkdir(parents=True, exist_ok=True)
    return Settings(
        data_dir=str(folder),
        secret_key="f" * 40,
        rate_limit_store="off",
        allowed_origins=origins,
    )


def slot_start(href: str) -> dt.datetime:
    """The ``start`` a slot link books (from its query string)."""
    from urllib.parse import parse_qs, urlsplit

    return dt.datetime.fromisoformat(parse_qs(urlsplit(href).query)["start"][0])


def ics_start(data: bytes) -> dt.datetime:
    """DTSTART of the one VEVENT in a booking .ics (icalendar must parse it)."""
    calendar = icalendar.Calendar.from_ical(data)
    events = [part for part in calendar.walk() if part.name == "VEVENT"]
    assert len(events) == 1, events
    start: dt.datetime = events[0].decoded("DTSTART")
    assert start.tzinfo is not None
    return start


def fill_booking_form(scope: Any, *, name: str, email: str) -> None:
    """Type the visitor's details into the booking form in ``scope`` (page, frame or shadow)."""
    scope.get_by_label("Your name").fill(name)
    scope.get_by_label("Email", exact=True).fill(email)
    scope.get_by_label("You may contact me").check()


def static_site(folder: Path) -> contextlib.AbstractContextManager[str]:
    """Serve ``folder`` on another origin (a partner's static website); yield that origin."""
    return static_files(folder)


@contextlib.contextmanager
def partner_site(tmp_path: Path) -> Iterator[tuple[Path, str, LiveServer]]:
    """A partner's static site on its own origin and a widget server allowing it: yields
    (the site's folder, its origin, the server)."""
    site = tmp_path / "site"
    site.mkdir()
    with static_site(site) as origin:
        settings = flow_settings(tmp_path / "data", origins=(origin,))
        with LiveServer(settings) as kat:
            yield site, origin, kat
