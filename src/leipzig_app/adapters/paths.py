"""Where the app finds its own files (assets, city profiles, run profile) and keeps the user's data.

In a source checkout (the README's set-up installs the package in editable mode) the assets live in the
repository's `assets/`; a `flet build` package has them beside the package (src/assets); any other build
can point elsewhere with LEIPZIG_APP_ASSETS. User data goes to FLET_APP_STORAGE_DATA on phones (set by
Flet's runtime) and to the platform's data folder on desktops.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent.parent
_SOURCE_ROOT = _PACKAGE_DIR.parent.parent


def assets_dir() -> Path:
    override = os.environ.get("LEIPZIG_APP_ASSETS")
    if override:
        return Path(override)
    for candidate in (_SOURCE_ROOT / "assets", _PACKAGE_DIR.parent / "assets", _PACKAGE_DIR / "assets"):
        if candidate.is_dir():
            return candidate
    return _SOURCE_ROOT / "assets"


def cities_dir() -> Path:
    return assets_dir() / "cities"


def run_config_file() -> Path | None:
    override = os.environ.get("LEIPZIG_APP_RUN_CONFIG")
    if override:
        return Path(override)
    candidate = _SOURCE_ROOT / "flet.toml"
    return candidate if candidate.is_file() else None


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The durable folder for the database, the outbox's photos and caches; created when missing."""
    if override:
        path = Path(override)
    elif os.environ.get("LEIPZIG_APP_DATA"):
        path = Path(os.environ["LEIPZIG_APP_DATA"])
    elif os.environ.get("FLET_APP_STORAGE_DATA"):
        path = Path(os.environ["FLET_APP_STORAGE_DATA"])
    else:
        import platformdirs

        path = Path(platformdirs.user_data_dir("leipzig-app", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path
