"""The floor the HTTP benchmarks are measured against, and an in-process ASGI caller.

``bare()``: a one-route Litestar app that renders a ~2 KB autoescaped Jinja2 page, nothing
else (the framework floor). ``stacked()``: our whole app (``create_app``: every middleware, the
request log, compression, security headers) with the same floor route added, so a ratio against
it measures only what our handlers add. Both are uvicorn factories (``--factory``).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from typing import Any

import jinja2
from litestar import Litestar, get
from litestar.response import Response

PAGE = jinja2.Environment(autoescape=True).from_string(
    """<section class="kat-widget" lang="{{ lang }}" aria-labelledby="floor-title">
<h2 id="floor-title">{{ title }}</h2>
<p>{{ lead }}</p>
<ul>
{% for row in rows %}<li><a href="{{ row.href }}">{{ row.name }}</a>
<span>{{ row.address }}</span> <span>{{ row.hours }}</span></li>
{% endfor %}</ul>
<p class="kat-note">{{ note }}</p>
</section>"""
)
ROWS = [
    {
        "href": f"/fragments/booking?clinic=c{n}&service=info-call",
        "name": f"Clinic number {n} <& friends>",
        "address": f"{100 + n} East Main Street, Suite {n}, Somewhere, UT 840{n:02d}",
        "hours": "Monday to Friday, 8:00 a.m. to 5:00 p.m.; Saturday by appointment",
    }
    for n in range(7)
]


@get("/__floor", sync_to_thread=False, include_in_schema=False)
def floor_page() -> Response[str]:
    html = PAGE.render(
        lang="en",
        title="Find a clinic near you",
        lead="Type a ZIP code, a city or an address, or share your location.",
        rows=ROWS,
        note="Times shown are in Mountain Time. Call us if you need help booking.",
    )
    return Response(html, media_type="text/html; charset=utf-8")


def bare() -> Litestar:
    return Litestar(route_handlers=[floor_page])


def stacked() -> Litestar:
    from kat_widgets import create_app
    from kat_widgets.web import app as web_app

    os.environ.setdefault("KAT_DATA_DIR", tempfile.mkdtemp(prefix="kat-floor-"))
    os.environ.setdefault("KAT_SECRET_KEY", "f" * 40)
    # the floor route among ours, inside our router, so it passes our router's middleware too
    # (request id and log, security headers, rate limit, body deadlines), not only the app's
    ours = web_app._route_handlers
    web_app._route_handlers = lambda context: [*ours(context), floor_page]
    try:
        app = create_app()  # the settings from KAT_* variables, as `kat-widgets serve` does
    finally:
        web_app._route_handlers = ours
    from kat_widgets.web.served import freeze_loaded

    app.on_startup.append(freeze_loaded)  # as served_app, the factory `serve` runs
    return app


def asgi_get(app: Any, target: str, headers: dict[str, str] | None = None) -> Any:
    """A zero-argument function sending one GET through ``app`` in process; it returns the
    status and the body's length (a wrong status raises)."""
    path, _, query = target.partition("?")
    extra = [(k.encode(), v.encode()) for k, v in (headers or {}).items()]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": query.encode(),
        "headers": [(b"host", b"127.0.0.1"), *extra],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    loop = asyncio.new_event_loop()

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def one() -> tuple[int, int]:
        status, size = 0, 0

        async def send(message: dict[str, Any]) -> None:
            nonlocal status, size
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                size += len(message.get("body", b""))

        await app(dict(scope), receive, send)
        if status not in (200, 304):
            raise RuntimeError(f"{target} answered {status}")
        return status, size

    return lambda: loop.run_until_complete(one())
