"""HTML responses for fragments: bare for embed.js, a full page when navigated to directly."""

from __future__ import annotations

from typing import Any, TypeVar

from litestar import Response
from litestar.exceptions import HTTPException
from litestar.exceptions.responses import create_exception_response
from litestar.serialization import default_serializer
from litestar.types import Serializer

from kat_widgets.fragments.widgets import FragmentView
from kat_widgets.memo import IdentityMemo
from kat_widgets.web.context import AnyRequest, KatContext

__all__ = [
    "SafeJSONResponse",
    "fragment_response",
    "inert_json",
    "safe_http_error",
    "wants_page",
]

HTML = "text/html"
PAGE_DESTINATIONS = frozenset({"document", "iframe", "frame"})


T = TypeVar("T")
_JSON_UNSAFE = ((b"<", b"\\u003c"), (b">", b"\\u003e"), (b"&", b"\\u0026"))


def inert_json(body: bytes) -> bytes:
    """JSON ``body`` with ``<``, ``>`` and ``&`` as ``\\u`` escapes (:class:`SafeJSONResponse`)."""
    for raw, escaped in _JSON_UNSAFE:
        body = body.replace(raw, escaped)
    return body


class SafeJSONResponse(Response[T]):
    """JSON with ``<``, ``>`` and ``&`` as ``\\u`` escapes: the same data once parsed, and inert
    even if a host pastes it into HTML. Those characters only occur inside JSON strings."""

    def render(
        self, content: Any, media_type: str, enc_hook: Serializer = default_serializer
    ) -> bytes:
        body = super().render(content, media_type, enc_hook)
        return inert_json(body) if "json" in media_type else body


def safe_http_error(request: AnyRequest, exc: HTTPException) -> Response[Any]:
    """Litestar's own answer to an HTTPException, with its JSON made inert like ours.

    Some details echo the request (a static file's path); Litestar renders them as plain JSON,
    or as JSON bytes under the route's own media type (``text/html`` for fragments).
    """
    response = create_exception_response(request, exc)
    content = response.content
    if isinstance(content, bytes):
        content = inert_json(content)
    return SafeJSONResponse(
        content,
        status_code=response.status_code,
        headers=dict(response.headers),
        media_type=response.media_type,
    )


def wants_page(request: AnyRequest) -> bool:
    """True when a browser navigates here (no-JS form post, iframe, link), not a fetch()."""
    return request.headers.get("sec-fetch-dest", "") in PAGE_DESTINATIONS


_utf8_of_kept = IdentityMemo(str.encode, size=64)
"""A kept render in UTF-8, the same bytes object for the same render: a render its widget keeps
(a locator search asked again) is encoded once, and brotli's memory knows the bytes by identity
instead of hashing 20 KB again (~20 us, #14)."""


def fragment_response(
    request: AnyRequest,
    kat: KatContext,
    view: FragmentView,
    *,
    page: bool | None = None,
    headers: dict[str, str] | None = None,
    kept_render: bool = False,
) -> Response[str]:
    """Answer with ``view``'s widget, wrapped in the embed page when a browser navigated here.

    A page keeps the styles and the iframe height reporting that a bare fragment lacks, so
    plain forms work with no JavaScript and inside an iframe alike. ``kept_render``: the widget
    keeps its renders for repeated requests (so the same HTML object comes back), and they hold
    no token or visitor's details: its bytes are kept beside it.
    """
    as_page = wants_page(request) if page is None else page
    # a language switch only where following its link shows this page again (not after a POST)
    query = dict(request.query_params) if request.method == "GET" else None
    body = (
        kat.widgets_for(request).renderer.page(
            view.html, widget=view.widget, title=view.title, query=query
        )
        if as_page
        else view.html
    )
    content: str | bytes = _utf8_of_kept(body) if kept_render and not as_page else str(body)
    return Response(
        content,  # type: ignore[arg-type]  # bytes are sent as they are
        status_code=view.status,
        media_type=HTML,
        # the language follows Accept-Language when no ?lang= says otherwise
        headers={"Vary": "Sec-Fetch-Dest, Accept-Language", **(headers or {})},
    )
