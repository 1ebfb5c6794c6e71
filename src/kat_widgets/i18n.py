"""Languages: gettext catalogs (Babel), the current language, and how a request picks one.

Message catalogs live in ``kat_widgets/locale/<lang>/LC_MESSAGES/messages.po`` (extracted with
``pybabel extract -F babel.cfg``, see docs/translating.md) and ship compiled (``.mo``) in the
wheel. Rendering code asks for text with :func:`gettext`/:func:`ngettext`, which translate into
the language of the enclosing :func:`using` block: a context variable, so concurrent requests in
threads or tasks never see each other's language. English is the source language and the
fallback for anything a catalog lacks.
"""

from __future__ import annotations

import contextvars
import functools
import gettext as gettext_module
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

__all__ = [
    "AUTONYMS",
    "DEFAULT",
    "LANGUAGES",
    "N_",
    "activate",
    "alternates",
    "babel_locale",
    "current",
    "gettext",
    "negotiate",
    "ngettext",
    "using",
]

LANGUAGES: tuple[str, ...] = ("en", "es")
"""Every widget, page and message speaks these (the crisis banner also French, see crisis.toml)."""
DEFAULT = "en"
AUTONYMS = {"en": "English", "es": "Español"}
"""Each language by its own name, as a language switch shows it."""
_LOCALES = {"en": "en_US", "es": "es_US"}
"""CLDR locales for dates, times and numbers: US English, and Spanish as written in the US."""
_DIRECTORY = Path(__file__).resolve().parent / "locale"
_current: contextvars.ContextVar[str] = contextvars.ContextVar("kat_lang", default=DEFAULT)


@functools.cache
def catalog(lang: str) -> gettext_module.NullTranslations:
    """The compiled catalog of ``lang`` (English: none, the source strings are English).

    Read with the standard library's ``gettext``: Babel's ``Translations`` is the same class
    plus domains we do not use, and importing it imports Babel's dates and numbers too (~15 ms
    that a page in English never needs, #14). Babel still extracts and compiles the catalogs.
    """
    if lang == DEFAULT:
        return gettext_module.NullTranslations()
    return gettext_module.translation("messages", _DIRECTORY, [lang], fallback=True)


def N_(message: str) -> str:
    """Mark ``message`` for the catalog where it is defined; translate it where it is shown."""
    return message


def current() -> str:
    """The language of the enclosing :func:`using` block (English outside any)."""
    return _current.get()


def babel_locale(lang: str | None = None) -> str:
    """The CLDR locale for ``lang`` (default: the current language): ``es`` -> ``es_US``."""
    return _LOCALES[lang or current()]


@contextmanager
def using(lang: str) -> Iterator[None]:
    """Translate into ``lang`` inside the block (an unknown language is English)."""
    token = _current.set(lang if lang in LANGUAGES else DEFAULT)
    try:
        yield
    finally:
        _current.reset(token)


def activate(lang: str) -> None:
    """Make ``lang`` current for the rest of this context (one request's task or thread).

    The web layer calls it once a request's language is known; each request runs in a context
    of its own, so it never reaches another request.
    """
    _current.set(lang if lang in LANGUAGES else DEFAULT)


def gettext(message: str) -> str:
    """``message`` in the current language."""
    return catalog(current()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural of a message, by the current language's plural rule."""
    return catalog(current()).ngettext(singular, plural, n)


def negotiate(explicit: str | None, accept_language: str | None, default: str = DEFAULT) -> str:
    """The language to answer in: ``explicit`` (``?lang=es``) if we speak it, else the first of
    ``Accept-Language`` we speak (by its q-values), else ``default``."""
    if explicit:
        lang = explicit.strip().lower()[:2]
        if lang in LANGUAGES:
            return lang
    wanted: list[tuple[float, int, str]] = []
    for index, part in enumerate((accept_language or "")[:500].split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        lang = tag.strip().lower()[:2]
        if lang in LANGUAGES and quality > 0:
            wanted.append((-quality, index, lang))
    return sorted(wanted)[0][2] if wanted else (default if default in LANGUAGES else DEFAULT)


def alternates(query: Mapping[str, str], lang: str) -> list[tuple[str, str, str]]:
    """For a language switch: ``(code, autonym, query string)`` of each other language, the
    page's own parameters kept (``q=84020`` -> ``q=84020&lang=es``)."""
    kept = {key: value for key, value in query.items() if key != "lang" and value}
    return [
        (code, AUTONYMS[code], urlencode({**kept, "lang": code}))
        for code in LANGUAGES
        if code != lang
    ]
