from __future__ import annotations

import os
import sys
from pathlib import Path

import httpx
import pytest

from kat_widgets.cli import main
from kat_widgets.settings import BUNDLED_DIRECTORY
from tests.servers import ServerProcess, http_ok


def test_check_bundled_directory_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(BUNDLED_DIRECTORY)]) == 0
    assert "5 clinics" in capsys.readouterr().out


def test_check_timezone_typo_exits_nonzero_with_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "clinics.toml"
    text = BUNDLED_DIRECTORY.read_text(encoding="utf-8")
    bad.write_text(text.replace("America/Denver", "America/Denvr", 1), encoding="utf-8")
    assert main(["check", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "clinics[0].timezone" in err and str(bad) in err


def test_check_duplicate_clinic_id_exits_nonzero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "clinics.toml"
    text = BUNDLED_DIRECTORY.read_text(encoding="utf-8")
    bad.write_text(text.replace('id = "murray"', 'id = "layton"'), encoding="utf-8")
    assert main(["check", str(bad)]) == 1
    assert "duplicate clinic id 'layton'" in capsys.readouterr().err


def test_check_settings_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings_file = tmp_path / "kat.toml"
    settings_file.write_text('locale = "xx-yy-zz"\n', encoding="utf-8")
    assert main(["check", str(settings_file)]) == 1
    assert "locale" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["--help"], ["serve", "--help"], ["check", "--help"]])
def test_help_everywhere(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 0
    assert "usage: kat-widgets" in capsys.readouterr().out


@pytest.mark.slow
def test_serve_answers_healthz_and_demo_page(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAT_")}
    env["KAT_DATA_DIR"] = str(tmp_path / "data")
    server = ServerProcess(
        "kat-widgets serve",
        lambda port: [sys.executable, "-m", "kat_widgets", "serve", "--port", str(port)],
        log_file=tmp_path / "serve.log",
        ready=lambda port: http_ok(f"http://127.0.0.1:{port}/healthz"),
        cwd=tmp_path,
        env=env,
    )
    with server:
        health = httpx.get(f"{server.url}/healthz", timeout=5)
        assert health.json() == {"status": "ok"}
        page = httpx.get(f"{server.url}/", timeout=5)
        assert page.status_code == 200
        assert "Numinus Draper" in page.text
        assert (tmp_path / "data" / "secret_key").exists()


@pytest.mark.parametrize(
    ("content", "said"),
    [("", "it is empty"), ("[clinic]\nname = 'x'\n", "it has clinic")],
)
def test_check_refuses_a_file_that_is_none_of_ours(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, said: str
) -> None:
    # it used to check the bundled files instead and say ok
    path = tmp_path / "empty.toml"
    path.write_text(content, encoding="utf-8")
    assert main(["check", str(path)]) == 1
    captured = capsys.readouterr()
    assert f"{path}: not a kat-widgets file ({said})" in captured.err
    assert "ok:" not in captured.out


def test_check_names_the_line_the_entry_and_the_valid_values(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = BUNDLED_DIRECTORY.read_text(encoding="utf-8").replace('"mon"', '"Funday"', 1)
    path = tmp_path / "clinics.toml"
    path.write_text(text, encoding="utf-8")
    assert main(["check", str(path)]) == 1
    err = capsys.readouterr().err
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "Funday" in row)
    assert f"{path}, line {line}: clinics #1 (id " in err
    assert "'Funday' is not one of fri, mon, sat, sun, thu, tue, wed" in err


def test_settings_errors_name_the_field(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KAT_MODE", "production")
    monkeypatch.delenv("KAT_SECRET_KEY", raising=False)
    assert main(["check"]) == 1
    err = capsys.readouterr().err
    assert "invalid settings (environment): secret_key is required" in err
    assert ": :" not in err


def test_check_warns_about_a_missing_translation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    partial = tmp_path / "clinics.toml"
    text = BUNDLED_DIRECTORY.read_text(encoding="utf-8")
    # the bundled file translates everything; drop one Spanish name
    partial.write_text(text.replace('name.es = "Llamada informativa gratuita"\n', ""), "utf-8")
    assert main(["check", str(BUNDLED_DIRECTORY)]) == 0
    assert "has no translation" not in capsys.readouterr().err
    assert main(["check", str(partial)]) == 0  # a warning, never a failure
    err = capsys.readouterr().err
    assert "warning:" in err and "services[0].name: es has no translation" in err


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (('name.en = "Free informational call"', 'name.xyz = "x"'), "'xyz' is not a two-letter"),
        (('name.en = "Free informational call"', 'name.de = "Anruf"'), "needs its 'en' text"),
        (('name.es = "Llamada informativa gratuita"', 'name.es = ""'), "non-empty"),
        (('name.es = "Llamada informativa gratuita"', 'name.es = "' + "x" * 201 + '"'), "one line"),
    ],
)
def test_check_refuses_a_broken_table_of_languages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: tuple[str, str], says: str
) -> None:
    bad = tmp_path / "clinics.toml"
    text = BUNDLED_DIRECTORY.read_text(encoding="utf-8")
    assert change[0] in text
    bad.write_text(text.replace(change[0], change[1], 1), encoding="utf-8")
    assert main(["check", str(bad)]) == 1
    err = capsys.readouterr().err
    assert says in err and "services[0].name" in err
