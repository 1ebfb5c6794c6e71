"""HTML fragments for any Python host (Flask, Django, Litestar...). Never imports Litestar.

``Widgets`` is the facade a host uses; ``Renderer`` is what the render functions draw with.
"""

from __future__ import annotations

from kat_widgets.fragments.assets import StaticAsset, static_asset, static_directory
from kat_widgets.fragments.environment import environment
from kat_widgets.fragments.jinja import install
from kat_widgets.fragments.renderer import Renderer
from kat_widgets.fragments.widgets import FragmentView, Widgets

__all__ = [
    "FragmentView",
    "Renderer",
    "StaticAsset",
    "Widgets",
    "environment",
    "install",
    "static_asset",
    "static_directory",
]
