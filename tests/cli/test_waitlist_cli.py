"""``kat-widgets waitlist offer | sweep`` (#19): after new hours, a visitor waiting is offered an
open time that suits them (the offer queued for their email); the command prints counts only."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kat_widgets.booking.storage import Storage
from kat_widgets.booking.waitlist_models import WaitlistEntry
from kat_widgets.cli import main


def test_offer_and_sweep(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "bookings.db"
    for name, value in {
        "KAT_DATA_DIR": str(tmp_path / "data"),
        "KAT_DATABASE_URL": f"sqlite:///{database}",
        "KAT_SECRET_KEY": "s" * 40,
        "KAT_SMTP_URL": "smtp://127.0.0.1:9",  # never reached: the CLI only queues
        "KAT_MAIL_FROM": "bookings@clinic.example",
        "KAT_PUBLIC_URL": "https://clinic.example",
    }.items():
        monkeypatch.setenv(name, value)
    assert main(["db", "upgrade"]) == 0
    storage = Storage(f"sqlite:///{database}")
    now = dt.datetime.now(dt.UTC)
    storage.waitlist.add(
        WaitlistEntry(
            id="a" * 32,
            token_hash="a" * 64,
            clinic_id="draper",
            service_id="info-call",
            email="wait@example.com",
            phone=None,
            language="en",
            earliest=None,
            latest=None,
            days=(),
            status="waiting",
            created_at=now,
            expires_at=now + dt.timedelta(days=30),
        )
    )
    capsys.readouterr()
    assert main(["waitlist", "sweep"]) == 0
    assert "0 offers that ran out passed on" in capsys.readouterr().out
    assert main(["waitlist", "offer"]) == 0
    said = capsys.readouterr().out
    assert "1 open times offered" in said and "wait@example.com" not in said
    entry = storage.waitlist.by_id("a" * 32)
    assert entry is not None and entry.status == "offered"
    queued = [m.event for m in storage.outbox.messages(limit=10)]
    assert queued == ["offer"]
    storage.dispose()
