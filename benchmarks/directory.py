"""Loading and checking the clinic directory vs parsing the same TOML with tomllib alone.

Ours calls ``tomllib`` and then decodes and checks, so it can only cost more: the two are timed
interleaved (ratio round by round: median, min, max) and, with valgrind, counted in
instructions, which a busy machine cannot bend below 1x. Run: ``python benchmarks/directory.py``.
"""

from __future__ import annotations

import tomllib

from _harness import figure, have_valgrind, instructions, interleaved, ratio, report

from kat_widgets.directory import parse_directory
from kat_widgets.settings import BUNDLED_DIRECTORY

SETUP = """
import tomllib
from kat_widgets.directory import parse_directory
from kat_widgets.settings import BUNDLED_DIRECTORY
text = BUNDLED_DIRECTORY.read_text(encoding="utf-8")
"""


def main() -> None:
    text = BUNDLED_DIRECTORY.read_text(encoding="utf-8")
    times = interleaved(
        {"tomllib": lambda: tomllib.loads(text), "ours": lambda: parse_directory(text)},
        rounds=15,
        number=20,
    )
    figures: dict[str, object] = {
        "tomllib_ms": figure(times["tomllib"]).scaled(1000, 3),
        "load_and_check_ms": figure(times["ours"]).scaled(1000, 3),
        "ratio_vs_tomllib": ratio(times, "ours", "tomllib").scaled(1, 2),
    }
    if have_valgrind():
        theirs = instructions(SETUP, "tomllib.loads(text)", calls=10)
        ours = instructions(SETUP, "parse_directory(text)", calls=10)
        figures["instructions"] = {"tomllib": round(theirs), "ours": round(ours)}
        figures["instructions_ratio_vs_tomllib"] = round(ours / theirs, 2)
    report("directory", figures)


if __name__ == "__main__":
    main()
