"""What the browser and interop tests need besides pip packages: Chromium, ``npm ci``, and
libical's iTIP checker (Debian's ``gir1.2-ical-3.0`` and ``python3-gi``, for the system Python).

A test that needs one of them calls :func:`require`. When something is missing, every test that
needs it skips with the same reason, raised from the same line here, so pytest's summary folds
them into ONE line that says how to enable them all. ``KAT_TEST_REQUIRE_JS_TOOLS=1`` (set by
.ci/run) turns those skips into failures, so CI cannot pass with the browser tests skipped.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NODE_MODULES = ROOT / "node_modules"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
ICAL_JS = NODE_MODULES / "ical.js"
CHROMIUM = os.environ.get("KAT_TEST_CHROMIUM", "/usr/bin/chromium")
REQUIRE_ENV = "KAT_TEST_REQUIRE_JS_TOOLS"
SYSTEM_PYTHON = os.environ.get("KAT_TEST_SYSTEM_PYTHON", "/usr/bin/python3")
"""The Python that has libical's GObject bindings (they come from apt, not pip)."""
LIBICAL_PROBE = (
    "import gi; gi.require_version('ICalGLib', '3.0'); from gi.repository import ICalGLib; "
    "ICalGLib.Component.check_restrictions"
)


def _chromium() -> bool:
    return bool(shutil.which(CHROMIUM)) or Path(CHROMIUM).is_file()


def _libical() -> bool:
    if not Path(SYSTEM_PYTHON).is_file():
        return False
    try:
        probe = subprocess.run(
            [SYSTEM_PYTHON, "-c", LIBICAL_PROBE], capture_output=True, check=False, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


CHECKS: dict[str, Callable[[], bool]] = {
    "chromium": _chromium,
    "playwright": lambda: importlib.util.find_spec("playwright") is not None,
    "node": lambda: shutil.which("node") is not None,
    "axe-core": AXE_JS.is_file,
    "ical.js": ICAL_JS.is_dir,
    "libical": _libical,
    # the pip readers of the six-reader agreement test (tests/interop/readers.py)
    "vobject": lambda: importlib.util.find_spec("vobject") is not None,
    "ics": lambda: importlib.util.find_spec("ics") is not None,
    "ical": lambda: importlib.util.find_spec("ical") is not None,
}


@functools.cache
def missing() -> tuple[str, ...]:
    """The tools this machine lacks, in the order of ``CHECKS``."""
    return tuple(name for name, found in CHECKS.items() if not found())


def how_to_enable() -> str:
    """One sentence: what is missing and the commands that bring it."""
    gone = missing()
    steps = []
    if {"node", "axe-core", "ical.js"} & set(gone):
        npm = "`npm ci` in the repository root"
        steps.append(npm if shutil.which("npm") else f"install Node.js and npm, then {npm}")
    if "chromium" in gone:
        steps.append(
            f"`apt-get install chromium` (or set KAT_TEST_CHROMIUM; looked for {CHROMIUM})"
        )
    if {"playwright", "vobject", "ics", "ical"} & set(gone):
        steps.append("`pip install -e '.[test]'`")
    if "libical" in gone:
        steps.append(
            "`apt-get install gir1.2-ical-3.0 python3-gi` (libical's iTIP checker, run by "
            f"{SYSTEM_PYTHON}; set KAT_TEST_SYSTEM_PYTHON for another)"
        )
    return f"browser/interop tests need {', '.join(gone)}: " + "; ".join(steps)


def require(*tools: str) -> None:
    """Skip the calling test (fail it under ``KAT_TEST_REQUIRE_JS_TOOLS=1``) if any is missing."""
    unknown = set(tools) - set(CHECKS)
    assert not unknown, f"unknown tools {sorted(unknown)}"
    if not set(tools) & set(missing()):
        return
    if os.environ.get(REQUIRE_ENV, "").strip() not in ("", "0"):
        pytest.fail(f"{REQUIRE_ENV} is set and {how_to_enable()}", pytrace=False)
    pytest.skip(how_to_enable())
