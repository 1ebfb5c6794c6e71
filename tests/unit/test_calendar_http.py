"""The HTTP side of busy calendars (#20): what is sent, and answers we must not trust."""

from __future__ import annotations

import base64
import datetime as dt
import http.server
import threading
from collections.abc import Callable, Iterator

import pytest

from kat_widgets.scheduling.calendar_http import CalendarFetchError, HttpCalendars
from kat_widgets.scheduling.types import Interval

WINDOW = Interval(
    dt.datetime(2027, 3, 7, tzinfo=dt.UTC), dt.datetime(2027, 6, 7, 12, 30, tzinfo=dt.UTC)
)
CALENDAR = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nEND:VCALENDAR\r\n"
Answer = tuple[int, dict[str, str], bytes]


class Recorder:
    """A loopback HTTP server answering every request with ``answer(method, path)``."""

    def __init__(self, answer: Callable[[str, str], Answer]) -> None:
        self.seen: list[tuple[str, str, dict[str, str], bytes]] = []
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                owner.seen.append((self.command, self.path, dict(self.headers), body))
                status, headers, data = answer(self.command, self.path)
                self.send_response(status)
                for name, value in {**headers, "Content-Length": str(len(data))}.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_PROPFIND = do_REPORT = _any

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


Serve = Callable[[Callable[[str, str], Answer]], Recorder]


@pytest.fixture
def serve() -> Iterator[Serve]:
    started: list[Recorder] = []

    def start(answer: Callable[[str, str], Answer]) -> Recorder:
        started.append(Recorder(answer))
        return started[-1]

    yield start
    for server in started:
        server.close()


def multistatus(*responses: str) -> bytes:
    return (
        '<?xml version="1.0"?><D:multistatus xmlns:D="DAV:" '
        'xmlns:C="urn:ietf:params:xml:ns:caldav">' + "".join(responses) + "</D:multistatus>"
    ).encode()


CALENDAR_COLLECTION = multistatus(
    "<D:response><D:href>/u/cal/</D:href><D:propstat><D:prop><D:resourcetype>"
    "<D:collection/><C:calendar/></D:resourcetype></D:prop>"
    "<D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>"
)


def test_a_collection_is_asked_for_the_window_with_the_urls_credentials(serve: Serve) -> None:
    event = CALENDAR.replace(
        b"END:VCALENDAR", b"BEGIN:VEVENT\r\nUID:a\r\nEND:VEVENT\r\nEND:VCALENDAR"
    )

    def answer(method: str, path: str) -> Answer:
        if method == "PROPFIND":
            return 207, {"Content-Type": "application/xml"}, CALENDAR_COLLECTION
        return (
            207,
            {"Content-Type": "application/xml"},
            multistatus(
                "<D:response><D:href>/u/cal/</D:href>"
                "<D:status>HTTP/1.1 200 OK</D:status></D:response>",
                "<D:response><D:href>/u/cal/a.ics</D:href><D:propstat><D:prop><C:calendar-data>"
                + event.decode()
                + "</C:calendar-data></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>"
                "</D:response>",
            ),
        )

    server = serve(answer)
    fetched = HttpCalendars()(f"http://nav%40clinic:p%3Ass@127.0.0.1:{server.port}/u/cal/", WINDOW)
    assert fetched.bodies == (event.replace(b"\r\n", b"\n"),)  # XML reads CRLF as LF
    assert fetched.window == WINDOW
    (propfind, report) = server.seen
    assert (propfind[0], propfind[2]["Depth"]) == ("PROPFIND", "0")
    assert (report[0], report[1], report[2]["Depth"]) == ("REPORT", "/u/cal/", "1")
    assert b'<C:time-range start="20270307T000000Z" end="20270607T123000Z"/>' in report[3]
    assert b"<C:calendar-data/>" in report[3]
    for request in server.seen:
        assert base64.b64decode(request[2]["Authorization"].split()[1]) == b"nav@clinic:p:ss"


def test_a_plain_address_is_read_with_get_and_credentials_never_go_to_another_host(
    serve: Serve,
) -> None:
    other = serve(lambda method, path: (200, {"Content-Type": "text/calendar"}, CALENDAR))
    moved = f"http://localhost:{other.port}/feed.ics"
    first = serve(
        lambda method, path: (
            (501, {}, b"") if method == "PROPFIND" else (302, {"Location": moved}, b"")
        )
    )
    fetched = HttpCalendars()(f"http://u:secret@127.0.0.1:{first.port}/feed.ics", WINDOW)
    assert fetched.bodies == (CALENDAR,) and fetched.window is None
    assert [r[0] for r in first.seen] == ["PROPFIND", "GET"]
    assert "Authorization" in first.seen[1][2]
    assert [r[0] for r in other.seen] == ["GET"]
    assert "Authorization" not in other.seen[0][2]


@pytest.mark.parametrize(
    ("report", "problem"),
    [
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>'
            b'<D:multistatus xmlns:D="DAV:"/>',
            "has a DTD",
        ),
        (b"<not xml", "not valid XML"),
        (b"<html>hello</html>", "not a WebDAV multistatus"),
        (
            multistatus(
                "<D:response><D:href>/u/cal/a.ics</D:href><D:propstat><D:prop><C:calendar-data/>"
                "</D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat></D:response>"
            ),
            "did not give the data of every event",
        ),
    ],
)
def test_answers_we_cannot_read_are_errors(
    serve: Serve,
    report: bytes,
    problem: str,
) -> None:
    def answer(method: str, path: str) -> Answer:
        if method == "PROPFIND":
            return 207, {}, CALENDAR_COLLECTION
        return 207, {}, report

    server = serve(answer)
    calendars = HttpCalendars()
    with pytest.raises(CalendarFetchError, match=problem):
        calendars(f"http://127.0.0.1:{server.port}/u/cal/", WINDOW)
    with pytest.raises(CalendarFetchError):
        calendars(f"http://127.0.0.1:{server.port}/u/cal/", WINDOW)
    assert [r[0] for r in server.seen] == ["PROPFIND", "REPORT"] * 2  # asked again after a failure


def test_a_collection_that_is_not_a_calendar_is_refused(serve: Serve) -> None:
    principal = CALENDAR_COLLECTION.replace(b"<C:calendar/>", b"")
    server = serve(lambda method, path: (207, {}, principal))
    with pytest.raises(CalendarFetchError, match="not a calendar"):
        HttpCalendars()(f"http://127.0.0.1:{server.port}/u/", WINDOW)
