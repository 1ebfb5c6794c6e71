"""The locator's renders are kept per directory (#14): a search asked again is served from
them, and only ever when every input of the HTML is the same."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kat_widgets import Settings, Widgets
from kat_widgets.fragments import locator as locator_fragment

SATURDAY_MORNING = dt.datetime(2027, 3, 13, 17, 0, tzinfo=dt.UTC)  # 10:00 MST: two open
SATURDAY_NIGHT = dt.datetime(2027, 3, 14, 5, 0, tzinfo=dt.UTC)  # 22:00 MST: all closed


def _fresh(widgets: Widgets, at: dt.datetime, **fields: str) -> str:
    """The same render with nothing kept (what the cache must equal)."""
    locator_fragment._PAGES.clear()
    return str(widgets.locator("84020", at=at, **fields))


def test_a_repeated_search_is_the_same_html_and_is_served_from_the_kept_renders(
    tmp_path: Path,
) -> None:
    widgets = Widgets(Settings(data_dir=str(tmp_path), secret_key="s" * 40))
    first = _fresh(widgets, SATURDAY_MORNING)
    kept = locator_fragment._PAGES[widgets.directory]
    assert len(kept) == 1
    again = widgets.locator("84020", at=SATURDAY_MORNING)
    assert str(again) == first and len(kept) == 1
    (held,) = kept.values()
    assert again is held[1]  # the very object kept, not a new render


def test_open_now_language_prefix_and_form_values_each_draw_anew(tmp_path: Path) -> None:
    widgets = Widgets(Settings(data_dir=str(tmp_path), secret_key="s" * 40))
    morning = _fresh(widgets, SATURDAY_MORNING)
    night = _fresh(widgets, SATURDAY_NIGHT)
    assert morning.count("Open now") == 2 and "Open now" not in night
    spanish = _fresh(widgets.with_lang("es"), SATURDAY_MORNING)
    prefixed = _fresh(widgets.with_base_path("/widgets"), SATURDAY_MORNING)
    in_km = _fresh(widgets, SATURDAY_MORNING, unit="km")
    # now all through the kept renders, asked in turn: each is its own fresh render
    locator_fragment._PAGES.clear()
    for _ in range(2):
        assert str(widgets.locator("84020", at=SATURDAY_MORNING)) == morning
        assert str(widgets.locator("84020", at=SATURDAY_NIGHT)) == night
        assert str(widgets.with_lang("es").locator("84020", at=SATURDAY_MORNING)) == spanish
        assert (
            str(widgets.with_base_path("/widgets").locator("84020", at=SATURDAY_MORNING))
            == prefixed
        )
        assert str(widgets.locator("84020", at=SATURDAY_MORNING, unit="km")) == in_km
    assert len({morning, night, spanish, prefixed, in_km}) == 5


def test_the_kept_renders_are_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    widgets = Widgets(Settings(data_dir=str(tmp_path), secret_key="s" * 40))
    locator_fragment._PAGES.clear()
    zips = ["84020", "84043", "84041", "84107", "84663", "84003", "84040", "84101"]
    for code in zips:
        widgets.locator(code, at=SATURDAY_MORNING)
    kept = locator_fragment._PAGES[widgets.directory]
    assert len(kept) == len(zips)
    monkeypatch.setattr(kept, "size", 3)
    widgets.locator("84601", at=SATURDAY_MORNING)
    assert len(kept) == 3  # the least recently asked went first
    assert [key[6] for key in kept] == ["84040", "84101", "84601"]  # type: ignore[index]
