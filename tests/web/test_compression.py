"""Answers are gzipped where the client accepts it, except those that carry a secret (BREACH)."""

from __future__ import annotations

from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from kat_widgets import Settings, create_app
from kat_widgets.web.app import NEVER_COMPRESS
from tests.booking.booking_support import booking_body, upcoming_slots

GZIP = {"Accept-Encoding": "gzip"}
BROTLI = {"Accept-Encoding": "gzip, deflate, br"}  # what browsers send


@pytest.fixture
def app(tmp_path: Path) -> Litestar:
    return create_app(Settings(data_dir=str(tmp_path), secret_key="z" * 40))


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/static/widgets.css",
        "/embed.js",
        "/fragments/locator?q=84020",
        "/calendars/draper/availability.ics",
    ],
)
def test_pages_assets_and_feeds_are_gzipped(app: Litestar, path: str) -> None:
    with TestClient(app) as client:
        plain = client.get(path, headers={"Accept-Encoding": "identity"})
        packed = client.get(path, headers=GZIP)
    assert packed.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in packed.headers["vary"].lower()
    assert packed.content == plain.content  # httpx decodes: the same answer
    assert int(packed.headers["content-length"]) < len(plain.content)
    assert "content-encoding" not in plain.headers


@pytest.mark.parametrize("path", ["/", "/static/widgets.css", "/fragments/locator?q=84020"])
def test_brotli_where_the_client_accepts_it_and_smaller_than_gzip(app: Litestar, path: str) -> None:
    import brotli

    with TestClient(app) as client:
        plain = client.get(path, headers={"Accept-Encoding": "identity"})
        packed = client.stream("GET", path, headers=BROTLI)
        with packed as response:
            raw = b"".join(response.iter_raw())
            encoding = response.headers["content-encoding"]
        gzipped = client.get(path, headers=GZIP)
    assert encoding == "br"
    assert brotli.decompress(raw) == plain.content
    assert len(raw) < int(gzipped.headers["content-length"])


def test_answers_with_a_token_or_personal_data_are_never_compressed(app: Litestar) -> None:
    with TestClient(app) as client:
        booked = client.post(
            "/api/bookings",
            json=booking_body("murray", upcoming_slots("murray", 1)[0]),
            headers=GZIP,
        )
        assert booked.status_code == 201
        answer = booked.json()
        token = answer["manage_url"].rsplit("/", 1)[1]
        secret_bearing = [
            booked,
            client.get(f"/api/bookings/{token}", headers=BROTLI),
            client.get(f"/api/bookings/{token}", headers=GZIP),
            client.get(f"/bookings/{token}", headers=GZIP),
            client.get(answer["ics_url"], headers=GZIP),
        ]
    for response in secret_bearing:
        assert response.status_code == 200 or response.status_code == 201
        assert "content-encoding" not in response.headers, response.url


def test_every_route_with_a_token_in_its_path_carries_the_mark(app: Litestar) -> None:
    marked = {
        route.path
        for route in app.routes
        for handler in getattr(route, "route_handlers", [])
        if handler.opt.get(NEVER_COMPRESS)
    }
    with_token = {
        route.path for route in app.routes if "{token" in route.path or "{filename" in route.path
    }
    assert with_token and with_token <= marked
    assert "/api/bookings" in marked


def _brotli_raw(client: TestClient[Litestar], path: str) -> bytes:
    with client.stream("GET", path, headers=BROTLI) as response:
        assert response.headers["content-encoding"] == "br"
        return b"".join(response.iter_raw())


def test_an_answer_sent_again_is_compressed_once(app: Litestar) -> None:
    """#14: the same bytes (a cached search, a feed) are not brotli-compressed per request."""
    import brotli

    from kat_widgets.web.compression import kept

    path = "/fragments/locator?q=84020"
    kept.clear()
    with TestClient(app) as client:
        plain = client.get(path, headers={"Accept-Encoding": "identity"}).content
        first = _brotli_raw(client, path)
        assert (kept.hits, len(kept.compressed)) == (0, 0)  # seen once: only its digest noted
        second = _brotli_raw(client, path)
        assert (kept.hits, len(kept.compressed)) == (0, 1)  # seen again: kept
        third = _brotli_raw(client, path)
        assert kept.hits == 1  # sent as kept
        other = _brotli_raw(client, "/fragments/locator?q=84101")
    assert brotli.decompress(first) == brotli.decompress(second) == plain
    assert third == second and brotli.decompress(third) == plain
    assert brotli.decompress(other) != plain


def test_a_streamed_answer_is_compressed_as_it_comes() -> None:
    import io

    import brotli
    from litestar.config.compression import CompressionConfig

    from kat_widgets.web.compression import RepeatBrotli

    config = CompressionConfig(backend="brotli-repeat", compression_facade=RepeatBrotli)
    buffer = io.BytesIO()
    facade = RepeatBrotli(buffer, "br", config)
    chunks = [b"<p>first</p>" * 200, b"<p>second</p>" * 200, b""]
    sent = []
    for chunk in chunks:  # what the middleware does: write, take what the buffer holds
        facade.write(chunk)
        sent.append(buffer.getvalue())
        buffer.seek(0)
        buffer.truncate()
    facade.close()
    sent.append(buffer.getvalue())
    assert sent[0] == b""  # one chunk late: the first waits to see whether another follows
    assert sent[1] != b""
    assert brotli.decompress(b"".join(sent)) == b"".join(chunks)


class Hashes:
    """Counts the BLAKE2b digests taken while :meth:`counting` is on (sizes of what was hashed).

    hashlib is the module every caller shares: tests count the sizes that matter to them."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch
        self.sizes: list[int] = []

    def counting(self) -> None:
        from kat_widgets.web import compression

        real = compression.hashlib.blake2b

        def counted(data: bytes, **options: int) -> object:
            self.sizes.append(len(data))
            return real(data, **options)

        self.monkeypatch.setattr(compression.hashlib, "blake2b", counted)


@pytest.fixture
def hashes(monkeypatch: pytest.MonkeyPatch) -> Hashes:
    from kat_widgets.web import compression

    compression.kept.clear()
    return Hashes(monkeypatch)


def test_a_large_body_sent_again_as_the_same_object_is_not_hashed_again(hashes: Hashes) -> None:
    """#14: a feed's route keeps its bytes; hashing ~300 KB per request cost ~0.3 ms."""
    import brotli
    from litestar.config.compression import CompressionConfig

    from kat_widgets.web import compression

    hashes.counting()
    hashed = hashes.sizes
    config = CompressionConfig(backend="brotli-repeat", compression_facade=compression.RepeatBrotli)
    feed = b"BEGIN:VEVENT\r\nEND:VEVENT\r\n" * 4000  # 104 KB
    sent = [compression.kept.compress(feed, config) for _ in range(3)]
    assert len(hashed) == 1  # the first time only
    equal = feed[:10] + feed[10:]  # the same bytes, another object: hashed, found by digest
    assert equal is not feed
    assert compression.kept.compress(equal, config) == sent[1]
    assert len(hashed) == 2
    stronger = CompressionConfig(
        backend="brotli-repeat", compression_facade=compression.RepeatBrotli, brotli_quality=9
    )
    compression.kept.compress(feed, stronger)  # other options: another digest
    assert len(hashed) == 3
    assert all(brotli.decompress(data) == feed for data in sent)
    small = b"<p>hello</p>" * 100
    compression.kept.compress(small, config)
    compression.kept.compress(small, config)
    assert len(hashed) == 5  # a small body is hashed each time: cheaper than remembering it


def test_a_kept_locator_search_is_neither_encoded_nor_hashed_again(
    app: Litestar, hashes: Hashes
) -> None:
    """#14: the locator keeps its renders; their bytes are kept beside them."""
    import brotli

    with TestClient(app) as client:
        plain = client.get("/fragments/locator?q=84020", headers={"Accept-Encoding": "identity"})
        hashes.counting()
        sent = [_brotli_raw(client, "/fragments/locator?q=84020") for _ in range(3)]
        other = _brotli_raw(client, "/fragments/locator?q=84101")
    assert len([size for size in hashes.sizes if size > 4096]) == 2  # each search once
    assert all(brotli.decompress(body) == plain.content for body in sent)
    assert brotli.decompress(other) != plain.content
