"""Render kat-widgets fragments from plain Python, no web framework at all.

Run: python examples/plain_python.py > clinics.html
"""

from __future__ import annotations

from kat_widgets import Widgets

if __name__ == "__main__":
    print(Widgets().clinic_list())
