"""The translation files: every language has every key, with the same placeholders, and easy German only
rewrites texts that exist in German.

German is the reference. A key missing in English, Ukrainian or Arabic would silently fall back to German
at run time; here it fails the suite, naming the file and the key.
"""

from __future__ import annotations

import json
import string
from importlib import resources

import pytest

from leipzig_app.i18n import EASY_GERMAN, FALLBACK, LANGUAGES, Translator, catalog, catalog_files

OTHER_LANGUAGES = [lang for lang in LANGUAGES if lang != FALLBACK]


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def test_every_language_has_its_folder_and_german_has_texts() -> None:
    assert set(LANGUAGES) == {"de", "en", "uk", "ar"}
    german = catalog_files(FALLBACK)
    assert len(german) >= 5
    assert sum(len(texts) for texts in german.values()) > 500


@pytest.mark.parametrize("language", [*LANGUAGES, EASY_GERMAN])
def test_files_are_flat_json_objects_of_non_empty_texts(language: str) -> None:
    folder = resources.files("leipzig_app") / "locales" / language
    files = [entry for entry in folder.iterdir() if entry.name.endswith(".json")]
    assert files, f"no translation files for {language}"
    for entry in files:
        data = json.loads(entry.read_text(encoding="utf-8"))
        assert isinstance(data, dict), f"{language}/{entry.name} is not a JSON object"
        bad = [key for key, text in data.items() if not isinstance(text, str) or not text.strip()]
        assert not bad, f"{language}/{entry.name}: empty or non-text values for {bad}"


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_every_german_key_is_translated_in_the_same_file(language: str) -> None:
    german = catalog_files(FALLBACK)
    translated = catalog_files(language)
    missing: list[str] = []
    extra: list[str] = []
    for name, texts in sorted(german.items()):
        other = translated.get(name, {})
        missing += [f"{language}/{name}: {key}" for key in texts if key not in other]
        extra += [f"{language}/{name}: {key}" for key in other if key not in texts]
    extra += [f"{language}/{name}" for name in translated if name not in german]
    assert not missing, "keys missing:\n" + "\n".join(missing)
    assert not extra, "keys (or files) German does not have:\n" + "\n".join(extra)


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_placeholders_match_german(language: str) -> None:
    german = catalog(FALLBACK)
    different = [
        f"{key}: {sorted(placeholders(text))} != {sorted(placeholders(german[key]))}"
        for key, text in catalog(language).items()
        if key in german and placeholders(text) != placeholders(german[key])
    ]
    assert not different, "\n".join(different)


def test_easy_german_rewrites_only_existing_texts_with_no_new_placeholders() -> None:
    german = catalog(FALLBACK)
    easy = catalog(EASY_GERMAN)
    assert len(easy) >= 20, "easy German must cover the notice flow"
    unknown = [key for key in easy if key not in german]
    assert not unknown, f"easy German keys German does not have: {unknown}"
    # Callers pass the German text's parameters; an easy text may use fewer, never others.
    new = [key for key, text in easy.items() if not placeholders(text) <= placeholders(german[key])]
    assert not new, f"easy German texts with placeholders German does not pass: {new}"
    same = [key for key, text in easy.items() if text == german[key]]
    assert not same, f"easy German texts identical to German (delete them, German is the fallback): {same}"


def test_easy_german_falls_back_to_german_and_formats_like_german() -> None:
    easy, german = Translator(EASY_GERMAN), Translator(FALLBACK)
    assert easy.base_language == "de"
    assert not easy.rtl
    rewritten = next(iter(catalog(EASY_GERMAN)))
    assert easy(rewritten) != german(rewritten)
    assert easy("nav.home") == german("nav.home")


def test_arabic_is_right_to_left_and_the_others_are_not() -> None:
    assert Translator("ar").rtl
    assert not any(Translator(lang).rtl for lang in ("de", "en", "uk", EASY_GERMAN))


@pytest.mark.parametrize("language", ["uk", "ar"])
def test_translations_are_written_in_their_script(language: str) -> None:
    """A copied English or German text is not a translation: most texts must use the language's script."""
    ranges = {"uk": ("\u0400", "\u04ff"), "ar": ("\u0600", "\u06ff")}
    low, high = ranges[language]
    texts = catalog(language)
    untranslated = [key for key, text in texts.items() if not any(low <= ch <= high for ch in text)]
    # Names, codes and formats (IBAN, BIC, "{label} *", "Widerspruch") legitimately stay as they are.
    assert len(untranslated) / len(texts) < 0.05, untranslated
