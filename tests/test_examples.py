"""Every example host runs and shows the widgets."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from kat_widgets.fragments.assets import hashed_name
from tests.web.crawl import crawl

EXAMPLES = Path(__file__).parent.parent / "examples"
DRAPER = "721 E 12200 S, Draper, UT 84020"


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAT_DATA_DIR", str(tmp_path / "kat-data"))
    monkeypatch.chdir(tmp_path)


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # Litestar resolves the handlers' annotations through it
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_plain_python_prints_clinic_list() -> None:
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "plain_python.py")],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert DRAPER in result.stdout


@pytest.mark.slow
def test_fragments_do_not_import_litestar() -> None:
    code = (
        "import sys, kat_widgets, kat_widgets.fragments;"
        "kat_widgets.Widgets().clinic_list();"
        "assert not any(m.split('.')[0] == 'litestar' for m in sys.modules), 'litestar imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


@pytest.mark.parametrize("name", ["litestar_plugin", "litestar_mount"])
def test_litestar_hosts(name: str) -> None:
    from litestar.testing import TestClient

    with TestClient(load(name).app) as client:
        assert client.get("/").status_code == 200
        assert DRAPER in client.get("/widgets/embed/clinics").text
        assert client.get("/widgets/healthz").json() == {"status": "ok"}


@pytest.mark.parametrize("name", ["starlette_mount", "fastapi_mount"])
def test_starlette_family_hosts(name: str) -> None:
    from starlette.testclient import TestClient

    with TestClient(load(name).app) as client:
        assert client.get("/").status_code == 200
        page = client.get("/widgets/")
        assert DRAPER in page.text
        assert f'href="/widgets/static/{hashed_name("widgets.css")}"' in page.text


KAT = "http://kat.test"
"""Where the fragment-only examples link for booking (a kat-widgets server, in process here)."""


def _host_and_kat_server(host_get: Any) -> tuple[Callable[[str], Any], Any]:
    """A getter for the crawl: host paths to the host, ``KAT`` URLs to a kat-widgets app,
    both as a browser navigating (pages, not bare fragments)."""
    from litestar.testing import TestClient

    from kat_widgets import create_app

    kat = TestClient(create_app())
    navigate = {"Sec-Fetch-Dest": "document", "Accept": "text/html"}

    def get(url: str) -> Any:
        if url.startswith(KAT):
            return kat.get(url.removeprefix(KAT), headers=navigate)
        return host_get(url)

    return get, kat


def _check_host(get: Callable[[str], Any], home: str) -> None:
    """Styled widgets on the host's own page, and every link and asset answering 200."""
    assert DRAPER in home
    assert 'class="kat-widget kat-clinics"' in home and "&lt;section" not in home
    assert '<link rel="stylesheet" href="/kat-static/widgets.css">' in home
    assert '<link rel="stylesheet" href="/kat-static/crisis.css">' in home
    assert home.count("Get help now") == 1  # the bar's, not one per widget
    statuses = crawl(get, "/", origins=[KAT])
    statuses.update(crawl(get, "/?q=84020", origins=[KAT]))
    assert len(statuses) >= 20  # the host page, its assets, results, open times, forms
    assert statuses["/kat-static/widgets.css"] == 200
    assert statuses["/kat-static/locator.js"] == 200  # the search's own script
    # the search and its results on the host; "Book" and the open times on the kat server
    assert any(url.startswith(f"{KAT}/fragments/availability") for url in statuses)
    assert any(url.startswith(f"{KAT}/fragments/booking") for url in statuses)
    assert f"{KAT}/static/{hashed_name('widgets.css')}" in statuses  # the kat pages are styled too
    broken = {url: status for url, status in statuses.items() if status != 200}
    assert broken == {}


def test_flask_host_renders_styled_widgets_and_every_link_answers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KAT_WIDGETS_URL", KAT)
    monkeypatch.setenv("KAT_RATE_LIMIT_STORE", "off")  # the crawl is one fast visitor
    app = load("flask_fragments").app
    client = app.test_client()
    get, kat = _host_and_kat_server(client.get)
    with kat:
        _check_host(get, client.get("/").get_data(as_text=True))
    assert client.get("/kat-static/../pyproject.toml").status_code == 404
    assert client.get("/kat-static/nope.css").status_code == 404
    css = client.get("/kat-static/widgets.css")
    assert css.headers["Content-Type"].startswith("text/css")
    again = client.get("/kat-static/widgets.css", headers={"If-None-Match": css.headers["ETag"]})
    assert again.status_code == 304


def test_django_host_renders_styled_widgets_and_every_link_answers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KAT_WIDGETS_URL", KAT)
    monkeypatch.setenv("KAT_RATE_LIMIT_STORE", "off")  # the crawl is one fast visitor
    module = load("django_fragments")
    from django.test import Client

    client = Client()
    get, kat = _host_and_kat_server(client.get)
    assert module.WIDGETS is not None
    with kat:
        _check_host(get, client.get("/").content.decode())
    assert client.get("/kat-static/nope.js").status_code == 404
    css = client.get("/kat-static/crisis.css")
    assert css.headers["Content-Type"].startswith("text/css")
    assert client.get("/kat-static/crisis.css", HTTP_IF_NONE_MATCH=css["ETag"]).status_code == 304


def test_static_html_example_uses_embed_js() -> None:
    html = (EXAMPLES / "static_html" / "index.html").read_text(encoding="utf-8")
    assert 'data-kat-widget="clinics"' in html
    assert "/embed.js" in html


def test_static_asset_serves_only_our_files() -> None:
    from kat_widgets.errors import NotFoundError
    from kat_widgets.fragments import static_asset, static_directory

    names = {path.name for path in static_directory().iterdir()}
    assert {"widgets.css", "crisis.css", "embed.js", "times.js", "favicon.svg"} <= names
    assert static_asset("favicon.svg").content_type == "image/svg+xml"
    for name in ("../pyproject.toml", "/etc/passwd", "widgets.css/", "WIDGETS.CSS", "", "x" * 500):
        with pytest.raises(NotFoundError):
            static_asset(name)
