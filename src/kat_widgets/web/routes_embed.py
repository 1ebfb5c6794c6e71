"""Embedding: the ``embed.js`` loader and ``/embed/{widget}`` pages for iframes."""

from __future__ import annotations

from pathlib import Path

from litestar import get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Response

from kat_widgets.errors import NotFoundError
from kat_widgets.web.context import AnyRequest, KatContext
from kat_widgets.web.errors import PAGE
from kat_widgets.web.responses import fragment_response

__all__ = ["ROUTES", "embed_js", "embed_page"]

EMBED_JS = (Path(__file__).resolve().parent.parent / "static" / "embed.js").read_bytes()


@get("/embed.js", include_in_schema=False, sync_to_thread=False)
def embed_js() -> Response[bytes]:
    """The dependency-free loader hosts add to their pages."""
    return Response(
        EMBED_JS,
        media_type="text/javascript",  # Litestar adds "; charset=utf-8"
        headers={"Cache-Control": "public, max-age=3600", "Access-Control-Allow-Origin": "*"},
    )


@get("/embed/{widget:str}", include_in_schema=False, sync_to_thread=False, opt=PAGE)
def embed_page(
    request: AnyRequest, widget: FromPath[str], kat: NamedDependency[KatContext]
) -> Response[str]:
    """A whole page holding one widget, for ``<iframe src=".../embed/locator">``."""
    widgets = kat.widgets_for(request)
    if widget not in widgets.embeddable:
        names = ", ".join(sorted(widgets.embeddable))
        raise NotFoundError(f"No widget called {widget!r}. Widgets: {names}.")  # escaped
    params = {key: value for key, value in request.query_params.items()}
    view = widgets.fragment_view(widget, params, busy_provider=kat.busy_provider, now=kat.clock())
    # the page itself is fine even when the widget shows a message (a search found nothing)
    return fragment_response(request, kat, view._replace(status=200), page=True)


ROUTES = [embed_js, embed_page]
