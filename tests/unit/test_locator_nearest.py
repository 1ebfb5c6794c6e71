"""Nearest clinics: exact geodesic ranking, filters, radius, and agreement with brute force."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from geopy.distance import geodesic

from kat_widgets.directory import Directory
from kat_widgets.errors import ValidationError
from kat_widgets.locator import Locator, SpatialIndex
from kat_widgets.locator.index import EARTH_RADIUS_KM, LOWER_BOUND_RATIO
from tests.sizes import sized


@pytest.fixture(scope="module")
def locator(directory: Directory) -> Locator:
    return Locator(directory)


@pytest.mark.parametrize(
    ("zip_code", "first"),
    [
        ("84020", "draper"),
        ("84043", "american-fork"),
        ("84041", "layton"),
        ("84107", "murray"),
        ("84663", "springville"),
        ("84003", "american-fork"),
        ("84040", "layton"),
    ],
)
def test_real_utah_zips_rank_the_nearby_clinic_first(
    locator: Locator, zip_code: str, first: str
) -> None:
    answer = locator.locate(zip_code)
    assert answer.results[0].clinic.id == first
    distances = [r.distance_km for r in answer.results]
    assert distances == sorted(distances)


def test_distances_are_exact_geodesics_in_km_and_miles(locator: Locator) -> None:
    answer = locator.locate("84020", limit=1)
    result = answer.results[0]
    clinic = result.clinic
    expected = geodesic(
        (answer.place.lat, answer.place.lon), (clinic.coordinates.lat, clinic.coordinates.lon)
    ).km
    assert result.distance_km == expected
    assert result.distance_mi == pytest.approx(expected / 1.609344)


def test_limit_and_radius(locator: Locator) -> None:
    assert len(locator.locate("84020", limit=2).results) == 2
    near = locator.locate("84020", radius_km=20)
    assert {r.clinic.id for r in near.results} == {"draper", "american-fork", "murray"}
    assert not near.nearest_anyway


def test_nothing_in_the_radius_gives_the_nearest_anyway(locator: Locator) -> None:
    answer = locator.locate("Saint George, UT", radius_km=50, limit=2)
    assert answer.nearest_anyway
    assert [r.clinic.id for r in answer.results] == ["springville", "american-fork"]


def test_another_state_still_gets_the_nearest_clinics(locator: Locator) -> None:
    answer = locator.locate("10001")
    assert answer.outside_region and answer.nearest_anyway
    assert len(answer.results) == 5
    assert answer.results[0].distance_km > 3000


def test_service_filter_by_id_and_route(locator: Locator) -> None:
    assert len(locator.locate("84020", service="experience-iv").results) == 5
    assert len(locator.locate("84020", service="iv").results) == 5
    with pytest.raises(ValidationError, match="Unknown service"):
        locator.locate("84020", service="massage")


def test_open_now_filter_uses_each_clinics_hours(locator: Locator) -> None:
    saturday_morning = dt.datetime(2027, 3, 13, 17, 0, tzinfo=dt.UTC)  # 10:00 MST
    answer = locator.locate("84020", open_now=True, at=saturday_morning)
    assert [r.clinic.id for r in answer.results] == ["draper", "murray"]  # open on Saturdays


def test_the_lower_bound_ratio_holds_for_random_pairs() -> None:
    rng = random.Random(7)
    for _ in range(2000):
        a = (rng.uniform(-89, 89), rng.uniform(-180, 180))
        if rng.random() < 0.5:
            b = (a[0] + rng.uniform(-0.5, 0.5), a[1] + rng.uniform(-0.5, 0.5))
            b = (max(-89.9, min(89.9, b[0])), b[1])
        else:
            b = (rng.uniform(-89, 89), rng.uniform(-180, 180))
        index = SpatialIndex(["b"], [b])
        spherical = next(index._walk(*a))[0]
        assert geodesic(a, b).km >= spherical * LOWER_BOUND_RATIO
    assert 6335.439 / EARTH_RADIUS_KM > LOWER_BOUND_RATIO


@pytest.mark.slow
def test_index_ranking_equals_brute_force_on_random_points() -> None:
    rng = random.Random(42)
    # brute force is one geodesic per point per query: 3000 points take 25-75 s (tests/sizes.py)
    points = [(rng.uniform(25, 49), rng.uniform(-125, -67)) for _ in range(sized(600, 3000))]
    points += [points[10]] * 3  # exact ties are broken by position, as in brute force
    index = SpatialIndex(list(range(len(points))), points)
    for query in [
        *(points[i] for i in (10, 500)),
        *((rng.uniform(20, 55), rng.uniform(-130, -60)) for _ in range(10)),
    ]:
        for limit in (1, 5, 12):
            fast = index.nearest(*query, limit=limit)
            slow = index.brute_force(*query, limit=limit)
            assert [n.position for n in fast] == [n.position for n in slow]
            assert [n.distance_km for n in fast] == [n.distance_km for n in slow]


def test_index_with_a_filter_equals_a_filtered_brute_force() -> None:
    rng = random.Random(3)
    points = [(rng.uniform(36, 42), rng.uniform(-114, -109)) for _ in range(2000)]
    index = SpatialIndex(list(range(len(points))), points)
    fast = index.nearest(40.5, -111.9, limit=5, where=lambda item: item % 7 == 0)
    slow = sorted((geodesic((40.5, -111.9), p).km, i) for i, p in enumerate(points) if i % 7 == 0)[
        :5
    ]
    assert [n.position for n in fast] == [i for _, i in slow]


@pytest.mark.slow
def test_index_is_exact_near_the_poles_and_the_antimeridian() -> None:
    rng = random.Random(11)
    points = [(rng.uniform(-90, 90), rng.uniform(-180, 180)) for _ in range(sized(500, 1500))]
    points += [
        (rng.uniform(-20, 20), rng.choice((-1, 1)) * rng.uniform(178, 180))
        for _ in range(sized(150, 300))
    ]
    points += [(rng.uniform(85, 90), rng.uniform(-180, 180)) for _ in range(sized(100, 200))]
    index = SpatialIndex(list(range(len(points))), points)
    for query in [(0.0, 179.99), (0.0, -179.99), (89.9, 0.0), (-89.9, 45.0), (60.0, -150.0)]:
        fast = index.nearest(*query, limit=7)
        assert [n.position for n in fast] == [
            n.position for n in index.brute_force(*query, limit=7)
        ]


def test_coordinates_far_from_every_clinic_count_as_outside_the_region(locator: Locator) -> None:
    answer = locator.locate("40.71, -74.00")
    assert answer.nearest_anyway and answer.outside_region
    assert not locator.locate("40.5, -111.9").outside_region


def test_a_place_asked_again_gets_the_same_exact_answer_from_the_cache() -> None:
    from kat_widgets.locator.index import SpatialIndex

    points = [(40.52 + i / 100, -111.86 - i / 90) for i in range(50)]
    index = SpatialIndex(list(range(50)), points)
    first = index.nearest(40.6, -111.9, limit=5)
    measured = index._geodesic_km.cache_info().misses
    again = index.nearest(40.6, -111.9, limit=5)
    assert again == first == index.brute_force(40.6, -111.9, limit=5)
    info = index._geodesic_km.cache_info()
    assert info.misses == measured and info.hits >= 5  # no geodesic computed the second time


def test_a_search_is_answered_again_within_its_minute_and_anew_after(
    directory: Directory,
) -> None:
    """#14: the same search in the same minute is the same answer; open-now turns on time."""
    locator = Locator(directory)
    opening = dt.datetime(2027, 3, 8, 15, 0, tzinfo=dt.UTC)  # Monday 08:00 in Denver
    before = opening - dt.timedelta(seconds=1)
    closed = locator.locate("84020", at=before)
    assert locator.locate("84020", at=before - dt.timedelta(seconds=30)) is closed
    opened = locator.locate("84020", at=opening)
    assert opened is not closed
    draper = {r.clinic.id: r.status.open for r in opened.results}["draper"]
    assert draper and not {r.clinic.id: r.status.open for r in closed.results}["draper"]
    assert locator.locate("84020", at=opening + dt.timedelta(seconds=59)) is opened
    assert locator.locate("84020", limit=2, at=opening) is not opened  # another search


def test_hours_with_seconds_are_never_answered_from_memory(directory: Directory) -> None:
    import msgspec

    clinics = list(directory.clinics)
    draper = next(c for c in clinics if c.id == "draper")
    late = tuple(msgspec.structs.replace(rule, opens=dt.time(8, 0, 30)) for rule in draper.hours)
    clinics[clinics.index(draper)] = msgspec.structs.replace(draper, hours=late)
    data = msgspec.structs.replace(directory.data, clinics=tuple(clinics))
    locator = Locator(Directory(data, translations=directory.translations))
    at = dt.datetime(2027, 3, 8, 15, 0, 10, tzinfo=dt.UTC)  # 08:00:10, before 08:00:30
    first = locator.locate("84020", at=at)
    later = locator.locate("84020", at=at + dt.timedelta(seconds=30))  # 08:00:40
    assert later is not first
    status = {r.clinic.id: r.status.open for r in first.results}
    assert not status["draper"]
    assert {r.clinic.id: r.status.open for r in later.results}["draper"]


def test_a_search_remembered_in_one_language_is_not_given_in_another(
    directory: Directory,
) -> None:
    from kat_widgets import i18n

    locator = Locator(directory)
    at = dt.datetime(2027, 3, 8, 18, 0, tzinfo=dt.UTC)
    english = locator.locate("84020", at=at)
    with i18n.using("es"):
        spanish = locator.locate("84020", at=at)
    assert english.place.label == "Near 84020, Draper, UT"
    assert spanish.place.label.startswith("Cerca de 84020")
