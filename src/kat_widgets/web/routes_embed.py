"""Embedding: the ``embed.js`` loader, ``/embed/{widget}`` pages for iframes, our CSS and JS."""

from __future__ import annotations

from pathlib import Path

from litestar import get, head
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Response

from kat_widgets.errors import NotFoundError
from kat_widgets.fragments.assets import StaticAsset, static_asset
from kat_widgets.web.context import AnyRequest, KatContext
from kat_widgets.web.errors import PAGE
from kat_widgets.web.responses import fragment_response

__all__ = ["ROUTES", "embed_js", "embed_page", "static_file", "static_file_head"]

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


def _asset(request: AnyRequest, name: str) -> tuple[StaticAsset, bool]:
    """The asset, and whether the client's copy is it (``If-None-Match``)."""
    if len(name.encode()) > 100:  # not one of ours; never echoed or logged
        raise NotFoundError("No widget asset has such a name.")
    asset = static_asset(name)
    wanted = {tag.strip() for tag in request.headers.get("if-none-match", "").split(",")}
    return asset, asset.etag in wanted or f"W/{asset.etag}" in wanted


@get("/static/{name:str}", include_in_schema=False, sync_to_thread=False)
def static_file(request: AnyRequest, name: FromPath[str]) -> Response[bytes]:
    """``widgets.css`` and the rest; by a content-hashed name (what our pages link) for a year,
    ``immutable``."""
    asset, fresh = _asset(request, name)
    if fresh:
        return Response(b"", status_code=304, headers=asset.headers)
    return Response(asset.body, media_type=asset.content_type, headers=asset.headers)


@head("/static/{name:str}", include_in_schema=False, sync_to_thread=False)
def static_file_head(request: AnyRequest, name: FromPath[str]) -> Response[None]:
    asset, _ = _asset(request, name)
    return Response(
        None,
        media_type=asset.content_type,
        headers={**asset.headers, "Content-Length": str(len(asset.body))},
    )


ROUTES = [embed_js, embed_page, static_file, static_file_head]
