"""The widgets' stylesheets and scripts, for a host that serves them itself.

A host rendering fragments in process (Flask, Django, plain WSGI) serves these files at the
``static_url`` it gives :class:`~kat_widgets.Widgets`; a Starlette or Litestar host can point
its own static-files route at :func:`static_directory` instead::

    asset = static_asset(name)  # raises NotFoundError for anything that is not ours
    return Response(asset.body, content_type=asset.content_type, headers=asset.headers)
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import NamedTuple

from kat_widgets.errors import NotFoundError

__all__ = ["StaticAsset", "hashed_name", "static_asset", "static_directory", "static_names"]

_DIRECTORY = Path(__file__).resolve().parent.parent / "static"
_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
}


class StaticAsset(NamedTuple):
    """One file: its bytes, its type and the headers to send with it."""

    name: str
    body: bytes
    content_type: str
    etag: str
    immutable: bool = False
    """Asked for by its content-hashed name (:func:`hashed_name`) and that is its content."""

    @property
    def headers(self) -> dict[str, str]:
        """``ETag``, and a year of caching marked ``immutable`` for a content-hashed name (a new
        release has new names), an hour for a plain one."""
        if self.immutable:
            return {"ETag": self.etag, "Cache-Control": "public, max-age=31536000, immutable"}
        return {"ETag": self.etag, "Cache-Control": "public, max-age=3600"}


def static_directory() -> Path:
    """The folder holding ``widgets.css``, ``crisis.css``, the scripts and the icon."""
    return _DIRECTORY


@functools.cache
def static_names() -> frozenset[str]:
    """The file names :func:`static_asset` serves."""
    return frozenset(
        path.name for path in _DIRECTORY.iterdir() if path.is_file() and path.suffix in _TYPES
    )


@functools.cache
def _load(name: str) -> StaticAsset:
    body = (_DIRECTORY / name).read_bytes()
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    return StaticAsset(name, body, _TYPES[Path(name).suffix], etag)


@functools.cache
def hashed_name(name: str) -> str:
    """``widgets.css`` as ``widgets.<first 10 hex of its SHA-256>.css``: the name our own
    server's pages link, served for a year as ``immutable`` (new content, new name)."""
    stem, dot, suffix = name.rpartition(".")
    digest = _load(name).etag.strip('"')[:10]
    return f"{stem}.{digest}{dot}{suffix}"


def static_asset(name: str) -> StaticAsset:
    """The file ``name`` (``"widgets.css"``, or its :func:`hashed_name`); :class:`NotFoundError`
    for any other name.

    Only the names in :func:`static_names` are served, so no path a visitor sends can reach
    another file. A hashed name whose hash is not the file's (a page from before an upgrade)
    gets today's file with the plain name's hour of caching, never ``immutable``.
    """
    if name in static_names():
        return _load(name)
    stem, _, suffix = name.rpartition(".")
    base, _, digest = stem.rpartition(".")
    plain = f"{base}.{suffix}"
    if len(digest) == 10 and plain in static_names():
        asset = _load(plain)
        return asset._replace(immutable=hashed_name(plain) == name)
    raise NotFoundError(f"No widget asset called {name[:80]!r}.")
