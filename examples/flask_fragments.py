"""A Flask host rendering kat-widgets fragments in its own Jinja2 templates (no Litestar).

Run ``kat-widgets serve`` (the booking pages, on http://127.0.0.1:8000), then
``python examples/flask_fragments.py`` and open http://127.0.0.1:8001/

The host renders the widgets in process and serves their stylesheets and scripts itself
(``/kat-static/...``); a search submits to this page; "Book" and the open times go to the
kat-widgets server named by ``KAT_WIDGETS_URL``, where visitors book.
"""

from __future__ import annotations

import os

from flask import Flask, Response, abort, render_template_string, request

from kat_widgets import Widgets
from kat_widgets.errors import NotFoundError
from kat_widgets.fragments import install, static_asset

KAT_WIDGETS_URL = os.environ.get("KAT_WIDGETS_URL", "http://127.0.0.1:8000")

app = Flask(__name__)
# the page shows the crisis bar at the top, so the widgets leave out their own crisis link
widgets = Widgets(base_path=KAT_WIDGETS_URL, static_url="/kat-static", crisis_link=False)
install(app.jinja_env, widgets)

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Our clinics</title>
  {{ kat.head() }}
</head>
<body>
  {{ kat.crisis_banner() }}
  <main>
    <h1>Our clinics</h1>
    {{ kat.locator(request.args, action="/") }}
    {{ kat.clinic_list() }}
  </main>
</body>
</html>"""


@app.get("/")
def home() -> str:
    return render_template_string(PAGE)


@app.get("/kat-static/<name>")
def kat_static(name: str) -> Response:
    try:
        asset = static_asset(name)
    except NotFoundError:
        abort(404)
    if request.if_none_match.contains(asset.etag.strip('"')):
        return Response(status=304, headers=asset.headers)
    return Response(asset.body, content_type=asset.content_type, headers=asset.headers)


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=8001)
