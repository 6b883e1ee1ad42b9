"""Appointments at the citizen offices: offices, services, slots, bookings and the rules between them.

The booking backend is a port (`AppointmentBooking`): Leipzig's vendor is not confirmed, so the ZMS
citizen API adapter is one implementation among possible others. Secrets of a booking (the server's
process id and auth key) never live in the appointments table; they go through the `SecretStore` port.
All times are timezone-aware; the city's wall clock is Europe/Berlin.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo

from leipzig_app.domain.errors import AppError, ServerError

BERLIN = ZoneInfo("Europe/Berlin")
#: How long a reservation is held when the server does not say (ZMS default).
DEFAULT_RESERVATION_MINUTES = 15
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 ()/-]{6,20}$")


# --- catalog ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpeningHours:
    weekday: int  # 0 = Monday
    opens: time
    closes: time


@dataclass(frozen=True)
class Office:
    id: str
    name: str
    street: str = ""
    postal_code: str = ""
    city: str = ""
    latitude: float | None = None
    longitude: float | None = None
    opening_hours: tuple[OpeningHours, ...] = ()
    #: True/False where the city says so, None where it is unknown.
    step_free: bool | None = None
    telephone_required: bool = False
    telephone_activated: bool = True
    email_confirmation: bool = False
    info: str = ""

    @property
    def address(self) -> str:
        return ", ".join(p for p in (self.street, f"{self.postal_code} {self.city}".strip()) if p)


@dataclass(frozen=True)
class Service:
    id: str
    name: str
    max_quantity: int = 1
    #: Services that may be booked together with this one in the same appointment.
    combinable: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    fee: str = ""


@dataclass(frozen=True)
class Relation:
    office_id: str
    service_id: str
    #: Time units (slots) one person needs for this service at this office.
    slots: int = 1


@dataclass(frozen=True)
class Catalog:
    offices: tuple[Office, ...]
    services: tuple[Service, ...]
    relations: tuple[Relation, ...]

    def office(self, office_id: str) -> Office:
        for office in self.offices:
            if office.id == office_id:
                return office
        raise UnknownEntryError(f"unknown office {office_id}", params={"what": office_id})

    def service(self, service_id: str) -> Service:
        for service in self.services:
            if service.id == service_id:
                return service
        raise UnknownEntryError(f"unknown service {service_id}", params={"what": service_id})

    def offices_for(self, service_id: str) -> tuple[Office, ...]:
        ids = {r.office_id for r in self.relations if r.service_id == service_id}
        return tuple(o for o in self.offices if o.id in ids)

    def search(self, query: str) -> tuple[Service, ...]:
        """Services whose name contains every word of the query (case- and umlaut-insensitive)."""
        words = [_fold(w) for w in query.split() if w.strip()]
        found = [s for s in self.services if all(w in _fold(s.name) for w in words)]
        return tuple(sorted(found, key=lambda s: s.name))


def _fold(text: str) -> str:
    text = text.casefold()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(a, b)
    return text


# --- slots and bookings -----------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Slot:
    """A free start time at an office.

    Equality and order use the real instant, not the wall-clock time: two aware datetimes with the same
    tzinfo compare by wall time in Python, which would make 02:15 before and after the autumn change equal.
    """

    start: datetime
    office_id: str

    def _key(self) -> tuple[float, str]:
        return (self.start.timestamp(), self.office_id)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Slot) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __lt__(self, other: Slot) -> bool:
        return self._key() < other._key()


class BookingState(StrEnum):
    RESERVED = "reserved"
    WAITING_FOR_CONFIRMATION = "waiting_for_confirmation"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


_SERVER_STATES = {
    "reserved": BookingState.RESERVED,
    "preconfirmed": BookingState.WAITING_FOR_CONFIRMATION,
    "confirmed": BookingState.CONFIRMED,
    "cancelled": BookingState.CANCELLED,
    "canceled": BookingState.CANCELLED,
    "deleted": BookingState.CANCELLED,
}


def state_from_server(status: str) -> BookingState | None:
    """The booking state for a server status word, None for a word this app does not know."""
    return _SERVER_STATES.get(status.strip().lower())


@dataclass(frozen=True)
class Contact:
    name: str
    email: str
    telephone: str = ""


@dataclass(frozen=True)
class Booking:
    """A booking as the server sees it; `process_id` and `auth_key` are secrets (never logged, repr-free)."""

    process_id: str = field(repr=False)
    auth_key: str = field(repr=False)
    office_id: str
    service_ids: tuple[str, ...]
    service_counts: tuple[int, ...]
    start: datetime
    state: BookingState
    reserved_until: datetime | None = None


@dataclass(frozen=True)
class AppointmentRecord:
    """One entry of "Meine Termine", kept on the device (the booking's secrets are kept apart)."""

    id: str
    office_id: str
    office_name: str
    office_address: str
    service_ids: tuple[str, ...]
    service_names: tuple[str, ...]
    service_counts: tuple[int, ...]
    start: datetime
    state: BookingState
    name: str
    email: str
    telephone: str = ""
    reserved_until: datetime | None = None
    created_at: datetime | None = None
    #: The booking this one replaces (rescheduling); that one is cancelled once this one is confirmed.
    replaces: str | None = None

    def is_upcoming(self, now: datetime) -> bool:
        return self.state is not BookingState.CANCELLED and self.start.timestamp() > now.timestamp()


def reservation_minutes_left(until: datetime | None, now: datetime) -> int:
    """Whole minutes a reservation still holds (0 when it has expired or no end is known)."""
    if until is None:
        return 0
    return max(0, math.ceil((until - now).total_seconds() / 60))


# --- rules ------------------------------------------------------------------------------------------------


def check_person_count(service: Service, count: int) -> None:
    if not 1 <= count <= max(1, service.max_quantity):
        raise InvalidBookingError(
            f"{service.name}: from 1 to {service.max_quantity} persons",
            key="appointments.error.count",
            params={"max": service.max_quantity},
        )


def check_contact(contact: Contact, office: Office) -> Contact:
    """A cleaned contact, or `InvalidBookingError` saying which field is wrong."""
    name, email, phone = contact.name.strip(), contact.email.strip(), contact.telephone.strip()
    if len(name) < 2 or len(name) > 100:
        raise InvalidBookingError("name: 2 to 100 characters", key="appointments.error.name")
    if not _EMAIL.match(email) or len(email) > 200:
        raise InvalidBookingError("e-mail: not a valid address", key="appointments.error.email")
    if office.telephone_required and not phone:
        raise InvalidBookingError(
            "telephone: required by this office", key="appointments.error.phone_required"
        )
    if phone and not _PHONE.match(phone):
        raise InvalidBookingError("telephone: not a valid number", key="appointments.error.phone")
    return Contact(name=name, email=email, telephone=phone)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine) in kilometres."""
    r = 6371.0088
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def parse_release_times(values: Sequence[str]) -> tuple[time, ...]:
    times = []
    for value in values:
        try:
            hour, minute = (int(p) for p in value.split(":"))
            times.append(time(hour, minute))
        except ValueError:
            raise InvalidBookingError(
                f"release time {value!r} is not HH:MM", key="appointments.error.release_time"
            ) from None
    return tuple(sorted(times))


def next_release(now: datetime, release_times: Sequence[time]) -> datetime | None:
    """The next moment (Europe/Berlin) at which the city releases new slots, or None when it does not say."""
    if not release_times:
        return None
    local = now.astimezone(BERLIN)
    for offset in range(2):
        day: date = local.date() + timedelta(days=offset)
        for moment in release_times:
            candidate = datetime.combine(day, moment, tzinfo=BERLIN)
            if candidate > local:
                return candidate
    return None


# --- errors -----------------------------------------------------------------------------------------------


class UnknownEntryError(AppError):
    key = "appointments.error.unknown"


class InvalidBookingError(AppError):
    """Input the resident must change (person count, contact data)."""

    key = "appointments.error.invalid"


class AppointmentServerError(ServerError):
    """A refusal of the booking server with a meaning of its own."""


class SlotTakenError(AppointmentServerError):
    key = "appointments.error.slot_taken"


class ReservationExpiredError(AppointmentServerError):
    key = "appointments.error.expired"


class TooManyAppointmentsError(AppointmentServerError):
    key = "appointments.error.too_many"


class NotAvailableError(AppointmentServerError):
    key = "appointments.error.not_available"


class InvalidCombinationError(AppointmentServerError):
    key = "appointments.error.combination"


class RateLimitedError(AppointmentServerError):
    key = "appointments.error.rate_limited"


class MaintenanceError(AppointmentServerError):
    key = "appointments.error.maintenance"


# --- ports ------------------------------------------------------------------------------------------------


class AppointmentBooking(Protocol):
    """What the app needs from a booking backend (ZMS citizen API or another vendor)."""

    async def catalog(self) -> Catalog: ...

    async def available_slots(
        self, office_ids: Sequence[str], service_id: str, count: int, start: date, end: date
    ) -> list[Slot]: ...

    async def reserve(
        self, office_id: str, service_ids: Sequence[str], counts: Sequence[int], start: datetime
    ) -> Booking: ...

    async def update(self, booking: Booking, contact: Contact) -> Booking: ...

    async def preconfirm(self, booking: Booking) -> Booking: ...

    async def confirm(self, booking: Booking) -> Booking: ...

    async def fetch(self, process_id: str, auth_key: str) -> Booking: ...

    async def cancel(self, process_id: str, auth_key: str) -> None: ...


class SecretStore(Protocol):
    """Small secrets by name: secure storage on phones (asynchronous there), a private file on desktops."""

    async def get(self, name: str) -> str | None: ...

    async def set(self, name: str, value: str) -> None: ...

    async def delete(self, name: str) -> None: ...


class HoldOwners(Protocol):
    """Which running app a held time belongs to: several copies of the app (two desktop windows, a desktop
    app and web mode) can share one data folder and so one secret store.

    `owner` names this running app (a random token, new for every start); `is_alive` says whether the app
    an owner names is still running, and raises an `AppError` when it cannot tell.
    """

    owner: str

    def is_alive(self, owner: str) -> bool: ...


class AppointmentStore(Protocol):
    """The resident's bookings on this device ("Meine Termine")."""

    def list(self) -> list[AppointmentRecord]: ...

    def get(self, record_id: str) -> AppointmentRecord | None: ...

    def save(self, record: AppointmentRecord) -> None: ...

    def delete(self, record_id: str) -> None: ...
