"""Languages (#17): the catalogs, choosing a language, and dates and times in each."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import threading
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from kat_widgets import i18n
from kat_widgets.fragments.environment import clock, weekdays
from kat_widgets.fragments.scheduling import spoken_day, spoken_time

ROOT = Path(__file__).parents[2]
LOCALE = ROOT / "src" / "kat_widgets" / "locale"
DENVER = ZoneInfo("America/Denver")


def _po(lang: str) -> object:
    with (LOCALE / lang / "LC_MESSAGES" / "messages.po").open("rb") as file:
        return read_po(file)


def test_the_spanish_catalog_is_complete_and_never_fuzzy() -> None:
    catalog = _po("es")
    untranslated, fuzzy = [], []
    for message in catalog:  # type: ignore[attr-defined]
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            untranslated.append(message.id)
        if message.fuzzy:
            fuzzy.append(message.id)
    assert untranslated == [] and fuzzy == []
    # CLDR's Spanish rule: one, many (a multiple of a million: "1 millón de horarios"), other
    assert catalog.num_plurals == 3  # type: ignore[attr-defined]
    with i18n.using("es"):
        forms = [i18n.ngettext("%(num)d time", "%(num)d times", n) for n in (1, 2, 0, 1_000_000)]
    assert forms == ["%(num)d horario"] + ["%(num)d horarios"] * 3


def test_every_marked_string_is_in_the_catalog(tmp_path: Path) -> None:
    """Extract again from the sources: a new or changed string must reach the catalogs."""
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "--quiet", "extract",
         "-F", "babel.cfg", "-k", "N_", "-o", str(pot), "."],
        cwd=ROOT, check=True, timeout=120,
    )  # fmt: skip
    with pot.open("rb") as file:
        extracted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(file) if m.id}
    in_catalog = {
        m.id if isinstance(m.id, str) else m.id[0]
        for m in _po("es")  # type: ignore[attr-defined]
        if m.id
    }
    assert extracted - in_catalog == set(), "run pybabel update (docs/translating.md)"
    assert in_catalog - extracted == set(), "strings no longer used: run pybabel update"


def test_the_shipped_mo_is_compiled_from_the_po() -> None:
    with (LOCALE / "es" / "LC_MESSAGES" / "messages.mo").open("rb") as file:
        compiled = read_mo(file)
    po = _po("es")

    def key(value: object) -> object:
        return tuple(value) if isinstance(value, list | tuple) else value

    want = {key(m.id): key(m.string) for m in po if m.id}  # type: ignore[attr-defined]
    got = {key(m.id): key(m.string) for m in compiled if m.id}
    assert got == want, "run pybabel compile -d src/kat_widgets/locale"


def test_safety_wording_is_marked_for_review() -> None:
    marked = {
        m.id
        for m in _po("es")  # type: ignore[attr-defined]
        if any("REVIEW" in comment for comment in m.user_comments)
    }
    assert "This form is not monitored for emergencies." in marked
    assert (
        "This form is not monitored for emergencies: in a crisis, call or text 988, or call 911."
        in marked
    )
    assert any(text.startswith("To change or cancel, use the link") for text in marked)  # .ics


@pytest.mark.parametrize(
    ("explicit", "header", "want"),
    [
        ("es", None, "es"),
        ("ES", "en", "es"),
        ("es-MX", None, "es"),
        ("fr", "es;q=0.5", "es"),  # no French widgets: the header decides
        (None, "es-US,es;q=0.9,en;q=0.8", "es"),
        (None, "en-US,en;q=0.9,es;q=0.8", "en"),
        (None, "de, es;q=0.2", "es"),
        (None, "es;q=0, en", "en"),
        (None, "es;q=abc", "en"),
        (None, "", "en"),
        (None, "x" * 5000, "en"),
        ("zz", None, "en"),
    ],
)
def test_negotiate(explicit: str | None, header: str | None, want: str) -> None:
    assert i18n.negotiate(explicit, header) == want


def test_each_thread_keeps_its_own_language() -> None:
    seen: dict[str, str] = {}
    ready = threading.Barrier(2)

    def speak(lang: str) -> None:
        with i18n.using(lang):
            ready.wait(timeout=10)
            seen[lang] = i18n.gettext("Open now")

    threads = [threading.Thread(target=speak, args=(lang,)) for lang in ("en", "es")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert seen == {"en": "Open now", "es": "Abierto ahora"}
    assert i18n.current() == "en"


@pytest.mark.parametrize(
    ("when", "en", "es"),
    [
        # the spring change: 01:30 MST, 03:30 MDT on 14 March 2027
        (dt.datetime(2027, 3, 14, 3, 30, tzinfo=DENVER),
         "Sunday 14 March 2027, 3:30 AM Mountain Time",
         "domingo, 14 de marzo de 2027, 3:30 a.m. (hora de la montaña)"),
        # the autumn change: the second 01:30 (MST) on 7 November 2027
        (dt.datetime(2027, 11, 7, 1, 30, fold=1, tzinfo=DENVER),
         "Sunday 7 November 2027, 1:30 AM Mountain Time",
         "domingo, 7 de noviembre de 2027, 1:30 a.m. (hora de la montaña)"),
        # a month end and a year end, in the afternoon
        (dt.datetime(2027, 12, 31, 16, 0, tzinfo=DENVER),
         "Friday 31 December 2027, 4:00 PM Mountain Time",
         "viernes, 31 de diciembre de 2027, 4:00 p.m. (hora de la montaña)"),
        (dt.datetime(2028, 2, 29, 12, 0, tzinfo=DENVER),
         "Tuesday 29 February 2028, 12:00 PM Mountain Time",
         "martes, 29 de febrero de 2028, 12:00 p.m. (hora de la montaña)"),
    ],
)  # fmt: skip
def test_times_in_both_languages(when: dt.datetime, en: str, es: str) -> None:
    assert spoken_time(when, "America/Denver") == en
    with i18n.using("es"):
        assert spoken_time(when, "America/Denver") == es
    # the same instant from UTC reads the same (the clinic's wall clock)
    assert spoken_time(when.astimezone(dt.UTC).astimezone(DENVER), "America/Denver") == en


def test_clock_days_and_weekdays_in_spanish() -> None:
    with i18n.using("es"):
        assert clock(dt.time(0, 5)) == "12:05 a.m."
        assert clock(dt.time(12, 0)) == "12:00 p.m."
        assert spoken_day(dt.date(2027, 1, 1)) == "viernes, 1 de enero de 2027"
        assert weekdays(("mon", "tue", "wed", "thu")) == "lunes a jueves"
        assert weekdays(("fri", "sun")) == "viernes, domingo"
        assert i18n.ngettext("%(num)d time", "%(num)d times", 1) == "%(num)d horario"
        assert i18n.ngettext("%(num)d time", "%(num)d times", 0) == "%(num)d horarios"
    assert clock(dt.time(0, 5)) == "12:05 AM"
    assert weekdays(("mon", "tue", "wed", "thu")) == "Monday to Thursday"


def test_an_unknown_language_is_english() -> None:
    with i18n.using("zz"):
        assert i18n.current() == "en"
        assert i18n.gettext("Open now") == "Open now"
    assert i18n.catalog("en").gettext("Open now") == "Open now"
