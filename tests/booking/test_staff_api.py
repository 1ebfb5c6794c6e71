"""The staff API (#18) on SQLite and PostgreSQL: keys, every action and every refusal, the audit.

The app books through ``service`` (tests/booking/conftest.py), whose clock the tests move: it is
Monday 8 March 2027 08:00 in Utah, and the visits are booked for Tuesday the 9th.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import TestClient

from kat_widgets.booking import BookingService
from kat_widgets.booking.staff import StaffService
from kat_widgets.booking.storage import Storage
from tests.booking.conftest import Clock
from tests.booking.test_api import FIRST, SECOND, book

PERSONAL = ("Robin Example", "robin@example.com")


@pytest.fixture
def staff(service: BookingService) -> StaffService:
    return StaffService(service)


def key(staff: StaffService, *scopes: str, clinics: tuple[str, ...] = ("draper",)) -> str:
    return staff.create_key(clinics, scopes)[1]


def bearer(text: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {text}"}


def booking_id(client: TestClient[Litestar], staff_key: str) -> str:
    listed = client.get(
        "/api/staff/bookings",
        params={"clinic": "draper", "start": "2027-03-09"},
        headers=bearer(staff_key),
    )
    assert listed.status_code == 200, listed.text
    return str(listed.json()["bookings"][0]["id"])


def test_keys_are_stored_hashed_and_shown_once(staff: StaffService, storage: Storage) -> None:
    made, text = staff.create_key(("draper",), ("bookings:read",), label="front desk")
    assert text.startswith(f"kat_{made.id}_") and len(text) == 4 + 12 + 1 + 43
    with storage.engine.connect() as conn:
        rows = [tuple(row) for row in conn.execute(sa.text("SELECT * FROM staff_keys"))]
    secret = text.rsplit("_", 1)[1]
    assert len(rows) == 1 and all(secret not in str(value) for value in rows[0])
    assert [k.id for k in staff.list_keys()] == [made.id]
    assert staff.authorize(f"Bearer {text}", "bookings:read", "draper").id == made.id
    # another key's secret under this id, or this secret under another id: refused
    other = key(staff, "bookings:read")
    with pytest.raises(PermissionError):
        staff.authorize(f"Bearer kat_{made.id}_{other.rsplit('_', 1)[1]}", "bookings:read")


def test_a_staff_listing_shows_names_only_to_a_key_that_may_read_them(
    client: TestClient[Litestar], staff: StaffService
) -> None:
    book(client)
    book(client, start=SECOND, name="Sam Example", email="sam@example.com")
    plain = client.get(
        "/api/staff/bookings",
        params={"clinic": "draper", "start": "2027-03-09", "end": "2027-03-09"},
        headers=bearer(key(staff, "bookings:read")),
    )
    assert plain.status_code == 200, plain.text
    assert plain.headers["cache-control"] == "no-store"
    listed = plain.json()["bookings"]
    assert [(b["start"], b["status"], b["service"]) for b in listed] == [
        (FIRST, "confirmed", "info-call"),
        (SECOND, "confirmed", "info-call"),
    ]
    assert all(word not in plain.text for word in PERSONAL)
    named = client.get(
        "/api/staff/bookings",
        params={"clinic": "draper", "start": "2027-03-09T00:00:00-07:00", "end": "2027-03-10"},
        headers=bearer(key(staff, "bookings:read", "names:read")),
    )
    assert [b.get("name") for b in named.json()["bookings"]] == ["Robin Example", "Sam Example"]
    assert named.json()["bookings"][0]["email"] == "robin@example.com"
    # by default, the clinic's today (Monday the 8th): nothing yet
    today = client.get(
        "/api/staff/bookings",
        params={"clinic": "draper"},
        headers=bearer(key(staff, "bookings:read")),
    )
    assert today.json() == {"bookings": []}


def test_marking_a_visit_once_it_has_started_or_ended(
    client: TestClient[Litestar], staff: StaffService, clock: Clock
) -> None:
    book(client)
    writer = key(staff, "bookings:read", "bookings:write")
    found = booking_id(client, writer)
    path = f"/api/staff/bookings/{found}/status"
    early = client.post(path, json={"status": "attended"}, headers=bearer(writer))
    assert early.status_code == 409 and "not started yet" in early.json()["detail"]
    clock.now = dt.datetime.fromisoformat(FIRST) + dt.timedelta(minutes=5)  # in the visit
    assert (
        client.post(path, json={"status": "completed"}, headers=bearer(writer)).status_code == 409
    )
    attended = client.post(path, json={"status": "attended"}, headers=bearer(writer))
    assert attended.status_code == 200, attended.text
    assert attended.json()["status"] == "attended"
    clock.now += dt.timedelta(hours=1)
    done = client.post(path, json={"status": "completed"}, headers=bearer(writer))
    assert done.json()["status"] == "completed"
    assert booking_id(client, writer) == found
    listed = client.get(
        "/api/staff/bookings",
        params={"clinic": "draper", "start": "2027-03-09"},
        headers=bearer(writer),
    )
    assert listed.json()["bookings"][0]["status"] == "completed"


def test_a_cancelled_booking_cannot_be_marked(
    client: TestClient[Litestar], staff: StaffService, clock: Clock
) -> None:
    answer = book(client)
    writer = key(staff, "bookings:read", "bookings:write")
    found = booking_id(client, writer)
    token = answer["manage_url"].rsplit("/", 1)[1]
    assert client.post(f"/api/bookings/{token}/cancel").status_code == 200
    clock.now = dt.datetime.fromisoformat(FIRST) + dt.timedelta(hours=2)
    refused = client.post(
        f"/api/staff/bookings/{found}/status", json={"status": "no-show"}, headers=bearer(writer)
    )
    assert refused.status_code == 409 and "cancelled" in refused.json()["detail"]


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, 401),
        ({"Authorization": "Bearer not-a-key"}, 401),
        ({"Authorization": "Bearer kat_0123456789ab_" + "A" * 43}, 401),
    ],
    ids=["none", "basic", "malformed", "unknown"],
)
def test_no_key_or_a_wrong_one_is_401_and_changes_nothing(
    client: TestClient[Litestar], storage: Storage, headers: dict[str, str], status: int
) -> None:
    book(client)
    listed = client.get("/api/staff/bookings", params={"clinic": "draper"}, headers=headers)
    assert listed.status_code == status
    assert listed.headers["www-authenticate"].startswith("Bearer")
    booking = storage.between(
        dt.datetime(2027, 3, 1, tzinfo=dt.UTC), dt.datetime(2027, 4, 1, tzinfo=dt.UTC)
    )[0]
    # the body is not even read: a wrong key with a bad body is still 401
    marked = client.post(
        f"/api/staff/bookings/{booking.id}/status", json={"status": "x"}, headers=headers
    )
    assert marked.status_code == 401
    assert storage.by_id(booking.id).outcome is None  # type: ignore[union-attr]


def test_a_revoked_key_is_401_and_a_key_without_scope_or_clinic_403(
    client: TestClient[Litestar], staff: StaffService, clock: Clock
) -> None:
    book(client)
    writer = key(staff, "bookings:read", "bookings:write")
    found = booking_id(client, writer)
    clock.now = dt.datetime.fromisoformat(FIRST) + dt.timedelta(hours=2)
    path = f"/api/staff/bookings/{found}/status"
    reader = key(staff, "bookings:read")
    no_scope = client.post(path, json={"status": "no-show"}, headers=bearer(reader))
    assert no_scope.status_code == 403 and "bookings:write" in no_scope.json()["detail"]
    murray = key(staff, "bookings:read", "bookings:write", clinics=("murray",))
    other_clinic = client.post(path, json={"status": "no-show"}, headers=bearer(murray))
    assert other_clinic.status_code == 403
    assert other_clinic.json()["detail"] == "This key is not for this booking's clinic."
    listing = client.get("/api/staff/bookings", params={"clinic": "draper"}, headers=bearer(murray))
    assert listing.status_code == 403
    everywhere = key(staff, "bookings:read", clinics=("*",))
    assert (
        client.get(
            "/api/staff/bookings", params={"clinic": "layton"}, headers=bearer(everywhere)
        ).status_code
        == 200
    )
    staff.revoke(writer.split("_")[1])
    revoked = client.post(path, json={"status": "no-show"}, headers=bearer(writer))
    assert revoked.status_code == 401 and "revoked" in revoked.json()["detail"]
    # and nothing was marked by any of them
    again = key(staff, "bookings:read")
    assert (
        client.get(
            "/api/staff/bookings",
            params={"clinic": "draper", "start": "2027-03-09"},
            headers=bearer(again),
        ).json()["bookings"][0]["status"]
        == "confirmed"
    )


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"clinic": "nowhere"}, 404),
        ({"clinic": "draper", "start": "someday"}, 422),
        ({"clinic": "draper", "start": "2027-03-09T10:00:00"}, 422),  # no offset
        ({"clinic": "draper", "start": "2027-03-09", "end": "2027-05-09"}, 422),  # > 31 days
        ({"clinic": "draper", "start": "2027-03-09", "end": "2027-03-01"}, 422),
        ({"clinic": "draper", "start": "9999-12-31"}, 422),
        ({}, 400),
    ],
)
def test_bad_listings_are_4xx_with_a_message(
    client: TestClient[Litestar], staff: StaffService, params: dict[str, str], status: int
) -> None:
    everywhere = key(staff, "bookings:read", clinics=("*",))
    answer = client.get("/api/staff/bookings", params=params, headers=bearer(everywhere))
    assert answer.status_code == status, answer.text
    assert answer.json()["detail"]


@pytest.mark.parametrize(
    "payload",
    [{"status": "done"}, {"status": "attended", "extra": 1}, {}, [], "attended"],
    ids=["unknown", "extra-field", "empty", "list", "string"],
)
def test_bad_status_bodies_are_refused(
    client: TestClient[Litestar], staff: StaffService, payload: Any
) -> None:
    book(client)
    writer = key(staff, "bookings:read", "bookings:write")
    found = booking_id(client, writer)
    answer = client.post(
        f"/api/staff/bookings/{found}/status", json=payload, headers=bearer(writer)
    )
    assert answer.status_code in (400, 422) and answer.json()["detail"]
    unknown = client.post(
        "/api/staff/bookings/nope/status", json={"status": "attended"}, headers=bearer(writer)
    )
    assert unknown.status_code == 404


def test_every_action_leaves_one_audit_line_and_nothing_personal(
    client: TestClient[Litestar], staff: StaffService, clock: Clock, storage: Storage
) -> None:
    book(client)
    made, text = staff.create_key(("draper",), ("bookings:read", "bookings:write", "names:read"))
    found = booking_id(client, text)  # one listing
    clock.now = dt.datetime.fromisoformat(FIRST) + dt.timedelta(hours=2)
    for outcome in ("no-show", "attended"):
        client.post(
            f"/api/staff/bookings/{found}/status", json={"status": outcome}, headers=bearer(text)
        )
    client.get("/api/staff/bookings", params={"clinic": "murray"}, headers=bearer(text))  # 403
    lines = staff.audit_lines(days=365)
    assert [(line.key_id, line.action, line.booking_id) for line in lines] == [
        (made.id, "keys.create", None),
        (made.id, "bookings.list", None),
        (made.id, "bookings.no-show", found),
        (made.id, "bookings.attended", found),
    ]
    with storage.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT * FROM audit_log")).all()
    assert len(rows) == 4
    assert all(word not in str(row) for row in rows for word in PERSONAL)


def test_the_openapi_schema_documents_the_staff_key(client: TestClient[Litestar]) -> None:
    schema = client.get("/schema/openapi.json").json()
    assert schema["components"]["securitySchemes"]["StaffKey"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A staff key from `kat-widgets keys create`: `kat_<id>_<secret>`.",
    }
    for path, method in (
        ("/api/staff/bookings", "get"),
        ("/api/staff/bookings/{booking_id}/status", "post"),
    ):
        operation = schema["paths"][path][method]
        assert operation["security"] == [{"StaffKey": []}]
        assert {"401", "403"} <= set(operation["responses"])


def test_the_booking_form_is_not_a_way_in(client: TestClient[Litestar]) -> None:
    """Staff routes refuse a visitor's manage token as a key."""
    token = book(client)["manage_url"].rsplit("/", 1)[1]
    answer = client.get("/api/staff/bookings", params={"clinic": "draper"}, headers=bearer(token))
    assert answer.status_code == 401


def test_staff_cancel_inside_the_cut_off_frees_the_time(
    client: TestClient[Litestar], staff: StaffService, clock: Clock
) -> None:
    answer = book(client)
    token = answer["manage_url"].rsplit("/", 1)[1]
    writer = key(staff, "bookings:read", "bookings:write")
    found = booking_id(client, writer)
    clock.now = dt.datetime.fromisoformat(FIRST) - dt.timedelta(hours=2)  # visitors must call
    assert client.post(f"/api/bookings/{token}/cancel").status_code == 409
    path = f"/api/staff/bookings/{found}/cancel"
    assert client.post(path, headers=bearer(key(staff, "bookings:read"))).status_code == 403
    murray = key(staff, "bookings:write", clinics=("murray",))
    assert client.post(path, headers=bearer(murray)).status_code == 403
    cancelled = client.post(path, headers=bearer(writer))
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    assert client.post(path, headers=bearer(writer)).json()["status"] == "cancelled"  # again
    assert client.get(f"/api/bookings/{token}").json()["booking"]["status"] == "cancelled"
    # the time is free again
    clock.now = dt.datetime.fromisoformat(FIRST) - dt.timedelta(hours=3)
    assert client.post("/api/bookings", json={**_body_for(FIRST)}).status_code == 201
    assert client.post("/api/staff/bookings/nope/cancel", headers=bearer(writer)).status_code == 404
    actions = [line.action for line in staff.audit_lines(days=365)]
    assert actions.count("bookings.cancel") == 1


def test_staff_cannot_cancel_a_visit_that_has_started(
    client: TestClient[Litestar], staff: StaffService, clock: Clock
) -> None:
    book(client)
    writer = key(staff, "bookings:read", "bookings:write")
    found = booking_id(client, writer)
    clock.now = dt.datetime.fromisoformat(FIRST) + dt.timedelta(minutes=1)
    refused = client.post(f"/api/staff/bookings/{found}/cancel", headers=bearer(writer))
    assert refused.status_code == 409 and "already started" in refused.json()["detail"]


def _body_for(start: str) -> dict[str, Any]:
    from tests.booking.test_api import body

    return body(start=start, name="Sam Example", email="sam@example.com")


def test_staff_book_on_behalf_even_a_service_visitors_cannot_book_online(
    client: TestClient[Litestar], staff: StaffService, service: BookingService
) -> None:
    from kat_widgets.scheduling import find_slots
    from tests.booking.booking_support import NOW

    slots = find_slots(
        service.directory,
        "draper",
        "connect-assessment",
        start=NOW + dt.timedelta(days=2),
        end=NOW + dt.timedelta(days=12),
        now=NOW,
    )
    start = slots[0].start.isoformat()
    wanted = _body_for(start) | {"service": "connect-assessment"}
    online = client.post("/api/bookings", json=wanted)
    assert online.status_code == 422 and "cannot be booked online" in online.json()["detail"]

    writer = key(staff, "bookings:read", "bookings:write")
    path = "/api/staff/bookings"
    assert (
        client.post(path, json=wanted, headers=bearer(key(staff, "bookings:read"))).status_code
        == 403
    )
    murray = key(staff, "bookings:write", clinics=("murray",))
    assert client.post(path, json=wanted, headers=bearer(murray)).status_code == 403
    nowhere = client.post(path, json=wanted | {"clinic_id": "nowhere"}, headers=bearer(writer))
    assert nowhere.status_code == 404
    booked = client.post(
        path, json=wanted, headers=bearer(writer) | {"Idempotency-Key": "desk-0001"}
    )
    assert booked.status_code == 201, booked.text
    assert booked.json()["service"] == "connect-assessment" and booked.json()["start"] == start
    assert "manage" not in booked.text and "Sam" not in booked.text  # no link; no names:read
    again = client.post(
        path, json=wanted, headers=bearer(writer) | {"Idempotency-Key": "desk-0001"}
    )
    assert again.status_code == 201 and again.json()["id"] == booked.json()["id"]
    taken = client.post(path, json=wanted, headers=bearer(writer))
    assert taken.status_code == 409
    actions = [(line.action, line.booking_id) for line in staff.audit_lines(days=365)]
    assert [a for a in actions if a[0] != "keys.create"] == [("bookings.book", booked.json()["id"])]
    bad = client.post(path, json={"clinic_id": "draper"}, headers=bearer(writer))
    assert bad.status_code in (400, 422)
