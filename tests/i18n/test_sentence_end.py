"""A value that ends in an abbreviation's full stop also ends the sentence: no doubled full stop."""

from __future__ import annotations

from datetime import date

from leipzig_app.i18n import Translator
from leipzig_app.ui import formatting


def test_a_ukrainian_date_at_the_end_of_a_sentence_has_one_full_stop() -> None:
    t = Translator("uk")
    day = formatting.day(date(2026, 12, 30), "uk")
    assert day.endswith("р.")
    saved = t("notices.later.saved", day=day)
    assert saved.endswith(day)
    assert not saved.endswith("..")


def test_only_the_sentence_end_is_merged() -> None:
    t = Translator("de")
    # German dates end in a digit: the sentence keeps its full stop.
    assert t("notices.later.saved", day="30.12.2026").endswith("30.12.2026.")
    # Other values, format specs and an ellipsis after a value stay as they are.
    from leipzig_app.i18n import _fill

    assert _fill("{a} und {b:>3}.", {"a": "Nr.", "b": 7}) == "Nr. und   7."
    assert _fill("bis {day}...", {"day": "1 груд. 2026 р."}) == "bis 1 груд. 2026 р...."
    assert _fill("{x}.", {"x": "z. B."}) == "z. B."
