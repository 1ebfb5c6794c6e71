from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from kat_widgets.booking.storage import Storage
from kat_widgets.cli import main
from tests.booking.booking_support import upcoming_slots
from tests.booking.test_storage import new


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


@pytest.fixture
def booked_tomorrow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Storage]:
    """A demo database holding one confirmed booking that is still ahead."""
    monkeypatch.setenv("KAT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KAT_DATABASE_URL", f"sqlite:///{tmp_path / 'bookings.db'}")
    assert main(["db", "upgrade"]) == 0
    storage = Storage(f"sqlite:///{tmp_path / 'bookings.db'}")
    start = upcoming_slots("draper", 1)[0]
    storage.create(new(start), now=dt.datetime.now(dt.UTC))
    yield storage
    storage.dispose()


@pytest.mark.parametrize("days", ["-5", "0", "3651", "1.5", "five", ""])
def test_purge_refuses_an_age_that_could_reach_bookings_still_ahead(
    booked_tomorrow: Storage, days: str, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_:
        main(["db", "purge", "--older-than", days])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "--older-than: must be a whole number of days from 1 to 3650" in err
    assert "deleted" not in err
    assert len(booked_tomorrow.between(*_whole_range())) == 1


def test_purge_keeps_confirmed_bookings_still_ahead(
    booked_tomorrow: Storage, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["db", "purge", "--older-than", "1", "--dry-run"]) == 0
    assert "would delete 0 bookings" in capsys.readouterr().out
    assert main(["db", "purge", "--older-than", "1"]) == 0
    assert "deleted 0 bookings cancelled or ended more than 1 days ago" in capsys.readouterr().out
    assert len(booked_tomorrow.between(*_whole_range())) == 1


def _whole_range() -> tuple[dt.datetime, dt.datetime]:
    now = dt.datetime.now(dt.UTC)
    return now - dt.timedelta(days=365), now + dt.timedelta(days=365)
