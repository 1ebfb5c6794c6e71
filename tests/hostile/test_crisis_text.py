"""Hostile text in every text field of crisis.toml never reaches a page unescaped.

A copy of the bundled file gets each payload appended to every name, audience, hours, label
(in every language) and note; ``crisis_file`` points at it. The banner shows the text, in every
region, language and variant, but as text. Numbers, keywords and urls become ``tel:``/``sms:``
links: the loader refuses a hostile one outright (a url may keep what is valid in a URL).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from litestar.testing import TestClient

from kat_widgets import Settings, create_app
from kat_widgets.crisis.loader import load_crisis_data
from kat_widgets.errors import CrisisDataError
from kat_widgets.settings import BUNDLED_CRISIS

from .hostile_support import assert_safe
from .payloads import MARKER, PAYLOADS

LANGUAGE_TEXT = re.compile(r'\b(en|es|fr) = "((?:[^"\\]|\\.)*)"')
PLAIN_TEXT = re.compile(r'^(\s*)(notes) = "((?:[^"\\]|\\.)*)"$', re.M)
CHECKED = {  # fields that become links or SMS text: the loader refuses anything odd
    "keyword": re.compile(r'^(\s*)(keyword) = "((?:[^"\\]|\\.)*)"$', re.M),
    "url": re.compile(r'^(\s*)(url) = "((?:[^"\\]|\\.)*)"$', re.M),
    "number": re.compile(r'^(\s*)(number) = "((?:[^"\\]|\\.)*)"$', re.M),
}
REGIONS = ["US", "US-UT", "CA", "elsewhere"]
LANGUAGES = ["en", "es", "fr"]
VARIANTS = ["bar", "card", "inline", "link"]


def _append(pattern: re.Pattern[str], text: str, escaped: str) -> str:
    return pattern.sub(lambda m: f'{m.group(1)}{m.group(2)} = "{m.group(3)}{escaped}"', text)


def hostile_crisis(payload: str) -> str:
    text = BUNDLED_CRISIS.read_text(encoding="utf-8")
    escaped = json.dumps(payload)[1:-1]  # a valid TOML basic-string body
    text = LANGUAGE_TEXT.sub(lambda m: f'{m.group(1)} = "{m.group(2)} {escaped}"', text)
    return _append(PLAIN_TEXT, text, escaped)


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("field", sorted(CHECKED))
def test_hostile_numbers_keywords_and_urls_are_refused_at_load(
    field: str, payload: str, tmp_path: Path
) -> None:
    path = tmp_path / "crisis.toml"
    text = BUNDLED_CRISIS.read_text(encoding="utf-8")
    path.write_text(_append(CHECKED[field], text, json.dumps(payload)[1:-1]), encoding="utf-8")
    problem = None
    try:
        load_crisis_data(path)
    except CrisisDataError as refused:
        problem = str(refused)
    if problem is not None:
        assert field in problem
        return
    assert field == "url", payload  # only a url may take some of them (still https://...)
    settings = Settings(data_dir=str(tmp_path / "d"), crisis_file=str(path), secret_key="h" * 40)
    with TestClient(create_app(settings)) as client:
        for variant in VARIANTS:
            url = f"/fragments/crisis-banner?region=elsewhere&variant={variant}"
            assert_safe(client.get(url), url)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_crisis_payload_is_escaped_everywhere(payload: str, tmp_path: Path) -> None:
    path = tmp_path / "crisis.toml"
    path.write_text(hostile_crisis(payload), encoding="utf-8")
    data = load_crisis_data(path)
    assert payload in data.resources[0].name["en"]  # the loader keeps the text as given
    settings = Settings(
        data_dir=str(tmp_path / "kat-data"),
        secret_key="h" * 40,
        crisis_file=str(path),
        rate_limit_store="off",
    )
    with TestClient(create_app(settings)) as client:
        urls = ["/", "/embed/crisis-banner", "/fragments/crisis-banner"]
        urls += [
            f"/fragments/crisis-banner?region={region}&lang={lang}&variant={variant}"
            for region in REGIONS
            for lang in LANGUAGES
            for variant in VARIANTS
        ]
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert_safe(response, url)
            if "elsewhere" not in url and url.endswith(("en&variant=bar", "en&variant=card")):
                assert MARKER in response.text, url  # the text is shown, as text
