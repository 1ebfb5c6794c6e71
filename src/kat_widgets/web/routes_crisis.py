"""``GET /fragments/crisis-banner``: the crisis banner as an HTML fragment. No database."""

from __future__ import annotations

from typing import Annotated

from litestar import get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from litestar.response import Response

from kat_widgets.fragments.crisis import render_crisis_banner
from kat_widgets.fragments.widgets import FragmentView
from kat_widgets.web.context import AnyRequest, KatContext
from kat_widgets.web.errors import FRAGMENT
from kat_widgets.web.responses import fragment_response
from kat_widgets.web.schemas import FRAGMENT_ERRORS

__all__ = ["ROUTES", "crisis_banner"]


@get(
    "/fragments/crisis-banner",
    summary="Crisis-resource banner (HTML)",
    tags=["fragments"],
    sync_to_thread=False,
    media_type="text/html",
    responses=FRAGMENT_ERRORS,
    opt=FRAGMENT,
)
def crisis_banner(
    request: AnyRequest,
    kat: NamedDependency[KatContext],
    region: Annotated[
        str | None,
        QueryParameter(
            description="US, US-UT, CA or elsewhere; default: settings",
            schema_extra={"pattern": r"^\s*([A-Za-z]{2}(-[A-Za-z0-9]{1,3})?|elsewhere)\s*$"},
        ),
    ] = None,
    lang: Annotated[
        str | None,
        QueryParameter(
            description="en, es or fr; default: settings",
            schema_extra={"pattern": r"^\s*([Ee][Nn]|[Ee][Ss]|[Ff][Rr])([-_][A-Za-z]{2})?\s*$"},
        ),
    ] = None,
    variant: Annotated[
        str,
        QueryParameter(
            description="bar, card, inline or link",
            schema_extra={"enum": ["bar", "card", "inline", "link"]},
        ),
    ] = "bar",
) -> Response[str]:
    """The crisis banner (``bar``, ``card`` or ``inline``) for a region and language.

    ``region`` (``US``, ``US-UT``, ``CA``, ``elsewhere``) and ``lang`` (``en``, ``es``, ``fr``)
    default to the host's settings; the visitor is never located. Bad values answer 422.
    """
    html = render_crisis_banner(region, lang, variant, settings=kat.settings)
    view = FragmentView(html, "crisis-banner", "Get help now")
    return fragment_response(
        request,
        kat,
        view,
        headers={"Cache-Control": "public, max-age=3600"},
        kept_render=True,  # the same public HTML per region, language and variant
    )


ROUTES = [crisis_banner]
