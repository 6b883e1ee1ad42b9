"""The ZMS "eappointment" citizen API (Berlin, Munich; EUPL) as one implementation of `AppointmentBooking`.

Speaks the endpoints under `<base>/` (the profile's `appointments.endpoint`, ending in
`/terminvereinbarung/api/citizen/`). Accepts plain bodies and `{meta, data}` wrapped ones, turns Unix
timestamps into Europe/Berlin datetimes, and turns the `{errors: [...]}` answers into domain errors. A 429
is retried after the server's Retry-After, at most `max_retries` times and never for longer than
`max_wait` seconds in total; otherwise the resident sees "too many requests, wait a moment".
Process ids and auth keys never appear in logs or error messages: requests that carry them are logged
by path only.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

import httpx

from leipzig_app.adapters.http import guarded, json_body, retry_after_seconds
from leipzig_app.adapters.logs import redact_library_loggers
from leipzig_app.domain.appointments import (
    BERLIN,
    DEFAULT_RESERVATION_MINUTES,
    AppointmentServerError,
    Booking,
    BookingState,
    Catalog,
    Contact,
    InvalidCombinationError,
    MaintenanceError,
    NotAvailableError,
    Office,
    OpeningHours,
    RateLimitedError,
    Relation,
    ReservationExpiredError,
    Service,
    Slot,
    SlotTakenError,
    TooManyAppointmentsError,
    state_from_server,
)
from leipzig_app.domain.errors import InvalidResponseError, ServerError

log = logging.getLogger(__name__)
WHAT = "appointment booking"
# `GET appointment/` carries processId and authKey in its query, as the ZMS API prescribes, and the HTTP
# library logs every URL it requests: its loggers get the redacting filter wherever logs are written.
redact_library_loggers()
Sleep = Callable[[float], Awaitable[None]]


class ZmsBooking:
    """`AppointmentBooking` over the ZMS citizen API."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        base_url: str,
        *,
        sleep: Sleep = asyncio.sleep,
        max_retries: int = 2,
        max_wait: float = 30.0,
        clock: Callable[[], datetime] | None = None,
    ):
        self._client = client
        self._base = base_url.rstrip("/") + "/"
        self._sleep = sleep
        self._max_retries = max_retries
        self._max_wait = max_wait
        self._clock = clock or (lambda: datetime.now(BERLIN))

    # --- transport ---------------------------------------------------------------------------------------

    async def _call(
        self, method: str, path: str, *, params: Mapping[str, str] | None = None, body: Any = None
    ) -> Any:
        waited = 0.0
        attempt = 0
        while True:
            response = await guarded(
                lambda: self._client.request(method, self._base + path, params=params, json=body), what=WHAT
            )
            # Never the query or body: they may carry the process id and auth key.
            log.debug("ZMS %s %s -> %s", method, path, response.status_code)
            if response.status_code == 429:
                delay = retry_after_seconds(response)
                delay = 1.0 if delay is None else delay
                if attempt < self._max_retries and waited + delay <= self._max_wait:
                    attempt += 1
                    waited += delay
                    await self._sleep(delay)
                    continue
            if response.status_code >= 400:
                raise _error(response)
            return _unwrap(json_body(response, what=WHAT))

    # --- catalog and slots -----------------------------------------------------------------------------

    async def catalog(self) -> Catalog:
        data = await self._call("GET", "offices-and-services/")
        try:
            offices = tuple(_office(o) for o in _list(data, "offices"))
            services = tuple(_service(s) for s in _list(data, "services"))
            relations = tuple(
                Relation(str(r["officeId"]), str(r["serviceId"]), int(r.get("slots") or 1))
                for r in _list(data, "relations")
            )
        except (KeyError, TypeError, ValueError) as error:
            raise _invalid(f"offices-and-services: {type(error).__name__} {error}") from None
        return Catalog(offices, services, relations)

    async def available_slots(
        self, office_ids: Sequence[str], service_id: str, count: int, start: date, end: date
    ) -> list[Slot]:
        """Free start times at these offices between two days (inclusive), sorted by time then office.

        Uses `available-calendar` where the server has it (one request), else `available-days` plus
        `available-appointments` per day and office. "Nothing free" is an empty list, not an error.
        """
        params = {
            "startDate": start.isoformat(),
            "endDate": end.isoformat(),
            "officeIds": ",".join(office_ids),
            "serviceIds": service_id,
            "serviceCounts": str(count),
        }
        try:
            data = await self._call("GET", "available-calendar/", params=params)
        except _MissingEndpointError:
            return await self._slots_by_day(office_ids, service_id, count, start, end)
        slots = []
        try:
            for day in _list(data, "days"):
                for entry in day.get("offices") or []:
                    office = str(entry["officeId"])
                    slots += [Slot(to_berlin(ts), office) for ts in entry.get("appointmentTimestamps") or []]
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise _invalid(f"available-calendar: {type(error).__name__}") from None
        return sorted(slots)

    async def _slots_by_day(
        self, office_ids: Sequence[str], service_id: str, count: int, start: date, end: date
    ) -> list[Slot]:
        slots: list[Slot] = []
        for office in office_ids:
            base = {"officeId": office, "serviceId": service_id, "serviceCount": str(count)}
            try:
                data = await self._call(
                    "GET",
                    "available-days/",
                    params={**base, "startDate": start.isoformat(), "endDate": end.isoformat()},
                )
            except NotAvailableError:
                continue
            for day in _list(data, "availableDays"):
                when = day.get("time") if isinstance(day, dict) else day
                try:
                    times = await self._call(
                        "GET", "available-appointments/", params={**base, "date": str(when)}
                    )
                except NotAvailableError:
                    continue
                slots += [Slot(to_berlin(ts), office) for ts in _list(times, "appointmentTimestamps")]
        return sorted(slots)

    # --- booking ----------------------------------------------------------------------------------------

    async def reserve(
        self, office_id: str, service_ids: Sequence[str], counts: Sequence[int], start: datetime
    ) -> Booking:
        body = {
            "officeId": _as_id(office_id),
            "serviceId": [_as_id(s) for s in service_ids],
            "serviceCount": list(counts),
            "timestamp": int(start.timestamp()),
        }
        return self._booking(await self._call("POST", "reserve-appointment/", body=body))

    async def update(self, booking: Booking, contact: Contact) -> Booking:
        body = {
            **_secret(booking.process_id, booking.auth_key),
            "familyName": contact.name,
            "email": contact.email,
            "telephone": contact.telephone,
        }
        return self._booking(await self._call("POST", "update-appointment/", body=body), booking)

    async def preconfirm(self, booking: Booking) -> Booking:
        data = await self._call(
            "POST", "preconfirm-appointment/", body=_secret(booking.process_id, booking.auth_key)
        )
        return self._booking(data, booking)

    async def confirm(self, booking: Booking) -> Booking:
        data = await self._call(
            "POST", "confirm-appointment/", body=_secret(booking.process_id, booking.auth_key)
        )
        return self._booking(data, booking)

    async def fetch(self, process_id: str, auth_key: str) -> Booking:
        params = {"processId": process_id, "authKey": auth_key}
        data = await self._call("GET", "appointment/", params=params)
        return self._booking(data, secrets=(process_id, auth_key))

    async def cancel(self, process_id: str, auth_key: str) -> None:
        await self._call("POST", "cancel-appointment/", body=_secret(process_id, auth_key))

    def _booking(
        self, data: Any, before: Booking | None = None, secrets: tuple[str, str] | None = None
    ) -> Booking:
        if not isinstance(data, dict):
            raise _invalid("a booking object was expected")
        try:
            known = (before.process_id, before.auth_key) if before else secrets
            process_id = str(data.get("processId") or (known[0] if known else ""))
            auth_key = str(data.get("authKey") or (known[1] if known else ""))
            if not process_id or not auth_key:
                raise ValueError("no processId or authKey")
            status = str(data.get("status") or "")
            state = state_from_server(status)
            if state is None:
                raise ValueError(f"status {status!r}")
            services = data.get("serviceId") or (list(before.service_ids) if before else [])
            services = services if isinstance(services, list) else [services]
            counts = data.get("serviceCount") or [1] * len(services)
            until = data.get("reservedUntil")
            reserved_until = to_berlin(until) if until is not None else None
            if reserved_until is None and state is BookingState.RESERVED:
                reserved_until = self._clock() + timedelta(minutes=DEFAULT_RESERVATION_MINUTES)
            return Booking(
                process_id=process_id,
                auth_key=auth_key,
                office_id=str(data.get("officeId") or (before.office_id if before else "")),
                service_ids=tuple(str(s) for s in services),
                service_counts=tuple(int(c) for c in counts),
                start=to_berlin(data["timestamp"]) if "timestamp" in data else _start_of(before),
                state=state,
                reserved_until=reserved_until if state is not BookingState.CONFIRMED else None,
            )
        except (KeyError, TypeError, ValueError) as error:
            raise _invalid(f"booking: {type(error).__name__} {error}") from None


# --- shapes ---------------------------------------------------------------------------------------------


def to_berlin(value: Any) -> datetime:
    """A Unix timestamp (int, float or digits) as a timezone-aware Europe/Berlin datetime."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"not a Unix timestamp: {value!r}")
    return datetime.fromtimestamp(float(value), BERLIN)


def _unwrap(data: Any) -> Any:
    """The payload of a `{meta, data}` wrapped body, or the body itself."""
    if isinstance(data, dict) and "data" in data and "meta" in data:
        return data["data"]
    return data


def _list(data: Any, name: str) -> list[Any]:
    if not isinstance(data, dict) or not isinstance(data.get(name, []), list):
        raise _invalid(f"'{name}' is not a list")
    items: list[Any] = data.get(name, [])
    return items


def _invalid(detail: str) -> InvalidResponseError:
    return InvalidResponseError(f"{WHAT}: unexpected answer ({detail})", params={"what": WHAT})


def _as_id(value: str) -> int | str:
    return int(value) if value.isdigit() else value


def _secret(process_id: str, auth_key: str) -> dict[str, Any]:
    return {"processId": _as_id(process_id), "authKey": auth_key}


def _start_of(before: Booking | None) -> datetime:
    if before is None:
        raise ValueError("no timestamp")
    return before.start


def _office(raw: Mapping[str, Any]) -> Office:
    address = raw.get("address") or {}
    street = " ".join(p for p in (address.get("street", ""), address.get("house_number", "")) if p)
    geo = raw.get("geo") or {}
    scope = raw.get("scope") or {}
    hours = tuple(
        OpeningHours(int(h["weekday"]), time.fromisoformat(h["from"]), time.fromisoformat(h["to"]))
        for h in raw.get("openingHours") or []
    )
    step_free = raw.get("stepFreeAccess")
    return Office(
        id=str(raw["id"]),
        name=str(raw["name"]),
        street=street,
        postal_code=str(address.get("postal_code", "")),
        city=str(address.get("city", "")),
        latitude=float(geo["lat"]) if geo.get("lat") is not None else None,
        longitude=float(geo["lon"]) if geo.get("lon") is not None else None,
        opening_hours=hours,
        step_free=step_free if isinstance(step_free, bool) else None,
        telephone_required=bool(scope.get("telephoneRequired", False)),
        telephone_activated=bool(scope.get("telephoneActivated", True)),
        email_confirmation=bool(scope.get("emailConfirmationActivated", False)),
        info=str(raw.get("displayInfo") or ""),
    )


def _service(raw: Mapping[str, Any]) -> Service:
    combinable = raw.get("combinable") or {}
    ids = combinable.keys() if isinstance(combinable, dict) else combinable
    return Service(
        id=str(raw["id"]),
        name=str(raw["name"]),
        max_quantity=int(raw.get("maxQuantity") or 1),
        combinable=tuple(str(i) for i in ids),
        documents=tuple(str(d) for d in raw.get("documents") or []),
        fee=str(raw.get("fees") or ""),
    )


# --- errors ---------------------------------------------------------------------------------------------


class _MissingEndpointError(ServerError):
    """The server does not have this endpoint (an older installation)."""


_BY_STATUS: dict[int, type[AppointmentServerError]] = {
    404: NotAvailableError,
    406: TooManyAppointmentsError,
    409: SlotTakenError,
    429: RateLimitedError,
    503: MaintenanceError,
}


def _error(response: httpx.Response) -> ServerError:
    status = response.status_code
    retry_after = retry_after_seconds(response)
    try:
        data = _unwrap(response.json())
    except ValueError:
        data = None
    errors = data.get("errors") if isinstance(data, dict) else None
    first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else {}
    code = str(first.get("errorCode") or "")
    # The server's own text is German and may be shown as detail; it never contains the secrets.
    detail = str(first.get("errorMessage") or "")[:300]
    message = f"{WHAT}: {code or 'HTTP ' + str(status)}" + (f" ({detail})" if detail else "")
    params = {"code": code, "detail": detail}
    if status == 404 and not errors:
        return _MissingEndpointError(message, status=status, params=params)
    kind: type[ServerError] = _BY_STATUS.get(status, ServerError)
    key = None
    if status == 409 and code == "processNotReservedAnymore":
        kind = ReservationExpiredError
    elif status == 404 and code == "appointmentNotFound":
        key = "appointments.error.not_found"
    elif status == 400 and "ombination" in code:
        kind = InvalidCombinationError
    elif status == 400:
        key = "appointments.error.rejected"
    elif status >= 500 and status != 503:
        kind = ServerError
    return kind(message, status=status, key=key, params=params, retry_after=retry_after)
