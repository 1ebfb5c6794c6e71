"""``Widgets``: every widget as safe HTML from any Python host, no Litestar and no SQL needed.

Each method builds its query once, asks the domain once, and hands the answer to a render
function with the :class:`Renderer`. The web layer serves the same methods over HTTP.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
from collections.abc import Callable, Mapping
from typing import Any, Literal, NamedTuple, TypeVar, cast

from markupsafe import Markup

from kat_widgets import i18n
from kat_widgets.booking.models import BookingFormQuery
from kat_widgets.booking.rules import online_service, parse_start
from kat_widgets.booking.waitlist_models import WaitlistFormQuery
from kat_widgets.directory import Directory, load_directory
from kat_widgets.errors import NotFoundError, StorageUnavailableError, ValidationError
from kat_widgets.fragments.booking import render_form, render_past
from kat_widgets.fragments.locator import LocatorView, render_locator
from kat_widgets.fragments.renderer import STYLESHEETS, Renderer
from kat_widgets.fragments.scheduling import render_availability, render_unavailable
from kat_widgets.fragments.waitlist import render_waitlist_form
from kat_widgets.i18n import N_
from kat_widgets.locator import LocateQuery, Locator, locator_from_settings
from kat_widgets.scheduling.types import BusyProvider
from kat_widgets.scheduling.week import WeekQuery, open_week
from kat_widgets.settings import Settings, load_settings

__all__ = ["STYLESHEETS", "FragmentView", "Widgets"]

_TITLES = {
    "clinics": N_("Our clinics"),
    "locator": N_("Find a clinic near you"),
    "availability": N_("Open times"),
    "booking": N_("Book an appointment"),
    "crisis-banner": N_("Get help now"),
    "waitlist": N_("Tell me when a time opens"),
}


class FragmentView(NamedTuple):
    """A rendered widget, which widget it turned out to be, and the HTTP status it deserves."""

    html: Markup
    widget: str
    title: str
    status: int = 200


F = TypeVar("F", bound=Callable[..., Any])


def _speaks(method: F) -> F:
    """Run ``method`` in the widgets' language: text built in Python (dates, messages) too."""

    @functools.wraps(method)
    def speaking(self: Widgets, *args: Any, **kwargs: Any) -> Any:
        with i18n.using(self.lang):
            return method(self, *args, **kwargs)

    return cast(F, speaking)


class Widgets:
    """Renders the widgets for one directory.

    ``base_path`` is where the kat-widgets routes are: the app's mount prefix (``""`` or
    ``"/widgets"``), or the absolute URL of a kat-widgets server when the host only renders
    fragments; every link a fragment emits starts with it. ``static_url`` is where the host
    serves the stylesheets and scripts (default ``base_path + "/static"``; see
    :mod:`kat_widgets.fragments.assets`). ``crisis_link=False`` on a page that shows the crisis
    bar itself: the widgets then leave out their own "Get help now" link. ``busy_provider``
    says what is taken at a clinic (default: the staff and room calendars of
    ``settings.busy_calendars``; the web app passes its bookings too).
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        directory: Directory | None = None,
        base_path: str = "",
        static_url: str | None = None,
        crisis_link: bool = True,
        lang: str | None = None,
        locator: Locator | None = None,
        busy_provider: BusyProvider | None = None,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.settings = settings if settings is not None else load_settings(persist_secret=False)
        self.directory = (
            directory if directory is not None else load_directory(self.settings.directory_file)
        )
        self.renderer = Renderer(
            self.settings,
            self.directory,
            base_path=base_path,
            static_url=static_url,
            crisis_link=crisis_link,
            lang=lang,
        )
        # shared by every copy (with_base_path) so the geocoder's cache and rate limit are too
        self.locator_service = (
            locator if locator is not None else locator_from_settings(self.settings, self.directory)
        )
        # built once: it caches fetched staff calendars (imported here: importing the
        # fragments need not load the iCalendar parser)
        self.clock = clock if clock is not None else (lambda: dt.datetime.now(dt.UTC))
        if busy_provider is None:
            from kat_widgets.scheduling.ics_import import default_busy_provider

            busy_provider = default_busy_provider(self.settings, self.directory, clock=self.clock)
        self.busy_provider = busy_provider

    def _with(self, renderer: Renderer) -> Widgets:
        """The same widgets (locator, staff calendars, clock) drawn by another renderer."""
        other = copy.copy(self)
        other.renderer = renderer
        return other

    @property
    def base_path(self) -> str:
        return self.renderer.base_path

    @property
    def crisis_link(self) -> bool:
        """Each widget ends with the permanent "Get help now" link (see :class:`Renderer`)."""
        return self.renderer.crisis_link

    @property
    def lang(self) -> str:
        """The language the widgets speak (``en``, ``es``)."""
        return self.renderer.lang

    def with_lang(self, lang: str, *, chosen: bool = False) -> Widgets:
        """The same widgets in another language (one of :data:`kat_widgets.i18n.LANGUAGES`);
        ``chosen``: the visitor asked for it, so every link carries it even when it is the
        site's own language (not their browser's)."""
        if lang == self.lang and chosen == self.renderer.carry_lang:
            return self
        return self._with(self.renderer.replace(lang=lang, carry_lang=chosen))

    def with_base_path(self, base_path: str) -> Widgets:
        """The same widgets emitting links under another mount prefix."""
        if base_path.rstrip("/") == self.base_path:
            return self
        return self._with(self.renderer.replace(base_path=base_path))

    @_speaks
    def render(self, template: str, **context: Any) -> Markup:
        """Render ``template`` with the shared context (see :meth:`Renderer.render`)."""
        return self.renderer.render(template, **context)

    # -- by name, from URL parameters (embed pages, embed.js, in-process hosts) ---------------

    @property
    def embeddable(self) -> Mapping[str, str]:
        """Widget names ``fragment()``, ``/embed/{widget}`` and embed.js accept, with titles."""
        return _TITLES

    def title(self, name: str) -> str:
        return i18n.catalog(self.lang).gettext(_TITLES[name])

    def fragment(
        self,
        name: str,
        params: Mapping[str, str],
        *,
        busy_provider: BusyProvider | None = None,
        now: dt.datetime | None = None,
    ) -> Markup:
        """Render widget ``name`` from string parameters (as in a URL query)."""
        return self.fragment_view(name, params, busy_provider=busy_provider, now=now).html

    @_speaks
    def fragment_view(
        self,
        name: str,
        params: Mapping[str, str],
        *,
        busy_provider: BusyProvider | None = None,
        now: dt.datetime | None = None,
        action: str | None = None,
    ) -> FragmentView:
        """Like :meth:`fragment`, also saying which widget answered and with what status.

        ``booking`` with no ``start`` yet answers with the open times (each links to the form);
        an invalid locator search is the locator with its message (422).
        """
        if name == "clinics":
            return self._view("clinics", self.clinic_list())
        if name == "crisis-banner":
            get = params.get
            html = self.crisis_banner(get("region"), get("lang"), get("variant", "card"))
            return self._view(name, html)
        if name == "locator":
            found = self.locator_view(params, action=action)
            return self._view(name, found.html, 422 if found.error else 200)
        if name in ("availability", "booking"):
            return self._open_times(name, params, busy_provider, now)
        if name == "waitlist":
            asked = WaitlistFormQuery.from_text(params)
            clinic, service = online_service(self.directory, asked.clinic, asked.service)
            return self._view(name, render_waitlist_form(self.renderer, clinic, service))
        raise NotFoundError(f"No widget called {name!r}.")

    def _view(self, name: str, html: Markup, status: int = 200) -> FragmentView:
        return FragmentView(html, name, i18n.gettext(_TITLES[name]), status)

    def _open_times(
        self,
        name: str,
        params: Mapping[str, str],
        busy_provider: BusyProvider | None,
        now: dt.datetime | None,
    ) -> FragmentView:
        notice = Markup("")
        if name == "booking":
            form = BookingFormQuery.from_text(params)
            if form.start is not None:
                clinic, service = online_service(self.directory, form.clinic, form.service)
                start = parse_start(form.start)
                if start > (now if now is not None else self.clock()):
                    return self._view(name, render_form(self.renderer, clinic, service, start))
                notice = render_past(self.renderer, clinic, start)  # no form for the past
        week = WeekQuery.from_text(params)
        html = self.availability(week, busy_provider=busy_provider, now=now)
        return self._view("availability", notice + html)

    # -- each widget ------------------------------------------------------------------------

    @property
    def clinic_list(self) -> Callable[[], Markup]:
        """Every clinic with its address, phone and weekly hours: ``widgets.clinic_list()``."""
        return self.renderer.clinic_list

    def head(self) -> Markup:
        """The stylesheets' ``<link>`` tags for the host page's ``<head>``: ``widgets.head()``."""
        return self.renderer.head()

    @property
    def crisis_banner(self) -> Callable[..., Markup]:
        """The crisis banner: ``widgets.crisis_banner(region, lang, variant, clinic=...)``.

        See :meth:`Renderer.crisis_banner`: no database, no network.
        """
        return self.renderer.crisis_banner

    def locator(
        self,
        query: LocateQuery | Mapping[str, str] | str | None = None,
        /,
        *,
        unit: Literal["mi", "km"] | None = None,
        action: str | None = None,
        at: dt.datetime | None = None,
        **fields: Any,
    ) -> Markup:
        """The clinic locator: a search form and, when there is a place, the nearest clinics.

        ``query``: a :class:`LocateQuery`, URL parameters (text), or the search text ``q`` with
        the other fields as keywords (``locator("84101", limit=3)``). Invalid input gives the
        form with a message, never an exception. ``action``: where the form submits (default:
        the current page).
        """
        return self.locator_view(query, unit=unit, action=action, at=at, **fields).html

    @_speaks
    def locator_view(
        self,
        query: LocateQuery | Mapping[str, str] | str | None = None,
        /,
        *,
        unit: Literal["mi", "km"] | None = None,
        action: str | None = None,
        at: dt.datetime | None = None,
        **fields: Any,
    ) -> LocatorView:
        """Like :meth:`locator`, also returning the error message and the answer."""
        locator = self.locator_service
        error: str | None = None
        try:
            if isinstance(query, LocateQuery):
                asked = query
            elif isinstance(query, Mapping):
                asked = LocateQuery.from_text(query)
            else:
                asked = LocateQuery.of(q=query, **fields)
        except ValidationError as exc:
            text = query.get("q") if isinstance(query, Mapping) else None
            asked, error = LocateQuery(q=text if isinstance(text, str) else None), str(exc)
        answer = None
        if error is None and asked.searching:
            try:
                answer = locator.locate(asked, at=at)
            except ValidationError as exc:
                error = str(exc)
        radius = answer.radius_km if answer else locator.radius_km
        html = render_locator(
            self.renderer, asked, answer, error=error, radius_km=radius, unit=unit, action=action
        )
        return LocatorView(html, error, answer)

    @_speaks
    def availability(
        self,
        clinic_id: str | WeekQuery,
        service_id: str = "info-call",
        week: str | dt.date | None = None,
        *,
        busy_provider: BusyProvider | None = None,
        now: dt.datetime | None = None,
    ) -> Markup:
        """Week grid of open slots (days as columns); each links to the booking form.

        ``clinic_id`` may be a whole :class:`WeekQuery`. ``busy_provider`` says what is taken
        (default: this widget set's). When bookings cannot be read: the clinic's number instead.
        """
        if isinstance(clinic_id, WeekQuery):
            query = clinic_id
        elif isinstance(week, str):
            query = WeekQuery.from_text({"clinic": clinic_id, "service": service_id, "week": week})
        else:
            query = WeekQuery.of(clinic=clinic_id, service=service_id, week=week)
        busy = busy_provider if busy_provider is not None else self.busy_provider
        when = now if now is not None else self.clock()
        try:
            found = open_week(self.directory, query, busy=busy, now=when)
        except StorageUnavailableError:  # bookings unknown: offer the phone, never a guess
            clinic = self.directory.clinic(query.clinic)
            return render_unavailable(self.renderer, clinic, self.directory.service(query.service))
        return render_availability(self.renderer, found)

    @_speaks
    def booking(
        self,
        clinic_id: str,
        service_id: str,
        start: str | dt.datetime,
        **options: Any,
    ) -> Markup:
        """The booking form for one slot (a plain HTML form posting to ``/fragments/booking``).

        ``options``: ``values``, ``errors`` (field -> message), ``message``, ``next_slots``.
        """
        clinic, service = online_service(self.directory, clinic_id, service_id)
        when = parse_start(start) if isinstance(start, str) else start
        return render_form(self.renderer, clinic, service, when, **options)

    @_speaks
    def demo_page(
        self,
        q: LocateQuery | Mapping[str, str] | str | None = None,
        *,
        busy_provider: BusyProvider | None = None,
        now: dt.datetime | None = None,
        **fields: Any,
    ) -> Markup:
        """The demo host page served at ``/``; the locator's form submits back to it.

        Its open times are those of the nearest clinic offering the free call once the visitor
        has searched (Draper, or the first clinic, before that).
        """
        inner = self._with(self.renderer.replace(crisis_link=False))  # the bar has the link
        found = inner.locator_view(q, **fields)
        nearest = [
            result.clinic
            for result in (found.answer.results if found.answer is not None else ())
            if self.directory.offers(result.clinic, "info-call")
        ]
        ids = [clinic.id for clinic in self.directory.clinics]
        clinic = (
            nearest[0]
            if nearest
            else self.directory.clinic("draper" if "draper" in ids else ids[0])
        )
        return inner.render(
            "demo/page.html",
            locator_html=found.html,
            book_clinic=clinic,
            book_nearest=bool(nearest),
            languages=i18n.alternates(
                q if isinstance(q, Mapping) else {"q": q if isinstance(q, str) else ""}, self.lang
            ),
            availability_html=inner.availability(
                clinic.id, "info-call", busy_provider=busy_provider, now=now
            ),
        )
