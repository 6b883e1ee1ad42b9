"""Where the app finds its own files (assets, city profiles, run profile) and keeps the user's data.

The assets (city profiles, fonts, icons) live in the repository's `assets/`. The package reaches them
through the link `src/leipzig_app/assets`, which a wheel (`pip install .`) turns into real package data; a
`flet build` package has them beside the package (src/assets); LEIPZIG_APP_ASSETS points anywhere else.
The run profile `flet.toml` is read from the source checkout only (or LEIPZIG_APP_RUN_CONFIG): a wheel
install starts with its defaults. User data goes to FLET_APP_STORAGE_DATA on phones (set by Flet's runtime)
and to the platform's data folder on desktops.
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
    # the package's own first: a folder that merely happens to be called "assets" beside it is not ours
    for candidate in (_PACKAGE_DIR / "assets", _PACKAGE_DIR.parent / "assets", _SOURCE_ROOT / "assets"):
        if (candidate / "cities").is_dir():
            return candidate
    return _PACKAGE_DIR / "assets"


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
