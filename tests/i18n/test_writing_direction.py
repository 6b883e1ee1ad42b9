"""The direction a text is written in, by its first strongly directional character."""

from __future__ import annotations

import pytest

from leipzig_app.domain.languages import writing_direction


@pytest.mark.parametrize(
    ("text", "direction"),
    [
        ("Die Gebühr ist zu hoch.", "ltr"),
        ("Плата завелика.", "ltr"),
        ("الرسوم مرتفعة جدا.", "rtl"),
        ("שלום", "rtl"),
        ("  12.05.2026: الرسوم", "rtl"),  # digits, spaces and punctuation before it do not count
        ("(5.2612.070001.7) Die Gebühr", "ltr"),
        ("30/12/2026", None),
        ("", None),
        (None, None),
        ("\u200f...", "rtl"),  # a right-to-left mark says so, as in the bidi algorithm
    ],
)
def test_the_first_strong_character_decides(text: str | None, direction: str | None) -> None:
    assert writing_direction(text) == direction
