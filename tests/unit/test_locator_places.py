"""What visitors type becomes a place with an honest precision and label."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kat_widgets.directory import Directory
from kat_widgets.errors import ValidationError
from kat_widgets.locator import Locator, parse_query
from kat_widgets.locator.places import AddressQuery, CityQuery, CoordinatesQuery, ZipQuery


@pytest.fixture(scope="module")
def locator(directory: Directory) -> Locator:
    return Locator(directory)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("84101", ZipQuery("84101")),
        (" 84101-1234 ", ZipQuery("84101")),
        ("84101 1234", ZipQuery("84101")),
        ("40.525, -111.872", CoordinatesQuery(40.525, -111.872)),
        ("40.525 -111.872", CoordinatesQuery(40.525, -111.872)),
        ("Salt Lake City", CityQuery("salt lake city", None, "Salt Lake City")),
        ("salt  lake city ut", CityQuery("salt lake city", "UT", "Salt Lake City")),
        ("Provo, Utah", CityQuery("provo", "UT", "Provo")),
        ("St. George, UT", CityQuery("saint george", "UT", "St. George")),
        ("Draper, UT 84020", ZipQuery("84020")),
    ],
)
def test_each_input_form_is_recognised(text: str, expected: object) -> None:
    assert parse_query(text) == expected


def test_a_street_address_keeps_its_zip_and_city() -> None:
    query = parse_query("721 E 12200 S, Draper, UT 84020")
    assert isinstance(query, AddressQuery)
    assert query.zip == "84020"
    assert query.city == CityQuery("draper", "UT", "Draper")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Type a ZIP code"),
        ("   ", "Type a ZIP code"),
        ("8" * 201, "too long"),
        ("<script>alert(1)</script>", "could not read that as a place"),
        ("!!! ???", "could not read that as a place"),
        ("91.0, 10.0", "Latitude"),
        ("45.0, 181.5", "Longitude"),
        ("abc\x00", "control characters"),
    ],
)
def test_bad_input_is_a_validation_error_with_a_clear_message(text: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        parse_query(text)


@pytest.mark.parametrize(
    ("text", "precision", "label"),
    [
        ("84101", "zip", "Near 84101, Salt Lake City, UT"),
        ("84101-1234", "zip", "Near 84101, Salt Lake City, UT"),
        ("Salt Lake City", "city", "Near Salt Lake City, UT (city centre)"),
        ("murray ut", "city", "Near Murray, UT (city centre)"),
        ("St George", "city", "Near Saint George, UT (city centre)"),
        ("40.5, -111.9", "coordinates", "Near 40.5000, -111.9000"),
        (
            "721 E 12200 S, Draper, UT 84020",
            "zip",
            "Near 84020, Draper, UT (the ZIP code of the address)",
        ),
        (
            "48 N 1100 E, American Fork, UT",
            "city",
            "Near American Fork, UT (the city of the address)",
        ),
    ],
)
def test_places_carry_precision_and_a_human_label(
    locator: Locator, text: str, precision: str, label: str
) -> None:
    place = locator.resolve(text)
    assert place.precision == precision
    assert place.label == label


def test_browser_coordinates_win_over_text(locator: Locator) -> None:
    place = locator.resolve("84101", lat=40.52, lon=-111.87)
    assert (place.lat, place.lon, place.precision, place.source) == (
        40.52,
        -111.87,
        "coordinates",
        "browser",
    )


def test_unknown_zip_and_unknown_city_are_validation_errors(locator: Locator) -> None:
    with pytest.raises(ValidationError, match="ZIP code 00000"):
        locator.resolve("00000")
    with pytest.raises(ValidationError, match="could not find Nowhereville"):
        locator.resolve("Nowhereville, UT")


def test_an_address_without_zip_or_city_asks_for_one(locator: Locator) -> None:
    with pytest.raises(ValidationError, match="Add the ZIP code or the city"):
        locator.resolve("721 E 12200 S")


def test_a_city_without_state_prefers_utah(locator: Locator) -> None:
    assert locator.resolve("Springville").state == "UT"
    assert locator.resolve("Springville, NY").state == "NY"


def test_a_leading_zip_with_a_city_name_is_read_as_the_zip(locator: Locator) -> None:
    place = locator.resolve("84101 Salt Lake City")
    assert (place.precision, place.label) == ("zip", "Near 84101, Salt Lake City, UT")


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(max_size=250),
        st.from_regex(r"\A[0-9]{1,6}([ ,.-]+[A-Za-z0-9]{0,12}){0,5}\Z"),
        st.from_regex(r"\A-?[0-9]{1,3}\.[0-9]{1,6}, ?-?[0-9]{1,3}\.[0-9]{1,6}\Z"),
    )
)
def test_any_text_gives_a_place_or_a_validation_error(directory: Directory, text: str) -> None:
    locator = Locator(directory)
    try:
        place = locator.resolve(text)
    except ValidationError as exc:
        message = str(exc)
    else:
        message = place.label
        assert -90 <= place.lat <= 90 and -180 <= place.lon <= 180
    assert message


@pytest.mark.parametrize(
    ("text", "coordinates", "blocks"),
    [
        ("721 E 12200 S, Draper, UT 84020", False, True),  # the one that asks the network
        ("721 E 12200 S, Draper, UT 84020", True, False),  # browser coordinates win
        ("84020", False, False),
        ("Draper, UT", False, False),
        ("40.525, -111.872", False, False),
        ("<script>", False, False),  # refused before any lookup
        ("", False, False),
        (None, False, False),
    ],
)
def test_only_a_street_address_with_an_online_geocoder_may_wait_on_the_network(
    directory: Directory, text: str | None, coordinates: bool, blocks: bool
) -> None:
    """What the web handlers use to keep gazetteer answers on the event loop (#14)."""
    from kat_widgets.locator.geocoders import OnlineGeocoder

    online = Locator(
        directory, geocoder=OnlineGeocoder("nominatim", user_agent="kat-widgets-tests/1.0")
    )
    assert online.may_block(text, coordinates=coordinates) is blocks
    assert Locator(directory).may_block(text, coordinates=coordinates) is False
