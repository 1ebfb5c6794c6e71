"""A Django ASGI project serving kat-widgets under /widgets, next to its own views.

Run: python examples/django_asgi_mount.py, then open http://127.0.0.1:8001/widgets/
In a real project the dispatcher below goes in ``asgi.py`` and ``application`` is what your
ASGI server (uvicorn, daphne, hypercorn) runs. Lifespan events go to kat-widgets: Django's
handler accepts only HTTP.
"""

from __future__ import annotations

from typing import Any

import django
from django.conf import settings

if not settings.configured:  # a real project does this in settings.py
    settings.configure(
        DEBUG=False,
        SECRET_KEY="example-only-not-secret-" + "x" * 32,
        ALLOWED_HOSTS=["127.0.0.1", "localhost", "testserver"],
        ROOT_URLCONF=__name__,
    )
    django.setup()

from django.core.asgi import get_asgi_application
from django.http import HttpRequest, HttpResponse
from django.urls import path

from kat_widgets import create_app, load_settings

PREFIX = "/widgets"


def home(_: HttpRequest) -> HttpResponse:
    return HttpResponse('<!doctype html><html lang="en"><a href="/widgets/">Widgets</a>')


urlpatterns = [path("", home)]

django_app = get_asgi_application()
kat_app = create_app(load_settings())


async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Send ``/widgets/...`` to kat-widgets (with ``root_path``), the rest to Django."""
    if scope["type"] == "lifespan":
        await kat_app(scope, receive, send)  # type: ignore[arg-type]
        return
    url = scope.get("path", "")
    if url == PREFIX or url.startswith(PREFIX + "/"):
        # ASGI: root_path is where the app is mounted; path stays the full path
        scope = {**scope, "root_path": scope.get("root_path", "") + PREFIX}
        await kat_app(scope, receive, send)  # type: ignore[arg-type]
        return
    await django_app(scope, receive, send)


if __name__ == "__main__":
    import uvicorn

    uvicorn.run(application, host="127.0.0.1", port=8001)
