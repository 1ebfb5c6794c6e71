"""Last-Modified of availability feeds: remembered per app, moved only when the slots change."""

from __future__ import annotations

import datetime as dt

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
