"""The app builds the locator's tables in the background, so no visitor waits for them."""

from __future__ import annotations

from pathlib import Path

from kat_widgets.directory import Directory
from kat_widgets.fragments import Widgets
from kat_widgets.locator import Locator
from kat_widgets.locator.gazetteer import Gazetteer
from kat_widgets.settings import Settings
from kat_widgets.web.app import _warm_in_background
from tests.servers import wait_until


def test_the_gazetteer_is_built_without_any_search(directory: Directory, tmp_path: Path) -> None:
    gazetteer = Gazetteer()
    widgets = Widgets(
        Settings(data_dir=str(tmp_path)),
        directory=directory,
        locator=Locator(directory, gazetteer=gazetteer),
    )
    assert not gazetteer.loaded
    _warm_in_background(widgets)
    wait_until(lambda: gazetteer.loaded, what="the gazetteer built in the background")
    assert widgets.locator_service.locate("84020").results[0].clinic.id == "draper"
