"""The generated reference pages cover the code they are generated from."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import msgspec

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

import docgen  # noqa: E402


def test_clinics_reference_names_every_field_of_every_struct() -> None:
    page = docgen.clinics_reference()
    structs = docgen.directory_structs()
    assert {s.__name__ for s in structs} >= {"Clinic", "Service", "HoursRule", "Staff"}
    for struct in structs:
        assert f"## {struct.__name__}" in page
        for field in msgspec.structs.fields(struct):
            assert f"| `{field.encode_name}` |" in page, f"{struct.__name__}.{field.name}"


def test_clinics_reference_carries_attribute_docstrings_and_defaults() -> None:
    page = docgen.clinics_reference()
    assert "No slot starts sooner than this after" in page
    assert "| `min_notice_minutes` | `int` | `120` | `ge=0, le=60 * 24 * 60` |" in page
    assert "| `timezone` | `str` | **required**" in page
    assert "| `Text` | `str` | `min_length=1, max_length=500` |" in page


def test_http_reference_lists_every_operation_of_the_schema() -> None:
    schema = docgen.openapi_schema()
    page = docgen.http_reference(schema)
    for path, item in schema["paths"].items():
        for method in item:
            if method in {"get", "post", "put", "patch", "delete"}:
                assert f"## `{method.upper()} {path}`" in page
    assert "## `POST /api/bookings`" in page


def test_every_operation_has_a_readable_summary_and_a_description() -> None:
    schema = docgen.openapi_schema()
    page = docgen.http_reference(schema)
    for path, item in schema["paths"].items():
        for method, op in item.items():
            name = f"{method.upper()} {path}"
            # Litestar's fallback summary is the handler name ("CreateBooking"): one word.
            assert " " in op.get("summary", ""), f"{name} has no summary of its own"
            assert op["summary"] != op.get("operationId"), name
            assert len(op.get("description", "")) > 20, f"{name} has no description"
            assert f"**{op['summary']}**" in page, name
    assert "**Book an appointment**" in page
    assert "Send `Idempotency-Key` to make retries safe" in page


def test_http_reference_describes_every_schema_field() -> None:
    schema = docgen.openapi_schema()
    page = docgen.http_reference(schema)
    for name, body in schema["components"]["schemas"].items():
        assert f"### {name}" in page
        for field in body.get("properties", {}):
            assert f"| `{field}` |" in page, f"{name}.{field}"
    assert "Request body: `application/json` [BookingRequest](#bookingrequest)." in page


def test_a_missing_screenshot_becomes_a_note() -> None:
    text = "![Gallery](screenshots/never-taken-xyz.png)"
    assert "not built" in docgen.missing_screenshots_as_notes(text)
    assert "](screenshots/" not in docgen.missing_screenshots_as_notes(text)


def test_the_gallery_shows_only_screenshots_the_browser_tests_take() -> None:
    gallery = (ROOT / "docs" / "widgets.md").read_text(encoding="utf-8")
    names = [
        m.group(2).removeprefix("screenshots/").removesuffix(".png")
        for m in docgen.IMAGE.finditer(gallery)
    ]
    assert len(names) >= 8
    browser = "\n".join(
        p.read_text(encoding="utf-8") for p in (ROOT / "tests" / "browser").glob("*.py")
    )
    for name in names:
        taken = f'"{name}"' in browser or (
            name.startswith("crisis-")
            and 'f"crisis-{variant}"' in browser
            and f'"{name.removeprefix("crisis-")}"' in browser
        )
        assert taken, f"no browser test saves {name}.png"


def test_the_readme_picture_is_committed_and_taken_by_the_browser_tests() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    images = re.findall(r"!\[[^\]]+\]\(([^)\s]+)\)", readme)
    assert images == ["docs/images/readme-demo.png"]
    picture = ROOT / images[0]
    assert picture.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    browser = (ROOT / "tests" / "browser" / "test_e2e_demo.py").read_text(encoding="utf-8")
    assert '"readme-demo"' in browser
