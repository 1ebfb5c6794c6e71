"""Crisis-banner fragment requests/second vs a plain Litestar text route and a plain Jinja route.

All three routes live in the same app (the real ``create_app`` plus two baseline routes) and are
driven in-process through ASGI, so the figures compare the handlers, not a network or a server.
Goal: the crisis banner at >= 0.8x the Jinja route. Run: ``python benchmarks/crisis_http.py``.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from typing import Any

import jinja2
from _harness import best_time, report
from litestar import MediaType, get
from litestar.response import Response

from kat_widgets import Settings, create_app
from kat_widgets.crisis import bundled_crisis_data
from kat_widgets.fragments.crisis import render_crisis_banner

PAGE = jinja2.Environment(autoescape=True).from_string(
    '<aside lang="{{ lang }}" aria-label="{{ label }}"><p>{{ lead }}</p><ul>'
    '{% for href, text in links %}<li><a href="{{ href }}">{{ text }}</a></li>{% endfor %}'
    "</ul></aside>"
)
LINKS = [("tel:988", "Call 988"), ("sms:988", "Text 988"), ("tel:911", "Call 911")]


@get("/bench/text", sync_to_thread=False, media_type=MediaType.TEXT)
def plain_text() -> str:
    return "ok"


@get("/bench/jinja", sync_to_thread=False)
def plain_jinja(lang: str = "en") -> Response[str]:
    html = PAGE.render(lang=lang, label="Crisis support", lead="Help is available.", links=LINKS)
    return Response(html, media_type="text/html; charset=utf-8")


def asgi_caller(app: Any, path: str, query: str) -> Any:
    """A zero-argument function that sends one GET through the app and checks the status."""
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
        "headers": [(b"host", b"bench.local")],
        "client": ("127.0.0.1", 1),
        "server": ("bench.local", 80),
    }
    loop = asyncio.new_event_loop()

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def one() -> None:
        status = 0

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]

        await app(dict(scope), receive, send)
        if status != 200:
            raise RuntimeError(f"{path}?{query} answered {status}")

    return lambda: loop.run_until_complete(one())


def main() -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        app = create_app(Settings(data_dir=data_dir, secret_key="x" * 40))
        # one JSON log line per request would measure the terminal; the bench routes have none
        logging.getLogger("kat_widgets.requests").setLevel(logging.WARNING)
        app.register(plain_text)
        app.register(plain_jinja)
        calls = {
            "text": asgi_caller(app, "/bench/text", ""),
            "jinja": asgi_caller(app, "/bench/jinja", "lang=en"),
            "crisis_bar": asgi_caller(
                app, "/fragments/crisis-banner", "region=US-UT&lang=en&variant=bar"
            ),
            "crisis_card": asgi_caller(
                app, "/fragments/crisis-banner", "region=US-UT&lang=es&variant=card"
            ),
        }
        number = 2000
        for call in calls.values():  # warm up: compile templates, fill caches
            for _ in range(200):
                call()
        best = dict.fromkeys(calls, float("inf"))
        for _ in range(7):  # interleaved rounds, so load from other processes hits all alike
            for name, call in calls.items():
                best[name] = min(best[name], best_time(call, repeat=1, number=number))
        per_second = {name: 1 / seconds for name, seconds in best.items()}
        data = bundled_crisis_data()  # passing data skips the per-(region, lang) HTML cache
        uncached = 1 / best_time(
            lambda: render_crisis_banner("US-UT", "en", "bar", data=data), number=number
        )
    report(
        "crisis_http",
        {
            "crisis_bar_render_uncached_per_s": round(uncached),
            "text_rps": round(per_second["text"]),
            "jinja_rps": round(per_second["jinja"]),
            "crisis_bar_rps": round(per_second["crisis_bar"]),
            "crisis_card_rps": round(per_second["crisis_card"]),
            "crisis_bar_vs_jinja": round(per_second["crisis_bar"] / per_second["jinja"], 2),
            "crisis_card_vs_jinja": round(per_second["crisis_card"] / per_second["jinja"], 2),
            "crisis_bar_vs_text": round(per_second["crisis_bar"] / per_second["text"], 2),
        },
    )


if __name__ == "__main__":
    main()
