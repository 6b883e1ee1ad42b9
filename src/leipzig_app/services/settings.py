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
