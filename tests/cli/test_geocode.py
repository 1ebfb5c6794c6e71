"""`kat-widgets geocode FILE` against a local fake Nominatim server."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from kat_widgets.cli import main
from kat_widgets.directory import load_directory
from kat_widgets.settings import BUNDLED_DIRECTORY
from tests.nominatim_server import FakeNominatim


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeNominatim]:
    with FakeNominatim() as server:
        monkeypatch.setenv("KAT_GEOCODER", "nominatim")
        monkeypatch.setenv("KAT_GEOCODER_USER_AGENT", "kat-widgets-tests/1.0")
        monkeypatch.setenv("KAT_GEOCODER_DOMAIN", server.domain)
        monkeypatch.setenv("KAT_GEOCODER_SCHEME", "http")
        monkeypatch.setenv("KAT_GEOCODER_TIMEOUT_S", "0.5")
        monkeypatch.setenv("KAT_GEOCODER_MIN_INTERVAL_S", "0")
        yield server


@pytest.fixture
def clinics_file(tmp_path: Path) -> Path:
    target = tmp_path / "clinics.toml"
    shutil.copy(BUNDLED_DIRECTORY, target)
    return target


def test_geocode_writes_coordinates_precision_and_source(
    fake: FakeNominatim, clinics_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = clinics_file.read_text(encoding="utf-8")
    assert main(["geocode", str(clinics_file)]) == 0
    out = capsys.readouterr().out
    assert "[####################] 5/5 springville: 40.524785, -111.870359 (address)" in out
    assert "updated 5 of 5 clinics" in out
    for clinic in load_directory(clinics_file).clinics:
        assert (clinic.coordinates.lat, clinic.coordinates.lon) == (40.524785, -111.870359)
        assert clinic.coordinates.precision == "address"
        assert clinic.coordinates.source.startswith("nominatim 20")
    queries = [request["params"]["q"] for request in fake.requests]
    assert queries[1] == "721 E 12200 S, Draper, UT 84020"
    assert queries[0] == "48 N 1100 E, American Fork, UT 84003"  # the suite is left out
    after = clinics_file.read_text(encoding="utf-8")
    changed = [
        (old, new)
        for old, new in zip(before.splitlines(), after.splitlines(), strict=True)
        if old != new
    ]
    assert len(changed) == 5 * 4  # lat, lon, precision, source of five clinics; comments kept
    assert all(new.split(" = ")[0] in {"lat", "lon", "precision", "source"} for _, new in changed)


def test_geocode_dry_run_writes_nothing(fake: FakeNominatim, clinics_file: Path) -> None:
    before = clinics_file.read_bytes()
    assert main(["geocode", "--dry-run", str(clinics_file)]) == 0
    assert clinics_file.read_bytes() == before


def test_geocode_keeps_estimates_when_the_service_fails(
    fake: FakeNominatim, clinics_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.mode = "500"
    before = clinics_file.read_bytes()
    assert main(["geocode", str(clinics_file)]) == 1
    assert "kept 40.525, -111.872 (the nominatim geocoder failed" in capsys.readouterr().out
    assert clinics_file.read_bytes() == before


def test_geocode_refuses_without_an_online_geocoder(
    clinics_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KAT_GEOCODER", raising=False)
    assert main(["geocode", str(clinics_file)]) == 1
    assert "geocode needs an online geocoder" in capsys.readouterr().err
