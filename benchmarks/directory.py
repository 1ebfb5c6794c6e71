"""Loading and checking the clinic directory vs parsing the same TOML with tomllib alone."""

from __future__ import annotations

import tomllib

from _harness import best_time, report

from kat_widgets.directory import parse_directory
from kat_widgets.settings import BUNDLED_DIRECTORY

text = BUNDLED_DIRECTORY.read_text(encoding="utf-8")
baseline = best_time(lambda: tomllib.loads(text), number=50)
ours = best_time(lambda: parse_directory(text), number=50)
report(
    "directory",
    {
        "tomllib_ms": round(baseline * 1000, 3),
        "load_and_check_ms": round(ours * 1000, 3),
        "ratio_vs_tomllib": round(ours / baseline, 2),
    },
)
