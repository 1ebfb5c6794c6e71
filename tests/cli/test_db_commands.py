from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from kat_widgets.cli import main


def test_db_upgrade_then_purge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "bookings.db"
    monkeypatch.setenv("KAT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KAT_DATABASE_URL", f"sqlite:///{database}")
    assert main(["db", "upgrade"]) == 0
    assert "up to date" in capsys.readouterr().out
    engine = sa.create_engine(f"sqlite:///{database}")
    with engine.connect() as conn:
        tables = set(sa.inspect(conn).get_table_names())
    engine.dispose()
    assert {"bookings", "resource_holds", "group_sessions", "idempotency_keys"} <= tables
    assert main(["db", "purge", "--older-than", "30"]) == 0
    assert "deleted 0" in capsys.readouterr().out


def test_db_upgrade_reports_an_unreachable_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KAT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KAT_DATABASE_URL", "postgresql://nobody@127.0.0.1:9/none")
    assert main(["db", "upgrade"]) == 1
    assert "not reachable" in capsys.readouterr().err
