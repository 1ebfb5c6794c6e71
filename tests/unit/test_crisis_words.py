from __future__ import annotations

import pytest

from kat_widgets.booking.crisis_words import crisis_phrases, mentions_crisis


@pytest.mark.parametrize(
    "note",
    [
        "Lately I want to die",
        "I have thought about SUICIDE",
        "I can\u2019t go on like this",
        "sometimes i think of   ending my life",
    ],
)
def test_crisis_phrases_are_found(note: str) -> None:
    assert mentions_crisis(note)


@pytest.mark.parametrize(
    "note",
    ["", None, "Mornings work best for me", "My dog died last year", "crises of faith", "skill"],
)
def test_ordinary_notes_are_not_flagged(note: str | None) -> None:
    assert not mentions_crisis(note)


def test_the_list_is_loaded_without_comments() -> None:
    phrases = crisis_phrases()
    assert "suicide" in phrases
    assert not any(phrase.startswith("#") for phrase in phrases)
