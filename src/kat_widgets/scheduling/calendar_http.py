"""Reading a busy calendar over HTTP: a CalDAV calendar collection, or an ``.ics`` address.

A CalDAV collection is asked for the events in a time range with one ``REPORT``
calendar-query (RFC 4791 section 7.8, ``Depth: 1``, asking for ``calendar-data``); the server
answers only those events, each a small calendar of its own (recurring series whole: we expand
them ourselves, as for files). Whether an address is a collection is asked once with a
``PROPFIND`` of its ``resourcetype`` (``Depth: 0``); anything else (a plain feed, a static file,
a server that knows no WebDAV) is read with a plain ``GET``, as is a collection whose server
answers the query with a whole ``.ics`` body.

Why no CalDAV client library: we need two requests with fixed bodies, and the ``caldav``
package would bring ``requests``, ``lxml`` and a discovery layer we do not use, to every host.
``urllib`` and ``xml.etree`` are enough: answers are size-capped, and an answer with a DTD is
refused, so no entity is declared, expanded or fetched (and expat 2.4.1+ limits amplification).

Credentials come from the address's userinfo (``https://user:password@host/...``) and are sent
as HTTP Basic; they never reach a message or the log, and a redirect to another host drops them.
Errors are :class:`CalendarFetchError` whose text names neither the address nor the credentials.
"""

from __future__ import annotations

import base64
import datetime as dt
import http.client
import threading
import urllib.error
import urllib.request
from http.client import HTTPMessage
from typing import IO, Literal, NamedTuple
from urllib.parse import unquote, urlsplit, urlunsplit
from xml.etree import ElementTree

from kat_widgets.scheduling.types import Interval

__all__ = ["CalendarFetchError", "Fetched", "HttpCalendars", "split_credentials"]

FETCH_TIMEOUT_SECONDS = 10
MAX_BYTES = 5_000_000
DAV = "{DAV:}"
CALDAV = "{urn:ietf:params:xml:ns:caldav}"
USER_AGENT = "kat-widgets calendar import"
XML = 'application/xml; charset="utf-8"'

PROPFIND = (
    b'<?xml version="1.0" encoding="utf-8"?>'
    b'<D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/></D:prop></D:propfind>'
)


def _report(window: Interval) -> bytes:
    """A calendar-query for every event overlapping ``window``, with its calendar data."""
    start, end = (moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ") for moment in window)
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
        "<D:prop><D:getetag/><C:calendar-data/></D:prop>"
        '<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">'
        f'<C:time-range start="{start}" end="{end}"/>'
        "</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>"
    ).encode()


class CalendarFetchError(OSError):
    """A calendar could not be read; the text is safe to log (no address, no credentials)."""


class Fetched(NamedTuple):
    """What an address gave: iCalendar bodies (one per CalDAV event, or the whole feed) and
    the time range the server kept to (``None``: the whole calendar)."""

    bodies: tuple[bytes, ...]
    window: Interval | None


class _Answer(NamedTuple):
    status: int
    content_type: str
    body: bytes


def split_credentials(url: str) -> tuple[str, str | None]:
    """``url`` without its userinfo, and the Basic ``Authorization`` value it carried."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url, None
    userinfo, _, host = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    token = base64.b64encode(f"{unquote(user)}:{unquote(password)}".encode()).decode("ascii")
    return urlunsplit(parts._replace(netloc=host)), f"Basic {token}"


class _KeepAuthOnSameHost(urllib.request.HTTPRedirectHandler):
    """Follows redirects (GET only, as urllib does), dropping credentials to another host."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and urlsplit(newurl).netloc != urlsplit(req.full_url).netloc:
            new.remove_header("Authorization")
        return new


def _refused(status: int, what: str) -> str:
    hint = {
        401: ": the server wants a user name and password, or refused the ones given",
        403: ": this user may not read it",
        404: ": no calendar at this address",
    }
    return f"HTTP {status} {what}{hint.get(status, '')}"


def _looks_like_calendar(answer: _Answer) -> bool:
    return answer.content_type == "text/calendar" or answer.body.lstrip()[:15].upper() == (
        b"BEGIN:VCALENDAR"
    )


def _xml(body: bytes) -> ElementTree.Element:
    if b"<!DOCTYPE" in body:  # no DTD, so no entity of any kind is declared or expanded
        raise CalendarFetchError("the server's XML answer has a DTD, which we do not read")
    try:
        root = ElementTree.fromstring(body)  # noqa: S314 (no DTD: checked above)
    except ElementTree.ParseError:
        raise CalendarFetchError("the server's answer is not valid XML") from None
    if root.tag != f"{DAV}multistatus":
        raise CalendarFetchError("the server's answer is not a WebDAV multistatus")
    return root


def _kind(answer: _Answer) -> Literal["caldav", "feed"]:
    """From a PROPFIND's answer: a calendar collection, or something to GET."""
    if answer.status == 401:
        raise CalendarFetchError(_refused(401, "to PROPFIND"))
    if answer.status != 207:
        return "feed"  # no WebDAV here (405, 501...): a plain address
    kinds = _xml(answer.body).find(f"{DAV}response/{DAV}propstat/{DAV}prop/{DAV}resourcetype")
    if kinds is not None and kinds.find(f"{CALDAV}calendar") is not None:
        return "caldav"
    if kinds is not None and kinds.find(f"{DAV}collection") is not None:
        raise CalendarFetchError(
            "a WebDAV collection that is not a calendar: give the calendar's own address"
        )
    return "feed"  # a file on a WebDAV server


def _calendar_objects(body: bytes, collection: str) -> tuple[bytes, ...]:
    """The calendar data of every event in a calendar-query's multistatus, by href."""
    found: dict[str, bytes] = {}
    for response in _xml(body).iter(f"{DAV}response"):
        href = unquote(urlsplit(response.findtext(f"{DAV}href", "").strip()).path).rstrip("/")
        if href in ("", collection):
            continue  # some servers list the collection itself
        data = None
        for propstat in response.iter(f"{DAV}propstat"):
            if " 200" in propstat.findtext(f"{DAV}status", ""):
                data = propstat.find(f"{DAV}prop/{CALDAV}calendar-data")
        if data is None or not (data.text or "").strip():
            # an event we may not read could be busy time: never guess it free
            raise CalendarFetchError("the server did not give the data of every event")
        found[href] = (data.text or "").encode()
    return tuple(found[href] for href in sorted(found))


class HttpCalendars:
    """Reads calendars over HTTP(S), remembering which addresses are CalDAV collections.

    ``fetch(url, window)`` returns :class:`Fetched`; it raises :class:`CalendarFetchError`
    (or another :class:`OSError`) and then asks the address again next time.
    """

    def __init__(self, *, timeout: float = FETCH_TIMEOUT_SECONDS) -> None:
        self.timeout = timeout
        self._opener = urllib.request.build_opener(_KeepAuthOnSameHost())
        self._kinds: dict[str, Literal["caldav", "feed"]] = {}
        self._lock = threading.Lock()

    def _send(
        self, url: str, method: str, auth: str | None, *, body: bytes | None = None
    ) -> _Answer:
        headers = {"User-Agent": USER_AGENT}
        if auth is not None:
            headers["Authorization"] = auth
        if body is not None:
            headers |= {"Content-Type": XML, "Depth": "0" if method == "PROPFIND" else "1"}
        request = urllib.request.Request(url, data=body, headers=headers, method=method)  # noqa: S310
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                data: bytes = response.read(MAX_BYTES + 1)
                status, content_type = response.status, response.headers.get_content_type()
        except urllib.error.HTTPError as exc:
            exc.close()
            return _Answer(exc.code, "", b"")
        except urllib.error.URLError as exc:  # its text may name the host: say only the kind
            reason = type(exc.reason).__name__ if isinstance(exc.reason, Exception) else "URLError"
            raise CalendarFetchError(f"cannot connect ({reason})") from None
        except http.client.HTTPException as exc:  # not HTTP at all, or cut short
            kind = type(exc).__name__
            raise CalendarFetchError(f"the answer is not valid HTTP ({kind})") from None
        except ValueError:
            raise CalendarFetchError("not a valid http(s) address") from None
        if len(data) > MAX_BYTES:
            raise CalendarFetchError(f"the answer is larger than {MAX_BYTES} bytes")
        return _Answer(status, content_type, data)

    def __call__(self, url: str, window: Interval) -> Fetched:
        plain, auth = split_credentials(url)
        try:
            with self._lock:
                kind = self._kinds.get(url)
            if kind is None:
                kind = _kind(self._send(plain, "PROPFIND", auth, body=PROPFIND))
                with self._lock:
                    self._kinds[url] = kind
            if kind == "caldav":
                answer = self._send(plain, "REPORT", auth, body=_report(window))
                if answer.status == 207:
                    path = unquote(urlsplit(plain).path).rstrip("/")
                    return Fetched(_calendar_objects(answer.body, path), window)
                if not (200 <= answer.status < 300 and _looks_like_calendar(answer)):
                    raise CalendarFetchError(_refused(answer.status, "to the calendar query"))
            else:
                answer = self._send(plain, "GET", auth)
                if not 200 <= answer.status < 300:
                    raise CalendarFetchError(_refused(answer.status, "to GET"))
            return Fetched((answer.body,), None)
        except OSError:
            with self._lock:
                self._kinds.pop(url, None)  # ask what it is again next time
            raise
