"""The locator map (#16): Utah's outline, markers that never hide each other, a text version."""

from __future__ import annotations

import itertools
import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kat_widgets import Widgets
from kat_widgets.fragments.locator_map import MARKER_GAP, UTAH_OUTLINE, compass, svg_map
from kat_widgets.locator import Place
from tests.sizes import sized


@pytest.fixture(scope="module")
def widgets() -> Widgets:
    return Widgets()


def _place(lat: float, lon: float) -> Place:
    return Place(text="", lat=lat, lon=lon, precision="coordinates", label="", source="browser")


def _svg(html: str) -> str:
    match = re.search(r"<svg\b.*?</svg>", html, re.S)
    assert match, "no map"
    return match.group(0)


def _markers(svg: str) -> list[tuple[float, float]]:
    """Centres of the clinic circles (r=10) and of the diamond (You)."""
    circles = [
        (float(x), float(y))
        for x, y in re.findall(r'<circle cx="([\d.-]+)" cy="([\d.-]+)" r="10"', svg)
    ]
    diamond = re.search(r'transform="rotate\(45 ([\d.-]+) ([\d.-]+)\)"', svg)
    assert diamond
    return [*circles, (float(diamond.group(1)), float(diamond.group(2)))]


def _assert_clear(points: list[tuple[float, float]], width: float, height: float) -> None:
    for (x1, y1), (x2, y2) in itertools.combinations(points, 2):
        assert math.hypot(x2 - x1, y2 - y1) >= MARKER_GAP - 0.2, points
    for x, y in points:
        assert 0 <= x <= width and 0 <= y <= height, (x, y)


# every clinic's own ZIP (the visitor on top of a clinic), between clinics, at the edges, outside
SEARCHES = [
    "84020",
    "84107",
    "84003",
    "84663",
    "84041",
    "Salt Lake City",
    "84601",
    "84321",
    "Reno, NV",
    "Boise, ID",
]


@pytest.mark.parametrize("q", SEARCHES)
def test_no_marker_hides_another(widgets: Widgets, q: str) -> None:
    svg = _svg(str(widgets.locator(q, limit=5)))
    points = _markers(svg)
    assert len(points) >= 2
    width, height = (float(v) for v in re.search(r'viewBox="0 0 (\d+) (\d+)"', svg).groups())
    _assert_clear(points, width, height)


def test_the_map_draws_utah_and_says_where_each_clinic_is(widgets: Widgets) -> None:
    html = str(widgets.locator("84020"))
    svg = _svg(html)
    outlines = re.findall(r'<polygon points="([^"]+)"', svg)
    assert len(outlines) == 2  # the main panel's and the inset's
    assert all(len(points.split()) == len(UTAH_OUTLINE) for points in outlines)
    assert ">Utah</text>" in svg and 'stroke="#b3261e"' in svg  # the inset and its frame
    assert 'aria-labelledby="kat-locator-map-title kat-locator-map-desc"' in svg
    desc = re.search(r'<desc id="kat-locator-map-desc">(.*?)</desc>', svg, re.S).group(1)
    # the text alternative: each clinic with its distance and direction from the search
    assert "1: Numinus Draper, 1.5 mi north of your search." in desc
    assert "Numinus Layton" in desc and "Numinus Springville" in desc
    # a clinic pushed off its place keeps a line to a dot at its true position
    for x1, y1, x2, y2 in re.findall(
        r'<line x1="([\d.]+)" y1="([\d.]+)" x2="([\d.]+)" y2="([\d.]+)"', svg
    ):
        assert math.hypot(float(x2) - float(x1), float(y2) - float(y1)) > 1


def test_compass_directions() -> None:
    salt_lake = _place(40.76, -111.89)
    assert compass(salt_lake, 41.5, -111.89) == "north"
    assert compass(salt_lake, 40.0, -111.89) == "south"
    assert compass(salt_lake, 40.76, -111.0) == "east"
    assert compass(salt_lake, 41.3, -112.6) == "north-west"


@settings(max_examples=sized(60, 400), deadline=None)
@given(
    st.lists(st.tuples(st.floats(39.5, 41.5), st.floats(-112.5, -111.0)), min_size=1, max_size=8),
    st.tuples(st.floats(37.0, 42.0), st.floats(-114.0, -109.0)),
)
def test_markers_stay_apart_for_any_places(
    clinics: list[tuple[float, float]], visitor: tuple[float, float]
) -> None:
    from kat_widgets.directory import Coordinates

    class _Clinic:
        def __init__(self, lat: float, lon: float) -> None:
            self.name = "Clinic"
            self.coordinates = Coordinates(lat=lat, lon=lon)

    class _Result:
        def __init__(self, lat: float, lon: float) -> None:
            self.clinic = _Clinic(lat, lon)
            self.distance_km = 10.0

    results = [_Result(lat, lon) for lat, lon in clinics]
    drawn = svg_map(_place(*visitor), results, lambda _: "1 mi")  # type: ignore[arg-type]
    assert drawn is not None
    points = [(p.x, p.y) for p in [drawn["you"], *drawn["clinics"]]]
    _assert_clear(points, drawn["main_right"], drawn["height"])
