"""Hostile text in every text field of clinics.toml never reaches a page unescaped."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from litestar.testing import TestClient

from kat_widgets import Settings, create_app
from kat_widgets.directory import parse_directory
from kat_widgets.errors import DirectoryError
from kat_widgets.settings import BUNDLED_DIRECTORY

from .payloads import MARKER, PAYLOADS, unescaped

TEXT_KEYS = re.compile(r'^(name|summary|street|unit|city|note|phone_display) = "(.*)"$', re.M)


def hostile_directory(payload: str) -> str:
    text = BUNDLED_DIRECTORY.read_text(encoding="utf-8")
    escaped = json.dumps(payload)[1:-1]  # a valid TOML basic-string body
    text = TEXT_KEYS.sub(lambda m: f'{m.group(1)} = "{m.group(2)} {escaped}"', text)
    return text.replace('regulatory_note = """', f'regulatory_note = """{escaped} ', 1)


def breaks_lines(payload: str) -> bool:
    """A line break or other control character: refused in one-line fields (names...)."""
    return any(ord(char) < 32 or ord(char) == 127 for char in payload)


def refused_as_multi_line(payload: str) -> bool:
    """True (and checked) when the directory refuses ``payload`` for breaking a line."""
    if not breaks_lines(payload):
        return False
    with pytest.raises(DirectoryError, match=r"line \d+: .*must be one line of text"):
        parse_directory(hostile_directory(payload))
    return True


@pytest.mark.parametrize("payload", PAYLOADS)
def test_directory_payload_is_escaped_everywhere(payload: str, tmp_path: Path) -> None:
    if refused_as_multi_line(payload):
        return
    path = tmp_path / "clinics.toml"
    path.write_text(hostile_directory(payload), encoding="utf-8")
    directory = parse_directory(path.read_text(encoding="utf-8"))
    assert payload in directory.clinic("draper").name
    app = create_app(Settings(data_dir=str(tmp_path), secret_key="h" * 40), directory=directory)
    with TestClient(app) as client:
        pages = [
            "/",
            "/?q=84020",
            "/fragments/clinics",
            "/embed/clinics",
            "/api/clinics",
            "/fragments/locator?q=Draper",
            "/api/locate?q=84020",
        ]
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, url
            assert MARKER in response.text, url  # the text is shown...
            assert unescaped(response.text) == [], url  # ...but never as markup
        names = {c["id"]: c["name"] for c in client.get("/api/clinics").json()["clinics"]}
        assert names["draper"] == f"Numinus Draper {payload}"  # JSON escapes decode to the same
