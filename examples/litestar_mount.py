"""A partner's Litestar app that mounts the complete kat-widgets ASGI app under /widgets.

Run: python examples/litestar_mount.py, then open http://127.0.0.1:8001/widgets/
"""

from __future__ import annotations

from litestar import Litestar, MediaType, asgi, get

from kat_widgets import create_app, load_settings


@get("/", media_type=MediaType.HTML, sync_to_thread=False)
def home() -> str:
    return '<!doctype html><html lang="en"><title>Partner</title><a href="/widgets/">Widgets</a>'


kat = create_app(load_settings())
app = Litestar([home, asgi("/widgets", is_mount=True, copy_scope=True)(kat)])

if __name__ == "__main__":
    import uvicorn

    uvicorn.run(app, host="127.0.0.1", port=8001)
