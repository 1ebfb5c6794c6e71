"""Under an ASGI ``root_path``, every path routes, whatever the token or the server's convention.

Litestar cuts ``path`` at the first occurrence of ``root_path``; a manage token that began with
the mount's name (``/w`` and a token ``w...``: one in 64) used to be cut mid-path and answer 404.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from kat_widgets.booking import service as booking_service
from kat_widgets.web.root_path import with_root_in_path
from tests.booking.test_pages import form


@pytest.mark.parametrize("root_path", ["/w"])
@pytest.mark.parametrize("lead", ["w", "w_", "wx"])
def test_a_token_that_starts_like_the_mount_opens_its_manage_page(
    client: TestClient[Litestar], monkeypatch: pytest.MonkeyPatch, lead: str
) -> None:
    real = booking_service.new_token
    monkeypatch.setattr(booking_service, "new_token", lambda: lead + real()[len(lead) :])
    booked = client.post("/fragments/booking", data=form())
    assert booked.status_code == 201
    match = re.search(r"/w/bookings/([A-Za-z0-9_-]{43})", booked.text)
    assert match is not None and match.group(1).startswith(lead)
    token = match.group(1)
    page = client.get(f"/bookings/{token}")
    assert page.status_code == 200, page.text
    assert re.findall(r'name="start" value="([^"]+)"', page.text)
    assert client.get(f"/api/bookings/{token}").status_code == 200
    ics = re.search(r'href="/w(/calendars/bookings/[A-Za-z0-9_-]{43}\.ics)"', booked.text)
    assert ics is not None
    assert client.get(ics.group(1)).status_code == 200


def _scope(path: str, root: str) -> dict[str, Any]:
    return {"type": "http", "path": path, "raw_path": path.encode(), "root_path": root}


def test_paths_below_the_root_get_the_root_in_front() -> None:
    scope = with_root_in_path(_scope("/bookings/wABC", "/w"))  # type: ignore[arg-type]
    assert scope["path"] == "/w/bookings/wABC"
    assert scope.get("raw_path") == b"/w/bookings/wABC"


@pytest.mark.parametrize(
    ("path", "root"),
    [("/w/bookings/wABC", "/w"), ("/w", "/w"), ("/healthz", ""), ("/kat/x", "/kat/")],
)
def test_full_paths_and_no_root_are_left_alone(path: str, root: str) -> None:
    scope = _scope(path, root)
    assert with_root_in_path(scope) is scope  # type: ignore[arg-type]


def test_a_raw_path_that_already_has_the_root_is_not_prefixed_twice() -> None:
    scope = _scope("/bookings/wABC", "/w")
    scope["raw_path"] = b"/w/bookings/wABC"  # some servers strip path but not raw_path
    changed = with_root_in_path(scope)  # type: ignore[arg-type]
    assert changed["path"] == "/w/bookings/wABC"
    assert changed.get("raw_path") == b"/w/bookings/wABC"


def test_a_root_outside_latin_1_is_percent_encoded_in_raw_path() -> None:
    changed = with_root_in_path(_scope("/healthz", "/санаторий"))  # type: ignore[arg-type]
    assert changed["path"] == "/санаторий/healthz"
    assert (
        changed.get("raw_path")
        == b"/%D1%81%D0%B0%D0%BD%D0%B0%D1%82%D0%BE%D1%80%D0%B8%D0%B9/healthz"
    )


def test_lifespan_scopes_pass_through() -> None:
    scope = {"type": "lifespan"}
    assert with_root_in_path(scope) is scope  # type: ignore[arg-type]
