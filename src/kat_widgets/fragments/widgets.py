"""``Widgets``: render every widget as safe HTML from any Python host, no Litestar needed."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from markupsafe import Markup

from kat_widgets.directory import Clinic, Directory, load_directory
from kat_widgets.errors import NotFoundError, StorageUnavailableError, ValidationError
from kat_widgets.fragments.crisis import render_crisis_banner
from kat_widgets.fragments.environment import environment
from kat_widgets.locator import Locator, locator_from_settings
from kat_widgets.scheduling.types import BusyProvider
from kat_widgets.settings import Settings, load_settings

if TYPE_CHECKING:
    from kat_widgets.fragments.locator import LocatorView

__all__ = ["STYLESHEETS", "Widgets"]

STYLESHEETS = ("widgets.css", "crisis.css")
"""Every widget's styles, in order; pages, embed pages and embed.js load all of them."""


class Widgets:
    """Renders the widgets for one directory.

    ``base_path`` is where the kat-widgets app is mounted (``""`` or ``"/widgets"``); every link
    a fragment emits starts with it.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        directory: Directory | None = None,
        base_path: str = "",
        locator: Locator | None = None,
    ) -> None:
        self.settings = settings if settings is not None else load_settings(persist_secret=False)
        self.directory = (
            directory if directory is not None else load_directory(self.settings.directory_file)
        )
        self.base_path = base_path.rstrip("/")
        self.crisis_link = True
        """Each widget ends with the permanent "Get help now" link (off inside the demo page,
        whose crisis bar already carries it)."""
        # shared by every copy (with_base_path) so the geocoder's cache and rate limit are too
        self.locator_service = (
            locator if locator is not None else locator_from_settings(self.settings, self.directory)
        )
        self._calendars: BusyProvider | None = None  # staff calendars, built on first use

    def with_base_path(self, base_path: str) -> Widgets:
        """The same widgets emitting links under another mount prefix."""
        if base_path.rstrip("/") == self.base_path:
            return self
        other = Widgets(
            self.settings,
            directory=self.directory,
            base_path=base_path,
            locator=self.locator_service,
        )
        other._calendars = self._calendars
        other.crisis_link = self.crisis_link
        return other

    def render(self, template: str, **context: Any) -> Markup:
        """Render ``template`` with the shared context (directory, base path, settings).

        Templates can call ``crisis_banner(variant="inline")`` to include the crisis banner.
        """
        page = environment().get_template(template)
        # Safe: the environment autoescapes every value, so the output is trusted markup.
        return Markup(  # noqa: S704
            page.render(
                directory=self.directory,
                organization=self.directory.organization,
                base=self.base_path,
                settings=self.settings,
                crisis_banner=self.crisis_banner,
                crisis_link=self.crisis_link,
                clinic_list=self.clinic_list,
                stylesheets=STYLESHEETS,
                **context,
            )
        )

    @property
    def embeddable(self) -> Mapping[str, str]:
        """Widget names ``fragment()``, ``/embed/{widget}`` and embed.js accept, with titles."""
        return {name: title for name, (title, _) in _FRAGMENTS.items()}

    def title(self, name: str) -> str:
        return _FRAGMENTS[name][0]

    def fragment(
        self,
        name: str,
        params: Mapping[str, str],
        *,
        busy_provider: BusyProvider | None = None,
        now: dt.datetime | None = None,
    ) -> Markup:
        """Render widget ``name`` from string parameters (as in a URL query).

        ``busy_provider`` and ``now`` reach the open-times widgets (``availability``,
        ``booking``): a server passes its bookings-aware provider so booked slots are not offered.
        """
        try:
            _, render = _FRAGMENTS[name]
        except KeyError:
            raise NotFoundError(f"No widget called {name!r}.") from None
        return render(self, params, _When(busy_provider, now))

    def clinic_list(self) -> Markup:
        """Every clinic with its address, phone and weekly hours."""
        return self.render("directory/clinic_list.html", clinics=self.directory.clinics)

    def crisis_banner(
        self,
        region: str | None = None,
        lang: str | None = None,
        variant: str = "bar",
        *,
        clinic: Clinic | None = None,
    ) -> Markup:
        """The crisis banner (``bar``, ``card``, ``inline``, or only the ``link``).

        Region: ``region``, else the clinic's, else the settings'. No database, no network.
        """
        return render_crisis_banner(region, lang, variant, clinic=clinic, settings=self.settings)

    def locator(
        self,
        q: str | None = None,
        *,
        lat: float | None = None,
        lon: float | None = None,
        limit: int = 5,
        service: str | None = None,
        radius_km: float | None = None,
        unit: Literal["mi", "km"] | None = None,
        action: str | None = None,
        at: dt.datetime | None = None,
    ) -> Markup:
        """The clinic locator: a search form and, for ``q`` or ``lat``/``lon``, the nearest clinics.

        Invalid input gives the form with a message, never an exception. ``action`` is where the
        form submits (default: the current page).
        """
        return self.locator_view(
            q,
            lat=lat,
            lon=lon,
            limit=limit,
            service=service,
            radius_km=radius_km,
            unit=unit,
            action=action,
            at=at,
        ).html

    def locator_view(self, q: str | None = None, **options: Any) -> LocatorView:
        """Like :meth:`locator`, also returning the error message and the answer."""
        from kat_widgets.fragments.locator import render_locator

        return render_locator(self, q, **options)

    def availability(
        self,
        clinic_id: str,
        service_id: str,
        week: str | dt.date | None = None,
        *,
        busy_provider: BusyProvider | None = None,
        now: dt.datetime | None = None,
    ) -> Markup:
        """Week grid of open slots (days as columns); each links to the booking form.

        ``busy_provider`` says what is taken (default: staff calendars from settings).
        """
        from kat_widgets.fragments.scheduling import render_availability
        from kat_widgets.scheduling.ics_import import default_busy_provider

        if busy_provider is None:  # built once per Widgets: it caches fetched calendars
            if self._calendars is None:
                self._calendars = default_busy_provider(self.settings, self.directory)
            busy_provider = self._calendars
        try:
            return render_availability(
                self,
                clinic_id,
                service_id,
                week=week,
                busy_provider=busy_provider,
                now=now if now is not None else dt.datetime.now(dt.UTC),
            )
        except StorageUnavailableError:  # bookings unknown: offer the phone, never a guess
            return self.render(
                "scheduling/unavailable.html",
                clinic=self.directory.clinic(clinic_id),
                service=self.directory.service(service_id),
            )

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
        from kat_widgets.fragments.booking import render_form

        when = dt.datetime.fromisoformat(start) if isinstance(start, str) else start
        return render_form(self, clinic_id, service_id, when, **options)

    def demo_page(
        self,
        q: str | None = None,
        *,
        lat: float | None = None,
        lon: float | None = None,
        service: str | None = None,
        busy_provider: BusyProvider | None = None,
        now: dt.datetime | None = None,
    ) -> Markup:
        """The demo host page served at ``/``; the locator's form submits back to it.

        Its open times are those of the nearest clinic once the visitor has searched (Draper, or
        the first clinic, before that).
        """
        inner = copy.copy(self)
        inner.crisis_link = False  # the page's crisis bar already holds the link
        found = inner.locator_view(q, lat=lat, lon=lon, service=service)
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
            availability_html=inner.availability(
                clinic.id, "info-call", busy_provider=busy_provider, now=now
            ),
        )


class _When(NamedTuple):
    """What is taken and what time it is, for the open-times widgets."""

    busy_provider: BusyProvider | None
    now: dt.datetime | None


def _locator(widgets: Widgets, params: Mapping[str, str], _when: _When) -> Markup:
    from kat_widgets.fragments.locator import locator_from_params

    return locator_from_params(widgets, params).html


def _availability(widgets: Widgets, params: Mapping[str, str], when: _When) -> Markup:
    clinic, service = params.get("clinic"), params.get("service", "info-call")
    if not clinic:
        raise ValidationError("Choose a clinic: add clinic=<id>.", field="clinic")
    return widgets.availability(
        clinic,
        service,
        week=params.get("week") or None,
        busy_provider=when.busy_provider,
        now=when.now,
    )


def _booking(widgets: Widgets, params: Mapping[str, str], when: _When) -> Markup:
    """The form for ``start``; with no ``start`` yet, the open times (each links to the form)."""
    clinic, service = params.get("clinic"), params.get("service", "info-call")
    if not clinic:
        raise ValidationError("Choose a clinic: add clinic=<id>.", field="clinic")
    raw = (params.get("start") or "").strip()
    if not raw:
        return _availability(widgets, params, when)
    try:
        start = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise ValidationError("start must be an ISO 8601 date-time", field="start") from None
    if start.tzinfo is None:
        raise ValidationError("start needs a UTC offset", field="start")
    offered = widgets.directory.service(service)
    if not offered.public:
        raise ValidationError(f"{offered.name} cannot be booked online.", field="service")
    return widgets.booking(clinic, service, start)


_FRAGMENTS: dict[str, tuple[str, Callable[[Widgets, Mapping[str, str], _When], Markup]]] = {
    "clinics": ("Our clinics", lambda widgets, _params, _when: widgets.clinic_list()),
    "locator": ("Find a clinic near you", _locator),
    "availability": ("Open times", _availability),
    "booking": ("Book an appointment", _booking),
    "crisis-banner": (
        "Get help now",
        lambda widgets, params, _when: widgets.crisis_banner(
            params.get("region"), params.get("lang"), params.get("variant", "card")
        ),
    ),
}
