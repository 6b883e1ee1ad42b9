"""Which bottom-bar labels fit: estimates checked against what Chromium drew (docs/accessibility.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from leipzig_app.i18n import LANGUAGES
from leipzig_app.ui.nav_labels import LabelMode, label_mode, label_scale, label_width

LOCALES = Path(__file__).resolve().parents[2] / "src" / "leipzig_app" / "locales"
SECTIONS = ("home", "news", "appointments", "reports", "scanner", "more")


def bar_labels(language: str) -> list[str]:
    catalog = json.loads((LOCALES / language / "app.json").read_text(encoding="utf-8"))
    return [catalog[f"nav.bar.{section}"] for section in SECTIONS]


def test_the_device_text_size_counts_only_up_to_flutters_cap() -> None:
    assert label_scale(1.0, 1.0) == 1.0
    assert label_scale(1.0, 2.0) == pytest.approx(1.3)
    assert label_scale(2.0, 2.0) == pytest.approx(2.6)
    assert label_scale(1.0, 0.8) == 1.0  # a smaller device text never makes the estimate optimistic


def test_wider_letters_and_larger_text_take_more_room() -> None:
    assert label_width("mmmm") > label_width("iiii")
    assert label_width("Termine", 1.3) == pytest.approx(label_width("Termine") * 1.3)
    assert label_width("") == 0


# Observed in Chromium (Flet 1.0.5), one sixth of the width per destination: these words broke mid-word.
@pytest.mark.parametrize(
    ("label", "width", "scale"),
    [
        ("Aktuelles", 320, 1.0),
        ("Appointments", 360, 1.0),
        ("Повідомити", 390, 1.0),
        ("Сканувати", 360, 1.0),
        ("Прийоми", 320, 1.0),
        ("Scannen", 360, 1.3),
        ("Aktuelles", 390, 1.3),
    ],
)
def test_labels_seen_to_break_are_judged_too_wide(label: str, width: int, scale: float) -> None:
    assert label_mode([label] * 6, 0, width, scale) is LabelMode.NONE


# ... and these were drawn whole.
@pytest.mark.parametrize(
    ("label", "width", "scale"),
    [("Aktuelles", 360, 1.0), ("Termine", 320, 1.0), ("Scannen", 320, 1.0), ("Melden", 360, 1.3)],
)
def test_labels_seen_whole_are_judged_to_fit(label: str, width: int, scale: float) -> None:
    assert label_mode([label] * 6, 0, width, scale) is LabelMode.ALL


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_shows_all_bar_labels_on_a_common_phone(language: str) -> None:
    assert label_mode(bar_labels(language), 0, 360, 1.0) is LabelMode.ALL


def test_only_the_selected_label_when_the_others_do_not_fit() -> None:
    labels = bar_labels("de")
    assert label_mode(labels, 0, 360, 1.3) is LabelMode.SELECTED  # "Start" fits, "Scannen" does not
    assert label_mode(labels, 4, 360, 1.3) is LabelMode.NONE
    assert label_mode(labels, 0, 360, 2.0 * 1.3) is LabelMode.NONE


def test_no_width_yet_means_labels_as_usual() -> None:
    assert label_mode(bar_labels("de"), 0, 0) is LabelMode.ALL
    assert label_mode([], 0, 360) is LabelMode.ALL
