from __future__ import annotations

import gzip

from litestar import Litestar
from litestar.testing import TestClient

from kat_widgets.fragments.assets import hashed_name


def test_embed_js_is_small_javascript(client: TestClient[Litestar]) -> None:
    response = client.get("/embed.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert len(gzip.compress(response.content, 9)) <= 4096
    assert b"attachShadow" in response.content


def test_embed_page_wraps_widget_with_height_reporter(client: TestClient[Litestar]) -> None:
    response = client.get("/embed/clinics")
    assert response.status_code == 200
    html = response.text
    assert html.startswith("<!doctype html>")
    assert 'data-kat-widget-page="clinics"' in html
    assert f'<script src="/static/{hashed_name("embed-frame.js")}" defer></script>' in html
    assert "721 E 12200 S, Draper, UT 84020" in html


def test_unknown_widget_is_404_with_the_list(client: TestClient[Litestar]) -> None:
    response = client.get("/embed/<script>")
    assert response.status_code == 404
    # an iframe page: our page with the list, the name escaped
    assert response.headers["content-type"].startswith("text/html")
    assert "clinics" in response.text and "<script>" not in response.text.split("<body", 1)[1]


def test_fragment_is_bare_for_fetch_and_a_page_for_navigation(client: TestClient[Litestar]) -> None:
    bare = client.get("/fragments/clinics", headers={"Sec-Fetch-Dest": "empty"})
    assert bare.text.lstrip().startswith("<section")
    assert "Sec-Fetch-Dest" in bare.headers["vary"].split(",")  # and Accept-Encoding when gzipped
    page = client.get("/fragments/clinics", headers={"Sec-Fetch-Dest": "iframe"})
    assert page.text.startswith("<!doctype html>")


def test_embed_js_loads_every_stylesheet() -> None:
    from kat_widgets.fragments.widgets import STYLESHEETS
    from kat_widgets.web.routes_embed import EMBED_JS

    assert f"var STYLES = {list(STYLESHEETS)!r};".replace("'", '"').encode() in EMBED_JS


def test_our_pages_have_an_icon(client: TestClient[Litestar]) -> None:
    for path in ("/", "/embed/clinics"):
        assert (
            f'<link rel="icon" href="/static/{hashed_name("favicon.svg")}" type="image/svg+xml">'
            in (client.get(path).text)
        )
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.text.startswith("<svg")


def test_embed_js_knows_our_languages_and_words() -> None:
    """embed.js's language names and its English words are the server's (the server sends the
    words translated with each widget, see test_spanish)."""
    import json
    import re

    from kat_widgets import i18n
    from kat_widgets.fragments.renderer import EMBED_WORDS
    from kat_widgets.web.routes_embed import EMBED_JS

    script = EMBED_JS.decode()
    names = re.search(r"var LANGUAGES = (\{[^}]*\});", script)
    english = re.search(r"var ENGLISH = (\{[^}]*\});", script, re.S)
    assert names and english
    as_json = re.sub(r"(\w+):", r'"\1":', names.group(1))
    assert json.loads(as_json) == i18n.AUTONYMS
    words = re.sub(r"^\s*(\w+):", r'"\1":', english.group(1), flags=re.M)
    assert json.loads(words) == EMBED_WORDS
