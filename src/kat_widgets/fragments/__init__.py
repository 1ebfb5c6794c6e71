"""HTML fragments for any Python host (Flask, Django, Litestar...). Never imports Litestar."""

from __future__ import annotations

from kat_widgets.fragments.environment import environment
from kat_widgets.fragments.jinja import install
from kat_widgets.fragments.widgets import Widgets

__all__ = ["Widgets", "environment", "install"]
