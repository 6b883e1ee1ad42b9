"""The resident's preferences and their allowed values (pure rules; stored by an adapter)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

THEMES = ("system", "light", "dark")
TEXT_SCALES = (1.0, 1.25, 1.5, 2.0)


class SettingsStore(Protocol):
    """Port: durable key/value settings."""

    def get(self, key: str, default: Any = None) -> Any: ...

    def set(self, key: str, value: Any) -> None: ...


@dataclass(frozen=True)
class Preferences:
    language: str
    theme: str = "system"
    text_scale: float = 1.0
    easy_language: bool = False
    city: str | None = None


def coerce_preferences(raw: dict[str, Any], *, languages: tuple[str, ...]) -> Preferences:
    """Stored values that are no longer valid (a removed language, a bad scale) fall back to defaults."""
    language = raw.get("language")
    if language not in languages:
        language = languages[0]
    theme = raw.get("theme") if raw.get("theme") in THEMES else "system"
    scale = raw.get("text_scale")
    text_scale = float(scale) if isinstance(scale, int | float) and float(scale) in TEXT_SCALES else 1.0
    city = raw.get("city") if isinstance(raw.get("city"), str) else None
    return Preferences(
        language=str(language),
        theme=str(theme),
        text_scale=text_scale,
        easy_language=bool(raw.get("easy_language", False)) and language == "de",
        city=city,
    )
