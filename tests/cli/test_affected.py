"""A closure added over a booking (#18): `check` fails naming the booking's id (never a name),
`bookings affected` lists it, and `--cancel` cancels it and queues the visitor's message."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kat_widgets.booking.storage import Storage
from kat_widgets.cli import main
from kat_widgets.settings import BUNDLED_DIRECTORY
from tests.booking.booking_support import upcoming_slots
from tests.booking.test_storage import new


@pytest.fixture
def booked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Storage, str, Path]:
    """A demo database with one booking ahead at Draper, and a directory closing that day."""
    database = tmp_path / "bookings.db"
    for name, value in {
        "KAT_DATA_DIR": str(tmp_path / "data"),
        "KAT_DATABASE_URL": f"sqlite:///{database}",
        "KAT_SECRET_KEY": "s" * 40,
        "KAT_SMTP_URL": "smtp://127.0.0.1:9",  # never reached: the CLI only queues
        "KAT_MAIL_FROM": "bookings@clinic.example",
    }.items():
        monkeypatch.setenv(name, value)
    assert main(["db", "upgrade"]) == 0
    storage = Storage(f"sqlite:///{database}")
    start = upcoming_slots("draper", 1)[0]
    record = storage.create(new(start), now=dt.datetime.now(dt.UTC))
    local_day = record.start.astimezone(ZoneInfo("America/Denver")).date()
    text = BUNDLED_DIRECTORY.read_text(encoding="utf-8")
    at = text.index("[[clinics.hours]]", text.index('id = "draper"\n'))
    closure = f'[[clinics.closures]]\nstart = {local_day}\nend = {local_day}\nnote = "Flood"\n\n'
    closed = tmp_path / "clinics.toml"
    closed.write_text(text[:at] + closure + text[at:], encoding="utf-8")
    return storage, record.id, closed


def test_check_fails_naming_the_booking_and_affected_cancels_and_tells(
    booked: tuple[Storage, str, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    storage, booking_id, closed = booked
    capsys.readouterr()
    assert main(["check", str(BUNDLED_DIRECTORY)]) == 0  # the old hours still hold it
    assert main(["check", str(closed)]) == 1
    said = capsys.readouterr()
    assert booking_id in said.err and "outside its clinic's hours" in said.err
    assert "Test Person" not in said.out + said.err and "test@example.com" not in said.err

    monkeypatch.setenv("KAT_DIRECTORY_FILE", str(closed))
    assert main(["bookings", "affected"]) == 1  # listed, kept
    listed = capsys.readouterr().out
    assert booking_id in listed and "draper" in listed and "Test Person" not in listed
    assert storage.by_id(booking_id).status == "confirmed"  # type: ignore[union-attr]

    assert main(["bookings", "affected", "--cancel"]) == 0
    assert "cancelled 1" in capsys.readouterr().out
    assert storage.by_id(booking_id).status == "cancelled"  # type: ignore[union-attr]
    queued = [(m.event, m.channel) for m in storage.outbox.messages(limit=100)]
    assert ("cancelled", "email") in queued  # the visitor is told by the worker
    assert main(["bookings", "affected"]) == 0
    assert main(["audit"]) == 0
    assert f"key cli  bookings.cancel  booking {booking_id}" in capsys.readouterr().out
    storage.dispose()


def test_check_without_a_booking_database_checks_only_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KAT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KAT_DATABASE_URL", f"sqlite:///{tmp_path / 'none.db'}")
    assert main(["check", str(BUNDLED_DIRECTORY)]) == 0
    assert not (tmp_path / "none.db").exists()  # check never creates a database


def test_a_booking_whose_clinic_is_gone_is_listed_and_a_failed_cancel_is_said(
    booked: tuple[Storage, str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A directory without Draper: its booking is affected; cancelling it cannot plan the
    visitor's message (the clinic's words are gone), so the command says which and exits 1."""
    storage, booking_id, _ = booked
    text = BUNDLED_DIRECTORY.read_text(encoding="utf-8")
    start = text.index("[[clinics]]", text.index("[[clinics]]") + 1)  # Draper is the second
    assert 'id = "draper"' in text[start : start + 40]
    end = text.index("[[clinics]]", start + 1)
    gone = tmp_path / "no-draper.toml"
    gone.write_text(text[:start] + text[end:], encoding="utf-8")
    monkeypatch.setenv("KAT_DIRECTORY_FILE", str(gone))
    capsys.readouterr()
    assert main(["bookings", "affected"]) == 1
    assert booking_id in capsys.readouterr().out
    assert main(["bookings", "affected", "--cancel"]) == 1
    said = capsys.readouterr()
    assert f"error: not cancelled: {booking_id}" in said.err and "cancelled 0" in said.out
    assert storage.by_id(booking_id).status == "confirmed"  # type: ignore[union-attr]
    storage.dispose()
