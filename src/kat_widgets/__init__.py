"""kat-widgets: embeddable clinic locator, booking and crisis-resource widgets.

``Widgets`` renders HTML fragments in any Python host; ``create_app`` builds the Litestar ASGI
app (imported lazily, so fragment-only hosts never import Litestar).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kat_widgets.errors import KatWidgetsError
from kat_widgets.fragments import Widgets
from kat_widgets.settings import Settings, load_settings
from kat_widgets.version import __version__

if TYPE_CHECKING:
    from kat_widgets.web.app import create_app

__all__ = ["KatWidgetsError", "Settings", "Widgets", "__version__", "create_app", "load_settings"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from kat_widgets.web.app import create_app

        return create_app
    raise AttributeError(f"module 'kat_widgets' has no attribute {name!r}")
