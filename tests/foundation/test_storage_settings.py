"""The local SQLite database (migrations per component) and remembered preferences."""

from __future__ import annotations

from pathlib import Path

import pytest

from leipzig_app.adapters.settings_store import MIGRATIONS, SqliteSettingsStore
from leipzig_app.adapters.sqlite_store import Database, Migrations, StorageError
from leipzig_app.services.settings import SettingsService


def test_migrations_run_once_and_in_order(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    first = Migrations("demo", ["CREATE TABLE a (x INTEGER);", "ALTER TABLE a ADD COLUMN y TEXT;"])
    db = Database(path, [first])
    assert db.version("demo") == 2
    with db.transaction() as conn:
        conn.execute("INSERT INTO a (x, y) VALUES (1, 'eins')")
    grown = Migrations("demo", [*first.steps, "CREATE INDEX a_x ON a (x);"])
    reopened = Database(path, [grown])
    assert reopened.version("demo") == 3
    with reopened.transaction() as conn:
        assert conn.execute("SELECT y FROM a").fetchone()["y"] == "eins"


def test_failed_step_is_rolled_back(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    broken = Migrations(
        "demo", ["CREATE TABLE a (x INTEGER);", "CREATE TABLE b (y INTEGER); THIS IS NOT SQL;"]
    )
    with pytest.raises(StorageError):
        Database(path, [broken])
    db = Database(path)
    assert db.version("demo") == 0  # all or nothing: the good first step is rolled back too
    with db.transaction() as conn:
        tables = {r["name"] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "a" not in tables
    assert "b" not in tables


def test_newer_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    Database(path, [Migrations("demo", ["CREATE TABLE a (x INTEGER);", "CREATE TABLE b (x INTEGER);"])])
    with pytest.raises(StorageError, match="newer"):
        Database(path, [Migrations("demo", ["CREATE TABLE a (x INTEGER);"])])


def test_unusable_file_gives_storage_error(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StorageError, match="cannot be used"):
        Database(path, [MIGRATIONS])


def test_preferences_are_remembered_across_restarts(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    service = SettingsService(SqliteSettingsStore(Database(path, [MIGRATIONS])), languages=("de", "en"))
    assert service.load().language == "de"
    service.update(language="en", theme="dark", text_scale=2.0)
    again = SettingsService(SqliteSettingsStore(Database(path, [MIGRATIONS])), languages=("de", "en"))
    prefs = again.load()
    assert (prefs.language, prefs.theme, prefs.text_scale) == ("en", "dark", 2.0)


def test_invalid_settings_are_refused_and_stale_ones_fall_back(tmp_path: Path) -> None:
    store = SqliteSettingsStore(Database(tmp_path / "db.sqlite3", [MIGRATIONS]))
    service = SettingsService(store, languages=("de", "en"))
    with pytest.raises(ValueError, match="language"):
        service.update(language="fr")
    with pytest.raises(ValueError, match="theme"):
        service.update(theme="neon")
    store.set("language", "uk")  # offered by another city, not by this one
    store.set("text_scale", 7)
    prefs = service.load()
    assert prefs.language == "de"
    assert prefs.text_scale == 1.0


def test_easy_german_only_with_german(tmp_path: Path) -> None:
    service = SettingsService(
        SqliteSettingsStore(Database(tmp_path / "db.sqlite3", [MIGRATIONS])), languages=("de", "en")
    )
    assert service.update(easy_language=True).easy_language is True
    assert service.update(language="en").easy_language is False
