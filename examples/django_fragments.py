"""A one-file Django host rendering kat-widgets fragments through a context processor.

Run ``kat-widgets serve`` (the booking pages, on http://127.0.0.1:8000), then
``python examples/django_fragments.py runserver 127.0.0.1:8001`` and open http://127.0.0.1:8001/

Django templates call ``{{ kat.clinic_list }}`` (no parentheses); the result has ``__html__``,
so Django inserts it unescaped, exactly once. The host serves the widgets' stylesheets and
scripts itself (``/kat-static/...``); "Book" and the open times go to the kat-widgets server
named by ``KAT_WIDGETS_URL``.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import django
from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY="example-only-not-secret-" + "x" * 32,
    ALLOWED_HOSTS=["127.0.0.1", "localhost", "testserver"],
    ROOT_URLCONF=__name__,
    TEMPLATES=[
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {"context_processors": [f"{__name__}.kat_widgets"]},
        }
    ],
)
django.setup()

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified  # noqa: E402
from django.template import engines  # noqa: E402
from django.urls import path  # noqa: E402

from kat_widgets import Widgets  # noqa: E402
from kat_widgets.errors import NotFoundError  # noqa: E402
from kat_widgets.fragments import static_asset  # noqa: E402

KAT_WIDGETS_URL = os.environ.get("KAT_WIDGETS_URL", "http://127.0.0.1:8000")
# the page shows the crisis bar at the top, so the widgets leave out their own crisis link
WIDGETS = Widgets(base_path=KAT_WIDGETS_URL, static_url="/kat-static", crisis_link=False)


def kat_widgets(request: HttpRequest) -> dict[str, Any]:
    return {"kat": WIDGETS, "locator": WIDGETS.locator(request.GET, action="/")}


PAGE = engines["django"].from_string(
    """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Our clinics</title>{{ kat.head }}</head>
<body>{{ kat.crisis_banner }}<main><h1>Our clinics</h1>{{ locator }}{{ kat.clinic_list }}</main>
</body></html>"""
)


def home(request: HttpRequest) -> HttpResponse:
    return HttpResponse(PAGE.render({}, request))


def kat_static(request: HttpRequest, name: str) -> HttpResponse:
    try:
        asset = static_asset(name)
    except NotFoundError:
        raise Http404(name) from None
    if request.headers.get("If-None-Match") == asset.etag:
        return HttpResponseNotModified(headers=asset.headers)
    return HttpResponse(asset.body, content_type=asset.content_type, headers=asset.headers)


urlpatterns = [path("", home), path("kat-static/<str:name>", kat_static)]

if __name__ == "__main__":
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
