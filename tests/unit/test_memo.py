"""IdentityMemo: made once per object, by identity, the least recently used dropped."""

from __future__ import annotations

from collections.abc import Callable

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


def test_kept_makes_a_key_once_drops_the_least_recently_used_and_keeps_no_error() -> None:
    import pytest

    from kat_widgets.memo import Kept

    made: list[str] = []

    def maker(key: str) -> Callable[[], str]:
        def make() -> str:
            made.append(key)
            return key.upper()

        return make

    kept: Kept[str] = Kept(2)
    assert kept.get("a", maker("a")) == "A" and kept.get("a", maker("a")) == "A"
    kept.get("b", maker("b"))
    kept.get("a", maker("a"))  # a is now the most recently used
    kept.get("c", maker("c"))  # so b goes
    assert list(kept) == ["a", "c"] and kept.values() == ["A", "C"]
    assert made == ["a", "b", "c"]

    def failing() -> str:
        raise ValueError("no")

    with pytest.raises(ValueError, match="no"):
        kept.get("d", failing)
    assert list(kept) == ["a", "c"]
