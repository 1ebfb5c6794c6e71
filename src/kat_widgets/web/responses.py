"""HTML responses for fragments: bare for embed.js, a full page when navigated to directly."""

from __future__ import annotations

from litestar import Response
from markupsafe import Markup

from kat_widgets.web.context import AnyRequest, KatContext

__all__ = ["fragment_response", "wants_page"]

HTML = "text/html"
PAGE_DESTINATIONS = frozenset({"document", "iframe", "frame"})


def wants_page(request: AnyRequest) -> bool:
    """True when a browser navigates here (no-JS form post, iframe, link), not a fetch()."""
    return request.headers.get("sec-fetch-dest", "") in PAGE_DESTINATIONS


def fragment_response(
    request: AnyRequest,
    kat: KatContext,
    fragment: Markup,
    *,
    widget: str,
    title: str,
    status_code: int = 200,
    page: bool | None = None,
) -> Response[str]:
    """Answer with ``fragment``, wrapped in the embed page when a browser navigated here.

    A page keeps the styles and the iframe height reporting that a bare fragment lacks, so
    plain forms work with no JavaScript and inside an iframe alike.
    """
    as_page = wants_page(request) if page is None else page
    body = (
        kat.widgets_for(request).render(
            "embed/page.html", fragment=fragment, widget=widget, title=title
        )
        if as_page
        else fragment
    )
    return Response(
        str(body),
        status_code=status_code,
        media_type=HTML,
        headers={"Vary": "Sec-Fetch-Dest"},
    )
