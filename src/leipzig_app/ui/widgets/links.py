"""Opening things outside the app (browser, mail, phone) through Flet's UrlLauncher service."""

from __future__ import annotations

import contextlib
import logging

import flet as ft

log = logging.getLogger(__name__)


async def launch(url: str) -> bool:
    """Ask the platform to open a URL; False when it could not (no handler, or the client refused)."""
    with contextlib.suppress(Exception):
        await ft.UrlLauncher().launch_url(url)
        return True
    log.info("could not open an external link")
    return False
