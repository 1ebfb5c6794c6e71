"""``Widgets``: render every widget as safe HTML from any Python host, no Litestar needed."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Literal

from markupsafe import Markup

from kat_widgets.directory import Directory, load_directory
from kat_widgets.fragments.environment import environment
from kat_widgets.locator import Locator, locator_from_settings
from kat_widgets.settings import Settings, load_settings

if TYPE_CHECKING:
    from kat_widgets.fragments.locator import LocatorView

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
        locator: Locator | None = None,
    ) -> None:
        self.settings = settings if settings is not None else load_settings(persist_secret=False)
        self.directory = (
            directory if directory is not None else load_directory(self.settings.directory_file)
        )
        self.base_path = base_path.rstrip("/")
        # shared by every copy (with_base_path) so the geocoder's cache and rate limit are too
        self.locator_service = (
            locator if locator is not None else locator_from_settings(self.settings, self.directory)
        )

    def with_base_path(self, base_path: str) -> Widgets:
        """The same widgets emitting links under another mount prefix."""
        if base_path.rstrip("/") == self.base_path:
            return self
        return Widgets(
            self.settings,
            directory=self.directory,
            base_path=base_path,
            locator=self.locator_service,
        )

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

    def demo_page(self) -> Markup:
        """The demo host page served at ``/`` by ``kat-widgets serve``."""
        return self.render(
            "demo/page.html",
            clinics=self.directory.clinics,
            locator_html=self.locator(),
            widgets_html=self.clinic_list(),
        )
