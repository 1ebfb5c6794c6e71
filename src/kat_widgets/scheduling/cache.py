"""Open slots kept between requests for as long as what they were computed from holds.

A clinic's slots depend on the directory (fixed for an app's life), on the busy times (which a
versioned :data:`~kat_widgets.scheduling.types.BusyProvider` names by ``version(clinic_id)``:
the booking store's version is bumped inside every transaction that changes a hold, so every
worker agrees) and on "now" (notice and horizon). One entry per (clinic, service) holds every
slot from "now" to the horizon plus :attr:`SlotCache.slack_seconds`; a later request within
that slack, under the same version, is a slice of it (two bisections), since a slot never
depends on the edges of the range it was computed in. A provider without a version is asked
every time, as without a cache.

Each answer carries a key that names exactly the slots returned (the same in every worker), so
a feed's ETag costs one version lookup and no slot computation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from bisect import bisect_left
from collections.abc import Hashable
from typing import NamedTuple

import msgspec

from kat_widgets.directory import Directory
from kat_widgets.scheduling.engine import Window, slot_window, window_slots
from kat_widgets.scheduling.types import BusyProvider, Slot, busy_version
from kat_widgets.version import __version__

__all__ = ["Found", "SlotCache", "content_key"]

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class Found(NamedTuple):
    slots: list[Slot]
    key: str
    """Names exactly these slots: equal keys, equal slots (in any worker, after a restart)."""


class _Entry(NamedTuple):
    version: Hashable
    now: int
    """The UTC second the entry was computed at: it serves ``now`` up to ``slack`` later."""
    basis: str
    slots: list[Slot]
    starts: list[int]


def content_key(slots: list[Slot], *parts: str) -> str:
    """A key from the slots themselves (when nothing versioned them): their starts and ends."""
    text = "|".join([*parts, *(f"{s.start.isoformat()}/{s.end.isoformat()}" for s in slots)])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _at(second: int) -> dt.datetime:
    return _EPOCH + dt.timedelta(seconds=second)


class SlotCache:
    """Slots per (clinic, service), computed once per busy-time version and slack period."""

    def __init__(self, *, slack_seconds: int = 900) -> None:
        self.slack_seconds = slack_seconds
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, str], _Entry] = {}
        self._fingerprints: dict[tuple[str, str], str] = {}
        self.computed = 0
        """How many times slots were computed (not served from an entry), for tests."""

    def find(
        self,
        directory: Directory,
        clinic_id: str,
        service_id: str,
        *,
        start: dt.datetime,
        end: dt.datetime,
        busy: BusyProvider,
        now: dt.datetime,
    ) -> Found:
        """What :func:`~kat_widgets.scheduling.engine.free_slots` answers (same errors), with
        the key that names it."""
        window = slot_window(directory, clinic_id, service_id, start=start, end=end, now=now)
        clinic, service = window.clinic, window.service
        version = busy_version(busy, clinic.id)
        if window.lo >= window.hi:
            return Found([], content_key([], clinic.id, service.id))
        if version is None:
            self.computed += 1
            taken = busy(clinic.id, _at(window.lo), _at(window.hi))
            found = window_slots(window, taken)
            return Found(found, content_key(found, clinic.id, service.id))
        second = int(now.timestamp())
        entry = self._entries.get((clinic.id, service.id))
        if (
            entry is None
            or entry.version != version
            or not (entry.now <= second <= entry.now + self.slack_seconds)
        ):
            entry = self._compute(window, version, second, busy)
        first = bisect_left(entry.starts, window.lo)
        last = bisect_left(entry.starts, window.hi, lo=first)
        chosen = entry.slots[first:last]
        edges = f"{entry.starts[first]}-{entry.starts[last - 1]}" if chosen else "none"
        key = hashlib.sha256(f"{entry.basis}|{edges}|{len(chosen)}".encode()).hexdigest()[:32]
        return Found(chosen, key)

    def _compute(self, asked: Window, version: Hashable, second: int, busy: BusyProvider) -> _Entry:
        clinic, service, policy = asked.clinic, asked.service, asked.policy
        lo = second + policy.min_notice_minutes * 60
        hi = int((_at(second) + dt.timedelta(days=policy.horizon_days)).timestamp()) + 1
        hi += self.slack_seconds
        window = Window(clinic, service, policy, lo, hi)
        self.computed += 1
        found = window_slots(window, busy(clinic.id, _at(lo), _at(hi)))
        basis = f"{self._fingerprint(clinic.id, service.id, window)}|{version!r}"
        entry = _Entry(version, second, basis, found, [int(s.start.timestamp()) for s in found])
        with self._lock:
            self._entries[(clinic.id, service.id)] = entry
        return entry

    def _fingerprint(self, clinic_id: str, service_id: str, window: Window) -> str:
        """What the directory says of this clinic and service, and this code's version."""
        key = (clinic_id, service_id)
        known = self._fingerprints.get(key)
        if known is None:
            data = msgspec.msgpack.encode((window.clinic, window.service, __version__))
            known = self._fingerprints[key] = hashlib.sha256(data).hexdigest()[:24]
        return known
