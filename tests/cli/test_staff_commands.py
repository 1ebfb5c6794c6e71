"""``kat-widgets keys create | list | revoke`` and ``kat-widgets audit`` (#18)."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

from kat_widgets import create_app, load_settings
from kat_widgets.cli import main


def test_create_list_use_revoke_and_audit(env: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["keys", "create", "--clinic", "draper", "--scope", "bookings:read"]) == 0
    printed = capsys.readouterr().out.strip().splitlines()
    text = printed[-1]  # the key alone on the last line
    key_id = text.split("_")[1]
    assert text.startswith(f"kat_{key_id}_") and len(text) == 60
    assert main(["keys", "list"]) == 0
    listed = capsys.readouterr().out
    assert key_id in listed and "active" in listed and text.rsplit("_", 1)[1] not in listed

    with TestClient(create_app(load_settings())) as client:
        headers = {"Authorization": f"Bearer {text}"}
        answer = client.get("/api/staff/bookings", params={"clinic": "draper"}, headers=headers)
        assert answer.status_code == 200, answer.text
        assert main(["keys", "revoke", key_id]) == 0
        assert "revoked" in capsys.readouterr().out
        again = client.get("/api/staff/bookings", params={"clinic": "draper"}, headers=headers)
        assert again.status_code == 401
    assert main(["keys", "list"]) == 0
    assert "revoked" in capsys.readouterr().out
    assert main(["audit", "--days", "1"]) == 0
    audit = capsys.readouterr().out.strip().splitlines()
    assert [line.split("  ")[2] for line in audit] == [
        "keys.create",
        "bookings.list",
        "keys.revoke",
    ]
    assert f"key {key_id}  bookings.list" in audit[1] and "clinic draper" in audit[1]


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["keys", "create", "--clinic", "nowhere", "--scope", "bookings:read"], "Unknown clinic"),
        (["keys", "create", "--clinic", "draper", "--scope", "everything"], "Unknown scope"),
        (["keys", "revoke", "0123456789ab"], "No active key"),
    ],
)
def test_bad_input_exits_1_naming_what_is_wrong(
    env: None, capsys: pytest.CaptureFixture[str], argv: list[str], said: str
) -> None:
    assert main(argv) == 1
    assert said in capsys.readouterr().err


def test_audit_days_must_be_a_whole_number(env: None, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["audit", "--days", "-3"])
    assert exited.value.code == 2
    assert "whole number from 1 to 3650" in capsys.readouterr().err


def test_staff_link_prints_a_working_day_sheet_address(
    env: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KAT_PUBLIC_URL", "https://book.clinic.example/w")
    assert main(["staff-link", "--clinic", "draper", "--hours", "2"]) == 0
    url = capsys.readouterr().out.strip().splitlines()[-1]
    assert url.startswith("https://book.clinic.example/w/staff/day/draper.")
    with TestClient(create_app(load_settings())) as client:
        page = client.get(url.removeprefix("https://book.clinic.example/w"))
        assert page.status_code == 200 and "Numinus Draper" in page.text
    assert main(["staff-link", "--clinic", "nowhere"]) == 1
    assert "No clinic" in capsys.readouterr().err
