"""When each availability feed's open slots last changed, as one app instance has seen it, and
the body last written for them; and the last bodies written for slot lists, by their key."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

from kat_widgets.memo import Kept

__all__ = ["KEYED_BODIES", "FeedMemory"]

KEYED_BODIES = 256
"""Bodies kept by :meth:`FeedMemory.keyed` (a 14-day slot list is ~10 KB)."""


class FeedMemory:
    """Per-app memory of ``feed -> (digest, since, body)`` behind ``Last-Modified``, DTSTAMP and
    the feed itself: a feed asked again with the same open slots is not written again.

    Kept per app (not per process) so two apps in one process never share or mix their dates.
    One entry per feed (clinic, service, format): bounded by the directory.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[str, tuple[str, dt.datetime]] = {}
        self._bodies: dict[str, tuple[str, bytes]] = {}
        self._keyed: Kept[bytes] = Kept(KEYED_BODIES)

    def since(self, feed: str, digest: str, now: dt.datetime) -> dt.datetime:
        """When ``feed`` first had this ``digest``; ``now`` (to the second) if it just changed."""
        with self._lock:
            seen = self._seen.get(feed)
            if seen is None or seen[0] != digest:
                seen = (digest, now.astimezone(dt.UTC).replace(microsecond=0))
                self._seen[feed] = seen
            return seen[1]

    def body(self, feed: str, digest: str, write: Callable[[], bytes]) -> bytes:
        """The body last written for ``feed`` if it had this ``digest``, else ``write()``'s."""
        kept = self._bodies.get(feed)
        if kept is not None and kept[0] == digest:
            return kept[1]
        body = write()
        with self._lock:
            self._bodies[feed] = (digest, body)
        return body

    def keyed(self, key: str, write: Callable[[], bytes]) -> bytes:
        """The body written for ``key`` (a name for exactly what the body holds, such as a slot
        list's key), else ``write()``'s; the last :data:`KEYED_BODIES` are kept.

        The same open slots asked again are then the same bytes: not encoded again, and the
        very object brotli's memory knows (:mod:`kat_widgets.web.compression`)."""
        return self._keyed.get(key, write)
