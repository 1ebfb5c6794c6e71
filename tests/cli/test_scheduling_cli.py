from __future__ import annotations

from pathlib import Path

import pytest

from kat_widgets.cli import main
from kat_widgets.scheduling.ics_import import parse_calendar

ICS = Path(__file__).resolve().parents[1] / "fixtures" / "ics"


def test_export_ics_writes_a_feed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "draper.ics"
    assert main(["export-ics", "draper", "--service", "info-call", "-o", str(out)]) == 0
    calendar = parse_calendar(out.read_bytes(), source=str(out))
    assert calendar.walk("VEVENT")
    assert "open slots" in capsys.readouterr().err


def test_export_ics_unknown_clinic_exits_one(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export-ics", "atlantis"]) == 1
    assert "atlantis" in capsys.readouterr().err


def test_check_reads_staff_calendars(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = tmp_path / "settings.toml"
    settings.write_text(
        f'[kat_widgets.busy_calendars]\n"draper-navigator" = "{ICS / "navigator.ics"}"\n',
        encoding="utf-8",
    )
    assert main(["check", str(settings)]) == 0
    assert "1 busy calendars read (for 1 staff members and rooms)" in capsys.readouterr().out
    navigator = ICS / "navigator.ics"
    settings.write_text(
        f'[kat_widgets.busy_calendars]\n"draper-navigator" = ["{navigator}", "{navigator}x"]\n'
        f'"draper-consult-1" = "{navigator}"\n',
        encoding="utf-8",
    )
    assert main(["check", str(settings)]) == 1
    assert "draper-navigator#2" in capsys.readouterr().err  # the second, missing, file
    settings.write_text(
        f'[kat_widgets.busy_calendars]\n"draper-navigator" = ["{navigator}"]\n'
        f'"draper-consult-1" = "{navigator}"\n',
        encoding="utf-8",
    )
    assert main(["check", str(settings)]) == 0
    assert "2 busy calendars read (for 2 staff members and rooms)" in capsys.readouterr().out
    settings.write_text(
        f'[kat_widgets.busy_calendars]\n"draper-lobby" = "{navigator}"\n', encoding="utf-8"
    )
    assert main(["check", str(settings)]) == 1
    assert "'draper-lobby', not a staff member or room" in capsys.readouterr().err
    settings.write_text(
        f'[kat_widgets.busy_calendars]\n"draper-navigator" = "{ICS / "broken.ics"}"\n',
        encoding="utf-8",
    )
    assert main(["check", str(settings)]) == 1
    assert "broken.ics" in capsys.readouterr().err


def test_export_ics_to_a_folder_that_does_not_exist_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "nowhere" / "x.ics"
    assert main(["export-ics", "draper", "-o", str(target)]) == 1
    err = capsys.readouterr().err
    assert f"cannot write {target}: No such file or directory" in err
    assert "Traceback" not in err


def test_export_ics_days_zero_says_what_is_allowed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export-ics", "draper", "--days", "0"]) != 0
    err = capsys.readouterr().err
    assert "days must be at least 1" in err
    assert "end must be later" not in err
