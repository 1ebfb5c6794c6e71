"""A FastAPI host mounting kat-widgets under /widgets.

Run: python examples/fastapi_mount.py, then open http://127.0.0.1:8001/widgets/
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from kat_widgets import create_app, load_settings

app = FastAPI()
app.mount("/widgets", create_app(load_settings()))


@app.get("/", response_class=HTMLResponse)
def home() -> str:
    return '<!doctype html><html lang="en"><a href="/widgets/">Widgets</a>'


if __name__ == "__main__":
    import uvicorn

    uvicorn.run(app, host="127.0.0.1", port=8001)
