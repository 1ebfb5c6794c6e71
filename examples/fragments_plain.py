"""Render kat-widgets fragments from plain Python, no web framework at all.

Run: python examples/fragments_plain.py > clinics.html
"""

from __future__ import annotations

from kat_widgets import Settings, Widgets

widgets = Widgets(Settings(secret_key="x" * 32))
print(widgets.clinic_list())
