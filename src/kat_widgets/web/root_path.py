"""Make every ASGI ``path`` include ``root_path`` before Litestar routes it.

ASGI servers disagree on ``path`` under a ``root_path``: uvicorn 0.26+ and Starlette mounts send
the full path (``/kat/bookings/…``), older servers and test clients send the path below the root
(``/bookings/…``). Litestar copes with both by cutting the path at the *first occurrence* of
``root_path`` (``path.split(root_path, 1)[-1]``), which is wrong when the root reappears inside a
path it does not start: under ``root_path="/k"`` the manage page ``/bookings/kX…`` of a token that
begins with ``k`` was cut to ``X…`` and answered 404 — one booking in 64. Prefixing the root
first makes Litestar's cut land on the prefix itself.
"""

from __future__ import annotations

from urllib.parse import quote

from litestar import Litestar
from litestar.types import LifeSpanReceive, LifeSpanScope, LifeSpanSend, Receive, Scope, Send

__all__ = ["RootPathLitestar", "with_root_in_path"]


def with_root_in_path(scope: Scope | LifeSpanScope) -> Scope | LifeSpanScope:
    """``scope`` with ``root_path`` leading ``path`` and ``raw_path`` (a copy when changed)."""
    if scope["type"] not in ("http", "websocket"):
        return scope
    root = str(scope.get("root_path") or "").rstrip("/")
    path = scope["path"]
    if not root or path == root or path.startswith(root + "/"):
        return scope
    changed = dict(scope)
    changed["path"] = root + path
    raw = scope.get("raw_path")
    raw_root = quote(root).encode("ascii")  # raw_path is the percent-encoded form
    if raw is not None and not (raw == raw_root or raw.startswith(raw_root + b"/")):
        changed["raw_path"] = raw_root + raw
    return changed  # type: ignore[return-value]


class RootPathLitestar(Litestar):
    """A Litestar app that routes correctly whichever ``path`` convention the server follows."""

    async def __call__(
        self,
        scope: Scope | LifeSpanScope,
        receive: Receive | LifeSpanReceive,
        send: Send | LifeSpanSend,
    ) -> None:
        await super().__call__(with_root_in_path(scope), receive, send)
