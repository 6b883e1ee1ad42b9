"""Import hygiene (pure layers load no UI or I/O library, the app imports fast) and translation files."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from leipzig_app.i18n import LANGUAGES, Translator, catalog, catalog_files

SRC = Path(__file__).resolve().parents[2] / "src" / "leipzig_app"


def _loaded_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return set(out.split())


def test_domain_and_services_load_no_ui_network_or_image_library() -> None:
    loaded = _loaded_after("import leipzig_app.domain.profile, leipzig_app.services.settings")
    for heavy in ("flet", "httpx", "sqlite3", "cv2", "pyzbar", "zxingcpp", "fastapi"):
        assert heavy not in loaded, heavy


def test_importing_the_app_does_not_load_heavy_modules() -> None:
    loaded = _loaded_after("import leipzig_app.app")
    for heavy in ("cv2", "numpy", "pyzbar", "zxingcpp", "PIL", "fastapi", "uvicorn", "feedparser"):
        assert heavy not in loaded, heavy


def test_german_and_english_catalogs_have_the_same_keys() -> None:
    de, en = catalog("de"), catalog("en")
    assert de, "German texts missing"
    assert set(de) == set(en), sorted(set(de) ^ set(en))


def test_keys_belong_to_one_file_only() -> None:
    for language in ("de", "en"):
        seen: dict[str, str] = {}
        for name, texts in catalog_files(language).items():
            for key in texts:
                assert key not in seen, f"{language}: {key} in {seen.get(key)} and {name}"
                seen[key] = name


def test_placeholders_match_across_languages() -> None:
    pattern = re.compile(r"\{(\w+)\}")
    de = catalog("de")
    for language in LANGUAGES[1:]:
        for key, text in catalog(language).items():
            if key in de:
                assert set(pattern.findall(text)) == set(pattern.findall(de[key])), f"{language}: {key}"


def test_translator_falls_back_and_formats() -> None:
    t = Translator("en")
    assert t("home.welcome", city="Leipzig") == "Welcome to Leipzig"
    assert t("no.such.key") == "no.such.key"
    assert Translator("ar").rtl is True
    assert Translator("de-LS").base_language == "de"


def test_every_key_used_in_ui_code_exists() -> None:
    keys = set(catalog("de"))
    used: set[str] = set()
    for path in (SRC / "ui").rglob("*.py"):
        used |= set(re.findall(r"\bt\(\s*\"([a-z0-9_.]+)\"", path.read_text(encoding="utf-8")))
    missing = sorted(k for k in used if k not in keys)
    assert not missing, missing


def test_locale_files_are_valid_flat_json() -> None:
    for path in (SRC / "locales").rglob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        assert all(isinstance(v, str) and v for v in data.values()), path
