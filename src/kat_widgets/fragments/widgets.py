"""``Widgets``: render every widget as safe HTML from any Python host, no Litestar needed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from markupsafe import Markup

from kat_widgets.directory import Clinic, Directory, load_directory
from kat_widgets.errors import NotFoundError
from kat_widgets.fragments.crisis import render_crisis_banner
from kat_widgets.fragments.environment import environment
from kat_widgets.settings import Settings, load_settings

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
    ) -> None:
        self.settings = settings if settings is not None else load_settings(persist_secret=False)
        self.directory = (
            directory if directory is not None else load_directory(self.settings.directory_file)
        )
        self.base_path = base_path.rstrip("/")

    def with_base_path(self, base_path: str) -> Widgets:
        """The same widgets emitting links under another mount prefix."""
        if base_path.rstrip("/") == self.base_path:
            return self
        return Widgets(self.settings, directory=self.directory, base_path=base_path)

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

    def fragment(self, name: str, params: Mapping[str, str]) -> Markup:
        """Render widget ``name`` from string parameters (as in a URL query)."""
        try:
            _, render = _FRAGMENTS[name]
        except KeyError:
            raise NotFoundError(f"No widget called {name!r}.") from None
        return render(self, params)

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

    def demo_page(self) -> Markup:
        """The demo host page served at ``/`` by ``kat-widgets serve``."""
        return self.render("demo/page.html")


_FRAGMENTS: dict[str, tuple[str, Callable[[Widgets, Mapping[str, str]], Markup]]] = {
    "clinics": ("Our clinics", lambda widgets, _params: widgets.clinic_list()),
    "crisis-banner": (
        "Get help now",
        lambda widgets, params: widgets.crisis_banner(
            params.get("region"), params.get("lang"), params.get("variant", "card")
        ),
    ),
}
