"""What every request handler needs, built once per app and injected as ``kat``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeAlias, TypeVar
from urllib.parse import parse_qsl, unquote

from litestar import Request
from litestar.concurrency import sync_to_thread
from litestar.types import HTTPScope

from kat_widgets import i18n
from kat_widgets.booking import BookingService
from kat_widgets.booking.staff import StaffService
from kat_widgets.directory import Directory
from kat_widgets.errors import NotFoundError
from kat_widgets.fragments import Widgets
from kat_widgets.scheduling.cache import SlotCache
from kat_widgets.scheduling.types import BusyProvider
from kat_widgets.services import Services
from kat_widgets.settings import Settings
from kat_widgets.web.feed_memory import FeedMemory

__all__ = ["AnyRequest", "KatContext", "in_thread_if", "mount_prefix"]

AnyRequest: TypeAlias = Request[Any, Any, Any]
T = TypeVar("T")


async def in_thread_if(blocking: bool, call: Callable[[], T]) -> T:
    """``call()`` in a worker thread when it may wait on another machine (``blocking``: an
    online geocoder, a database server, a calendar's address); on the event loop otherwise,
    where a read of a few microseconds does not pay the thread's hand-over (~100 us, #14)."""
    if blocking:
        return await sync_to_thread(call)
    return call()


@dataclass(frozen=True, slots=True)
class KatContext:
    """The services and widgets of one app; ``path`` is the router's own prefix."""

    services: Services
    widgets: Widgets
    path: str = ""
    feeds: FeedMemory = field(default_factory=FeedMemory, compare=False)
    """When each availability feed last changed (``Last-Modified``), for this app only."""
    _made: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def settings(self) -> Settings:
        return self.services.settings

    @property
    def directory(self) -> Directory:
        return self.services.directory

    @property
    def bookings(self) -> BookingService | None:
        """Booking use cases; ``None`` when booking is off (no secret key)."""
        return self.services.bookings

    @property
    def staff(self) -> StaffService:
        """The staff use cases (keys, listings, marking), over the booking service."""
        staff = self._made.get("staff")
        if staff is None:
            staff = self._made["staff"] = StaffService(self.booking)
        assert isinstance(staff, StaffService)
        return staff

    @property
    def booking(self) -> BookingService:
        """The booking use cases, or the 404 every booking route answers when booking is off."""
        if self.services.bookings is None:
            raise NotFoundError("Online booking is not enabled here.")
        return self.services.bookings

    @property
    def busy_provider(self) -> BusyProvider:
        """What is taken at a clinic (bookings, imported staff calendars)."""
        return self.services.busy

    @property
    def slot_cache(self) -> SlotCache:
        """Open slots between requests (see :mod:`kat_widgets.scheduling.cache`)."""
        return self.services.slot_cache

    @property
    def clock(self) -> Callable[[], dt.datetime]:
        """ "Now" for notice and horizon; tests pass a fixed clock."""
        return self.services.clock

    def prefix(self, request: AnyRequest) -> str:
        """Where our routes live as the browser sees them: mount prefix + router path."""
        return mount_prefix(request) + self.path

    def widgets_for(self, request: AnyRequest) -> Widgets:
        """Widgets whose links carry the prefix this request came in under, speaking the
        request's language (``?lang=``, else ``Accept-Language``, else the site's own).

        The language also becomes the current one for the rest of this request (its error
        answers included): :func:`kat_widgets.i18n.activate`.
        """
        state = request.scope.setdefault("state", {})
        lang = state.get(_LANG)
        asked = request.query_params.get("lang")
        if lang is None:
            lang = i18n.negotiate(
                asked, request.headers.get("accept-language"), default=self.widgets.lang
            )
        self.speak(request, lang)
        return (
            self.widgets.with_base_path(self.prefix(request))
            # chosen: an explicit ?lang= keeps its hold on every link of the page
            .with_lang(lang, chosen=asked is not None and asked.strip().lower()[:2] == lang)
        )

    def negotiator(self) -> Callable[[HTTPScope], None]:
        """Run on every request before its handler (by the request gate, in the handler's
        context): the request's language (``?lang=``, else ``Accept-Language``, else the
        site's) becomes the current one, so the JSON API's messages are in it too, and
        :meth:`widgets_for` finds it in the request's state instead of negotiating again.

        It reads the raw ASGI scope: as a ``before_request`` hook it cost ~8 us a request,
        most of it Litestar building the request's headers and query parameters (#14).
        (A function, not a bound method: Litestar deep-copies its routers, and a bound method
        would drag this context into the copy.)"""
        default = self.widgets.lang

        def negotiate(scope: HTTPScope) -> None:
            query = scope.get("query_string", b"")
            asked = _first_lang(query) if b"lang=" in query else None
            accept = None
            for name, value in scope["headers"]:
                if name.lower() == b"accept-language":
                    accept = value.decode("latin-1")
                    break
            lang = i18n.negotiate(asked, accept, default=default)
            scope.setdefault("state", {})[_LANG] = lang
            i18n.activate(lang)

        return negotiate

    def speak(self, request: AnyRequest, lang: str) -> None:
        """Answer this request in ``lang`` from now on (a booking's own language)."""
        request.scope.setdefault("state", {})[_LANG] = lang
        i18n.activate(lang)


_LANG = "kat_lang"
"""Request state key: the language this request is answered in."""


def _first_lang(query: bytes) -> str | None:
    """The first ``lang`` of a query string, as ``request.query_params.get("lang")`` gives it."""
    for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        if name == "lang":
            return value
    return None


def mount_prefix(request: AnyRequest) -> str:
    """The prefix an outer app mounted us under, without a trailing slash.

    Starlette, FastAPI and Django set ASGI ``root_path``; Litestar's ``asgi(..., is_mount=True)``
    leaves it empty but strips the prefix from ``path``, so we recover it from ``raw_path``.
    """
    scope = request.scope
    root = str(scope.get("root_path") or "")
    if root:
        return root.rstrip("/")
    raw = scope.get("raw_path")
    if not raw:
        return ""
    # some servers (and test clients) leave the query string in raw_path
    raw_path = unquote(raw.decode("latin-1").split("?", 1)[0])
    path = str(scope.get("path") or "")
    if path and path != "/" and raw_path.endswith(path):
        return raw_path[: -len(path)].rstrip("/")
    if path == "/":
        return raw_path.rstrip("/")
    return ""
