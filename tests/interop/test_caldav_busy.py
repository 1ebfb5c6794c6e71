"""Busy calendars read from a real CalDAV server (Radicale), seen through the public slots API.

A staff member's calendar collection and a room's hold events put there one by one with PUT;
the app is pointed at the collections' URLs (credentials in the userinfo) and must leave out
the busy times but not a declined invitation or a transparent event (#20). A server that
refuses us or answers nonsense leaves the resource busy, logged by id without credentials.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.server
import logging
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from litestar.testing import TestClient

from kat_widgets import Settings, create_app
from kat_widgets.scheduling.calendar_http import HttpCalendars
from kat_widgets.scheduling.types import Interval
from kat_widgets.settings import BUNDLED_DIRECTORY
from tests.servers import deadline_s

from .conftest import radicale_server

NOW = dt.datetime(2027, 3, 8, 14, tzinfo=dt.UTC)  # Monday 07:00 in Denver
USER, PASSWORD = "navigator", "p@ss:word"
CREDENTIALS = "navigator:p%40ss%3Aword"  # the same, as a URL's userinfo
ZONE = """BEGIN:VTIMEZONE\r
TZID:America/Denver\r
BEGIN:DAYLIGHT\r
DTSTART:19700308T020000\r
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r
TZOFFSETFROM:-0700\r
TZOFFSETTO:-0600\r
TZNAME:MDT\r
END:DAYLIGHT\r
BEGIN:STANDARD\r
DTSTART:19701101T020000\r
RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r
TZOFFSETFROM:-0600\r
TZOFFSETTO:-0700\r
TZNAME:MST\r
END:STANDARD\r
END:VTIMEZONE\r
"""


def event(uid: str, start: str, end: str, *extra: str) -> bytes:
    """One event in its own calendar, as a CalDAV client stores it; times in Denver."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//kat-widgets tests//EN",
        ZONE.replace("\r\n", "\n").strip(),
        "BEGIN:VEVENT",
        f"UID:{uid}",
        "DTSTAMP:20270301T000000Z",
        f"DTSTART;TZID=America/Denver:{start}",
        f"DTEND;TZID=America/Denver:{end}",
        *extra,
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return ("\r\n".join("\r\n".join(line.split("\n")) for line in lines) + "\r\n").encode()


NAVIGATOR_EVENTS = {
    "meeting": event("meeting@x", "20270309T090000", "20270309T100000", "SUMMARY:Meeting"),
    # a weekly series begun before the range asked: Radicale must match its 9 March instance
    "weekly": event("weekly@x", "20270302T130000", "20270302T140000", "RRULE:FREQ=WEEKLY"),
    "declined": event(
        "declined@x",
        "20270309T110000",
        "20270309T120000",
        "ORGANIZER:mailto:lead@clinic.example",
        "ATTENDEE;PARTSTAT=DECLINED:mailto:navigator@clinic.example",
    ),
    "transparent": event("free@x", "20270309T150000", "20270309T160000", "TRANSP:TRANSPARENT"),
    "next-year": event("later@x", "20280309T090000", "20280309T100000"),  # past the horizon
}
ROOM_EVENTS = {"shared": event("shared@x", "20270310T080000", "20270310T120000")}


def directory_with_calendar_address(tmp_path: Path) -> Path:
    """The bundled directory with the navigator's calendar address (for PARTSTAT)."""
    text = BUNDLED_DIRECTORY.read_text(encoding="utf-8")
    marker = 'id = "draper-navigator"\n'
    assert marker in text
    path = tmp_path / "clinics.toml"
    path.write_text(
        text.replace(marker, marker + 'calendar_email = "navigator@clinic.example"\n'),
        encoding="utf-8",
    )
    return path


def put_collection(base: str, path: str, events: dict[str, bytes]) -> str:
    """MKCALENDAR ``path`` and PUT each event into it; the collection's URL with credentials."""
    auth = (USER, PASSWORD)
    with httpx.Client(auth=auth, timeout=deadline_s()) as client:
        made = client.request("MKCALENDAR", f"{base}{path}")
        assert made.status_code == 201, made.text
        for name, body in events.items():
            put = client.put(
                f"{base}{path}{name}.ics",
                content=body,
                headers={"Content-Type": "text/calendar; charset=utf-8"},
            )
            assert put.status_code == 201, put.text
    return base.replace("http://", f"http://{CREDENTIALS}@") + path


class _Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def slot_starts(
    settings: Settings, service: str, day: str, next_day: str, *, log: list[str] | None = None
) -> list[str]:
    """The slots API's starts; ``log`` gets what the calendar import logged meanwhile."""
    app = create_app(settings, clock=lambda: NOW)
    # after the app is made: its logging config resets the handlers of our loggers
    recorder, logger = _Recorder(), logging.getLogger("kat_widgets.scheduling.ics_import")
    logger.addHandler(recorder)
    try:
        with TestClient(app) as client:
            answer = client.get(
                "/api/clinics/draper/slots",
                params={"service": service, "start": day, "end": next_day},
            )
    finally:
        logger.removeHandler(recorder)
    if log is not None:
        log += recorder.lines
    assert answer.status_code == 200, answer.text
    return [slot["start"] for slot in answer.json()["slots"]]


@pytest.fixture
def dav(tmp_path: Path) -> Iterator[str]:
    """Radicale where only ``navigator`` (with its password) logs in."""
    with radicale_server(tmp_path, users={USER: PASSWORD}) as url:
        yield url


def test_a_caldav_collection_blocks_busy_times_but_not_declined_or_free_ones(
    dav: str, tmp_path: Path
) -> None:
    navigator = put_collection(dav, f"/{USER}/work/", NAVIGATOR_EVENTS)
    room = put_collection(dav, f"/{USER}/consult-room/", ROOM_EVENTS)

    # the query keeps to the time range: the next-year event is not sent
    window = Interval(NOW - dt.timedelta(days=1), NOW + dt.timedelta(days=92))
    fetched = HttpCalendars(timeout=deadline_s())(navigator, window)
    assert fetched.window == window
    assert len(fetched.bodies) == 4
    assert not any(b"later@x" in body for body in fetched.bodies)

    base = Settings(
        data_dir=str(tmp_path / "data"),
        secret_key="s" * 40,
        directory_file=str(directory_with_calendar_address(tmp_path)),
    )
    settings = Settings(
        data_dir=base.data_dir,
        secret_key=base.secret_key,
        directory_file=base.directory_file,
        busy_calendars={"draper-navigator": [navigator], "draper-consult-1": room},
    )
    free = slot_starts(base, "info-call", "2027-03-09", "2027-03-10")
    offered = slot_starts(settings, "info-call", "2027-03-09", "2027-03-10")
    taken = {f"2027-03-09T{hh}-07:00" for hh in ("09:00:00", "09:30:00", "13:00:00", "13:30:00")}
    assert taken <= set(free)
    assert set(offered) == set(free) - taken  # the meeting and the weekly series
    for kept in ("11:00:00", "11:30:00", "15:00:00", "15:30:00"):  # declined, transparent
        assert f"2027-03-09T{kept}-07:00" in offered

    # the shared consult room, booked elsewhere 08:00-12:00 on Wednesday
    free = slot_starts(base, "connect-assessment", "2027-03-10", "2027-03-11")
    offered = slot_starts(settings, "connect-assessment", "2027-03-10", "2027-03-11")
    morning = {start for start in free if start < "2027-03-10T12:00"}
    assert morning and not morning & set(offered)
    assert set(offered) == set(free) - morning
    calls = slot_starts(settings, "info-call", "2027-03-10", "2027-03-11")  # needs no room
    assert calls == slot_starts(base, "info-call", "2027-03-10", "2027-03-11")


def _http_server(status: int, body: bytes) -> tuple[http.server.ThreadingHTTPServer, int]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def _any(self) -> None:
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_PROPFIND = do_REPORT = _any

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]


def _not_http() -> tuple[socket.socket, int]:
    """Answers every connection with a line that is not HTTP, then closes it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()

    def serve() -> None:
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)
                conn.sendall(b"hello, this is not HTTP\r\n\r\n")

    threading.Thread(target=serve, daemon=True).start()
    return sock, sock.getsockname()[1]


@pytest.mark.parametrize("answer", ["wrong password", "500", "not HTTP", "not XML"])
def test_a_server_we_cannot_read_leaves_the_navigator_busy_and_says_so(
    answer: str, tmp_path: Path
) -> None:
    logged: list[str] = []
    with contextlib.ExitStack() as stack:
        if answer == "wrong password":
            dav = stack.enter_context(radicale_server(tmp_path, users={USER: "another"}))
            port = int(dav.rsplit(":", 1)[1])
        elif answer == "not HTTP":
            sock, port = _not_http()
            stack.callback(sock.close)
        else:
            status, body = (500, b"oops") if answer == "500" else (207, b"<<garbage>>")
            server, port = _http_server(status, body)
            stack.callback(server.server_close)
            stack.callback(server.shutdown)
        url = f"http://{CREDENTIALS}@127.0.0.1:{port}/{USER}/work/"
        settings = Settings(
            data_dir=str(tmp_path / "data"),
            secret_key="s" * 40,
            busy_calendars={"draper-navigator": url},
        )
        assert slot_starts(settings, "info-call", "2027-03-09", "2027-03-10", log=logged) == []
    text = "\n".join(logged)
    assert "calendar draper-navigator (URL): cannot fetch" in text, text
    assert "treating as busy" in text
    for secret in (PASSWORD, CREDENTIALS, "p%40ss", url):
        assert secret not in text
