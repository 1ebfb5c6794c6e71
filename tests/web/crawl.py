"""Follow every internal link, asset and GET form action a page emits."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from html import unescape
from typing import Any
from urllib.parse import urljoin

ATTRIBUTE = re.compile(r'\b(?:href|src)="([^"]+)"')
GET_FORM = re.compile(r'<form\b(?![^>]*method="post")[^>]*\baction="([^"]+)"', re.I)


def internal_links(html: str, page: str = "", origins: Iterable[str] = ()) -> set[str]:
    """Links, assets and GET form actions (a POST form is not something to GET).

    Relative URLs are resolved against ``page``; absolute ones are kept when they start with
    one of ``origins`` (another server the crawl may visit), else left out.
    """
    origins = tuple(origins)
    links = set()
    for raw in [*ATTRIBUTE.findall(html), *GET_FORM.findall(html)]:
        url = urljoin(page, unescape(raw)).split("#")[0]
        other_server = bool(origins) and url.startswith(origins)
        if other_server or (url.startswith("/") and not url.startswith("//")):
            links.add(url)
    return links


def crawl(
    get: Callable[[str], Any], start: str, *, limit: int = 200, origins: Iterable[str] = ()
) -> dict[str, int]:
    """GET ``start`` and every internal URL reachable from it; return status by URL.

    ``get`` receives paths (``/x``) and, for pages of ``origins``, absolute URLs.
    """
    origins = tuple(origins)
    seen: dict[str, int] = {}
    queue = [start]
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        response = get(url)
        seen[url] = response.status_code
        if "text/html" in response.headers.get("content-type", ""):
            found = internal_links(response.text, url, origins)
            queue.extend(sorted(found - set(seen)))
    return seen
