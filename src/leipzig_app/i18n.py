"""Translations: every user-facing text comes from `locales/<lang>/<feature>.json`.

Files are flat JSON objects of dotted keys (`"news.title": "Aktuelles"`); each feature owns one file per
language, and a key may appear in one file only. Texts use `str.format` placeholders (`{count}`).
German is the reference language: a key missing in another language falls back to German (and the test
suite fails on it); a key missing everywhere shows as the key itself, never as a crash. "de-LS" is
easy-to-read German (Leichte Sprache): it holds only the texts it rewrites and falls back to German.
"""

from __future__ import annotations

import json
import string
from functools import cache
from importlib import resources
from typing import Any

LANGUAGES = ("de", "en", "uk", "ar")
EASY_GERMAN = "de-LS"
RTL_LANGUAGES = frozenset({"ar"})
FALLBACK = "de"


@cache
def catalog(language: str) -> dict[str, str]:
    """All texts of one language, merged from its feature files (empty when the language has none)."""
    merged: dict[str, str] = {}
    folder = resources.files("leipzig_app") / "locales" / language
    if not folder.is_dir():
        return merged
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            merged.update(json.loads(entry.read_text(encoding="utf-8")))
    return merged


def catalog_files(language: str) -> dict[str, dict[str, str]]:
    """Per-file catalogs of a language (for the completeness tests)."""
    folder = resources.files("leipzig_app") / "locales" / language
    if not folder.is_dir():
        return {}
    return {
        entry.name: json.loads(entry.read_text(encoding="utf-8"))
        for entry in folder.iterdir()
        if entry.name.endswith(".json")
    }


class Translator:
    """Looks texts up for one language, falling back to German, then to the key."""

    def __init__(self, language: str = FALLBACK):
        self.language = language

    @property
    def base_language(self) -> str:
        """The ISO language of the UI ("de" for easy German too), for dates, numbers and text direction."""
        return self.language.split("-")[0]

    @property
    def rtl(self) -> bool:
        return self.base_language in RTL_LANGUAGES

    def __call__(self, key: str, **params: Any) -> str:
        text = catalog(self.language).get(key)
        if text is None and self.language == EASY_GERMAN:
            text = catalog(FALLBACK).get(key)
        if text is None:
            text = catalog(FALLBACK).get(key, key)
        if params:
            try:
                return _fill(text, params)
            except (KeyError, IndexError, ValueError):
                return text
        return text

    def has(self, key: str) -> bool:
        return key in catalog(self.language) or key in catalog(FALLBACK)


_FORMATTER = string.Formatter()


def _fill(text: str, params: dict[str, Any]) -> str:
    """`text.format(**params)`, with one typographic rule: a value that ends in an abbreviation's full stop
    also ends the sentence, so the template's own full stop after it is dropped ("до 30 груд. 2026 р."
    rather than "... р..")."""
    parts: list[str] = []
    for literal, name, spec, conversion in _FORMATTER.parse(text):
        if literal.startswith(".") and parts and parts[-1].endswith(".") and not literal.startswith(".."):
            literal = literal[1:]
        parts.append(literal)
        if name is None:
            continue
        value, _ = _FORMATTER.get_field(name, (), params)
        value = _FORMATTER.convert_field(value, conversion)
        parts.append(_FORMATTER.format_field(value, spec or ""))
    return "".join(parts)
