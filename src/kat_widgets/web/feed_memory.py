"""When each availability feed's open slots last changed, as one app instance has seen it."""

from __future__ import annotations

import datetime as dt
import threading

__all__ = ["FeedMemory"]


class FeedMemory:
    """Per-app memory of ``feed -> (digest, since)`` behind ``Last-Modified`` and DTSTAMP.

    Kept per app (not per process) so two apps in one process never share or mix their dates.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[str, tuple[str, dt.datetime]] = {}

    def since(self, feed: str, digest: str, now: dt.datetime) -> dt.datetime:
        """When ``feed`` first had this ``digest``; ``now`` (to the second) if it just changed."""
        with self._lock:
            seen = self._seen.get(feed)
            if seen is None or seen[0] != digest:
                seen = (digest, now.astimezone(dt.UTC).replace(microsecond=0))
                self._seen[feed] = seen
            return seen[1]
