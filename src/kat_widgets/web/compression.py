"""Brotli that compresses an answer it keeps sending only once.

Most of what we serve is the same bytes again and again: a clinic's open-times feed (written
once per change, ~100 KB), a cached locator search (20 KB), the crisis banner. Litestar's
brotli compresses every answer anew: at quality 5 that is ~200 us for a 20 KB fragment, more
than the rest of the request. :class:`RepeatBrotli` is Litestar's own facade with a memory:
a whole answer (one body, the usual case) is looked up by its BLAKE2b digest, and the
compressed bytes of an answer seen before are sent as they are.

Only answers that recur are kept: the first time a body is seen only its digest is noted (no
content); its compressed bytes are kept from the second time. Answers with a token or personal
data never reach it: their routes are never compressed (``NEVER_COMPRESS``, against BREACH).
Kept: at most :data:`KEEP_BYTES` of compressed bytes, the least recently sent dropped first.
A streamed answer (several bodies) is compressed as it comes, one chunk late.

A large body sent as the very same ``bytes`` object again (a feed, which its route keeps) is
not even hashed again: the last :data:`SAME_OBJECTS` such bodies are remembered with their
digest, by identity, each held so that its identity cannot pass to another object.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Literal

import brotli  # type: ignore[import-untyped]
from litestar.enums import CompressionEncoding
from litestar.middleware.compression.brotli_facade import BrotliCompression

if TYPE_CHECKING:
    from io import BytesIO

    from litestar.config.compression import CompressionConfig

__all__ = ["KEEP_BYTES", "RepeatBrotli", "kept"]

KEEP_BYTES = 16 * 1024 * 1024
SEEN = 4096
"""Digests of bodies seen once (16 bytes each, no content)."""
SAME_OBJECTS = 64
"""Large bodies remembered by identity (with their digest), the least recently sent dropped."""
SAME_OBJECTS_HELD = 32 * 1024 * 1024
"""At most this many bytes of bodies held for :data:`SAME_OBJECTS` (a body sent once and
dropped is held here until newer ones push it out)."""
SAME_OBJECT_BYTES = 4 * 1024
"""From this size on, hashing a body costs more than a lookup by identity (~4 us at 4 KB; a
locator search's 20 KB, ~16 us)."""
_MODES = {"text": brotli.MODE_TEXT, "font": brotli.MODE_FONT, "generic": brotli.MODE_GENERIC}


class _Kept:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.compressed: OrderedDict[bytes, bytes] = OrderedDict()
        self.seen: OrderedDict[bytes, None] = OrderedDict()
        self.same: OrderedDict[tuple[int, bytes], tuple[bytes, bytes]] = OrderedDict()
        """(id(body), the options) -> (the body itself, its digest with those options)."""
        self.same_held = 0
        self.size = 0
        self.hits = 0

    def clear(self) -> None:
        with self.lock:
            self.compressed.clear()
            self.seen.clear()
            self.same.clear()
            self.size = self.hits = self.same_held = 0

    def compress(self, body: bytes, config: CompressionConfig) -> bytes:
        options = (
            config.brotli_quality,
            config.brotli_mode,
            config.brotli_lgwin,
            config.brotli_lgblock,
        )
        key = self._digest(body, repr(options).encode())
        with self.lock:
            found = self.compressed.get(key)
            if found is not None:
                self.compressed.move_to_end(key)
                self.hits += 1
                return found
            again = key in self.seen
            if not again:
                self.seen[key] = None
                if len(self.seen) > SEEN:
                    self.seen.popitem(last=False)
        data: bytes = brotli.compress(
            body,
            quality=config.brotli_quality,
            mode=_MODES[config.brotli_mode],
            lgwin=config.brotli_lgwin,
            lgblock=config.brotli_lgblock,
        )
        if again and len(data) <= KEEP_BYTES // 16:
            with self.lock:
                if key not in self.compressed:
                    self.compressed[key] = data
                    self.size += len(data)
                    self.seen.pop(key, None)
                while self.size > KEEP_BYTES:
                    _, dropped = self.compressed.popitem(last=False)
                    self.size -= len(dropped)
        return data

    def _digest(self, body: bytes, options: bytes) -> bytes:
        if not SAME_OBJECT_BYTES <= len(body) <= SAME_OBJECTS_HELD // 4:
            return hashlib.blake2b(options + body, digest_size=16).digest()
        same = (id(body), options)
        with self.lock:
            known = self.same.get(same)
            if known is not None and known[0] is body:  # held: the id is still this body's
                self.same.move_to_end(same)
                return known[1]
        key = hashlib.blake2b(options + body, digest_size=16).digest()
        with self.lock:
            if same not in self.same:
                self.same[same] = (body, key)
                self.same_held += len(body)
            while len(self.same) > SAME_OBJECTS or self.same_held > SAME_OBJECTS_HELD:
                _, (dropped, _) = self.same.popitem(last=False)
                self.same_held -= len(dropped)
        return key


kept = _Kept()
"""This process's kept answers (tests read ``hits`` and clear it)."""


class RepeatBrotli(BrotliCompression):
    """Litestar's brotli facade, compressing a whole answer through :data:`kept`."""

    __slots__ = ("_config", "_held", "_streaming")

    encoding = CompressionEncoding.BROTLI

    def __init__(
        self,
        buffer: BytesIO,
        compression_encoding: Literal[CompressionEncoding.BROTLI] | str,
        config: CompressionConfig,
    ) -> None:
        super().__init__(buffer, compression_encoding, config)
        self._config = config
        self._held: bytes | None = None
        self._streaming = False

    def write(self, body: bytes) -> None:
        if self._streaming:
            super().write(body)
        elif self._held is None:
            self._held = body  # the whole answer, unless another body follows
        else:  # a streamed answer: compressed as it comes, from here on
            self._streaming = True
            held, self._held = self._held, None
            super().write(held)
            super().write(body)

    def close(self) -> None:
        if self._held is None or self._streaming:
            super().close()
            return
        self.buffer.write(kept.compress(self._held, self._config))
        self._held = None
