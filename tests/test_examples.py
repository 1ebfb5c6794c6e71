"""Every example host runs and shows the widgets."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

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
        assert 'href="/widgets/static/widgets.css"' in page.text


def test_flask_host_renders_fragment_once_escaped() -> None:
    app = load("flask_fragments").app
    html = app.test_client().get("/").get_data(as_text=True)
    assert DRAPER in html
    assert '<section class="kat-widget kat-clinics"' in html
    assert "&lt;section" not in html


def test_django_host_renders_fragment() -> None:
    module = load("django_fragments")
    from django.test import Client

    html = Client().get("/").content.decode()
    assert module.WIDGETS is not None
    assert DRAPER in html
    assert '<section class="kat-widget kat-clinics"' in html
    assert "&lt;section" not in html


def test_static_html_example_uses_embed_js() -> None:
    html = (EXAMPLES / "static_html" / "index.html").read_text(encoding="utf-8")
    assert 'data-kat-widget="clinics"' in html
    assert "/embed.js" in html
