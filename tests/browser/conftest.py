"""Browser tests: Playwright driving Debian's Chromium against a live uvicorn server.

They skip when Chromium, Playwright or axe-core (``npm ci``) are missing, all with the one reason
from tests/jstools.py that says how to get them; CI installs all three and requires them.
Screenshots land in ``artifacts/screenshots`` for docs/ to use.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kat_widgets import Settings, create_app
from tests import jstools
from tests.servers import UvicornThread

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.hookimpl(tryfirst=True)  # before ``-m`` deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every browser test is ``slow``: a live server and Chromium."""
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.slow)


@pytest.hookimpl(tryfirst=True)  # before any fixture starts a server or a browser
def pytest_runtest_setup(item: pytest.Item) -> None:
    """A test that uses the browser skips, with the one shared reason, without Chromium."""
    if "browser" in getattr(item, "fixturenames", ()):
        jstools.require("chromium", "playwright")


class LiveServer(UvicornThread):
    """``create_app(settings)`` served by uvicorn in a thread (see tests/servers.py)."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(create_app(settings), name="live server")


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("kat-data")
    with LiveServer(Settings(data_dir=str(data_dir), secret_key="b" * 40)) as server:
        yield server


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright import sync_api  # present: pytest_runtest_setup checked

    with sync_api.sync_playwright() as playwright:
        # the clinics' zone, whatever the machine's: a test of the visitor's own time (times.js)
        # sets another with timezone_id
        chromium = playwright.chromium.launch(
            executable_path=jstools.CHROMIUM,
            args=CHROMIUM_ARGS,
            env={**os.environ, "TZ": "America/Denver"},
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    # bypass_csp only lets the test inject axe-core; the pages keep their strict CSP.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def sized(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A page ``request.param`` px wide (``page.kat_width``); parametrize with indirect=True."""
    width = request.param
    context = browser.new_context(viewport={"width": width, "height": 800}, bypass_csp=True)
    page = context.new_page()
    page.kat_width = width
    yield page
    context.close()


def axe_violations(page: Any, *, context: str | None = None) -> list[dict[str, Any]]:
    """Run axe-core (WCAG 2.0/2.1/2.2 A and AA rules) in ``page``; return its violations."""
    jstools.require("axe-core")
    page.add_script_tag(path=str(jstools.AXE_JS))
    result: dict[str, Any] = page.evaluate(
        """async (context) => await axe.run(context || document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}
        })""",
        context,
    )
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def describe(violations: list[dict[str, Any]]) -> str:
    return json.dumps(
        [{"id": v["id"], "nodes": [n["html"] for n in v["nodes"]][:3]} for v in violations],
        indent=1,
    )


def screenshot(page: Any, name: str, *, full_page: bool = True) -> Path:
    """Save ``artifacts/screenshots/NAME.png``, whole or not at all.

    Two tests may save the same name at once (``pytest -n``): each writes a file of its own and
    renames it into place, so a reader (the docs build) never sees a half-written picture.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    partial = SCREENSHOTS / f".{name}.{uuid.uuid4().hex}.png.part"
    partial.write_bytes(page.screenshot(full_page=full_page))
    os.replace(partial, path)
    return path
