"""Follow every internal link, asset and GET form action a page emits."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape
from typing import Any

ATTRIBUTE = re.compile(r'\b(?:href|src)="([^"]+)"')
GET_FORM = re.compile(r'<form\b(?![^>]*method="post")[^>]*\baction="([^"]+)"', re.I)


def internal_links(html: str) -> set[str]:
    """Links, assets and GET form actions (a POST form is not something to GET)."""
    links = set()
    for raw in [*ATTRIBUTE.findall(html), *GET_FORM.findall(html)]:
        url = unescape(raw)
        if url.startswith("/") and not url.startswith("//"):
            links.add(url.split("#")[0])
    return links


def crawl(get: Callable[[str], Any], start: str, *, limit: int = 200) -> dict[str, int]:
    """GET ``start`` and every internal URL reachable from it; return status by URL."""
    seen: dict[str, int] = {}
    queue = [start]
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        response = get(url)
        seen[url] = response.status_code
        if "text/html" in response.headers.get("content-type", ""):
            queue.extend(sorted(internal_links(response.text) - set(seen)))
    return seen
