"""A Flask host rendering kat-widgets fragments in its own Jinja2 templates (no Litestar).

Run: python examples/flask_fragments.py, then open http://127.0.0.1:8001/
"""

from __future__ import annotations

from flask import Flask, render_template_string

from kat_widgets import Widgets
from kat_widgets.fragments import install

app = Flask(__name__)
install(app.jinja_env, Widgets())

PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Flask host</title></head>
<body><main>
  <h1>Our clinics</h1>
  {{ kat.clinic_list() }}
</main></body>
</html>"""


@app.get("/")
def home() -> str:
    return render_template_string(PAGE)


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=8001)
