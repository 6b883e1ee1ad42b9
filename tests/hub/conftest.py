"""Helpers for the services hub tests: profiles built from the shipped Leipzig TOML with changes."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

import pytest

from leipzig_app.adapters.paths import cities_dir


@pytest.fixture
def leipzig_data() -> dict[str, Any]:
    """The shipped Leipzig profile as parsed TOML (a fresh copy to change per test)."""
    return copy.deepcopy(tomllib.loads((cities_dir() / "leipzig.toml").read_text(encoding="utf-8")))


def write_profile(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
