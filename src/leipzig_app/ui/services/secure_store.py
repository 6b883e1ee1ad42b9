"""The library card number on phones: the platform's secure storage (Keychain on iOS, Keystore-backed
encrypted preferences on Android) through flet-secure-storage. It needs a running page, so it lives in the
UI layer and is handed to the service per page (`LibraryCardService.using`)."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

from flet_secure_storage import SecureStorage

from leipzig_app.domain.errors import AppError

_T = TypeVar("_T")

#: Platforms where flet-secure-storage keeps data in the operating system's protected store. On the web it
#: would only be the browser's storage, and desktop/web builds run Python on the host: they use the 0600
#: file instead (adapters/card_store.py).
SECURE_PLATFORMS = frozenset({"android", "ios"})


class SecureStorageError(AppError):
    key = "hub.library.store_failed"


async def _guarded(call: Awaitable[_T]) -> _T:
    # The device answers through the Flet client: a missing plugin, a locked keystore or a lost
    # connection arrive as arbitrary exceptions; the view needs one error it can show.
    try:
        return await call
    except Exception as error:
        raise SecureStorageError(f"secure storage failed: {type(error).__name__}") from error


class FletSecureCardStore:
    """Implements the `CardStore` port with flet-secure-storage."""

    def __init__(self) -> None:
        self._storage = SecureStorage()

    async def get(self, name: str) -> str | None:
        value = await _guarded(self._storage.get(name))
        return None if value is None else str(value)

    async def set(self, name: str, value: str) -> None:
        await _guarded(self._storage.set(name, value))

    async def delete(self, name: str) -> None:
        await _guarded(self._storage.remove(name))
