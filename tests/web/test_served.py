"""The app as ``kat-widgets serve`` runs it: its start-up ends by freezing what it loaded (#14)."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from litestar.testing import TestClient

from kat_widgets.web.served import served_app


def test_what_start_up_loaded_is_out_of_the_collectors_sight(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KAT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KAT_SECRET_KEY", "s" * 40)
    gc.unfreeze()
    try:
        app = served_app()
        assert gc.get_freeze_count() == 0  # nothing before start-up ...
        with TestClient(app) as client:
            frozen = gc.get_freeze_count()
            assert frozen > 10_000  # ... everything start-up loaded, after it
            answer = client.get("/api/locate", params={"q": "84020", "limit": 1})
            assert answer.json()["results"][0]["clinic"]["id"] == "draper"
            assert len(gc.get_objects(generation=2)) < frozen  # a full collection walks less
    finally:
        gc.unfreeze()  # the test process's collector as it was
