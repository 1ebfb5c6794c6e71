"""Every calendar file kind we emit, taken from the app around a change of America/Denver, with
what the slots API and the booking API say each holds: for the six-reader agreement test and the
Radicale storage test.

The clinic is Draper open around the clock (a variant of the bundled directory) and info-call an
hour long on its 30-minute grid with a 3-day horizon, so a feed is short, its slots overlap, and a
visit at 01:30 crosses the change.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
from litestar import Litestar
from litestar.testing import TestClient

from kat_widgets.booking.models import BookingRecord
from kat_widgets.booking.tokens import calendar_key
from kat_widgets.directory import Directory, HoursRule
from kat_widgets.notifications.messages import Links, email_message, visitor_letter

Triple = tuple[str, str, str]
"""(UID, start, end), the instants in UTC."""


def booking_record(
    start: dt.datetime,
    *,
    status: str = "confirmed",
    sequence: int = 0,
    now: dt.datetime | None = None,
    **fields: Any,
) -> BookingRecord:
    """A twenty-minute info-call at Draper for Robin Example, as the booking store keeps it."""
    values: dict[str, Any] = {
        "id": "b" * 32,
        "clinic_id": "draper",
        "service_id": "info-call",
        "start": start,
        "end": start + dt.timedelta(minutes=20),
        "status": status,
        "sequence": sequence,
        "token_hash": "0" * 64,
        "name": "Robin Example",
        "email": "robin@example.com",
        "phone": None,
        "note": None,
        "created_at": now or start,
        "updated_at": now or start,
    }
    return BookingRecord(**{**values, **fields})


def instant(value: dt.datetime) -> str:
    """An aware datetime as a whole-second UTC instant; a naive (floating) one is an error."""
    assert value.tzinfo is not None and value.utcoffset() is not None, f"floating time {value}"
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


DENVER = ZoneInfo("America/Denver")
SECRET = "r" * 40
FEED_TOKEN = "t" * 40
SENDER = "bookings@clinic.example"
CLINIC, SERVICE = "draper", "info-call"
HORIZON_DAYS = 3


def _sunday(year: int, month: int, nth: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(6 - first.weekday()) % 7 + 7 * (nth - 1))


def change_day(year: int, season: str) -> dt.date:
    """US rule since 2007: second Sunday of March, first Sunday of November."""
    return _sunday(year, 3, 2) if season == "spring" else _sunday(year, 11, 1)


def around_the_clock(base: Directory) -> Directory:
    """Draper open every day from 00:00 to 23:59:59, no holidays, and info-call an hour long
    on the usual 30-minute grid with a 3-day horizon (short feeds, overlapping slots, and a
    visit at 01:30 that crosses the change)."""
    always = HoursRule(
        days=("mon", "tue", "wed", "thu", "fri", "sat", "sun"),
        opens=dt.time(0),
        closes=dt.time(23, 59, 59),
    )
    clinics = tuple(
        msgspec.structs.replace(c, hours=(always,), exceptions=(), closures=(), holidays=None)
        if c.id == CLINIC
        else c
        for c in base.data.clinics
    )
    services = tuple(
        msgspec.structs.replace(
            s,
            duration_minutes=60,
            policy=msgspec.structs.replace(s.policy, horizon_days=HORIZON_DAYS, max_per_day=None),
        )
        if s.id == SERVICE
        else s
        for s in base.data.services
    )
    return Directory(msgspec.structs.replace(base.data, clinics=clinics, services=services))


def visits(year: int, season: str) -> list[dt.datetime]:
    """The two visits booked on the change day: on the edge of the skipped or repeated hour."""
    day = change_day(year, season)
    if season == "spring":  # 01:30 MST (ends 03:30 MDT) and 03:30 MDT
        return [
            dt.datetime.combine(day, dt.time(1, 30), tzinfo=DENVER),
            dt.datetime.combine(day, dt.time(3, 30), tzinfo=DENVER),
        ]
    # 01:00 MDT, ending an hour later at 01:00 MST (the same wall time), then 02:00 MST; the
    # grid offers each wall time once, so the second 01:00 and 01:30 (MST) are never slots
    return [
        dt.datetime.combine(day, dt.time(1, 0), tzinfo=DENVER),
        dt.datetime.combine(day, dt.time(2, 0), tzinfo=DENVER),
    ]


def _iso(text: str) -> str:
    return instant(dt.datetime.fromisoformat(text))


def _calendar_part(message: Any) -> bytes:
    parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    for part in parsed.walk():
        if part.get_content_type() == "text/calendar":
            content = part.get_content()
            return content.encode() if isinstance(content, str) else bytes(content)
    raise AssertionError("no text/calendar part")


def _imip(
    booking: dict[str, Any], directory: Directory, now: dt.datetime, *, cancel: bool
) -> bytes:
    """The visitor's iMIP attachment for ``booking`` (the booking API's answer), as sent."""
    record = booking_record(
        dt.datetime.fromisoformat(booking["start"]).astimezone(dt.UTC),
        id=booking["id"],
        clinic_id=booking["clinic_id"],
        service_id=booking["service"],
        end=dt.datetime.fromisoformat(booking["end"]).astimezone(dt.UTC),
        status="cancelled" if cancel else "confirmed",
        sequence=1 if cancel else 0,
        now=now,
    )
    letter = visitor_letter(
        "cancelled" if cancel else "created",
        record,
        directory,
        links=Links(manage_url="https://x.example/m", ics_url="https://x.example/c.ics"),
        now=now,
        organizer=SENDER,
    )
    return _calendar_part(
        email_message(letter, message_id="m", sender=SENDER, to=["robin@example.com"], now=now)
    )


def every_file_kind(
    client: TestClient[Litestar], directory: Directory, now: dt.datetime, starts: list[dt.datetime]
) -> tuple[dict[str, bytes], dict[str, list[Triple]]]:
    """Every file kind as the app serves it (and the iMIP attachments as sent), with what the
    slots API and the booking API say each must hold: ``(files, expected events)``."""
    feed = f"/calendars/{CLINIC}/availability.ics"
    files = {
        "availability.ics": client.get(feed, params={"service": SERVICE}).content,
        "vavailability.ics": client.get(
            feed, params={"service": SERVICE, "format": "vavailability"}
        ).content,
    }
    slots = client.get(
        f"/api/clinics/{CLINIC}/slots",
        params={
            "service": SERVICE,
            "start": now.isoformat(),
            "end": (now + dt.timedelta(days=HORIZON_DAYS)).isoformat(),
        },
    )
    assert slots.status_code == 200, slots.text
    open_times = [
        (
            f"avail-{CLINIC}-{SERVICE}-{_iso(s['start']).replace('-', '').replace(':', '')}"
            "@kat-widgets",
            _iso(s["start"]),
            _iso(s["end"]),
        )
        for s in slots.json()["slots"]
    ]
    expected: dict[str, list[Triple]] = {"availability.ics": open_times}
    booked, tokens = [], []
    for index, start in enumerate(starts):
        answer = client.post(
            "/api/bookings",
            json={
                "clinic_id": CLINIC,
                "service": SERVICE,
                "start": start.isoformat(),
                "name": "Robin Example",
                "email": f"robin{index}@example.com",
                "consent": True,
            },
        )
        assert answer.status_code == 201, answer.text
        booked.append(answer.json()["booking"])
        tokens.append(str(answer.json()["manage_url"]).rsplit("/", 1)[1])
    visit = [(f"{b['id']}@kat-widgets", _iso(b["start"]), _iso(b["end"])) for b in booked]
    files["staff-feed.ics"] = client.get(f"/calendars/staff/{FEED_TOKEN}.ics").content
    expected["staff-feed.ics"] = [(f"staff-{uid}", s, e) for uid, s, e in visit]
    for index, token in enumerate(tokens):
        path = f"/calendars/bookings/{calendar_key(SECRET, token)}.ics"
        files[f"appointment-{index}.ics"] = client.get(path).content
        expected[f"appointment-{index}.ics"] = [visit[index]]
        files[f"email-request-{index}.ics"] = _imip(booked[index], directory, now, cancel=False)
        expected[f"email-request-{index}.ics"] = [visit[index]]
    cancelled = client.post(f"/api/bookings/{tokens[-1]}/cancel")
    assert cancelled.status_code == 200, cancelled.text
    path = f"/calendars/bookings/{calendar_key(SECRET, tokens[-1])}.ics"
    files["appointment-cancelled.ics"] = client.get(path).content
    expected["appointment-cancelled.ics"] = [visit[-1]]
    files["email-cancel.ics"] = _imip(cancelled.json()["booking"], directory, now, cancel=True)
    expected["email-cancel.ics"] = [visit[-1]]
    expected["vavailability.ics"] = []  # no VEVENT: its open times are AVAILABLE components
    return files, expected
