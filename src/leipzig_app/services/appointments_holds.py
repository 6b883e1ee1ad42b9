"""Held times: the access data of a reserved time from the moment it is picked until it is booked, given
back or found expired, and giving back what a copy of the app that no longer runs left behind.

A time is reserved on the server as soon as the resident picks it; its process id and auth key wait in
the secret store under `appointments.held.<city>.<start>.<office>.<process id>` until the booking has its
own record (`<city>` the profile id: only that city's server knows the process, so a sweep touches its own
city's entries only, and another city's wait until that city is active again; the process id tells apart
two holds of the same start at one office, which an office with parallel counters gives two residents).
The entry's value is
`<process id>\n<auth key>\n<owner>`, the owner being the running app that holds the time (`HoldOwners`:
a lease in the data folder, since two copies of the app can share it, for example a desktop window and
web mode).

An entry is stale when its owner no longer runs (the app was closed or killed on the contact or review
step), and so is one without an owner (written by an earlier version): its time is given back on the
server where that still works, and the entry is removed either way, since a reservation lasts only
minutes. An entry of this running app, or of another copy that still runs, is left alone: that copy's
resident may be typing their name right now. The runtime runs `keep_swept` as a background job: it sweeps
the store in use at start and again each time another store replaces it (a phone's secure storage), and
every `RETRY_SECONDS` while another running copy's entries are in it, which are stale once it ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable
from typing import Protocol, runtime_checkable

from leipzig_app.domain.appointments import AppointmentBooking, Booking, HoldOwners, SecretStore
from leipzig_app.domain.errors import AppError

log = logging.getLogger(__name__)

HELD_PREFIX = "appointments.held."
#: How long `keep_swept` waits before trying a store again that could not list its entries, or that holds
#: entries of another running copy of the app.
RETRY_SECONDS = 300.0


def held_prefix(city: str) -> str:
    """The names of one city's held times start with this."""
    return f"{HELD_PREFIX}{city}."


def held_name(held: Booking, city: str) -> str:
    """Where a held time's access data wait until the booking has its local record: one entry per hold,
    also when two residents hold the same start at one office (parallel counters)."""
    return f"{held_prefix(city)}{held.start.timestamp():.0f}.{held.office_id}.{held.process_id}"


def held_value(held: Booking, owner: str) -> str:
    """A held time's entry: its access data and the running app that holds it."""
    return f"{held.process_id}\n{held.auth_key}\n{owner}"


def read_held_value(value: str | None) -> tuple[str, str, str]:
    """Process id, auth key and owner of an entry; missing parts are "" (no owner: an earlier version)."""
    process_id, auth_key, owner, *_ = [*(value or "").split("\n"), "", ""]
    return process_id, auth_key, owner


class SoleOwner:
    """`HoldOwners` for a store that no other running app shares: every other owner is gone."""

    def __init__(self) -> None:
        self.owner = uuid.uuid4().hex

    def is_alive(self, owner: str) -> bool:
        return owner == self.owner


@runtime_checkable
class ListableSecretStore(Protocol):
    """A secret store that can name its entries (the app's file and device stores both can)."""

    async def names(self, prefix: str) -> list[str]: ...


class HeldTimes:
    """The held times of this running app and their entries in the secret store."""

    def __init__(
        self,
        booking: AppointmentBooking,
        secrets: Callable[[], SecretStore],
        *,
        city: str,
        owners: HoldOwners | None = None,
    ):
        if not city:
            raise ValueError("held times need the id of the city profile whose server holds them")
        self._booking = booking
        self.city = city
        self._secrets = secrets
        #: Who holds an entry's time; without a lease this app is taken to be the only one running.
        self.owners: HoldOwners = owners if owners is not None else SoleOwner()
        #: Entries owned by a hold of this running app: never stale, whatever a sweep finds.
        self._live: set[str] = set()
        #: Stores already swept (the phone's secure storage replaces the file store once a page is there).
        self._swept: list[SecretStore] = []
        #: Set when another store replaces the one in use (see `keep_swept`).
        self._changed = asyncio.Event()

    async def keep(self, held: Booking) -> None:
        """Store a fresh hold's access data; if the store refuses, the time is given back at once."""
        name = held_name(held, self.city)
        self._live.add(name)
        try:
            await self._secrets().set(name, held_value(held, self.owners.owner))
        except AppError:
            await self.release(held)
            raise

    async def release(self, held: Booking) -> None:
        """Give a held time back on the server (best effort) and remove its entry."""
        try:
            await self._booking.cancel(held.process_id, held.auth_key)
        except AppError:
            log.info("a held time could not be released; it expires on its own")
        await self.forget(held)

    async def forget(self, held: Booking) -> None:
        """Remove a hold's entry: it was booked, given back, or the server no longer holds it."""
        await self._remove(held_name(held, self.city))

    async def _remove(self, name: str) -> None:
        self._live.discard(name)
        try:
            await self._secrets().delete(name)
        except AppError:
            log.info("a held time's access data could not be removed")

    async def release_stale(self) -> int:
        """Give back every held time whose owner no longer runs; once per secret store.

        Returns how many entries were removed. A store that cannot list its entries, or that holds entries
        of another running copy of the app, counts as not swept yet (`keep_swept` tries it again later).
        """
        store = self._secrets()
        if any(store is swept for swept in self._swept):
            return 0
        self._swept.append(store)
        if not isinstance(store, ListableSecretStore):
            return 0
        try:
            names = await store.names(held_prefix(self.city))
        except AppError:
            log.info("the secret store cannot list the held times; they are tried again later")
            self._swept.remove(store)
            return 0
        removed = others = 0
        for name in names:
            if name in self._live:
                continue
            try:
                value = await store.get(name)
            except AppError:
                log.info("a stale held time could not be read")
                continue
            process_id, auth_key, owner = read_held_value(value)
            if owner and self._owner_runs(owner):
                # held by this running app (a service wired before this one) or by another running copy,
                # whose resident may be on the contact step right now
                others += owner != self.owners.owner
                continue
            if process_id and auth_key:
                try:
                    await self._booking.cancel(process_id, auth_key)
                except AppError:
                    log.info("a stale held time could not be released; it has expired or expires soon")
            if name in self._live:  # picked again while the server answered: it belongs to a booking now
                continue
            try:
                if await store.get(name) != value:
                    continue  # another running copy picked the time again meanwhile: the entry is its own
                await store.delete(name)
            except AppError:
                log.info("a stale held time's access data could not be removed")
                continue
            removed += 1
        if removed:
            log.info("gave back %d held time(s) of a run that has ended", removed)
        if others:
            log.info("left %d held time(s) of another running copy of the app; looking again later", others)
            with contextlib.suppress(ValueError):
                self._swept.remove(store)
        return removed

    def _owner_runs(self, owner: str) -> bool:
        if owner == self.owners.owner:
            return True
        try:
            return self.owners.is_alive(owner)
        except AppError:
            log.info("cannot tell whether the owner of a held time still runs; its time is left alone")
            return True

    def store_changed(self) -> None:
        """Another secret store is in use now: wake `keep_swept` to sweep it (it may hold older entries)."""
        self._changed.set()

    async def keep_swept(self, *, retry_after: float = RETRY_SECONDS) -> None:
        """Background job: sweep the store in use, then again whenever another store replaces it.

        Runs until cancelled. A store that could not be listed, or that held another running copy's
        entries, is tried again after `retry_after` seconds; no failure of a sweep ends the job (the log
        names the error's type only, never an entry).
        """
        while True:
            self._changed.clear()
            try:
                await self.release_stale()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - a clean-up must never take the app down
                log.warning("giving back stale held times failed: %s", type(error).__name__)
            store = self._secrets()
            pending = not any(store is swept for swept in self._swept)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), retry_after if pending else None)
