"""The booking secrets in the phone's secure storage (Keychain on iOS, Keystore on Android).

flet-secure-storage talks to the device through the running Flet page, so this store exists only once a
page does; the composition root starts the service with the file store (`adapters/secrets.py`), and the
appointments section switches to this one on Android and iOS. Entries written to the file before (for
example by an older version) are moved over on first read, so no booking loses its access data.

The storage service belongs to the page it was created on. On a phone the app process can outlive its
page (the system recreates the Flutter view, the session reconnects as a new page), so the store is
created anew for each page that opens the section, over the same file store.
"""

from __future__ import annotations

import logging

import flet as ft

from leipzig_app.domain.appointments import SecretStore
from leipzig_app.domain.errors import AppError
from leipzig_app.services.appointments import AppointmentService
from leipzig_app.services.appointments_holds import ListableSecretStore

log = logging.getLogger(__name__)


class DeviceSecretStoreError(AppError):
    key = "appointments.error.secure_storage"


class DeviceSecretStore:
    """Implements the `SecretStore` port over flet-secure-storage, with the file store as the old home."""

    def __init__(self, previous: SecretStore, page: ft.Page):
        from flet_secure_storage import SecureStorage

        self._storage = SecureStorage()  # registers with the page being built, which is `page`
        self.page = page
        self.previous = previous

    async def get(self, name: str) -> str | None:
        try:
            value: str | None = await self._storage.get(name)
        except Exception as error:  # noqa: BLE001 - the platform channel reports any failure as an error
            raise DeviceSecretStoreError(f"secure storage cannot be read ({type(error).__name__})") from None
        if value is None:
            value = await self.previous.get(name)
            if value is not None:
                await self.set(name, value)
                await self.previous.delete(name)
        return value

    async def set(self, name: str, value: str) -> None:
        try:
            await self._storage.set(name, value)
        except Exception as error:  # noqa: BLE001 - see get
            raise DeviceSecretStoreError(
                f"secure storage cannot be written ({type(error).__name__})"
            ) from None

    async def names(self, prefix: str = "") -> list[str]:
        """Names beginning with `prefix`, here and in the file not yet moved over."""
        try:
            stored: dict[str, str] | None = await self._storage.get_all()
        except Exception as error:  # noqa: BLE001 - see get
            raise DeviceSecretStoreError(f"secure storage cannot be read ({type(error).__name__})") from None
        found = {name for name in stored or {} if name.startswith(prefix)}
        if isinstance(self.previous, ListableSecretStore):
            found.update(await self.previous.names(prefix))
        return sorted(found)

    async def delete(self, name: str) -> None:
        try:
            await self._storage.remove(name)
        except Exception as error:  # noqa: BLE001 - see get
            raise DeviceSecretStoreError(
                f"secure storage cannot be written ({type(error).__name__})"
            ) from None
        await self.previous.delete(name)


def use_device_storage(page: ft.Page, service: AppointmentService) -> None:
    """On Android and iOS apps, keep the booking secrets in the device's secure storage from now on."""
    mobile = page.platform in (ft.PagePlatform.ANDROID, ft.PagePlatform.IOS) and not page.web
    if not mobile:
        return
    current = service.secrets
    if isinstance(current, DeviceSecretStore):
        if current.page is page:
            return
        current = current.previous  # a page that is gone cannot reach the storage any more
    service.use_secret_store(DeviceSecretStore(current, page))
