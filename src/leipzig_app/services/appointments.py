"""Appointments: find a service and an office, list free times, book, reschedule, cancel, "Meine Termine".

Booking is reserve -> update (contact) -> preconfirm (offices that confirm by e-mail; the server may also
confirm at once) or confirm (offices that do not); the state reached is what the server said, never
assumed. Rescheduling books the new time first and cancels the old one only when the new one holds, so a
resident never ends up without an appointment. The server's process id and auth key go to the
`SecretStore` under the local record's id and nowhere else.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Protocol, runtime_checkable

from leipzig_app.domain.appointments import (
    BERLIN,
    AppointmentBooking,
    AppointmentRecord,
    AppointmentStore,
    Booking,
    BookingState,
    Catalog,
    Contact,
    HoldOwners,
    NotAvailableError,
    Office,
    ReservationExpiredError,
    SecretStore,
    Service,
    Slot,
    UnknownEntryError,
    check_contact,
    check_person_count,
    distance_km,
    next_release,
    parse_release_times,
)
from leipzig_app.domain.errors import AppError
from leipzig_app.domain.languages import babel_locale
from leipzig_app.domain.profile import AppointmentSettings, local_text
from leipzig_app.i18n import Translator
from leipzig_app.services.appointments_holds import HeldTimes
from leipzig_app.services.container import HomeCard, HomeItem

log = logging.getLogger(__name__)
MAX_DAYS = 62
#: How often the background job asks the server about bookings that wait for their e-mail link, and about at
#: most how many of them per round (one request each, one after the other).
WAITING_CHECK_SECONDS = 300.0
WAITING_CHECK_MAX = 10
#: How many days with free times a list shows at first, and adds each time the resident asks for more.
PAGE_DAYS = 5


@runtime_checkable
class FirstFreeTimes(Protocol):
    """A booking backend that can list the free times of the first few days that have any (the ZMS adapter:
    servers without `available-calendar` need a request per office and day, so only the days shown are
    asked for)."""

    async def first_free_times(
        self, office_ids: Sequence[str], service_id: str, count: int, start: date, end: date, *, days: int
    ) -> tuple[list[Slot], date | None]: ...


#: Loads the free times of the first `days` days with any from a day on; returns them and the next such day.
PageLoader = Callable[[date, int], Awaitable[tuple[list[Slot], date | None]]]


class FreeTimes:
    """The free times of one search, loaded a few days at a time as the list shows them."""

    def __init__(self, load: PageLoader, start: date, now: Callable[[], datetime]):
        self._load = load
        self._now = now
        #: The free times loaded so far, sorted by time, then office.
        self.slots: list[Slot] = []
        #: The next day with free times not loaded yet (None: every free time of the search is loaded).
        self.next_day: date | None = start

    @property
    def complete(self) -> bool:
        return self.next_day is None

    async def more(self, days: int = PAGE_DAYS) -> list[Slot]:
        """Load the free times of the next `days` days that have any; returns the ones added."""
        if self.next_day is None:
            return []
        found, self.next_day = await self._load(self.next_day, days)
        now = self._now().timestamp()
        added = [s for s in found if s.start.timestamp() > now and s not in self.slots]
        self.slots = sorted([*self.slots, *added])
        return added


@dataclass(frozen=True)
class OfficeChoice:
    office: Office
    distance_km: float | None = None


@dataclass(frozen=True)
class RescheduleResult:
    new: AppointmentRecord
    #: False when the old booking could not be cancelled (it then still exists and is kept in the list).
    old_cancelled: bool
    problem: AppError | None = None


async def book_with(
    booking: AppointmentBooking,
    office: Office,
    service_ids: Sequence[str],
    counts: Sequence[int],
    start: datetime,
    contact: Contact,
) -> Booking:
    """Reserve, add the contact, then preconfirm or confirm as the office works; returns the server's view.

    When adding the contact fails, the reservation is released again (best effort) before the error
    reaches the caller, so the slot does not stay blocked for its whole reservation time.
    """
    reserved = await booking.reserve(office.id, service_ids, counts, start)
    try:
        updated = await booking.update(reserved, contact)
    except AppError:
        try:
            await booking.cancel(reserved.process_id, reserved.auth_key)
        except AppError:
            log.info("releasing a reservation after a failed update failed as well")
        raise
    if office.email_confirmation:
        return await booking.preconfirm(updated)
    return await booking.confirm(updated)


class AppointmentService:
    def __init__(
        self,
        booking: AppointmentBooking,
        store: AppointmentStore,
        secrets: SecretStore,
        settings: AppointmentSettings,
        *,
        city: str,
        owners: HoldOwners | None = None,
        clock: Callable[[], datetime] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ):
        """`owners` tells this running app's held times from those of other copies sharing the secret
        store (a lease in the data folder); without it, no other copy is taken to share the store. `clock`
        and `sleep` are the time the service and its screens go by (tests move it by hand)."""
        self._booking = booking
        self._store = store
        self._secrets = secrets
        self.settings = settings
        self._clock = clock or (lambda: datetime.now(BERLIN))
        self._sleep = sleep
        self._catalog: Catalog | None = None
        self._lock = asyncio.Lock()
        self._held = HeldTimes(booking, lambda: self._secrets, city=city, owners=owners)
        #: When the background job last asked about a waiting booking (by record id).
        self._checked: dict[str, float] = {}

    @property
    def secrets(self) -> SecretStore:
        return self._secrets

    def use_secret_store(self, store: SecretStore) -> None:
        """Switch to another store (the device's secure storage, once a page is there to reach it).

        The background job (`run_background`) then gives back what an earlier run held in that store.
        """
        if store is self._secrets:
            return
        self._secrets = store
        self._held.store_changed()

    def now(self) -> datetime:
        return self._clock()

    async def sleep(self, seconds: float) -> None:
        """Wait on the service's clock (a screen that counts down a held time waits this way)."""
        await self._sleep(seconds)

    # --- finding ----------------------------------------------------------------------------------------

    async def catalog(self, *, refresh: bool = False) -> Catalog:
        async with self._lock:
            if self._catalog is None or refresh:
                self._catalog = await self._booking.catalog()
            return self._catalog

    async def search(self, query: str) -> tuple[Service, ...]:
        return (await self.catalog()).search(query)

    async def offices_for(
        self, service_id: str, *, latitude: float | None = None, longitude: float | None = None
    ) -> list[OfficeChoice]:
        """Offices offering the service; nearest first when a location is given, else by name."""
        catalog = await self.catalog()
        catalog.service(service_id)
        choices = []
        for office in catalog.offices_for(service_id):
            distance = None
            if None not in (latitude, longitude, office.latitude, office.longitude):
                distance = distance_km(latitude, longitude, office.latitude, office.longitude)  # type: ignore[arg-type]
            choices.append(OfficeChoice(office, distance))
        if latitude is not None and longitude is not None:
            return sorted(choices, key=lambda c: (c.distance_km is None, c.distance_km or 0.0, c.office.name))
        return sorted(choices, key=lambda c: c.office.name)

    async def slots(
        self, office_ids: Sequence[str], service_id: str, count: int, *, days: int = 21
    ) -> list[Slot]:
        """Free times at one or several offices over the next `days` days, sorted by time, then office."""
        today = await self._check_search(office_ids, service_id, count, days)
        slots = await self._booking.available_slots(
            office_ids, service_id, count, today, today + timedelta(days=days - 1)
        )
        now = self.now().timestamp()
        return sorted(s for s in slots if s.start.timestamp() > now)

    async def _check_search(self, office_ids: Sequence[str], service_id: str, count: int, days: int) -> date:
        """Refuse a search the server would refuse; returns today (Leipzig time), its first day."""
        if not office_ids:
            raise AppError("choose at least one office", key="appointments.error.no_office")
        if not 1 <= days <= MAX_DAYS:
            raise AppError(f"days: 1 to {MAX_DAYS}", key="appointments.error.days", params={"max": MAX_DAYS})
        catalog = await self.catalog()
        check_person_count(catalog.service(service_id), count)
        for office_id in office_ids:
            catalog.office(office_id)
        return self.now().astimezone(BERLIN).date()

    async def free_times(
        self,
        office_ids: Sequence[str],
        service_id: str,
        count: int,
        *,
        days: int = 21,
        first: int = PAGE_DAYS,
    ) -> FreeTimes:
        """Free times at one or several offices over the next `days` days, those of the first `first` days
        that have any loaded now and the others on `FreeTimes.more` (what a list shows page by page)."""
        today = await self._check_search(office_ids, service_id, count, days)
        end = today + timedelta(days=days - 1)
        offices = list(office_ids)
        backend = self._booking

        async def load(start: date, page: int) -> tuple[list[Slot], date | None]:
            if isinstance(backend, FirstFreeTimes):
                return await backend.first_free_times(offices, service_id, count, start, end, days=page)
            return await backend.available_slots(offices, service_id, count, start, end), None

        times = FreeTimes(load, today, self.now)
        await times.more(first)
        return times

    def next_release(self) -> datetime | None:
        return next_release(self.now(), parse_release_times(self.settings.release_times))

    def hints(self, language: str) -> list[str]:
        return [local_text(h, language) for h in self.settings.hints]

    # --- booking ----------------------------------------------------------------------------------------

    async def hold(self, slot: Slot, service_id: str, count: int) -> Booking:
        """Reserve a time while the resident enters their details (the server holds it for a while)."""
        catalog = await self.catalog()
        catalog.office(slot.office_id)
        check_person_count(catalog.service(service_id), count)
        held = await self._booking.reserve(slot.office_id, [service_id], [count], slot.start)
        # Keep the access data from the start: if the secret store fails, the time is given back at once.
        await self._held.keep(held)
        return held

    async def release(self, held: Booking) -> None:
        """Give a held time back (the resident went back or left); failures only mean it expires later."""
        await self._held.release(held)

    async def release_stale_holds(self) -> int:
        """Give back the times a run that has ended held and never booked (the app was closed meanwhile).

        Once per secret store, and again while it holds times of other running copies of the app (they
        are theirs until those copies end); holds of this run are never touched. Returns how many were
        removed.
        """
        return await self._held.release_stale()

    async def run_background(self, *, waiting_every: float = WAITING_CHECK_SECONDS) -> None:
        """The runtime's background job, until cancelled and never failing: `release_stale_holds` for the
        store in use at start and for every store that replaces it later, and every few minutes while
        another running copy's holds are in the store; and `refresh_waiting` at start and every
        `waiting_every` seconds, so that a booking confirmed by its e-mail link shows as confirmed (and the
        booking it replaces is cancelled) without "Meine Termine" being opened."""
        await asyncio.gather(self._held.keep_swept(), self._keep_waiting_checked(waiting_every))

    async def _keep_waiting_checked(self, every: float) -> None:
        while True:
            try:
                await self.refresh_waiting()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - a check must never take the app down
                log.warning(
                    "checking bookings that wait for their e-mail link failed: %s", type(error).__name__
                )
            await self._sleep(every)

    async def refresh_waiting(self, *, limit: int = WAITING_CHECK_MAX) -> int:
        """Ask the server about upcoming bookings that wait for their e-mail link: at most `limit` of them,
        one after the other, those checked longest ago first. Returns how many were asked about; a failing
        request only writes a log line (its error's type, never a booking's data)."""
        now = self.now()
        waiting = [
            r
            for r in self._store.list()
            if r.state is BookingState.WAITING_FOR_CONFIRMATION and r.start.timestamp() > now.timestamp()
        ]
        waiting.sort(key=lambda r: (self._checked.get(r.id, 0.0), r.start.timestamp()))
        asked = 0
        for record in waiting[:limit]:
            self._checked[record.id] = now.timestamp() + asked * 1e-6
            asked += 1
            try:
                await self.refresh(record.id)
            except AppError as error:
                log.info(
                    "a booking waiting for its e-mail link could not be checked: %s", type(error).__name__
                )
        return asked

    async def complete(
        self, held: Booking, contact: Contact, *, replaces: str | None = None
    ) -> AppointmentRecord:
        """Add the contact to a held time, then preconfirm or confirm; stores it in "Meine Termine"."""
        catalog = await self.catalog()
        office = catalog.office(held.office_id)
        services = [catalog.service(s) for s in held.service_ids]
        contact = check_contact(contact, office)
        try:
            updated = await self._booking.update(held, contact)
            if office.email_confirmation:
                result = await self._booking.preconfirm(updated)
            else:
                result = await self._booking.confirm(updated)
        except ReservationExpiredError:
            await self._held.forget(held)  # the server no longer holds it: nothing left to give back
            raise
        record = AppointmentRecord(
            id=uuid.uuid4().hex,
            office_id=office.id,
            office_name=office.name,
            office_address=office.address,
            service_ids=tuple(s.id for s in services),
            service_names=tuple(s.name for s in services),
            service_counts=held.service_counts,
            start=result.start,
            state=result.state,
            name=contact.name,
            email=contact.email,
            telephone=contact.telephone,
            reserved_until=result.reserved_until,
            created_at=self.now(),
            replaces=replaces,
        )
        try:
            await self._secrets.set(_secret_name(record.id), f"{result.process_id}\n{result.auth_key}")
        except AppError:
            # Without its access data the booking could never be changed from the app: give it back.
            await self.release(result)
            raise
        await self._held.forget(held)
        self._store.save(record)
        return record

    async def book(
        self, slot: Slot, service_id: str, count: int, contact: Contact, *, replaces: str | None = None
    ) -> AppointmentRecord:
        """Hold and complete in one go; the hold is released again when completing fails."""
        office = (await self.catalog()).office(slot.office_id)
        contact = check_contact(contact, office)
        held = await self.hold(slot, service_id, count)
        try:
            return await self.complete(held, contact, replaces=replaces)
        except AppError:
            await self.release(held)
            raise

    def my_appointments(self) -> list[AppointmentRecord]:
        return self._store.list()

    def get(self, record_id: str) -> AppointmentRecord:
        record = self._store.get(record_id)
        if record is None:
            raise UnknownEntryError(f"unknown appointment {record_id}", params={"what": record_id})
        return record

    async def refresh(self, record_id: str) -> AppointmentRecord:
        """Ask the server for the booking's state (e.g. after the resident clicked the e-mail link)."""
        record = self.get(record_id)
        if record.state is BookingState.CANCELLED:
            return record
        process_id, auth_key = await self._secret(record)
        try:
            booking = await self._booking.fetch(process_id, auth_key)
        except (NotAvailableError, ReservationExpiredError):
            # The server no longer holds it: an expired reservation or activation, or cancelled elsewhere.
            updated = replace(record, state=BookingState.CANCELLED, reserved_until=None)
        else:
            updated = replace(
                record, state=booking.state, start=booking.start, reserved_until=booking.reserved_until
            )
        self._store.save(updated)
        await self._finish_reschedule(updated)
        return updated

    async def _finish_reschedule(self, record: AppointmentRecord) -> bool:
        """Cancel the booking a confirmed new one replaces; True when nothing of the old one is left."""
        if record.replaces is None or record.state is not BookingState.CONFIRMED:
            return False
        old = self._store.get(record.replaces)
        if old is not None and old.state is not BookingState.CANCELLED:
            await self.cancel(old.id)
        return True

    async def cancel(self, record_id: str) -> AppointmentRecord:
        record = self.get(record_id)
        if record.state is not BookingState.CANCELLED:
            process_id, auth_key = await self._secret(record)
            try:
                await self._booking.cancel(process_id, auth_key)
            except NotAvailableError:
                log.info("the server no longer knows the booking; marking it cancelled")
        updated = replace(record, state=BookingState.CANCELLED, reserved_until=None)
        self._store.save(updated)
        await self._secrets.delete(_secret_name(record.id))
        return updated

    async def forget(self, record_id: str) -> None:
        """Remove a cancelled or past entry from "Meine Termine"."""
        self._store.delete(record_id)
        await self._secrets.delete(_secret_name(record_id))

    async def reschedule(
        self, record_id: str, slot: Slot, *, held: Booking | None = None
    ) -> RescheduleResult:
        """Book the new time first (or complete the time held for it); cancel the old one once it holds."""
        old = self.get(record_id)
        contact = Contact(old.name, old.email, old.telephone)
        if held is None:
            new = await self.book(slot, old.service_ids[0], old.service_counts[0], contact, replaces=old.id)
        else:
            new = await self.complete(held, contact, replaces=old.id)
        if new.state is not BookingState.CONFIRMED:
            # Waiting for the e-mail link: the old booking stays until the new one is confirmed
            # (`refresh` then cancels it), so an unconfirmed new time never costs the old one.
            return RescheduleResult(new=new, old_cancelled=False)
        try:
            await self._finish_reschedule(new)
        except AppError as error:
            return RescheduleResult(new=new, old_cancelled=False, problem=error)
        return RescheduleResult(new=new, old_cancelled=True)

    async def _secret(self, record: AppointmentRecord) -> tuple[str, str]:
        value = await self._secrets.get(_secret_name(record.id))
        if not value or "\n" not in value:
            raise AppError(
                "the booking's access data are missing on this device", key="appointments.error.no_secret"
            )
        process_id, auth_key = value.split("\n", 1)
        return process_id, auth_key

    # --- calendar and home ------------------------------------------------------------------------------

    def ics(self, record_id: str, *, language: str = "de") -> bytes:
        from leipzig_app.services.appointments_calendar import to_ics

        return to_ics(self.get(record_id), language=language, now=self.now())

    def write_ics(self, record_id: str, path: str, *, language: str = "de") -> None:
        """Write the calendar file where the resident chose (desktop save dialogs return only a path)."""
        try:
            with open(path, "wb") as handle:
                handle.write(self.ics(record_id, language=language))
        except OSError as error:
            raise AppError(f"cannot write {path}: {error.strerror}", key="appointments.error.write") from None

    def next_appointment(self) -> AppointmentRecord | None:
        """The next booking that holds: confirmed, or waiting for its e-mail link while that still works.

        Cancelled bookings are not, and neither are those whose reservation or e-mail activation has run
        out (the server has dropped them; the next refresh marks them cancelled).
        """
        now = self.now()
        upcoming = [r for r in self._store.list() if r.is_upcoming(now) and _still_holds(r, now)]
        return min(upcoming, key=lambda r: r.start.timestamp()) if upcoming else None

    async def home_card(self, language: str) -> HomeCard:
        """The next appointment with its state; the moment in the language's own date and time format."""
        record = self.next_appointment()
        if record is None:
            return HomeCard()
        t = Translator(language)
        title = t(
            "appointments.home.title",
            when=_moment(record.start, language),
            services=", ".join(record.service_names),
        )
        subtitle = t(f"appointments.home.{record.state.value}", office=record.office_name)
        return HomeCard(
            items=(HomeItem(title=title, subtitle=subtitle, route=f"/appointments/mine/{record.id}"),)
        )


def _still_holds(record: AppointmentRecord, now: datetime) -> bool:
    if record.state is BookingState.CONFIRMED:
        return True
    if record.state is BookingState.CANCELLED:
        return False
    # reserved or waiting for the e-mail link: only until the server's deadline, where one is known
    return record.reserved_until is None or record.reserved_until.timestamp() > now.timestamp()


def _moment(value: datetime, language: str) -> str:
    """Date and time in Leipzig the way `ui/formatting.moment` writes them: the language's medium date and
    short time (CLDR through babel)."""
    from babel.dates import format_date, format_time

    local = value.astimezone(BERLIN)
    locale = babel_locale(language)
    day = format_date(local.date(), format="medium", locale=locale)
    return f"{day} {format_time(local, format='short', locale=locale)}"


def _secret_name(record_id: str) -> str:
    return f"appointments.{record_id}"
