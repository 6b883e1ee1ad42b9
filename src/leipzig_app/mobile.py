"""Entry point for builds made with `flet build` (Android, iOS, web): `src/main.py` calls `run()`.

On a phone Flet's runtime sets FLET_APP_STORAGE_DATA, where the database and files live; the city is the
embedded default profile unless the resident chose another in Settings.
"""

from __future__ import annotations

import flet as ft

from leipzig_app.app import AppRuntime


def run() -> None:
    runtime = AppRuntime.create()
    try:
        ft.run(runtime.create_main(), assets_dir="assets")
    finally:
        runtime.close()
