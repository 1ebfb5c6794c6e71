"""Locator: offline ZIP lookup vs ``zipcodes.matching()``; nearest-5 of 100,000 clinics vs a
brute-force geopy geodesic scan, checking that both rankings agree.

Run: ``.venv/bin/python benchmarks/locator.py`` (about a minute; the brute force is slow, so it is
timed on a few queries only).
"""

from __future__ import annotations

import random
import time

import zipcodes
from _harness import best_time, have_valgrind, instructions, report
from geopy.distance import geodesic

from kat_widgets.directory import load_directory
from kat_widgets.locator import Locator, SpatialIndex
from kat_widgets.locator.gazetteer import Gazetteer
from kat_widgets.settings import BUNDLED_DIRECTORY

N_CLINICS = 100_000
BRUTE_QUERIES = 3
rng = random.Random(2027)

# -- ZIP lookup ------------------------------------------------------------------------------
start = time.perf_counter()
gazetteer = Gazetteer()
len(gazetteer)  # build the index once, as the first request of a process does
build_gazetteer_s = time.perf_counter() - start
codes = rng.sample(sorted(row["zip_code"] for row in zipcodes.list_all()), 200)
for code in codes:  # both answer the same point
    ours, theirs = gazetteer.zip(code), zipcodes.matching(code)
    assert ours is None or (ours.lat, ours.lon) == (
        float(theirs[0]["lat"]),
        float(theirs[0]["long"]),
    )
matching_s = best_time(lambda: [zipcodes.matching(code) for code in codes], repeat=3) / len(codes)
lookup_s = best_time(lambda: [gazetteer.zip(code) for code in codes], repeat=20) / len(codes)
locator = Locator(load_directory(BUNDLED_DIRECTORY), gazetteer=gazetteer)
known = [code for code in codes if gazetteer.zip(code)]
resolve_s = best_time(lambda: [locator.resolve(code) for code in known], repeat=5) / len(known)

# -- nearest 5 of 100,000 --------------------------------------------------------------------
centres = [(e.lat, e.lon) for e in (gazetteer.zip(c) for c in codes) if e and -125 < e.lon < -66]
points: list[tuple[float, float]] = []
for i in range(N_CLINICS):
    if i % 2:  # half spread over the continental US, half clustered around towns
        points.append((rng.uniform(25.0, 49.0), rng.uniform(-124.5, -67.0)))
    else:
        lat, lon = rng.choice(centres)
        points.append((lat + rng.gauss(0, 0.3), lon + rng.gauss(0, 0.3)))
start = time.perf_counter()
index = SpatialIndex(list(range(N_CLINICS)), points)
build_index_s = time.perf_counter() - start
queries = [(rng.uniform(26.0, 48.0), rng.uniform(-123.0, -68.0)) for _ in range(100)]


def brute_force(lat: float, lon: float) -> list[int]:
    ranked = sorted((geodesic((lat, lon), point).km, i) for i, point in enumerate(points))
    return [i for _, i in ranked[:5]]


brute_times, agree = [], True
for lat, lon in queries[:BRUTE_QUERIES]:
    start = time.perf_counter()
    expected = brute_force(lat, lon)
    brute_times.append(time.perf_counter() - start)
    agree &= [n.position for n in index.nearest(lat, lon, limit=5)] == expected
brute_s = min(brute_times)
nearest_s = best_time(lambda: [index.nearest(lat, lon, limit=5) for lat, lon in queries], repeat=3)
nearest_s /= len(queries)
if not agree:
    raise SystemExit("rankings disagree with the brute-force scan")

print(f"gazetteer build (once per process): {build_gazetteer_s * 1000:.0f} ms")
print(f"ZIP lookup: zipcodes.matching {matching_s * 1e6:.1f} us, ours {lookup_s * 1e6:.3f} us")
print(f"text to place (parse + lookup + label): {resolve_s * 1e6:.1f} us")
print(f"index build ({N_CLINICS:,} clinics): {build_index_s:.2f} s")
print(f"nearest-5: brute force {brute_s:.2f} s, ours {nearest_s * 1000:.3f} ms; rankings agree")
GROWTH = (5_000, 10_000, 20_000, 40_000)
GROWTH_SETUP = """
import random
from kat_widgets.locator import SpatialIndex
rng = random.Random(2027)
points = [(rng.uniform(25.0, 49.0), rng.uniform(-124.5, -67.0)) for _ in range({n})]
index = SpatialIndex(list(range({n})), points)
queries = [(rng.uniform(26.0, 48.0), rng.uniform(-123.0, -68.0)) for _ in range(20)]
"""
growth: dict[str, float] = {}
if have_valgrind():  # nearest-5 of N clinics, in instructions per query (repeatable)
    body = "for lat, lon in queries:\n    index.nearest(lat, lon, limit=5)"
    counted = {n: instructions(GROWTH_SETUP.format(n=n), body, calls=3) / 20 for n in GROWTH}
    growth = {f"nearest5_instructions_{n // GROWTH[0]}x_{n}": round(v) for n, v in counted.items()}
    growth.update(
        {
            f"nearest5_growth_{n // GROWTH[0]}x": round(v / counted[GROWTH[0]], 2)
            for n, v in counted.items()
        }
    )
report(
    "locator",
    {
        **growth,
        "zip_matching_us": round(matching_s * 1e6, 2),
        "zip_lookup_us": round(lookup_s * 1e6, 3),
        "zip_speedup": round(matching_s / lookup_s, 1),
        "resolve_zip_text_us": round(resolve_s * 1e6, 2),
        "resolve_speedup_vs_matching": round(matching_s / resolve_s, 1),
        "gazetteer_build_ms": round(build_gazetteer_s * 1000, 1),
        "nearest5_brute_force_s": round(brute_s, 3),
        "nearest5_ms": round(nearest_s * 1000, 3),
        "nearest5_speedup": round(brute_s / nearest_s, 1),
        "index_build_s": round(build_index_s, 2),
        "rankings_agree": 1.0 if agree else 0.0,
        "clinics": N_CLINICS,
    },
)
