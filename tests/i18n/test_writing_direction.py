"""The direction a text is written in, by its first strongly directional character."""

from __future__ import annotations

import pytest

from leipzig_app.domain.languages import in_own_direction, writing_direction


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


@pytest.mark.parametrize(
    ("text", "screen_rtl", "shown"),
    [
        # a German sentence on an Arabic screen keeps its full stop at its end: isolated (as <bdi> does)
        ("Ideen bis Ende des Monats einreichen.", True, "\u2068Ideen bis Ende des Monats einreichen.\u2069"),
        ("الرسوم مرتفعة جدا.", False, "\u2068الرسوم مرتفعة جدا.\u2069"),
        # text in the screen's own direction, or without letters, stays as it is
        ("Ideen einreichen.", False, "Ideen einreichen."),
        ("الرسوم مرتفعة جدا.", True, "الرسوم مرتفعة جدا."),
        ("12.05.2026", True, "12.05.2026"),
        ("", True, ""),
    ],
)
def test_text_from_elsewhere_runs_in_its_own_direction(text: str, screen_rtl: bool, shown: str) -> None:
    assert in_own_direction(text, screen_rtl) == shown
