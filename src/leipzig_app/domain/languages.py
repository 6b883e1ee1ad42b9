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


#: Unicode's first-strong isolate and its end (UAX #9, FSI ... PDI).
FIRST_STRONG_ISOLATE = "\u2068"
POP_DIRECTIONAL_ISOLATE = "\u2069"


def in_own_direction(text: str, screen_rtl: bool) -> str:
    """Text from elsewhere (a German news item on an Arabic screen, or the other way round), marked so that
    it runs in its own direction inside the screen's.

    Without the marks, the paragraph takes the screen's direction: "Die Bürger können Ideen einreichen."
    on an Arabic screen ends with its full stop on the left, before "Die". A first-strong isolate (what
    HTML's `<bdi>` does) keeps it whole. Text in the screen's own direction, or with no letters, is
    returned as it is."""
    direction = writing_direction(text)
    if direction is None or (direction == "rtl") == screen_rtl:
        return text
    return f"{FIRST_STRONG_ISOLATE}{text}{POP_DIRECTIONAL_ISOLATE}"
