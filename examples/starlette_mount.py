"""A Starlette host mounting kat-widgets under /widgets.

Run: python examples/starlette_mount.py, then open http://127.0.0.1:8001/widgets/
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Mount, Route

from kat_widgets import create_app, load_settings


async def home(_: Request) -> HTMLResponse:
    return HTMLResponse('<!doctype html><html lang="en"><a href="/widgets/">Widgets</a>')


app = Starlette(routes=[Route("/", home), Mount("/widgets", app=create_app(load_settings()))])

if __name__ == "__main__":
    import uvicorn

    uvicorn.run(app, host="127.0.0.1", port=8001)
