"""Choosing crisis resources by region and language."""

from __future__ import annotations

import pytest

from kat_widgets.crisis import bundled_crisis_data, select_resources
from kat_widgets.errors import ValidationError

US = ["988-lifeline", "veterans-crisis-line", "988-asl", "crisis-text-line", "trevor-project",
      "samhsa-helpline", "911"]  # fmt: skip
UTAH = ["988-utah", "utah-crisis-line", "safeut"]
CANADA = ["988-canada", "kids-help-phone", "hope-for-wellness", "911"]


def ids(region: str, lang: str = "en", **options: bool) -> list[str]:
    selection = select_resources(bundled_crisis_data(), region, lang, **options)
    return [resource.id for resource in selection.all]


@pytest.mark.parametrize(
    ("region", "expected"),
    [
        ("US", US),
        ("US-NY", US),
        ("US-UT", ["988-lifeline", *UTAH, *US[1:]]),
        ("CA", CANADA),
        ("CA-ON", CANADA),
        ("elsewhere", ["findahelpline"]),
        ("GB", ["findahelpline"]),
        ("MX", ["findahelpline"]),
    ],
)
def test_each_region_gets_exactly_its_resources(region: str, expected: list[str]) -> None:
    assert sorted(ids(region)) == sorted(expected)


def test_unverified_entries_are_hidden_unless_asked_for() -> None:
    assert "utah-warm-line" not in ids("US-UT")
    assert "utah-warm-line" in ids("US-UT", include_unverified=True)


def test_988_leads_and_911_is_kept_apart() -> None:
    selection = select_resources(bundled_crisis_data(), "US-UT", "en")
    assert selection.lead is not None and selection.lead.id == "988-lifeline"
    assert selection.emergency is not None and selection.emergency.id == "911"
    assert all(r.id != "911" for r in selection.resources)


def test_elsewhere_has_no_911() -> None:
    selection = select_resources(bundled_crisis_data(), "elsewhere", "en")
    assert selection.emergency is None and selection.lead is None


@pytest.mark.parametrize(
    ("region", "lang", "shown"),
    [
        ("US", "es-US", "es"),
        ("US", "fr", "en"),
        ("CA", "fr-CA", "fr"),
        ("CA", "es", "en"),
        ("elsewhere", "fr", "fr"),
    ],
)
def test_languages_the_lines_do_not_offer_fall_back_to_english(
    region: str, lang: str, shown: str
) -> None:
    assert select_resources(bundled_crisis_data(), region, lang).lang == shown


@pytest.mark.parametrize("region", ["", "Utah", "U", "US-UTAH", "US UT", "<script>"])
def test_bad_regions_are_validation_errors(region: str) -> None:
    with pytest.raises(ValidationError, match="not a region code") as error:
        select_resources(bundled_crisis_data(), region, "en")
    assert error.value.field == "region"


@pytest.mark.parametrize("lang", ["", "de", "english", "e"])
def test_bad_languages_are_validation_errors(lang: str) -> None:
    with pytest.raises(ValidationError, match="use one of en, es, fr") as error:
        select_resources(bundled_crisis_data(), "US", lang)
    assert error.value.field == "lang"
