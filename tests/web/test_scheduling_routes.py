from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from kat_widgets import Settings, Widgets, create_app
from kat_widgets.errors import ConfigurationError
from kat_widgets.fragments.scheduling import webcal_href
from kat_widgets.scheduling import BusyTimes, Interval

NOW = dt.datetime(2027, 3, 8, 14, 0, tzinfo=dt.UTC)  # Monday 07:00 in Denver


@pytest.fixture
def fixed(tmp_path: Path) -> Iterator[TestClient[Litestar]]:
    settings = Settings(data_dir=str(tmp_path), secret_key="s" * 40)
    taken = Interval(
        dt.datetime(2027, 3, 9, 16, 0, tzinfo=dt.UTC), dt.datetime(2027, 3, 9, 17, 0, tzinfo=dt.UTC)
    )

    def busy(clinic_id: str, start: dt.datetime, end: dt.datetime) -> BusyTimes:
        return BusyTimes(by_resource={"draper-navigator": [taken]})

    with TestClient(create_app(settings, busy_provider=busy, clock=lambda: NOW)) as client:
        yield client


def test_slots_answer_iso_times_with_the_clinic_offset(fixed: TestClient[Litestar]) -> None:
    response = fixed.get(
        "/api/clinics/draper/slots",
        params={"service": "info-call", "start": "2027-03-09", "end": "2027-03-10"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["clinic_id"] == "draper"
    assert body["service"] == "info-call"
    assert body["timezone"] == "America/Denver"
    starts = [slot["start"] for slot in body["slots"]]
    assert starts[0] == "2027-03-09T08:00:00-07:00"
    assert body["slots"][0]["end"] == "2027-03-09T08:20:00-07:00"
    # the busy provider's hour (09:00-10:00 local) is not offered
    assert "2027-03-09T09:00:00-07:00" not in starts
    assert "2027-03-09T09:30:00-07:00" not in starts
    assert "2027-03-09T10:00:00-07:00" in starts


def test_slots_after_the_spring_change_carry_the_summer_offset(
    fixed: TestClient[Litestar],
) -> None:
    response = fixed.get(
        "/api/clinics/draper/slots",
        params={"service": "info-call", "start": "2027-03-15T00:00:00-06:00", "end": "2027-03-16"},
    )
    assert response.json()["slots"][0]["start"] == "2027-03-15T08:00:00-06:00"


@pytest.mark.parametrize(
    ("params", "status", "words"),
    [
        ({"service": "nothing"}, 404, "nothing"),
        ({"service": "info-call", "start": "tuesday"}, 422, "ISO 8601"),
        ({"service": "info-call", "start": "2027-03-10", "end": "2027-03-09"}, 422, "later"),
        ({"service": "info-call", "start": "2027-09-01"}, 422, "60 days ahead"),
        ({"service": "info-call", "start": "2027-03-09", "end": "2027-09-01"}, 422, "at most"),
        ({}, 422, "service"),
    ],
)
def test_slots_errors_say_what_to_fix(
    fixed: TestClient[Litestar], params: dict[str, str], status: int, words: str
) -> None:
    response = fixed.get("/api/clinics/draper/slots", params=params)
    assert response.status_code == status
    assert words in response.json()["detail"]


def test_unknown_clinic_is_404(fixed: TestClient[Litestar]) -> None:
    response = fixed.get("/api/clinics/atlantis/slots", params={"service": "info-call"})
    assert response.status_code == 404
    assert "atlantis" in response.json()["detail"]


def test_feed_is_discreet_and_cacheable(fixed: TestClient[Litestar]) -> None:
    response = fixed.get("/calendars/draper/availability.ics", params={"service": "info-call"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    text = response.text
    assert "SUMMARY:Available: informational call" in text
    assert "ketamine" not in text.lower()
    assert "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU" in text
    assert text.count("BEGIN:STANDARD") == 1
    assert response.headers["last-modified"].endswith("GMT")
    again = fixed.get(
        "/calendars/draper/availability.ics",
        params={"service": "info-call"},
        headers={"If-None-Match": response.headers["etag"]},
    )
    assert again.status_code == 304
    assert again.content == b""
    other = fixed.get(
        "/calendars/draper/availability.ics",
        params={"service": "info-call"},
        headers={"If-None-Match": '"stale"'},
    )
    assert other.status_code == 200
    assert other.content == response.content


def test_feed_for_unknown_service_is_404(fixed: TestClient[Litestar]) -> None:
    response = fixed.get("/calendars/draper/availability.ics", params={"service": "x"})
    assert response.status_code == 404


def test_availability_fragment_links_every_slot_to_the_booking_form(
    fixed: TestClient[Litestar],
) -> None:
    response = fixed.get(
        "/fragments/availability",
        params={"clinic": "draper", "service": "info-call", "week": "2027-03-10"},
    )
    assert response.status_code == 200
    html = response.text
    assert "week of Monday 8 March 2027" in html
    assert (
        '<span class="kat-visually-hidden">Tuesday 9 March 2027, </span>10:00 AM'
        '<span class="kat-visually-hidden"> Mountain Time</span>' in html
    )
    assert (
        'href="/fragments/booking?clinic=draper&amp;service=info-call&amp;'
        'start=2027-03-09T10%3A00%3A00-07%3A00#kat-booking"' in html
    )
    assert "week=2027-03-15" in html  # next week
    assert "week=2027-03-01" not in html  # no previous week before today


def test_fragment_rejects_a_bad_week(fixed: TestClient[Litestar]) -> None:
    response = fixed.get(
        "/fragments/availability", params={"clinic": "draper", "service": "info-call", "week": "x"}
    )
    assert response.status_code == 422


def test_demo_page_shows_the_availability_grid(fixed: TestClient[Litestar]) -> None:
    html = fixed.get("/").text
    assert "Free informational call at Numinus Draper" in html


def test_staff_calendars_from_settings_block_slots(tmp_path: Path) -> None:
    calendar = Path(__file__).resolve().parents[1] / "fixtures" / "ics" / "navigator.ics"
    settings = Settings(
        data_dir=str(tmp_path),
        secret_key="s" * 40,
        busy_calendars={"draper-navigator": str(calendar)},
    )
    with TestClient(create_app(settings, clock=lambda: NOW)) as client:
        body = client.get(
            "/api/clinics/draper/slots",
            params={"service": "info-call", "start": "2027-03-08", "end": "2027-03-09"},
        ).json()
    starts = [slot["start"] for slot in body["slots"]]
    assert "2027-03-08T08:30:00-07:00" in starts
    assert "2027-03-08T09:00:00-07:00" not in starts  # the weekly meeting


def test_a_busy_calendar_for_an_id_not_in_the_directory_stops_the_app(tmp_path: Path) -> None:
    """#20: a typo must not silently leave someone's calendar unread (and their time offered)."""
    settings = Settings(
        data_dir=str(tmp_path),
        secret_key="s" * 40,
        busy_calendars={"draper-navigator": "/srv/nav.ics", "draper-lobby": ["/srv/lobby.ics"]},
    )
    with pytest.raises(ConfigurationError, match="'draper-lobby', not a staff member or room"):
        create_app(settings)


FEED = "/calendars/draper/availability.ics?service=info-call"


def test_the_fragment_offers_a_webcal_subscription_and_the_https_feed(tmp_path: Path) -> None:
    # webcal:// makes Apple Calendar subscribe (an https link imports once); Google Calendar's
    # "From URL" wants the https address, so both are offered (docs/calendars.md)
    settings = Settings(
        data_dir=str(tmp_path), secret_key="s" * 40, public_url="https://clinic.example/w/"
    )
    with TestClient(create_app(settings, clock=lambda: NOW)) as client:
        html = client.get(
            "/fragments/availability",
            params={"clinic": "draper", "service": "info-call", "week": "2027-03-10"},
        ).text
    feed = FEED.replace("&", "&amp;")
    assert (
        f'<a href="webcal://clinic.example/w{feed}">'
        "Subscribe to these open times in your calendar app</a>" in html
    )
    assert f'(or paste the <a href="{feed}">feed address</a> into Google Calendar' in html
    assert "https" not in html.split("webcal://", 1)[1].split('"', 1)[0]
    spanish = Widgets(settings, lang="es")
    es = str(spanish.availability("draper", "info-call", "2027-03-10", now=NOW))
    assert f'href="webcal://clinic.example/w{feed}"' in es
    assert "Suscríbase a estos horarios en su aplicación de calendario</a>" in es


def test_a_host_rendering_fragments_of_a_remote_server_gets_its_webcal_address(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=str(tmp_path), secret_key="s" * 40, mode="production")
    remote = Widgets(settings, base_path="https://book.example.org")
    html = str(remote.availability("draper", "info-call", "2027-03-10", now=NOW))
    assert f'href="webcal://book.example.org{FEED.replace("&", "&amp;")}"' in html
    assert f'href="https://book.example.org{FEED.replace("&", "&amp;")}"' in html
    # with no absolute address known (mounted at a path, no public_url): the https link only
    local = str(Widgets(settings).availability("draper", "info-call", "2027-03-10", now=NOW))
    assert "webcal:" not in local
    assert "Subscribe to these open times in your calendar app (iCalendar)" in local


@pytest.mark.parametrize(
    ("base", "visitor", "expected"),
    [
        ("", "https://c.example/w/", "webcal://c.example/w/calendars/x.ics"),
        ("/w", "http://127.0.0.1:8000", "webcal://127.0.0.1:8000/calendars/x.ics"),
        ("https://remote.example", "https://c.example", "webcal://remote.example/calendars/x.ics"),
        ("/w", "", None),
        ("", "ftp://c.example", None),
    ],
)
def test_webcal_href(base: str, visitor: str, expected: str | None) -> None:
    assert webcal_href(base, visitor, "/calendars/x.ics") == expected
