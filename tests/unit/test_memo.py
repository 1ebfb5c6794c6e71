"""IdentityMemo: made once per object, by identity, the least recently used dropped."""

from __future__ import annotations

from kat_widgets.memo import IdentityMemo


def test_made_once_per_object_and_never_for_an_equal_other() -> None:
    made: list[object] = []

    def make(obj: tuple[int, ...]) -> int:
        made.append(obj)
        return sum(obj)

    memo = IdentityMemo(make, size=2)
    first, equal = (1, 2, 3), tuple([1, 2, 3])
    assert equal == first and equal is not first
    assert memo(first) == 6 and memo(first) == 6
    assert made == [first]
    assert memo(equal) == 6
    assert made == [first, equal]  # by identity, not equality
    assert memo(first) == 6 and len(made) == 2  # both kept (size 2), first most recent now
    memo((4,))  # a third: the least recently used (equal) is dropped
    assert memo(first) == 6 and len(made) == 3
    memo(equal)
    assert len(made) == 4


def test_short_lived_objects_each_get_their_own_value() -> None:
    memo = IdentityMemo(lambda obj: obj[0], size=8)
    for n in range(100):  # each list is freed once dropped, and its id may come back
        assert memo([n]) == n
