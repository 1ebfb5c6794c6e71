"""The online geocoder in the fallback chain, against a local fake Nominatim server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kat_widgets import Settings, create_app
from kat_widgets.directory import load_directory
from kat_widgets.errors import (
    ConfigurationError,
    GeocoderRateLimitedError,
    GeocoderTimeoutError,
    GeocoderUnavailableError,
)
from kat_widgets.locator import Locator, OnlineGeocoder, locator_from_settings
from kat_widgets.locator.geocoders import MinIntervalLimiter, _precision
from kat_widgets.settings import BUNDLED_DIRECTORY, load_settings
from tests.nominatim_server import FakeNominatim

ADDRESS = "721 E 12200 S, Draper, UT 84020"
USER_AGENT = "kat-widgets-tests/1.0 (tests@example.org)"


@pytest.fixture
def fake() -> Iterator[FakeNominatim]:
    with FakeNominatim() as server:
        yield server


def _settings(fake: FakeNominatim, **extra: object) -> Settings:
    values: dict[str, object] = {
        "geocoder": "nominatim",
        "geocoder_user_agent": USER_AGENT,
        "geocoder_domain": fake.domain,
        "geocoder_scheme": "http",
        "geocoder_timeout_s": 0.5,
        "geocoder_min_interval_s": 0,
        "secret_key": "g" * 40,
    }
    values.update(extra)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def locator(fake: FakeNominatim) -> Locator:
    return locator_from_settings(_settings(fake), load_directory(BUNDLED_DIRECTORY))


def test_a_street_address_is_geocoded_online(fake: FakeNominatim, locator: Locator) -> None:
    place = locator.resolve(ADDRESS)
    assert (place.precision, place.source) == ("address", "nominatim")
    assert (place.lat, place.lon) == (40.5247851, -111.8703589)
    assert place.label == "Near the address you entered"
    [request] = fake.requests
    assert request["path"] == "/search"
    assert request["params"]["q"] == ADDRESS
    assert request["params"]["countrycodes"] == "us"
    assert request["user_agent"] == USER_AGENT


def test_zip_and_city_queries_never_go_online(fake: FakeNominatim, locator: Locator) -> None:
    locator.resolve("84020")
    locator.resolve("Draper, UT")
    locator.resolve("40.5, -111.9")
    assert fake.requests == []


@pytest.mark.parametrize(
    ("mode", "note"),
    [
        ("empty", "did not find this address"),
        ("429", "unavailable right now"),
        ("500", "unavailable right now"),
        ("slow", "unavailable right now"),
    ],
)
def test_the_chain_falls_back_to_the_address_zip(
    fake: FakeNominatim, locator: Locator, mode: str, note: str
) -> None:
    fake.mode = mode
    place = locator.resolve(ADDRESS)
    assert place.precision == "zip"
    assert place.label == "Near 84020, Draper, UT (the ZIP code of the address)"
    assert note in place.note
    assert len(fake.requests) == 1  # no hidden retries


def test_an_unreachable_geocoder_falls_back_to_the_city(fake: FakeNominatim) -> None:
    settings = _settings(fake, geocoder_domain="127.0.0.1:9")  # discard port: refused
    locator = locator_from_settings(settings, load_directory(BUNDLED_DIRECTORY))
    place = locator.resolve("48 N 1100 E, American Fork, UT")
    assert place.precision == "city"
    assert place.label == "Near American Fork, UT (the city of the address)"


def test_a_city_level_answer_is_labelled_as_such(fake: FakeNominatim, locator: Locator) -> None:
    fake.mode = "city"
    assert locator.resolve(ADDRESS).precision == "city"


def test_geopy_errors_are_translated(fake: FakeNominatim) -> None:
    geocoder = OnlineGeocoder(
        "nominatim",
        user_agent=USER_AGENT,
        domain=fake.domain,
        scheme="http",
        timeout_s=0.3,
        min_interval_s=0,
    )
    fake.mode = "slow"
    with pytest.raises(GeocoderTimeoutError) as timed_out:
        geocoder.geocode("a")
    assert isinstance(timed_out.value, TimeoutError)
    fake.mode = "429"
    with pytest.raises(GeocoderRateLimitedError):
        geocoder.geocode("b")
    fake.mode = "500"
    with pytest.raises(GeocoderUnavailableError):
        geocoder.geocode("c")


def test_answers_are_cached(fake: FakeNominatim, locator: Locator) -> None:
    locator.resolve(ADDRESS)
    locator.resolve("  721 e 12200 s,  Draper, UT 84020 ")
    assert len(fake.requests) == 1


def test_at_most_one_request_per_interval(fake: FakeNominatim) -> None:
    now = [100.0]
    geocoder = OnlineGeocoder(
        "nominatim",
        user_agent=USER_AGENT,
        domain=fake.domain,
        scheme="http",
        limiter=MinIntervalLimiter(1.0, clock=lambda: now[0]),
    )
    locator = Locator(load_directory(BUNDLED_DIRECTORY), geocoder=geocoder)
    assert locator.resolve(ADDRESS).precision == "address"
    second = locator.resolve("12 W Main St, Lehi, UT 84043")
    assert second.precision == "zip" and "unavailable" in second.note
    now[0] += 1.0
    assert locator.resolve("12 W Main St, Lehi, UT 84043").precision == "address"
    assert len(fake.requests) == 2


def test_precision_reads_json_and_jsonv2_shapes() -> None:
    assert _precision({"class": "place", "type": "house", "addresstype": "place"}) == "address"
    assert _precision({"category": "highway", "type": "residential", "addresstype": "road"}) == (
        "street"
    )
    assert _precision({"category": "place", "type": "postcode", "addresstype": "postcode"}) == "zip"
    assert _precision({"category": "boundary", "addresstype": "city"}) == "city"


def test_nominatim_needs_a_user_agent() -> None:
    with pytest.raises(ConfigurationError, match="geocoder_user_agent is required"):
        Settings(geocoder="nominatim")
    with pytest.raises(ConfigurationError, match="geocoder_user_agent is required"):
        load_settings({"KAT_GEOCODER": "nominatim"}, persist_secret=False)


def test_an_unknown_geocoder_fails_at_start_up() -> None:
    settings = Settings(
        geocoder="nosuchservice", geocoder_user_agent=USER_AGENT, secret_key="g" * 40
    )
    with pytest.raises(ConfigurationError, match="unknown geocoder 'nosuchservice'"):
        create_app(settings)


def test_the_api_answers_from_the_gazetteer_when_the_geocoder_fails(
    fake: FakeNominatim, tmp_path: Path
) -> None:
    from litestar.testing import TestClient

    fake.mode = "500"
    # a data folder of its own: the default (./kat-data) is shared by every test process
    with TestClient(create_app(_settings(fake, data_dir=str(tmp_path / "kat-data")))) as client:
        body = client.get("/api/locate", params={"q": ADDRESS, "limit": 1}).json()
    assert body["query"]["precision"] == "zip"
    assert body["query"]["note"].startswith("The street-level lookup is unavailable")
    assert body["results"][0]["clinic"]["id"] == "draper"
