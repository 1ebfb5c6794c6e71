"""Our CSS and JS: linked by content-hashed names, served for a year as immutable; plain names
(embed.js's loader, hosts that copy the files) keep an hour of caching."""

from __future__ import annotations

import hashlib

from litestar import Litestar
from litestar.testing import TestClient

from kat_widgets.fragments.assets import hashed_name, static_directory, static_names


def test_our_pages_link_hashed_names_that_are_served_immutable(
    client: TestClient[Litestar],
) -> None:
    page = client.get("/").text
    for name in ("widgets.css", "crisis.css", "favicon.svg"):
        digest = hashlib.sha256((static_directory() / name).read_bytes()).hexdigest()[:10]
        assert hashed_name(name) == f"{name.rsplit('.', 1)[0]}.{digest}.{name.rsplit('.', 1)[1]}"
        assert f"/static/{hashed_name(name)}" in page
        asset = client.get(f"/static/{hashed_name(name)}")
        assert asset.status_code == 200
        assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert asset.content == (static_directory() / name).read_bytes()


def test_plain_and_stale_names_get_todays_file_for_an_hour(client: TestClient[Litestar]) -> None:
    for name in sorted(static_names()):
        plain = client.get(f"/static/{name}")
        assert plain.status_code == 200
        assert plain.headers["cache-control"] == "public, max-age=3600"
    stale = client.get("/static/widgets.0123456789.css")  # a page from before an upgrade
    assert stale.status_code == 200
    assert stale.headers["cache-control"] == "public, max-age=3600"
    assert stale.content == client.get("/static/widgets.css").content


def test_revalidation_head_and_unknown_names(client: TestClient[Litestar]) -> None:
    url = f"/static/{hashed_name('times.js')}"
    first = client.get(url)
    assert first.headers["content-type"].startswith("text/javascript")
    again = client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    head = client.head(url)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(len(first.content))
    for name in ("nope.css", "widgets.css.bak", "../pyproject.toml", "widgets.zz.css"):
        assert client.get(f"/static/{name}").status_code == 404
