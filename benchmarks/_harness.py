"""Helpers shared by the benchmarks: interleaved timing, instruction counts, the JSON line.

Rules every benchmark here follows:
- both sides of a ratio do the same work through the same stack (same middleware, logging,
  payload size), and are timed **interleaved** (A B A B ...), so a machine that gets busier
  during the run slows both alike; each figure is the median of the rounds, with min and max;
- a ratio is taken round by round (A's time over B's in the same round), then its median;
- where the figure is CPU-bound Python, it is also given in **instructions** (callgrind), which
  are the same on a quiet and a busy machine: :func:`instructions`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

HERE = Path(__file__).resolve().parent


def after_the_standard_library(entries: list[str], folder: str) -> list[str]:
    """``entries`` (an import path) with ``folder`` after the standard library but before the
    installed packages: this folder's http.py must not hide the standard library's http package
    (urllib.request imports it), and its ics.py must come before the ics-py package (the
    callgrind scripts import the benchmark they measure by its name)."""
    rest = [entry for entry in entries if entry != folder]
    where = next((n for n, entry in enumerate(rest) if "-packages" in entry), len(rest))
    return [*rest[:where], folder, *rest[where:]]


# `python benchmarks/NAME.py` puts this folder first on the import path
if sys.path and Path(sys.path[0] or ".").resolve() == HERE:
    sys.path[:] = after_the_standard_library(sys.path[1:], str(HERE))

_PLACE_FOLDER = """import sys
_rest = [entry for entry in sys.path if entry != {folder!r}]
_at = next((n for n, entry in enumerate(_rest) if "-packages" in entry), len(_rest))
sys.path[:] = [*_rest[:_at], {folder!r}, *_rest[_at:]]
"""
"""What :func:`after_the_standard_library` does, at the top of a callgrind script."""


class Figure(NamedTuple):
    median: float
    low: float
    high: float

    def scaled(self, factor: float, digits: int = 3) -> dict[str, float]:
        return {
            "median": round(self.median * factor, digits),
            "min": round(self.low * factor, digits),
            "max": round(self.high * factor, digits),
        }


def figure(values: list[float]) -> Figure:
    return Figure(statistics.median(values), min(values), max(values))


def interleaved(
    cases: Mapping[str, Callable[[], Any]], *, rounds: int = 9, number: int = 1
) -> dict[str, list[float]]:
    """Seconds per call of each case, one list entry per round; the cases take turns in every
    round (A B C A B C ...), each running ``number`` calls in a row."""
    for fn in cases.values():  # warm: caches, imports, first-call costs
        fn()
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(rounds):
        for name, fn in cases.items():
            start = time.perf_counter()
            for _ in range(number):
                fn()
            times[name].append((time.perf_counter() - start) / number)
    return times


def ratio(times: Mapping[str, list[float]], ours: str, baseline: str) -> Figure:
    """``ours`` over ``baseline``, round by round: median, min, max."""
    return figure([a / b for a, b in zip(times[ours], times[baseline], strict=True)])


def best_time(fn: Callable[[], Any], *, repeat: int = 5, number: int = 1) -> float:
    """Best wall time in seconds of ``number`` calls, over ``repeat`` rounds (single figures
    with no baseline only; a ratio takes :func:`interleaved`)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - start) / number)
    return best


def have_valgrind() -> bool:
    return shutil.which("valgrind") is not None


def instructions(setup: str, body: str, *, calls: int = 20, path: Path = HERE) -> float:
    """Instructions one run of ``body`` costs, after ``setup``, counted by callgrind.

    Two processes, each under callgrind: ``setup`` then ``body`` ``calls`` times, and ``setup``
    then ``body`` once (so first-call costs fall in both); the difference over ``calls - 1`` is
    one call's count. ``PYTHONHASHSEED`` is fixed, so the count repeats run to run. ``path``
    is put on the script's import path.
    """

    def count(times: int) -> int:
        script = (
            # ``path`` after the standard library, before the installed packages (see above)
            _PLACE_FOLDER.format(folder=str(path))
            + textwrap.dedent(setup)
            + f"\nfor _ in range({times}):\n"
            + textwrap.indent(textwrap.dedent(body), "    ")
        )
        with tempfile.TemporaryDirectory() as folder:
            case = Path(folder) / "case.py"
            case.write_text(script)
            done = subprocess.run(
                [
                    "valgrind",
                    "--tool=callgrind",
                    f"--callgrind-out-file={folder}/out",
                    sys.executable,
                    str(case),
                ],
                capture_output=True,
                text=True,
                cwd=path,
                env={**os.environ, "PYTHONHASHSEED": "0"},
                check=False,
            )
        found = re.search(r"Collected : (\d+)", done.stderr)
        if done.returncode != 0 or found is None:
            raise RuntimeError(f"callgrind failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
        return int(found.group(1))

    return (count(calls) - count(1)) / (calls - 1)


def report(name: str, figures: dict[str, Any]) -> None:
    """Print the one JSON line every benchmark ends with."""
    print(json.dumps({"benchmark": name, "figures": figures}))
