from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from kat_widgets.cli import main
from kat_widgets.settings import BUNDLED_DIRECTORY


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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.mark.slow
def test_serve_answers_healthz_and_demo_page(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAT_")}
    env["KAT_DATA_DIR"] = str(tmp_path / "data")
    process = subprocess.Popen(
        [sys.executable, "-m", "kat_widgets", "serve", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.1)
        assert health.json() == {"status": "ok"}
        page = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
        assert page.status_code == 200
        assert "Numinus Draper" in page.text
        assert (tmp_path / "data" / "secret_key").exists()
    finally:
        process.terminate()
        process.wait(timeout=10)
