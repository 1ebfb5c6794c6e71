"""``Widgets``: render every widget as safe HTML from any Python host, no Litestar needed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from markupsafe import Markup

from kat_widgets.directory import Directory, load_directory
from kat_widgets.fragments.environment import environment
from kat_widgets.scheduling.types import BusyProvider
from kat_widgets.settings import Settings, load_settings

__all__ = ["Widgets"]


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
    ) -> None:
        self.settings = settings if settings is not None else load_settings(persist_secret=False)
        self.directory = (
            directory if directory is not None else load_directory(self.settings.directory_file)
        )
        self.base_path = base_path.rstrip("/")
        self._calendars: BusyProvider | None = None  # staff calendars, built on first use

    def with_base_path(self, base_path: str) -> Widgets:
        """The same widgets emitting links under another mount prefix."""
        if base_path.rstrip("/") == self.base_path:
            return self
        other = Widgets(self.settings, directory=self.directory, base_path=base_path)
        other._calendars = self._calendars
        return other

    def render(self, template: str, **context: Any) -> Markup:
        """Render ``template`` with the shared context (directory, base path, settings)."""
        page = environment().get_template(template)
        # Safe: the environment autoescapes every value, so the output is trusted markup.
        return Markup(  # noqa: S704
            page.render(
                directory=self.directory,
                organization=self.directory.organization,
                base=self.base_path,
                settings=self.settings,
                **context,
            )
        )

    def clinic_list(self) -> Markup:
        """Every clinic with its address, phone and weekly hours."""
        return self.render("directory/clinic_list.html", clinics=self.directory.clinics)

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
        return render_availability(
            self,
            clinic_id,
            service_id,
            week=week,
            busy_provider=busy_provider,
            now=now if now is not None else dt.datetime.now(dt.UTC),
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

    def demo_page(self) -> Markup:
        """The demo host page served at ``/`` by ``kat-widgets serve``."""
        return self.render("demo/page.html", clinics=self.directory.clinics)
