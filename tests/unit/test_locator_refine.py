"""Minimal edits of [clinics.coordinates] tables keep everything else in the file."""

from __future__ import annotations

import pytest

from kat_widgets.directory import Coordinates, parse_directory
from kat_widgets.errors import DirectoryError
from kat_widgets.locator.refine import set_coordinates
from kat_widgets.settings import BUNDLED_DIRECTORY

TEXT = BUNDLED_DIRECTORY.read_text(encoding="utf-8")
NEW = Coordinates(
    lat=40.524785, lon=-111.870359, precision="address", source="nominatim 2026-11-27"
)


def test_only_the_chosen_clinic_changes() -> None:
    edited = set_coordinates(TEXT, {1: NEW})
    before, after = parse_directory(TEXT).clinics, parse_directory(edited).clinics
    assert after[1].coordinates == NEW
    assert [c.coordinates for i, c in enumerate(after) if i != 1] == [
        c.coordinates for i, c in enumerate(before) if i != 1
    ]
    assert edited.splitlines()[:10] == TEXT.splitlines()[:10]  # the header comments


def test_missing_optional_keys_are_added() -> None:
    text = TEXT.replace('precision = "rooftop-estimate"\nsource = "estimate"\n', "", 1)
    assert parse_directory(text).clinics[0].coordinates.source == "estimate"  # the default
    edited = set_coordinates(text, {0: NEW})
    assert parse_directory(edited).clinics[0].coordinates == NEW


def test_inline_tables_are_refused_with_a_message() -> None:
    text = TEXT.replace(
        '[clinics.coordinates]\nlat = 40.378\nlon = -111.777\nprecision = "rooftop-estimate"\n'
        'source = "estimate"\n',
        "",
        1,
    )
    text = text.replace(
        'id = "american-fork"\n',
        'id = "american-fork"\ncoordinates = {lat = 40.378, lon = -111.777}\n',
        1,
    )
    with pytest.raises(DirectoryError, match="not inline"):
        set_coordinates(text, {0: NEW})
