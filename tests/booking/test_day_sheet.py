"""The staff day sheet (#18): a signed, short-lived link to a clinic's day, plain forms."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from kat_widgets.booking import BookingService
from kat_widgets.booking.staff import StaffService
from tests.booking.conftest import Clock
from tests.booking.test_api import FIRST, SECOND, book

NAVIGATE = {"Sec-Fetch-Dest": "document"}


@pytest.fixture
def staff(service: BookingService) -> StaffService:
    return StaffService(service)


def test_the_day_sheet_lists_the_day_and_marks_and_cancels(
    client: TestClient[Litestar], staff: StaffService, clock: Clock
) -> None:
    book(client)
    book(client, start=SECOND, name="Sam Example", email="sam@example.com")
    token, link, expires = staff.day_link("draper", hours=48)
    assert expires == clock.now + dt.timedelta(hours=48)
    page = client.get(f"/staff/day/{token}", params={"date": "2027-03-09"}, headers=NAVIGATE)
    assert page.status_code == 200, page.text
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "same-origin"  # the link stays on this site
    html = page.text
    assert '<html lang="en"' in html and "Numinus Draper: Tuesday 9 March 2027" in html
    assert "Robin Example" in html and "Sam Example" in html
    assert "kat-embed-languages" not in html  # staff pages stay English
    assert html.count("Cancel and tell the client") == 2 and "Attended" not in html  # ahead

    clock.now = dt.datetime.fromisoformat(FIRST) + dt.timedelta(minutes=25)  # first one ended
    page = client.get(f"/staff/day/{token}?date=2027-03-09", headers=NAVIGATE).text
    marks = re.findall(r'action="([^"]+/status\?date=2027-03-09)"', page)
    assert len(marks) == 1  # the first visit (started); the second is still ahead
    done = client.post(marks[0], data={"status": "attended"}, follow_redirects=False)
    assert done.status_code == 303 and "done=attended" in done.headers["location"]
    after = client.get(done.headers["location"], headers=NAVIGATE).text
    assert "Marked attended." in after and "<td>attended</td>" in after
    cancels = re.findall(r'action="([^"]+/cancel\?date=2027-03-09)"', after)
    assert len(cancels) == 1
    gone = client.post(cancels[0], data={"confirm": "yes"}, follow_redirects=False)
    assert gone.status_code == 303
    final = client.get(gone.headers["location"], headers=NAVIGATE).text
    assert "Cancelled; the client is being told." in final and "<td>cancelled</td>" in final
    assert link.id == token.split(".")[1]
    actions = [(line.key_id, line.action) for line in staff.audit_lines(days=365)]
    assert (link.id, "links.create") in actions
    assert (link.id, "bookings.attended") in actions
    assert (link.id, "bookings.cancel") in actions

    refused = client.post(marks[0], data={"status": "everything"})
    assert refused.status_code == 422 and "status must be one of" in refused.text


@pytest.mark.parametrize(
    "change",
    ["expired", "forged", "other-clinic", "garbage"],
)
def test_a_wrong_or_old_link_is_a_page_saying_so(
    client: TestClient[Litestar], staff: StaffService, clock: Clock, change: str
) -> None:
    token, _, _ = staff.day_link("draper", hours=1)
    if change == "expired":
        clock.now += dt.timedelta(hours=1, seconds=1)
    elif change == "forged":
        token = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    elif change == "other-clinic":
        token = token.replace("draper.", "murray.", 1)
    else:
        token = "x" * 60
    page = client.get(f"/staff/day/{token}", headers=NAVIGATE)
    assert page.status_code == 401
    assert page.headers["content-type"].startswith("text/html")
    assert ("expired" if change == "expired" else "not valid") in page.text
    posted = client.post(f"/staff/day/{token}/bookings/x/cancel", data={"confirm": "yes"})
    assert posted.status_code == 401


def test_a_revoked_link_stops_at_once_and_is_listed_with_the_keys(
    client: TestClient[Litestar], staff: StaffService
) -> None:
    token, link, _ = staff.day_link("draper")
    assert client.get(f"/staff/day/{token}", headers=NAVIGATE).status_code == 200
    listed = {key.id: key for key in staff.list_keys()}
    assert listed[link.id].label and listed[link.id].label.startswith("day sheet link until")
    staff.revoke(link.id)
    page = client.get(f"/staff/day/{token}", headers=NAVIGATE)
    assert page.status_code == 401 and "revoked" in page.text
    assert '<html lang="en"' in page.text  # staff pages speak English, errors too
    # the link's id is no API key: its stored secret matches nothing
    for secret in (token.rsplit(".", 1)[1], "A" * 43):
        api = client.get(
            "/api/staff/bookings",
            params={"clinic": "draper"},
            headers={"Authorization": f"Bearer kat_{link.id}_{secret}"},
        )
        assert api.status_code == 401


def test_the_link_is_kept_out_of_access_logs() -> None:
    from kat_widgets.web.log_redaction import redact

    line = '"GET /w/staff/day/draper.0123456789ab.1800000000.' + "A" * 43 + '?date=2027-03-09"'
    assert redact(line) == '"GET /w/staff/day/***?date=2027-03-09"'
    referral = '"GET /w/referrals/Xk2f9a-abcdefghijklmnopqrstuvwxyz0123456789?start=x"'
    assert redact(referral) == '"GET /w/referrals/***?start=x"'
    claim = '"POST /w/api/waitlist/claims/' + "B" * 43 + '"'
    assert redact(claim) == '"POST /w/api/waitlist/claims/***"'
    assert redact('"GET /w/waitlist/' + "C" * 43 + '"') == '"GET /w/waitlist/***"'


def test_the_day_sheet_approves_and_declines_requests(
    client: TestClient[Litestar], staff: StaffService, service: BookingService, clock: Clock
) -> None:
    from kat_widgets.booking import BookingRequest
    from kat_widgets.scheduling import find_slots

    directory = service.directory
    key, _ = staff.create_key(("draper",), ("bookings:write",))

    def visit(service_id: str, after: dt.datetime, days: int = 1, **more: str) -> BookingRequest:
        end = after + dt.timedelta(days=days)
        found = find_slots(directory, "draper", service_id, start=after, end=end, now=clock.now)
        return BookingRequest(
            clinic_id="draper",
            service=service_id,
            start=found[-1 if more.get("last") else 0].start,
            name="Robin Example",
            email="robin@example.com",
            consent=True,
            referral=more.get("referral"),
        )

    client_id = None
    for step in ("connect-assessment", "prepare-session"):  # the steps before, completed
        done = service.book(
            visit(step, clock.now + dt.timedelta(days=1)), public=False, client_id=client_id
        )
        client_id = done.booking.client_id
        clock.now = done.booking.end + dt.timedelta(minutes=1)
        staff.mark(key, done.booking.id, "completed")
    referral, _ = service.care.issue(
        client_id, directory.clinic("draper"), directory.service("experience-im")
    )
    first = service.book(
        visit("experience-im", dt.datetime(2027, 3, 16, 7, tzinfo=dt.UTC), referral=referral)
    )
    token, _, _ = staff.day_link("draper")
    day = first.booking.start.astimezone(directory.clinic("draper").zone).date()
    page = client.get(f"/staff/day/{token}?date={day}", headers=NAVIGATE).text
    decide = re.findall(rf'action="([^"]+/decide\?date={day})"', page)
    assert len(decide) == 1 and "<td>requested</td>" in page
    assert "Cancel and tell the client" not in page  # a request is approved or declined
    wrong = client.post(decide[0], data={"decision": "maybe"}, headers=NAVIGATE)
    assert wrong.status_code == 422 and "Press Approve or Decline." in wrong.text
    done = client.post(decide[0], data={"decision": "approve"}, follow_redirects=False)
    assert done.status_code == 303 and "done=approved" in done.headers["location"]
    after = client.get(done.headers["location"], headers=NAVIGATE).text
    assert "Approved; the client is being told." in after and "<td>confirmed</td>" in after

    second = service.book(
        visit("experience-im", first.booking.start + dt.timedelta(days=7), referral=referral)
    )
    day = second.booking.start.astimezone(directory.clinic("draper").zone).date()
    page = client.get(f"/staff/day/{token}?date={day}", headers=NAVIGATE).text
    [action] = re.findall(rf'action="([^"]+/decide\?date={day})"', page)
    gone = client.post(action, data={"decision": "decline"}, follow_redirects=False)
    assert gone.status_code == 303
    final = client.get(gone.headers["location"], headers=NAVIGATE).text
    assert "Declined; the client is being told." in final and "<td>cancelled</td>" in final
