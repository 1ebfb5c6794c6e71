"""The Litestar delivery layer: thin handlers over the domain and the fragments."""

from __future__ import annotations

from kat_widgets.web.app import create_app

__all__ = ["create_app"]
