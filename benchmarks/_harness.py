"""Tiny helpers shared by the benchmarks: best-of-N timing and the final JSON line."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any


def best_time(fn: Callable[[], Any], *, repeat: int = 5, number: int = 1) -> float:
    """Best wall time in seconds of ``number`` calls, over ``repeat`` rounds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - start) / number)
    return best


def report(name: str, figures: dict[str, float]) -> None:
    """Print the one JSON line every benchmark ends with."""
    print(json.dumps({"benchmark": name, "figures": figures}))
