"""Rendering the crisis banner: golden files, links, wording, and no database or network.

Golden files live in tests/fixtures/golden/crisis/. After an intended change, regenerate them with
``KAT_UPDATE_GOLDEN=1 python -m pytest tests/unit/test_crisis_render.py`` and review the diff.
"""

from __future__ import annotations

import os
import re
import socket
from pathlib import Path

import pytest

from kat_widgets import Widgets
from kat_widgets.errors import ValidationError
from kat_widgets.fragments import crisis as crisis_fragments
from kat_widgets.fragments.crisis import VARIANTS, render_crisis_banner
from kat_widgets.settings import load_settings

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "golden" / "crisis"
REGIONS = ("US", "US-UT", "CA", "elsewhere")
LANGS = ("en", "es", "fr")


def hrefs(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', html)


def links(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<a [^>]*href="([^"]+)"[^>]*>([^<]+)</a>', html)


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("region", REGIONS)
@pytest.mark.parametrize("lang", LANGS)
def test_rendered_html_matches_the_golden_file(variant: str, region: str, lang: str) -> None:
    html = str(render_crisis_banner(region, lang, variant)) + "\n"
    golden = GOLDEN / f"{variant}-{region}-{lang}.html"
    if os.environ.get("KAT_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(html, encoding="utf-8")
    assert golden.exists(), f"missing {golden}; run with KAT_UPDATE_GOLDEN=1 to create it"
    assert html == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("region", "expected"),
    [
        ("US", {"988-lifeline", "veterans-crisis-line", "988-asl", "crisis-text-line",
                "trevor-project", "samhsa-helpline"}),
        ("US-UT", {"988-lifeline", "988-utah", "utah-crisis-line", "safeut", "veterans-crisis-line",
                   "988-asl", "crisis-text-line", "trevor-project", "samhsa-helpline"}),
        ("CA", {"988-canada", "kids-help-phone", "hope-for-wellness"}),
        ("elsewhere", {"findahelpline"}),
    ],
)  # fmt: skip
def test_the_card_lists_exactly_the_regions_resources(region: str, expected: set[str]) -> None:
    html = str(render_crisis_banner(region, "en", "card"))
    assert set(re.findall(r'id="kat-crisis-([a-z0-9-]+)"', html)) - {"card-title"} == expected


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("region", ["US", "US-UT"])
def test_us_links_call_and_text_988_and_keep_911_apart(variant: str, region: str) -> None:
    html = str(render_crisis_banner(region, "en", variant))
    assert ("tel:988", "Call 988") in links(html)
    assert ("sms:988", "text 988") in links(html)
    assert ("tel:911", "Call 911") in links(html)
    assert '<strong>In immediate danger?</strong> <a href="tel:911">Call 911</a>.' in html
    lead = html.split('class="kat-crisis-lead"')[1].split("</p>")[0]
    assert "911" not in lead
    assert "988 Suicide &amp; Crisis Lifeline" in html
    assert "AYUDA" not in html


def test_every_number_link_has_its_number_in_the_link_text() -> None:
    for region in REGIONS:
        for lang in LANGS:
            for variant in VARIANTS:
                html = str(render_crisis_banner(region, lang, variant))
                for href, text in links(html):
                    if href.startswith(("tel:", "sms:")):
                        digits = re.sub(r"\D", "", text)
                        assert href.split(":")[1].lstrip("+") in digits or digits in href, (
                            href,
                            text,
                        )
                        assert "?" not in href and "body" not in href


def test_crisis_text_line_prints_home_keyword() -> None:
    html = str(render_crisis_banner("US", "en", "card"))
    assert ("sms:741741", "Text HOME to 741741") in links(html)


def test_spanish_shows_text_ayuda_to_988_and_press_2() -> None:
    html = str(render_crisis_banner("US-UT", "es", "bar"))
    assert ("sms:988", "envíe AYUDA por mensaje de texto al 988") in links(html)
    assert ("tel:988", "Llame al 988 y marque 2") in links(html)
    assert 'lang="es"' in html
    assert ("tel:911", "Llame al 911") in links(html)


def test_legacy_number_is_only_a_secondary_mention() -> None:
    for variant in ("bar", "inline"):
        assert "273-8255" not in str(render_crisis_banner("US", "en", variant))
    html = str(render_crisis_banner("US", "en", "card"))
    assert ("tel:+18002738255", "1-800-273-8255") in links(html)
    secondary = re.findall(r'<p class="kat-crisis-secondary">(.*?)</p>', html)
    assert len(secondary) == 1 and "1-800-273-8255" in secondary[0]
    main_lists = " ".join(re.findall(r'<ul class="kat-crisis-channels">(.*?)</ul>', html, re.S))
    lead = html.split('class="kat-crisis-lead"')[1].split("</p>")[0]
    assert "273-8255" not in main_lists and "273-8255" not in lead


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
@pytest.mark.parametrize("variant", VARIANTS)
def test_canada_never_shows_press_or_ayuda(lang: str, variant: str) -> None:
    html = str(render_crisis_banner("CA", lang, variant))
    assert "AYUDA" not in html
    assert not re.search(r"press \d|marque \d|faites le \d", html)
    assert ("tel:988", "Call 988" if lang != "fr" else "Appelez le 988") in links(html)
    assert "tel:911" in hrefs(html)


def test_canada_card_has_kids_help_phone_with_connect_and_hope_for_wellness() -> None:
    html = str(render_crisis_banner("CA", "fr", "card"))
    assert ("sms:686868", "Textez CONNECT au 686868") in links(html)
    assert ("tel:+18006686868", "Appelez le 1-800-668-6868") in links(html)
    assert ("tel:+18552423310", "Appelez le 1-855-242-3310") in links(html)


@pytest.mark.parametrize("variant", VARIANTS)
def test_elsewhere_links_findahelpline_and_no_us_numbers(variant: str) -> None:
    html = str(render_crisis_banner("GB", "en", variant))
    assert "https://findahelpline.com/" in hrefs(html)
    assert not any(h.startswith(("tel:", "sms:")) for h in hrefs(html))
    assert "local emergency number" in html


def test_the_bar_leaves_a_get_help_now_link_when_closed() -> None:
    html = str(render_crisis_banner("US-UT", "en", "bar"))
    assert ("tel:988", "Get help now: call 988") in links(html)
    now = html.index("kat-crisis-now")
    assert now < html.index("<details")  # outside the part that closes
    assert '<details class="kat-crisis-more" open>' in html
    assert "<script" not in html


def test_the_988_press_3_option_is_never_shown() -> None:
    for region in REGIONS:
        for lang in LANGS:
            html = str(render_crisis_banner(region, lang, "card", include_unverified=True))
            assert not re.search(r"(press|marque|faites le) 3", html)


def test_unverified_entries_show_only_when_asked_for() -> None:
    assert "1-833-773-2588" not in str(render_crisis_banner("US-UT", "en", "card"))
    assert "678678" not in str(render_crisis_banner("US-UT", "en", "card"))
    shown = str(render_crisis_banner("US-UT", "en", "card", include_unverified=True))
    assert "1-833-773-2588" in shown


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"region": "nowhere land"}, "region"),
        ({"lang": "klingon"}, "lang"),
        ({"variant": "popup"}, "variant"),
    ],
)
def test_bad_arguments_are_validation_errors(kwargs: dict[str, str], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        render_crisis_banner(**kwargs)
    assert error.value.field == field


def test_region_and_language_default_to_the_settings(tmp_path: Path) -> None:
    settings = load_settings({}, persist_secret=False, region="CA", locale="fr-CA")
    html = str(Widgets(settings).crisis_banner(variant="inline"))
    assert 'lang="fr"' in html and "tel:911" in html and "686868" not in html
    default = str(Widgets(load_settings({}, persist_secret=False)).crisis_banner())
    assert 'lang="en"' in default and "tel:988" in default


def test_renders_with_a_dead_database_and_no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAT_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    settings = load_settings(persist_secret=False)
    assert settings.database_url == "postgresql://nobody@127.0.0.1:1/none"
    crisis_fragments._cached.cache_clear()

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the crisis banner must not open a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    widgets = Widgets(settings)
    for variant in VARIANTS:
        assert "tel:988" in str(widgets.crisis_banner(variant=variant))
    page = widgets.demo_page()
    assert "Get help now: call 988" in str(page)


def test_the_region_comes_from_the_clinic_when_not_given() -> None:
    widgets = Widgets(load_settings({}, persist_secret=False, region="CA"))
    clinic = widgets.directory.clinic("draper")
    html = str(widgets.crisis_banner(variant="card", clinic=clinic))
    assert "kat-crisis-utah-crisis-line" in html and "686868" not in html
    assert "Kids Help Phone" in str(widgets.crisis_banner(variant="card"))


def test_the_link_variant_is_only_the_permanent_link() -> None:
    html = str(render_crisis_banner("US-UT", "es", "link"))
    assert links(html) == [("tel:988", "Obtenga ayuda ahora: llame al 988 y marque 2")]
    elsewhere = str(render_crisis_banner("elsewhere", "en", "link"))
    assert links(elsewhere) == [
        ("https://findahelpline.com/", "Get help now: visit findahelpline.com")
    ]


def test_unverified_entries_are_labelled_when_shown() -> None:
    html = str(render_crisis_banner("US-UT", "en", "card", include_unverified=True))
    assert "<h3>Utah Warm Line (peer support, not for crises) (not yet confirmed)</h3>" in html
    assert "Text START to 678-678</a> (not yet confirmed)" in html


def test_every_widget_ends_with_the_get_help_now_link() -> None:
    widgets = Widgets(load_settings({}, persist_secret=False))
    for html in (
        widgets.clinic_list(),
        widgets.locator(),
        widgets.locator("84020"),
        widgets.availability("draper", "info-call"),
    ):
        assert 'class="kat-crisis-now" href="tel:988">Get help now: call 988</a>' in str(html)
    page = str(widgets.demo_page())
    assert page.count("Get help now: call 988") == 1  # the bar's link, not one per widget
