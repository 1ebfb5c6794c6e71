"""Cold import of ``kat_widgets.fragments`` (what a fragment-only host pays) and of the web app,
against ``import jinja2`` in the same run.

Each case is a fresh interpreter (``python -X importtime -c "import ..."``), the cases taking
turns (A B C A B C ...); the figure is the import's own time as ``-X importtime`` reports it
(the interpreter's start is the same for all and left out), median, min and max over the
rounds. Run: ``python benchmarks/imports.py [--rounds 15]``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys

from _harness import figure, report

CASES = {
    "jinja2": "jinja2",
    "fragments": "kat_widgets.fragments",
    "web_app": "kat_widgets.web.app",
}


def cold_import_us(module: str) -> int:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        capture_output=True,
        text=True,
        check=True,
    )
    # the last line is the module itself: "import time: self | cumulative | name"
    rows = [line for line in done.stderr.splitlines() if line.startswith("import time:")]
    cumulative = [int(row.split("|")[1]) for row in rows if row.split("|")[2].strip() == module]
    return cumulative[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    times: dict[str, list[float]] = {name: [] for name in CASES}
    for _ in range(args.rounds):
        for name, module in CASES.items():
            times[name].append(cold_import_us(module) / 1000)
    ratios = [f / j for f, j in zip(times["fragments"], times["jinja2"], strict=True)]
    report(
        "imports",
        {
            **{f"{name}_ms": figure(values).scaled(1, 1) for name, values in times.items()},
            "fragments_vs_jinja2": figure(ratios).scaled(1, 2),
            "goal": "fragments <= 150 ms, or <= 1.5x jinja2",
        },
    )


if __name__ == "__main__":
    main()
