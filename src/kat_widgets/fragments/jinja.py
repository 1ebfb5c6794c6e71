"""Use the widgets from a host's own Jinja2 templates: ``{{ kat.clinic_list() }}``."""

from __future__ import annotations

import jinja2

from kat_widgets.fragments.widgets import Widgets

__all__ = ["install"]


def install(env: jinja2.Environment, widgets: Widgets, *, name: str = "kat") -> jinja2.Environment:
    """Expose ``widgets`` as the global ``name`` in a host's Jinja2 environment.

    Every method returns ``Markup``, so autoescaping hosts insert the HTML as is, once.
    """
    env.globals[name] = widgets
    return env
