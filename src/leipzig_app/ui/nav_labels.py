"""Which labels the bottom navigation bar can show without breaking a word.

Flutter's navigation bar gives each destination an equal share of the width and wraps a label that does
not fit, in the middle of a word if it must ("Aktuelle/s"). The app estimates a label's width from its
characters at the size the bar draws it: the label style (12 px) times the resident's in-app text size,
times the phone's or browser's own text size as the shell measures it, which Flutter caps at 1.3 for these
labels. Then:

- every label fits: all labels are shown;
- only the selected one fits: only it is shown (the others keep their icons, tooltips and names);
- not even that one: icons only; the screen's title in the app bar still names the section.

Short bar labels (`nav.bar.*` in the translation files) keep the first case the usual one on phones.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from enum import Enum

LABEL_SIZE = 12.0
OS_TEXT_CAP = 1.3
# Average advance widths in em of the bar's font (Roboto Medium; Noto Sans Arabic), rounded up.
_NARROW = frozenset("fijlrtI.,:;'!|()[] -")
_WIDE = frozenset("mwMWÆŒ@%")
_SLACK = 2.0  # px per destination that the label cannot use


class LabelMode(Enum):
    ALL = "all"
    SELECTED = "selected"
    NONE = "none"


def char_width_em(char: str) -> float:
    if char in _NARROW:
        return 0.3
    if char in _WIDE:
        return 0.9
    if "\u0600" <= char <= "\u06ff":  # Arabic letters join and are narrow on average
        return 0.42
    if unicodedata.combining(char):
        return 0.0
    if char.isupper() or char.isdigit():
        return 0.68
    if "\u0400" <= char <= "\u04ff":  # Cyrillic lower case runs a little wider than Latin
        return 0.6
    return 0.56


def label_scale(app_scale: float, os_scale: float) -> float:
    """The factor on the label style: the in-app text size times the device's, capped as Flutter does."""
    return app_scale * min(max(os_scale, 1.0), OS_TEXT_CAP)


def label_width(label: str, scale: float = 1.0) -> float:
    """Estimated width in px of `label` drawn at `scale` times the label style."""
    return sum(char_width_em(c) for c in label) * LABEL_SIZE * scale


def label_mode(labels: Sequence[str], selected: int, width: float, scale: float = 1.0) -> LabelMode:
    """How to label the bar's destinations in a window `width` px wide, labels drawn at `scale`."""
    if not labels or width <= 0:
        return LabelMode.ALL
    room = width / len(labels) - _SLACK
    if all(label_width(label, scale) <= room for label in labels):
        return LabelMode.ALL
    if 0 <= selected < len(labels) and label_width(labels[selected], scale) <= room:
        return LabelMode.SELECTED
    return LabelMode.NONE
