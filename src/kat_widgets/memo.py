"""Values made once and kept: by key (:class:`Kept`), or by an object's identity
(:class:`IdentityMemo`), the least recently used dropped past a size.

Each is safe to share between threads. Two threads that miss the same key at once may both make
the value (one is kept); a value that is the same whoever makes it needs no more than that.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from typing import Generic, TypeVar

__all__ = ["IdentityMemo", "Kept"]

K = TypeVar("K")
V = TypeVar("V")


class Kept(Generic[V]):
    """The last ``size`` values made, by key: ``kept.get(key, make)`` is ``make()``'s value,
    made only when the key is not kept (an error from ``make`` keeps nothing)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._values: OrderedDict[Hashable, V] = OrderedDict()

    def get(self, key: Hashable, make: Callable[[], V]) -> V:
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
        value = make()
        with self._lock:
            self._values[key] = value
            while len(self._values) > self.size:  # the size may have been lowered meanwhile
                self._values.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._values)

    def __iter__(self) -> Iterator[Hashable]:
        """The keys kept, the least recently used first."""
        with self._lock:
            return iter(list(self._values))

    def values(self) -> list[V]:
        """The values kept, the least recently used first."""
        with self._lock:
            return list(self._values.values())


class IdentityMemo(Generic[K, V]):
    """``memo(obj)`` is ``make(obj)``, made once per object and kept by its identity.

    For values drawn from immutable objects that live long but may be replaced (a directory's
    clinics until it is reloaded, a render a widget keeps): a lookup by ``id`` costs a dictionary
    lookup where hashing a large frozen struct or string costs its whole length. Each entry
    holds its object, so the ``id`` cannot pass to another object while the entry lives.
    """

    def __init__(self, make: Callable[[K], V], *, size: int) -> None:
        self.make = make
        self._kept: Kept[tuple[K, V]] = Kept(size)

    def __call__(self, obj: K) -> V:
        return self._kept.get(id(obj), lambda: (obj, self.make(obj)))[1]
