"""`kat-widgets crisis-snippet` and the crisis part of `kat-widgets check`."""

from __future__ import annotations

from pathlib import Path

import pytest

from kat_widgets.cli import main
from kat_widgets.settings import BUNDLED_CRISIS


def test_snippet_is_self_contained_html_in_spanish(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["crisis-snippet", "--region", "US-UT", "--lang", "es"]) == 0
    out = capsys.readouterr().out
    assert out.count("<style>") == 1 and ".kat-crisis--bar" in out
    assert 'lang="es"' in out and "AYUDA" in out and 'href="tel:911"' in out
    assert "<script" not in out and "<link" not in out
    assert "http://" not in out  # nothing to fetch: no stylesheet or script from elsewhere


def test_snippet_card_variant(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["crisis-snippet", "--region", "CA", "--lang", "fr", "--variant", "card"]) == 0
    out = capsys.readouterr().out
    assert "kat-crisis--card" in out and "Textez CONNECT au 686868" in out


def test_snippet_with_a_bad_region_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["crisis-snippet", "--region", "Utah"]) == 1
    assert "not a region code" in capsys.readouterr().err


def test_check_reports_the_crisis_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(BUNDLED_CRISIS)]) == 0
    captured = capsys.readouterr()
    assert "crisis resources" in captured.out and "utah-warm-line" in captured.out
    assert "warning" not in captured.err


def test_check_warns_but_passes_when_entries_are_old(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    old = tmp_path / "crisis.toml"
    text = BUNDLED_CRISIS.read_text(encoding="utf-8")
    old.write_text(text.replace("verified = 2026-11-27", "verified = 2020-01-01", 1), "utf-8")
    monkeypatch.setenv("KAT_CRISIS_MAX_AGE_DAYS", "30")
    assert main(["check", str(old)]) == 0
    err = capsys.readouterr().err
    assert "warning:" in err and "'988-lifeline' was verified on 2020-01-01" in err
    assert "more than 30 days ago" in err


def test_check_fails_on_a_crisis_entry_without_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "crisis.toml"
    text = BUNDLED_CRISIS.read_text(encoding="utf-8")
    bad.write_text(text.replace('source = "https://findahelpline.com/"\n', ""), "utf-8")
    assert main(["check", str(bad)]) == 1
    assert "missing required field `source`" in capsys.readouterr().err
