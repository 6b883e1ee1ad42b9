"""Reading and changing the resident's preferences; every change is remembered at once."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from leipzig_app.domain.settings import TEXT_SCALES, THEMES, Preferences, SettingsStore, coerce_preferences

_KEYS = ("language", "theme", "text_scale", "easy_language", "city")


class SettingsService:
    def __init__(self, store: SettingsStore, *, languages: tuple[str, ...]):
        self._store = store
        self._languages = languages

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages the active city offers, its default first."""
        return self._languages

    def switch_city(self, city: str, languages: tuple[str, ...]) -> Preferences:
        """Remember `city` and offer its languages from now on.

        A language the new city does not offer is replaced by the city's default (and stored, so the
        choice does not come back when the resident later returns to a city that offers it).
        """
        if not languages:
            raise ValueError("a city offers at least one language")
        current = self.load()
        self._languages = tuple(languages)
        language = current.language if current.language in self._languages else self._languages[0]
        # Stored as shown: the language in effect is the one kept, whatever an older city had stored.
        return self.update(city=city, language=language)

    def load(self) -> Preferences:
        raw = {key: self._store.get(key) for key in _KEYS}
        return coerce_preferences({k: v for k, v in raw.items() if v is not None}, languages=self._languages)

    def update(self, **changes: Any) -> Preferences:
        """Validate and store changes; unknown keys or values raise ValueError (a bug, not user input)."""
        current = self.load()
        for key, value in changes.items():
            if key not in _KEYS:
                raise ValueError(f"unknown setting {key!r}")
            if key == "language" and value not in self._languages:
                raise ValueError(f"language {value!r} is not offered by this city")
            if key == "theme" and value not in THEMES:
                raise ValueError(f"theme {value!r} is not one of {THEMES}")
            if key == "text_scale" and value not in TEXT_SCALES:
                raise ValueError(f"text scale {value!r} is not one of {TEXT_SCALES}")
        updated = replace(current, **changes)
        if updated.language != "de":
            updated = replace(updated, easy_language=False)
        for key in _KEYS:
            value = getattr(updated, key)
            if value != getattr(current, key) or key in changes:
                self._store.set(key, value)
        return updated
