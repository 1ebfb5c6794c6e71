"""The gazetteer computed ahead of time is exactly what ``zipcodes`` gives, and a stale or
damaged file is never used."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from kat_widgets.locator.gazetteer import SHIPPED_TABLES, Gazetteer, Tables, tables_from_zipcodes


@pytest.fixture(scope="module")
def fresh() -> Tables:
    return tables_from_zipcodes()


def test_the_shipped_file_is_what_zipcodes_gives(fresh: Tables) -> None:
    shipped = msgspec.msgpack.decode(SHIPPED_TABLES.read_bytes(), type=Tables)
    if shipped.source != fresh.source:
        pytest.skip(
            f"the shipped gazetteer is from {shipped.source}, {fresh.source} is installed: "
            "run tools/build_gazetteer.py (the app builds from zipcodes meanwhile)"
        )
    assert shipped == fresh
    gazetteer = Gazetteer()
    assert len(gazetteer) == len(fresh.zip_codes)
    assert not gazetteer.built_from_zipcodes


@pytest.mark.parametrize("damage", ["stale", "corrupt", "missing"])
def test_a_stale_or_damaged_file_is_not_used(tmp_path: Path, fresh: Tables, damage: str) -> None:
    path = tmp_path / "gazetteer.msgpack"
    if damage == "stale":
        wrong = msgspec.structs.replace(
            fresh, source="zipcodes==0.1", zip_lat=[0.0] * len(fresh.zip_lat)
        )
        path.write_bytes(msgspec.msgpack.encode(wrong))
    elif damage == "corrupt":
        path.write_bytes(SHIPPED_TABLES.read_bytes()[:1000])
    gazetteer = Gazetteer(path=path)
    entry = gazetteer.zip("84020")
    assert gazetteer.built_from_zipcodes
    assert entry is not None and entry.city == "Draper" and entry.lat != 0.0


def test_lookups_from_the_shipped_file_and_from_zipcodes_agree(fresh: Tables) -> None:
    shipped, built = Gazetteer(), Gazetteer(fresh)
    for code in ("84020", "84107", "84003", "84041", "84663", "99501", "00601", "12345-6789"):
        assert shipped.zip(code) == built.zip(code)
    for name, state in (("Murray", None), ("Salt Lake City", "UT"), ("Springfield", None)):
        assert shipped.city(name, state) == built.city(name, state)
    assert shipped.zip("00000") is None and shipped.city("Qqqzzyx") is None
