"""The Litestar delivery layer: thin handlers over the domain and the fragments."""

from __future__ import annotations

from kat_widgets.web.app import create_app, kat_router, kat_routes
from kat_widgets.web.plugin import KatWidgetsPlugin

__all__ = ["KatWidgetsPlugin", "create_app", "kat_router", "kat_routes"]
