"""What a function made from an object, kept by the object's identity.

For values drawn from immutable objects that live long but may be replaced (a directory's
clinics until it is reloaded, a render a widget keeps): looking the object up by ``id`` costs
a dictionary lookup where hashing a large frozen struct or string costs its whole length. Each
entry holds its object, so the ``id`` cannot pass to another object while the entry lives; the
least recently used entry is dropped past ``size``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["IdentityMemo"]

K = TypeVar("K")
V = TypeVar("V")


class IdentityMemo(Generic[K, V]):
    """``memo(obj)`` is ``make(obj)``, made once per object (see the module)."""

    def __init__(self, make: Callable[[K], V], *, size: int) -> None:
        self.make = make
        self.size = size
        self._lock = threading.Lock()
        self._kept: OrderedDict[int, tuple[K, V]] = OrderedDict()

    def __call__(self, obj: K) -> V:
        with self._lock:
            known = self._kept.get(id(obj))
            if known is not None and known[0] is obj:
                self._kept.move_to_end(id(obj))
                return known[1]
        value = self.make(obj)
        with self._lock:
            self._kept[id(obj)] = (obj, value)
            if len(self._kept) > self.size:
                self._kept.popitem(last=False)
        return value
