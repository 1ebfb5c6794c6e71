"""The booking widget as plain HTML forms (no JavaScript), through the test client."""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from kat_widgets.fragments.assets import hashed_name

START = "2027-03-09T10:00:00-07:00"


@pytest.fixture
def root_path() -> str:
    return "/w"  # every link and form action must carry the mount prefix


def form(**changes: str) -> dict[str, str]:
    values = {
        "clinic_id": "draper",
        "service": "info-call",
        "start": START,
        "name": "Robin Example",
        "email": "robin@example.com",
        "phone": "",
        "note": "",
        "consent": "yes",
        "idempotency_key": "form-key-123456",
    }
    values.update(changes)
    return values


def test_form_has_labelled_fields_and_the_emergency_notice(client: TestClient[Litestar]) -> None:
    response = client.get(
        "/fragments/booking", params={"clinic": "draper", "service": "info-call", "start": START}
    )
    assert response.status_code == 200
    html = response.text
    assert 'action="/w/fragments/booking"' in html and 'method="post"' in html
    for field in ("name", "email", "phone", "note", "consent"):
        assert f'for="kat-booking-{field}"' in html and f'id="kat-booking-{field}"' in html
    assert "This form is not monitored for emergencies" in html
    assert 'href="tel:988"' in html and 'href="tel:911"' in html
    assert "Tuesday 9 March 2027, 10:00 AM Mountain Time" in html


def test_non_public_services_have_no_form(client: TestClient[Litestar]) -> None:
    response = client.get(
        "/fragments/booking",
        params={"clinic": "draper", "service": "experience-iv", "start": START},
    )
    assert response.status_code == 422


def test_errors_are_shown_next_to_their_fields(client: TestClient[Litestar]) -> None:
    response = client.post("/fragments/booking", data=form(name="", email="nope", consent=""))
    assert response.status_code == 422
    html = response.text
    for field in ("name", "email", "consent"):
        assert f'id="kat-booking-{field}-error"' in html
    assert 'aria-invalid="true"' in html
    assert 'value="nope"' in html  # what the visitor typed is kept


def test_booking_by_form_shows_the_confirmation_with_calendar_links(
    client: TestClient[Litestar],
) -> None:
    response = client.post("/fragments/booking", data=form())
    assert response.status_code == 201
    html = response.text
    assert "You are booked" in html
    token = re.search(r"/w/bookings/([A-Za-z0-9_-]{43})", html)
    assert token is not None
    ics = re.search(r'href="/w/calendars/bookings/([A-Za-z0-9_-]{43})\.ics"', html)
    assert ics is not None and ics.group(1) != token.group(1)
    assert "calendar.google.com" in html and "outlook.office.com" in html
    assert "Robin" not in html.split("You are booked")[1].split("Change or cancel")[0]
    again = client.post("/fragments/booking", data=form())  # double submit: same booking
    assert again.status_code == 201 and token.group(1) in again.text


def test_a_crisis_word_in_the_note_puts_crisis_resources_first(
    client: TestClient[Litestar],
) -> None:
    response = client.post("/fragments/booking", data=form(note="Some days I want to die"))
    assert response.status_code == 201
    html = response.text
    assert html.index('href="tel:988"') < html.index("You are booked")


def test_a_taken_slot_offers_the_next_times(client: TestClient[Litestar]) -> None:
    client.post("/fragments/booking", data=form())
    response = client.post(
        "/fragments/booking", data=form(name="Other Person", idempotency_key="other-key-1234")
    )
    assert response.status_code == 409
    assert "just taken" in response.text
    assert "10:30 AM Mountain Time" in response.text


def _book(client: TestClient[Litestar]) -> str:
    html = client.post("/fragments/booking", data=form()).text
    match = re.search(r"/w/bookings/([A-Za-z0-9_-]{43})", html)
    assert match is not None
    return match.group(1)


def test_manage_page_cancels_with_a_plain_form(client: TestClient[Litestar]) -> None:
    token = _book(client)
    page = client.get(f"/bookings/{token}")
    assert page.status_code == 200
    assert page.headers["referrer-policy"] == "no-referrer"
    assert f'action="/w/bookings/{token}/cancel"' not in page.text  # a second step first
    assert f'href="/w/bookings/{token}?step=cancel"' in page.text
    question = client.get(f"/bookings/{token}?step=cancel")
    assert "Cancel this appointment?" in question.text
    assert f'action="/w/bookings/{token}/cancel"' in question.text
    assert 'name="confirm" value="yes"' in question.text
    assert f'href="/w/bookings/{token}">No, keep my appointment' in question.text
    # a POST without the second step's confirmation only asks the question
    asked = client.post(f"/bookings/{token}/cancel", follow_redirects=False)
    assert asked.status_code == 200 and "Cancel this appointment?" in asked.text
    assert client.get(f"/api/bookings/{token}").json()["booking"]["status"] == "confirmed"
    done = client.post(f"/bookings/{token}/cancel", data={"confirm": "yes"}, follow_redirects=False)
    assert done.status_code == 303
    assert done.headers["location"] == f"/w/bookings/{token}?done=cancelled"
    after = client.get(f"/bookings/{token}?done=cancelled")
    assert '<p class="kat-success" role="status">Your appointment is cancelled' in after.text
    assert "kat-error-summary" not in after.text
    assert "Cancel this appointment" not in after.text
    assert "Add to Google Calendar" not in after.text
    ics = re.search(r'href="/w(/calendars/bookings/[A-Za-z0-9_-]{43}\.ics)"', after.text)
    assert ics is not None and "please delete it there" in after.text
    cancellation = client.get(ics.group(1))
    assert cancellation.status_code == 200 and "STATUS:CANCELLED" in cancellation.text
    assert "METHOD" not in cancellation.text  # the visitor's own event, not an iTIP CANCEL


def test_manage_page_reschedules_to_a_listed_time(client: TestClient[Litestar]) -> None:
    token = _book(client)
    page = client.get(f"/bookings/{token}").text
    choices = re.findall(r'name="start" value="([^"]+)"', page)
    assert choices, page
    assert START not in choices
    done = client.post(f"/bookings/{token}/reschedule", data={"start": choices[0]})
    assert done.status_code == 200 and "has been moved" in done.text
    assert client.get(f"/api/bookings/{token}").json()["booking"]["start"] == choices[0]


def test_manage_page_inside_the_cutoff_says_to_call(
    client: TestClient[Litestar], clock: Any
) -> None:
    import datetime as dt

    token = _book(client)
    clock.now = dt.datetime(2027, 3, 9, 0, 0, tzinfo=dt.UTC)
    page = client.get(f"/bookings/{token}").text
    assert "Please call us to cancel or change within 24 hours" in page, page
    assert "Cancel this appointment" not in page
    refused = client.post(f"/bookings/{token}/cancel")
    assert refused.status_code == 409


def test_unknown_manage_link_is_a_404_page(client: TestClient[Litestar]) -> None:
    response = client.get("/bookings/" + "A" * 43)
    assert response.status_code == 404
    assert "We could not find a booking for this link" in response.text


def test_a_browser_navigating_to_the_form_gets_a_whole_page(client: TestClient[Litestar]) -> None:
    params = {"clinic": "draper", "service": "info-call", "start": START}
    fragment = client.get("/fragments/booking", params=params).text
    page = client.get(
        "/fragments/booking", params=params, headers={"Sec-Fetch-Dest": "document"}
    ).text
    assert not fragment.lstrip().startswith("<!doctype html>")
    assert page.lstrip().startswith("<!doctype html>")
    assert '<html lang="en" data-kat-theme="auto">' in page
    assert f'href="/w/static/{hashed_name("widgets.css")}"' in page


def test_a_plain_form_post_from_a_browser_answers_a_whole_page(
    client: TestClient[Litestar],
) -> None:
    browser = {"Sec-Fetch-Dest": "document"}
    invalid = client.post("/fragments/booking", data=form(name=""), headers=browser)
    booked = client.post("/fragments/booking", data=form(), headers=browser)
    assert invalid.status_code == 422 and booked.status_code == 201
    for response in (invalid, booked):
        assert response.text.lstrip().startswith("<!doctype html>")


def _choices(html: str) -> list[str]:
    return re.findall(r'name="start" value="([^"]+)"', html)


def test_manage_page_pages_through_later_times_to_move_to(client: TestClient[Litestar]) -> None:
    token = _book(client)
    first = client.get(f"/bookings/{token}").text
    shown = _choices(first)
    assert len(shown) == 8 and START not in shown
    later = re.search(r'href="/w(/bookings/[^"]+\?after=[^"]+)">Show later times', first)
    assert later is not None and "Show the earliest times" not in first
    second = client.get(later.group(1).replace("&amp;", "&")).text
    more = _choices(second)
    assert more and min(more) > max(shown)  # same offset (MST), so ISO strings sort by time
    assert 'href="/w/bookings/' in second and "Show the earliest times" in second
    moved = client.post(f"/bookings/{token}/reschedule", data={"start": more[-1]})
    assert moved.status_code == 200 and "has been moved" in moved.text
    assert client.get(f"/api/bookings/{token}").json()["booking"]["start"] == more[-1]


def test_manage_page_with_a_bad_after_says_what_is_wrong(client: TestClient[Litestar]) -> None:
    token = _book(client)
    for bad in ("tomorrow", "2027-03-20T10:00:00"):
        page = client.get(f"/bookings/{token}", params={"after": bad})
        assert page.status_code == 422
        assert "after must be an ISO 8601 date-time with a UTC offset" in page.text


@pytest.mark.parametrize("far", ["9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+00:00"])
def test_manage_page_with_an_extreme_after_stays_in_range(
    client: TestClient[Litestar], far: str
) -> None:
    token = _book(client)
    page = client.get(f"/bookings/{token}", params={"after": far})
    assert page.status_code == 200
    assert "Your appointment" in page.text


def test_manage_page_past_the_open_times_says_to_call(client: TestClient[Litestar]) -> None:
    token = _book(client)
    page = client.get(f"/bookings/{token}", params={"after": "2027-06-01T00:00:00-06:00"})
    assert page.status_code == 200
    assert not _choices(page.text)
    assert "There are no open times online in these two weeks" in page.text
    assert 'href="tel:' in page.text and "Show later times" not in page.text


def test_manage_page_offers_no_time_inside_the_cutoff_and_chooses_none(
    client: TestClient[Litestar],
) -> None:
    import datetime as dt

    from tests.booking.booking_support import NOW

    token = _book(client)
    page = client.get(f"/bookings/{token}").text
    choices = re.findall(r'<input type="radio"[^>]*>', page)
    assert choices and not any("checked" in choice for choice in choices)
    starts = [
        dt.datetime.fromisoformat(v) for v in re.findall(r'name="start" value="([^"]+)"', page)
    ]
    assert min(starts) >= NOW + dt.timedelta(hours=24)  # movable again after the move
    # the visit is at 10:00 on the 9th: online changes close 24 hours before
    assert "You can change or cancel online until <strong>Monday 8 March 2027, 10:00 AM" in page


def test_moving_into_the_cutoff_or_choosing_nothing_is_a_linked_focused_error(
    client: TestClient[Litestar],
) -> None:
    token = _book(client)
    too_soon = client.post(
        f"/bookings/{token}/reschedule", data={"start": "2027-03-08T15:00:00-07:00"}
    )
    assert too_soon.status_code == 422
    assert "at least 24 hours ahead" in too_soon.text
    summary = re.search(r'<div class="kat-error-summary"[^>]*>', too_soon.text)
    assert summary is not None
    assert 'role="alert"' in summary.group(0) and "autofocus" in summary.group(0)
    assert '<a href="#kat-move-1">' in too_soon.text and 'id="kat-move-1"' in too_soon.text
    nothing = client.post(f"/bookings/{token}/reschedule", data={})
    assert nothing.status_code == 422 and "Please choose the time to move to." in nothing.text
    assert client.get(f"/api/bookings/{token}").json()["booking"]["start"] == START
