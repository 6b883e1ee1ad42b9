"""WCAG 2.1 contrast: relative luminance and contrast ratio of sRGB colours.

Used to refuse a city profile whose colours would make text unreadable, and by the theme tests that check
every text/background pair of the light and dark themes.
"""

from __future__ import annotations

import re

_HEX = re.compile(r"^#?([0-9A-Fa-f]{6})$")


def parse_hex_color(value: str) -> tuple[int, int, int]:
    """`#RRGGBB` (or without `#`) to an (r, g, b) tuple of 0..255; ValueError otherwise."""
    match = _HEX.match(value.strip())
    if not match:
        raise ValueError(f"not a #RRGGBB colour: {value!r}")
    digits = match.group(1)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def _channel(c: int) -> float:
    s = c / 255
    return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4


def relative_luminance(rgb: tuple[int, int, int]) -> float:
    r, g, b = (_channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(fg: tuple[int, int, int], bg: tuple[int, int, int]) -> float:
    """WCAG contrast ratio between two colours, from 1.0 to 21.0 (order does not matter)."""
    a, b = relative_luminance(fg), relative_luminance(bg)
    lighter, darker = max(a, b), min(a, b)
    return (lighter + 0.05) / (darker + 0.05)
