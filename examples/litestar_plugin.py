"""A partner's Litestar app that adds the kat-widgets routes with the plugin.

Run: python examples/litestar_plugin.py, then open http://127.0.0.1:8001/
"""

from __future__ import annotations

from litestar import Litestar, MediaType, get

from kat_widgets import load_settings
from kat_widgets.web import KatWidgetsPlugin

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Partner site</title>
</head><body><main><h1>Partner clinic network</h1>
<p><a href="/widgets/embed/clinics">Find a clinic</a></p></main></body></html>"""


@get("/", media_type=MediaType.HTML, sync_to_thread=False)
def home() -> str:
    return PAGE


app = Litestar([home], plugins=[KatWidgetsPlugin(load_settings(), path="/widgets")])

if __name__ == "__main__":
    import uvicorn

    uvicorn.run(app, host="127.0.0.1", port=8001)
