"""The app mounted under /widgets in Starlette, FastAPI and Litestar: every link resolves."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from litestar import Litestar, asgi, get
from litestar.testing import TestClient

from kat_widgets import Settings, create_app
from kat_widgets.fragments.assets import hashed_name
from kat_widgets.web import KatWidgetsPlugin

from .crawl import crawl


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # a crawl follows every link at once, far faster than a person: no rate limits here
    return Settings(
        data_dir=str(tmp_path / "kat-data"), secret_key="s" * 40, rate_limit_store="off"
    )


@contextmanager
def starlette_host(settings: Settings) -> Iterator[Any]:
    from starlette.applications import Starlette
    from starlette.routing import Mount
    from starlette.testclient import TestClient as StarletteClient

    host = Starlette(routes=[Mount("/widgets", app=create_app(settings))])
    with StarletteClient(host) as client:
        yield client


@contextmanager
def fastapi_host(settings: Settings) -> Iterator[Any]:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient as FastAPIClient

    host = FastAPI()
    host.mount("/widgets", create_app(settings))
    with FastAPIClient(host) as client:
        yield client


@get("/", sync_to_thread=False)
def host_home() -> str:
    return "the host's own page"


@contextmanager
def litestar_mount_host(settings: Settings) -> Iterator[Any]:
    kat = create_app(settings)
    host = Litestar([host_home, asgi("/widgets", is_mount=True, copy_scope=True)(kat)])
    with TestClient(host) as client:
        yield client


@contextmanager
def litestar_plugin_host(settings: Settings) -> Iterator[Any]:
    host = Litestar([host_home], plugins=[KatWidgetsPlugin(settings, path="/widgets")])
    with TestClient(host) as client:
        yield client


HOSTS = {
    "starlette": starlette_host,
    "fastapi": fastapi_host,
    "litestar-mount": litestar_mount_host,
    "litestar-plugin": litestar_plugin_host,
}


@pytest.mark.parametrize("host", sorted(HOSTS))
def test_every_link_resolves_under_the_prefix(host: str, settings: Settings) -> None:
    with HOSTS[host](settings) as client:
        statuses = crawl(client.get, "/widgets/")
        for name in ("clinics", "crisis-banner", "locator", "availability?clinic=draper"):
            statuses.update(crawl(client.get, f"/widgets/embed/{name}"))
        assert f"/widgets/static/{hashed_name('widgets.css')}" in statuses
        assert all(url.startswith("/widgets/") for url in statuses), statuses
        broken = {url: status for url, status in statuses.items() if status >= 400}
        assert broken == {}


@pytest.mark.parametrize("host", sorted(HOSTS))
def test_json_and_embed_under_the_prefix(host: str, settings: Settings) -> None:
    with HOSTS[host](settings) as client:
        assert client.get("/widgets/healthz").json() == {"status": "ok"}
        assert len(client.get("/widgets/api/clinics").json()["clinics"]) == 5
        page = client.get("/widgets/embed/clinics")
        assert page.status_code == 200
        assert f'src="/widgets/static/{hashed_name("embed-frame.js")}"' in page.text
        assert client.get("/widgets/embed.js").status_code == 200


@pytest.mark.parametrize("host", sorted(HOSTS))
def test_the_fhir_manifest_points_under_the_prefix(host: str, settings: Settings) -> None:
    """SMART Scheduling Links wants absolute URLs: each carries the mount prefix and resolves."""
    with HOSTS[host](settings) as client:
        manifest = client.get("/widgets/fhir/$bulk-publish").json()
        urls = [manifest["request"], *(output["url"] for output in manifest["output"])]
        for url in urls:
            parts = urlsplit(url)
            assert parts.scheme == "http" and parts.netloc, url
            assert parts.path.startswith("/widgets/fhir/"), url
        for url in urls[1:3]:
            assert client.get(urlsplit(url).path).status_code == 200, url


def test_plugin_keeps_host_routes(settings: Settings) -> None:
    with litestar_plugin_host(settings) as client:
        assert client.get("/").text == "the host's own page"
        assert client.get("/widgets/healthz").status_code == 200


def test_plugin_path_must_be_absolute(settings: Settings) -> None:
    with pytest.raises(ValueError, match="path must start"):
        KatWidgetsPlugin(settings, path="widgets")


@pytest.mark.slow
def test_django_asgi_host_routes_the_widgets_and_keeps_its_pages(
    settings: Settings, tmp_path: Path
) -> None:
    """examples/django_asgi_mount.py, in its own process (Django settings are per process)."""
    root = Path(__file__).parents[2]
    # the repository first, then whatever this process was given (a worktree's src/, say)
    path = os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))
    env = {
        **os.environ,
        "KAT_DATA_DIR": settings.data_dir,
        "KAT_RATE_LIMIT_STORE": "off",
        "PYTHONPATH": path,
    }
    done = subprocess.run(
        [sys.executable, "-m", "tests.web.django_host_check"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.splitlines()[-1])
    statuses: dict[str, int] = seen["crawl"]
    assert f"/widgets/static/{hashed_name('widgets.css')}" in statuses
    assert all(url.startswith("/widgets/") for url in statuses), statuses
    assert {url: s for url, s in statuses.items() if s >= 400} == {}
    assert seen["healthz"] == {"status": "ok"} and seen["clinics"] == 5
    assert seen["own_page"] == 200 and seen["not_ours"] == 404
