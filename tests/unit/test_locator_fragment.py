"""The locator fragment: JSON-LD safe in <script>, directions, rendering without a host."""

from __future__ import annotations

import json

import msgspec

from kat_widgets import Settings
from kat_widgets.directory import load_directory
from kat_widgets.fragments import Widgets
from kat_widgets.fragments.assets import hashed_name
from kat_widgets.fragments.locator import directions_links, json_ld
from kat_widgets.settings import BUNDLED_DIRECTORY


def test_json_ld_cannot_close_its_script_element() -> None:
    clinic = load_directory(BUNDLED_DIRECTORY).clinic("draper")
    hostile = msgspec.structs.replace(clinic, name="Draper </script><script>alert(1)</script> & co")
    text = str(json_ld([hostile], "Numinus Utah"))
    assert "</" not in text and "<" not in text and "&" not in text
    assert json.loads(text)["@graph"][0]["name"] == hostile.name


def test_directions_links_use_the_clinic_address() -> None:
    clinic = load_directory(BUNDLED_DIRECTORY).clinic("layton")
    links = dict(directions_links(clinic))
    assert set(links) == {"Google Maps", "Apple Maps", "OpenStreetMap"}
    assert "2950%20N%20Church%20St" in links["Google Maps"]
    lat, lon = clinic.coordinates.lat, clinic.coordinates.lon
    assert links["OpenStreetMap"].endswith(f"route=%3B{lat:.5f}%2C{lon:.5f}")


def test_render_from_any_host_without_litestar() -> None:
    widgets = Widgets(Settings(secret_key="w" * 40), base_path="/widgets/")
    html = str(widgets.locator("Lehi, UT", limit=2, action="/find-a-clinic"))
    assert 'action="/find-a-clinic#kat-locator-results"' in html  # opens at the results
    book = "/widgets/fragments/availability?clinic=american-fork&amp;service=info-call"
    assert f'href="{book}#kat-open-times-american-fork-info-call"' in html  # at its times
    assert f'<script src="/widgets/static/{hashed_name("locator.js")}" defer></script>' in html
    assert html.count('class="kat-clinic kat-locator-clinic"') == 2


def test_bad_input_renders_a_message_not_an_exception() -> None:
    widgets = Widgets(Settings(secret_key="w" * 40))
    view = widgets.locator_view("99999")
    assert view.error is not None and "ZIP code 99999" in view.error
    assert "We do not know the ZIP code 99999" in str(view.html)
