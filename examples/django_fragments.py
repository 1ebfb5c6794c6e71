"""A one-file Django host rendering kat-widgets fragments through a context processor.

Run: python examples/django_fragments.py runserver 127.0.0.1:8001
Django templates call ``{{ kat.clinic_list }}`` (no parentheses); the result has ``__html__``,
so Django inserts it unescaped, exactly once.
"""

from __future__ import annotations

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

from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.template import engines  # noqa: E402
from django.urls import path  # noqa: E402

from kat_widgets import Widgets  # noqa: E402

WIDGETS = Widgets()


def kat_widgets(_: HttpRequest) -> dict[str, Any]:
    return {"kat": WIDGETS}


PAGE = engines["django"].from_string(
    """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Django host</title>
</head><body><main><h1>Our clinics</h1>{{ kat.clinic_list }}</main></body></html>"""
)


def home(request: HttpRequest) -> HttpResponse:
    return HttpResponse(PAGE.render({}, request))


urlpatterns = [path("", home)]

if __name__ == "__main__":
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
