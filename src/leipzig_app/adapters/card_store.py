"""The library card number on desktop and web: the private 0600 file of `secrets.py`.

Phones keep the number in the platform's secure storage instead (Keychain, Keystore, through
flet-secure-storage in `ui/services/secure_store.py`); both implement the same async `CardStore` port.
"""

from __future__ import annotations

from pathlib import Path

from leipzig_app.adapters.secrets import FileSecretStore


class FileCardStore:
    """Implements the `CardStore` port on a `FileSecretStore` (a 0600 JSON file in the data folder)."""

    def __init__(self, folder: Path):
        self._store = FileSecretStore(folder)

    @property
    def path(self) -> Path:
        return self._store.path

    async def get(self, name: str) -> str | None:
        return await self._store.get(name)

    async def set(self, name: str, value: str) -> None:
        await self._store.set(name, value)

    async def delete(self, name: str) -> None:
        await self._store.delete(name)
