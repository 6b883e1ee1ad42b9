"""Which CLDR locale each UI language formats dates, times and numbers for (pure data, used by babel)."""

from __future__ import annotations

#: The region each UI language formats for (English as written in Europe: 23 Nov 2026, 24-hour clock).
BABEL_LOCALES = {"de": "de_DE", "en": "en_GB", "uk": "uk_UA", "ar": "ar"}


def babel_locale(language: str) -> str:
    """ "de", "de-LS" (easy German), "en", ... to the locale babel formats with; German when unknown."""
    return BABEL_LOCALES.get(language.split("-")[0], "de_DE")
