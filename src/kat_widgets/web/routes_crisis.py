"""``GET /fragments/crisis-banner``: the crisis banner as an HTML fragment. No database."""

from __future__ import annotations

from typing import Annotated

from litestar import get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from litestar.response import Response

from kat_widgets.fragments.crisis import render_crisis_banner
from kat_widgets.web.context import KatContext

__all__ = ["ROUTES", "crisis_banner"]


@get("/fragments/crisis-banner", tags=["fragments"], sync_to_thread=False)
def crisis_banner(
    kat: NamedDependency[KatContext],
    region: Annotated[
        str | None, QueryParameter(description="US, US-UT, CA or elsewhere; default: settings")
    ] = None,
    lang: Annotated[
        str | None, QueryParameter(description="en, es or fr; default: settings")
    ] = None,
    variant: Annotated[str, QueryParameter(description="bar, card or inline")] = "bar",
) -> Response[str]:
    """The crisis banner (``bar``, ``card`` or ``inline``) for a region and language.

    ``region`` (``US``, ``US-UT``, ``CA``, ``elsewhere``) and ``lang`` (``en``, ``es``, ``fr``)
    default to the host's settings; the visitor is never located. Bad values answer 422.
    """
    html = render_crisis_banner(region, lang, variant, settings=kat.settings)
    return Response(
        str(html),
        media_type="text/html; charset=utf-8",
        headers={"Cache-Control": "public, max-age=3600"},
    )


ROUTES = [crisis_banner]
