"""``Renderer``: what every fragment renders with (environment, mount prefix, settings, directory).

The render functions of :mod:`kat_widgets.fragments` take a renderer and a domain answer and
return safe HTML; they compute nothing the answer does not already hold.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import jinja2
from markupsafe import Markup

from kat_widgets import i18n
from kat_widgets.directory import Clinic, Directory
from kat_widgets.fragments.assets import hashed_name
from kat_widgets.fragments.crisis import render_crisis_banner
from kat_widgets.fragments.environment import environment
from kat_widgets.i18n import N_
from kat_widgets.settings import Settings

__all__ = ["STYLESHEETS", "Renderer", "default_lang"]

EMBED_WORDS = {
    "back": N_("Back"),
    "backToResults": N_("Back to results"),
    "failed": N_("Sorry, this could not be sent. Please try again in a moment, or call us."),
}
"""What embed.js itself says (its Back button, a failed send), sent translated with each widget."""


def _root_attrs() -> Markup:
    """A widget root's ``lang`` (its language may not be the host page's: WCAG 3.1.2) and the
    words embed.js shows around it, in the current language."""
    words = {key: i18n.gettext(text) for key, text in EMBED_WORDS.items()}
    return Markup('lang="{}" data-kat-words="{}"').format(
        i18n.current(), json.dumps(words, ensure_ascii=False)
    )


def default_lang(settings: Settings) -> str:
    """The site's own language: ``settings.locale``'s if we speak it, else English."""
    lang = settings.locale[:2]
    return lang if lang in i18n.LANGUAGES else i18n.DEFAULT


STYLESHEETS = ("widgets.css", "crisis.css")
"""Every widget's styles, in order; pages, embed pages and embed.js load all of them."""


class Renderer:
    """Renders templates for one directory under one mount prefix.

    ``base_path`` is where the kat-widgets routes are: the mount prefix (``""`` or
    ``"/widgets"``) or, for a host that only renders fragments, the absolute URL of a
    kat-widgets server (``"https://book.example.org"``); every link a fragment emits starts
    with it. ``static_url`` is where the stylesheets and scripts are served (default
    ``base_path + "/static"``; a host serving them itself names its own URL, see
    :mod:`kat_widgets.fragments.assets`). ``crisis_link``: each widget ends with the permanent
    "Get help now" link (off inside a page whose crisis bar already carries it).
    """

    __slots__ = (
        "_static_url",
        "base_path",
        "carry_lang",
        "crisis_link",
        "directory",
        "env",
        "lang",
        "settings",
    )

    def __init__(
        self,
        settings: Settings,
        directory: Directory,
        *,
        base_path: str = "",
        static_url: str | None = None,
        crisis_link: bool = True,
        lang: str | None = None,
        carry_lang: bool = False,
        env: jinja2.Environment | None = None,
    ) -> None:
        self.settings = settings
        self.lang = lang if lang in i18n.LANGUAGES else default_lang(settings)
        self.carry_lang = carry_lang
        self.directory = directory
        self.base_path = base_path.rstrip("/")
        self._static_url = static_url.rstrip("/") if static_url is not None else None
        self.crisis_link = crisis_link
        self.env = env if env is not None else environment()

    @property
    def static_url(self) -> str:
        """Where ``widgets.css``, ``crisis.css`` and the scripts are served."""
        return self._static_url if self._static_url is not None else f"{self.base_path}/static"

    def asset(self, name: str) -> str:
        """Where the file ``name`` is linked from: under our own server, by its content-hashed
        name (cached for a year, immutable); under a host's ``static_url``, by its own name (the
        host serves the files of :func:`static_directory` as they are)."""
        if self._static_url is not None:
            return f"{self._static_url}/{name}"
        return f"{self.base_path}/static/{hashed_name(name)}"

    def replace(
        self,
        *,
        base_path: str | None = None,
        crisis_link: bool | None = None,
        lang: str | None = None,
        carry_lang: bool | None = None,
    ) -> Renderer:
        """The same renderer with another mount prefix, crisis-link choice or language."""
        return Renderer(
            self.settings,
            self.directory,
            base_path=self.base_path if base_path is None else base_path,
            static_url=self._static_url,
            crisis_link=self.crisis_link if crisis_link is None else crisis_link,
            lang=self.lang if lang is None else lang,
            carry_lang=self.carry_lang if carry_lang is None else carry_lang,
            env=self.env,
        )

    def link(self, url: str) -> str:
        """``url`` carrying the language when it is not the site's own, or when the visitor chose
        it (``carry_lang``: their browser's language must not take over on the next page), so
        the next page of the flow speaks it too (``/x?a=1#top`` -> ``/x?a=1&lang=es#top``)."""
        if self.lang == default_lang(self.settings) and not self.carry_lang:
            return url
        path, hash_mark, anchor = url.partition("#")
        joiner = "&" if "?" in path else "?"
        return f"{path}{joiner}lang={self.lang}{hash_mark}{anchor}"

    def render(self, template: str, **context: Any) -> Markup:
        """``template`` with the shared context (directory, base path, settings, crisis banner)."""
        page = self.env.get_template(template)
        # Safe: the environment autoescapes every value, so the output is trusted markup.
        with i18n.using(self.lang):
            html = page.render(
                directory=self.directory,
                organization=self.directory.organization,
                base=self.base_path,
                static=self.static_url,
                asset=self.asset,
                settings=self.settings,
                crisis_banner=self.crisis_banner,
                crisis_link=self.crisis_link,
                clinic_list=self.clinic_list,
                stylesheets=STYLESHEETS,
                ui_lang=self.lang,
                default_lang=default_lang(self.settings),
                carry_lang=self.carry_lang or self.lang != default_lang(self.settings),
                link=self.link,
                root_attrs=_root_attrs,
                tr=self.directory.translate,  # the directory's own words, in this language
                **context,
            )
        return Markup(html)  # noqa: S704

    def page(
        self,
        fragment: Markup,
        *,
        widget: str,
        title: str,
        query: Mapping[str, str] | None = None,
    ) -> Markup:
        """A whole HTML page holding one widget (iframes, no-JavaScript navigation).

        With ``query`` (the page's own parameters, for a page a GET can show again) it offers
        the page in each other language; the crisis banner follows its host's language instead,
        and the staff day sheet is English.
        """
        languages = (
            i18n.alternates(query, self.lang)
            if query is not None and widget not in ("crisis-banner", "staff-day")
            else []
        )
        return self.render(
            "embed/page.html", fragment=fragment, widget=widget, title=title, languages=languages
        )

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
        if lang is None and self.lang != default_lang(self.settings):
            lang = self.lang  # the widgets' own language, when it is not the site's
        return render_crisis_banner(region, lang, variant, clinic=clinic, settings=self.settings)

    def head(self) -> Markup:
        """The ``<link>`` tags for the widgets' stylesheets, for the host page's ``<head>``."""
        link = Markup('<link rel="stylesheet" href="{}">')
        return Markup("\n").join(link.format(self.asset(name)) for name in STYLESHEETS)

    def clinic_list(self) -> Markup:
        """Every clinic with its address, phone and weekly hours."""
        return self.render("directory/clinic_list.html", clinics=self.directory.clinics)
