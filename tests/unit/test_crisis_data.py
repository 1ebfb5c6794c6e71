"""The crisis data file: every entry sourced and dated, unconfirmed facts flagged, typos caught."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from kat_widgets.crisis import (
    BUNDLED_CRISIS,
    load_crisis_data,
    parse_crisis_data,
    stale_resources,
)
from kat_widgets.errors import CrisisDataError


def bundled_text() -> str:
    return BUNDLED_CRISIS.read_text(encoding="utf-8")


def test_every_bundled_entry_has_a_source_and_a_verified_date() -> None:
    data = load_crisis_data(BUNDLED_CRISIS)
    for resource in data.resources:
        assert resource.source.startswith("https://"), resource.id
        assert isinstance(resource.verified, dt.date), resource.id


@pytest.mark.parametrize("field", ["source", "verified"])
def test_an_entry_without_source_or_verified_date_is_refused(field: str) -> None:
    text = bundled_text()
    # drop the field from the third entry only
    entries = text.split("[[resources]]")
    entries[3] = re.sub(rf"^{field} = .*\n", "", entries[3], count=1, flags=re.MULTILINE)
    with pytest.raises(CrisisDataError) as error:
        parse_crisis_data("[[resources]]".join(entries), source="crisis.toml")
    message = str(error.value)
    assert "crisis.toml, line " in message and "resources #3 (id" in message
    assert f"`{field}`" in message


def test_a_source_that_is_not_a_web_address_is_refused() -> None:
    text = bundled_text().replace(
        'source = "https://findahelpline.com/"', 'source = "a friend told me"'
    )
    with pytest.raises(CrisisDataError, match=r"resources #\d+ \(id \"[a-z0-9-]+\"\) > source"):
        parse_crisis_data(text)


def test_unknown_keys_are_reported_with_their_path() -> None:
    text = bundled_text().replace(
        'kind = "call"\n  number = "911"', 'kind = "call"\n  numbr = "911"'
    )
    with pytest.raises(
        CrisisDataError, match=r"line \d+: resources #2 \(id \"911\"\) > channels #1"
    ):
        parse_crisis_data(text)


def test_a_future_verified_date_is_refused() -> None:
    text = bundled_text().replace("verified = 2026-11-27", "verified = 2999-01-01", 1)
    with pytest.raises(CrisisDataError, match=r"resources\[0\]\.verified: date 2999-01-01"):
        parse_crisis_data(text)


def test_canadian_entries_may_not_carry_press_or_ayuda() -> None:
    text = bundled_text().replace(
        'kind = "text"\n  number = "686868"\n  keyword = "CONNECT"',
        'kind = "text"\n  number = "686868"\n  keyword = "AYUDA"',
    )
    with pytest.raises(CrisisDataError, match="no 'press 1/2' menu and no AYUDA"):
        parse_crisis_data(text)


def test_duplicate_ids_are_refused() -> None:
    text = bundled_text().replace('id = "safeut"', 'id = "911"')
    with pytest.raises(CrisisDataError, match="duplicate id '911'"):
        parse_crisis_data(text)


def test_unreadable_file_names_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(CrisisDataError, match=r"nope\.toml: cannot read file"):
        load_crisis_data(missing)


def test_the_ended_988_press_3_option_is_not_in_the_data() -> None:
    data = load_crisis_data(BUNDLED_CRISIS)
    presses = {ch.press for r in data.resources for ch in r.channels if ch.press}
    assert presses == {"1", "2"}


def test_unconfirmed_facts_are_flagged_unverified() -> None:
    data = {r.id: r for r in load_crisis_data(BUNDLED_CRISIS).resources}
    assert data["utah-warm-line"].unverified
    trevor_text = [ch for ch in data["trevor-project"].channels if ch.kind == "text"]
    assert [ch.unverified for ch in trevor_text] == [True]
    tty = [ch for ch in data["988-asl"].channels if ch.kind == "tty"]
    assert [ch.unverified for ch in tty] == [True]


def test_stale_resources_are_those_verified_before_the_age_limit() -> None:
    data = load_crisis_data(BUNDLED_CRISIS)
    assert stale_resources(data, max_age_days=180, today=dt.date(2026, 12, 1)) == []
    stale = stale_resources(data, max_age_days=180, today=dt.date(2027, 6, 1))
    assert len(stale) == len(data.resources)
