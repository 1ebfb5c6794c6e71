"""Last-Modified of availability feeds: remembered per app, moved only when the slots change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from kat_widgets.web.feed_memory import FeedMemory

T0 = dt.datetime(2027, 3, 8, 15, 0, 0, 123456, tzinfo=dt.UTC)


def test_same_slots_keep_the_first_date_and_a_change_moves_it() -> None:
    memory = FeedMemory()
    assert memory.since("draper/info-call/", "aaa", T0) == T0.replace(microsecond=0)
    later = T0 + dt.timedelta(hours=2)
    assert memory.since("draper/info-call/", "aaa", later) == T0.replace(microsecond=0)
    assert memory.since("draper/info-call/", "bbb", later) == later.replace(microsecond=0)
    assert memory.since("layton/info-call/", "aaa", later) == later.replace(microsecond=0)


def test_two_apps_never_share_their_dates() -> None:
    first, second = FeedMemory(), FeedMemory()
    first.since("draper/info-call/", "aaa", T0)
    later = T0 + dt.timedelta(days=1)
    assert second.since("draper/info-call/", "aaa", later) == later.replace(microsecond=0)


def test_keyed_bodies_are_written_once_and_the_oldest_dropped() -> None:
    from kat_widgets.web.feed_memory import KEYED_BODIES

    memory = FeedMemory()
    written: list[str] = []

    def writer(key: str) -> Callable[[], bytes]:
        def write() -> bytes:
            written.append(key)
            return f"[{key}]".encode()

        return write

    first = memory.keyed("a", writer("a"))
    assert memory.keyed("a", writer("a")) is first  # the same object: brotli knows it
    assert written == ["a"]
    for n in range(KEYED_BODIES):
        memory.keyed(f"k{n}", writer(f"k{n}"))
    assert memory.keyed("k1", writer("k1")) == b"[k1]"  # still kept
    memory.keyed("a", writer("a"))  # dropped as the least recently used: written again
    assert written.count("a") == 2 and written.count("k1") == 1
