"""Languages: the CLDR locale each UI language formats dates, times and numbers for (used by babel), and
the direction a piece of text is written in."""

from __future__ import annotations

#: The region each UI language formats for (English as written in Europe: 23 Nov 2026, 24-hour clock).
BABEL_LOCALES = {"de": "de_DE", "en": "en_GB", "uk": "uk_UA", "ar": "ar"}


def babel_locale(language: str) -> str:
    """ "de", "de-LS" (easy German), "en", ... to the locale babel formats with; German when unknown."""
    return BABEL_LOCALES.get(language.split("-")[0], "de_DE")


def writing_direction(text: str | None) -> str | None:
    """The direction a piece of text is written in, by its first strongly directional character (the rule
    of Unicode's bidi algorithm, P2-P3, and of HTML's `dir="auto"`): "rtl" for Arabic or Hebrew letters,
    "ltr" for Latin, Cyrillic and the like, None when the text has no such character (empty, digits,
    punctuation), so the screen's own direction applies."""
    import unicodedata

    for char in text or "":
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return None
