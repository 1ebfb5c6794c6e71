"""The directory's own words in several languages: ``name = { en = "...", es = "..." }``.

In ``clinics.toml`` a service's ``name`` and ``summary`` and the organization's
``regulatory_note`` may be a table of languages instead of one string (dotted keys read well:
``name.en = "..."`` then ``name.es = "..."``). The English is the field's value, as before, so
everything that reads the directory keeps working; the other languages go to a table keyed by
that English text, the way a gettext catalog is keyed by its source string, and
:meth:`Directory.translate` looks them up.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from kat_widgets.errors import DirectoryError
from kat_widgets.i18n import DEFAULT, LANGUAGES

__all__ = ["LOCALIZED", "Translations", "missing_translations", "split_translations"]

Translations = dict[str, dict[str, str]]
"""English text -> language -> the text in that language."""

LOCALIZED = {
    "organization": ("regulatory_note",),
    "services": ("name", "summary"),
    "questions": ("label",),
    "choices": ("label",),
}
"""Which fields may hold a table of languages (a top-level table or array of tables, fields);
``questions`` are a service's, ``choices`` a question's."""
_NESTED = {"services": "questions", "questions": "choices"}
_LIMITS = {"name": 200, "summary": 500, "regulatory_note": 500, "label": 200}
_ONE_LINE = frozenset({"name", "label"})
_CODE = re.compile(r"^[a-z]{2}$")


def _entries(
    document: Mapping[str, Any],
    sections: tuple[str, ...] = ("organization", "services"),
    at: str = "",
) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """``(where, its kind in LOCALIZED, the table)`` for every table that may hold languages."""
    for section in sections:
        value = document.get(section)
        if isinstance(value, dict):
            yield f"{at}{section}", section, value
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, dict):
                    where = f"{at}{section}[{index}]"
                    yield where, section, item
                    if section in _NESTED:
                        yield from _entries(item, (_NESTED[section],), f"{where}.")


def split_translations(document: dict[str, Any], *, source: str) -> Translations:
    """Turn each table of languages in ``document`` into its English (in place); return the rest.

    Raises :class:`DirectoryError` for a table without English, a language code that is not two
    letters, or a text that is empty, on several lines (a name) or too long.
    """
    found: Translations = {}
    for where, kind, entry in _entries(document):
        for field in LOCALIZED[kind]:
            value = entry.get(field)
            if not isinstance(value, dict):
                continue
            path = f"{where}.{field}"
            texts: dict[str, str] = {}
            for code, text in value.items():
                if not _CODE.match(str(code)):
                    raise DirectoryError(
                        f"{code!r} is not a two-letter language code", file=source, path=path
                    )
                if not isinstance(text, str) or not text.strip():
                    raise DirectoryError(
                        f"the {code} text must be a non-empty string",
                        file=source,
                        path=f"{path}.{code}",
                    )
                if len(text) > _LIMITS[field] or (field in _ONE_LINE and "\n" in text):
                    raise DirectoryError(
                        f"the {code} text must be one line of at most {_LIMITS[field]} characters"
                        if field in _ONE_LINE
                        else f"the {code} text must be at most {_LIMITS[field]} characters",
                        file=source,
                        path=f"{path}.{code}",
                    )
                texts[code] = text
            if DEFAULT not in texts:
                raise DirectoryError(
                    f"a table of languages needs its {DEFAULT!r} text", file=source, path=path
                )
            english = texts.pop(DEFAULT)
            entry[field] = english
            found.setdefault(english, {}).update(texts)
    return found


def missing_translations(document: Mapping[str, Any], translations: Translations) -> list[str]:
    """Where a language the widgets speak has no text (for ``kat-widgets check``'s warnings):
    ``services[0].name: es``."""
    missing: list[str] = []
    for where, kind, entry in _entries(document):
        for field in LOCALIZED[kind]:
            english = entry.get(field)
            if not isinstance(english, str):
                continue
            have = translations.get(english, {})
            missing.extend(
                f"{where}.{field}: {code}"
                for code in LANGUAGES
                if code != DEFAULT and code not in have
            )
    return missing
