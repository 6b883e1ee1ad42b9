"""The ZMS "eappointment" citizen API (Berlin, Munich; EUPL) as one implementation of `AppointmentBooking`.

Speaks the endpoints of it-at-m/eappointment's `zmscitizenapi` under `<base>/` (the profile's
`appointments.endpoint`, ending in `/terminvereinbarung/api/citizen/`). Accepts plain bodies and
`{meta, data}` wrapped ones, turns Unix timestamps into Europe/Berlin datetimes, and turns the
`{errors: [...]}` answers into domain errors (`zms_errors.py`); the bodies are read in `zms_parse.py`.
A 429 is retried after the server's Retry-After (one second when it sends none), at most `max_retries`
times and never for longer than `max_wait` seconds in total; otherwise the resident sees "too many
requests, wait a moment". Process ids and auth keys never appear in logs or error messages: requests
that carry them are logged by path only.

The server allows 60 requests per minute per client (`RateLimitingMiddleware.php`). The adapter keeps
under it on its own: at most `pace` requests (50 by default) within `pace_window` seconds, waiting before
the next one when they are used up. Servers without `available-calendar` need one request per office and
day; `first_free_times` therefore asks `available-days` first and then the times of only the first few
days that have any (the days a list shows), so that a search over five offices and three weeks costs a
few dozen requests, not a hundred.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any

import httpx

from leipzig_app.adapters import zms_parse
from leipzig_app.adapters.http import guarded, json_body, retry_after_seconds
from leipzig_app.adapters.logs import redact_library_loggers
from leipzig_app.adapters.zms_errors import MissingEndpointError, error_of
from leipzig_app.adapters.zms_parse import WHAT, invalid, list_of, to_berlin, unwrap
from leipzig_app.domain.appointments import (
    BERLIN,
    Booking,
    BookingState,
    Catalog,
    Contact,
    NotAvailableError,
    Relation,
    ReservationExpiredError,
    Slot,
    SlotTakenError,
)

__all__ = ["ZmsBooking", "to_berlin"]

log = logging.getLogger(__name__)
# `GET appointment/` carries processId and authKey in its query, as the ZMS API prescribes, and the HTTP
# library logs every URL it requests: its loggers get the redacting filter wherever logs are written.
redact_library_loggers()
Sleep = Callable[[float], Awaitable[None]]
#: After `available-calendar` was found missing, it is asked for again only after this many seconds.
CALENDAR_RECHECK_SECONDS = 600.0


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
        pace: int = 50,
        pace_window: float = 60.0,
        monotonic: Callable[[], float] = time.monotonic,
    ):
        self._client = client
        self._base = base_url.rstrip("/") + "/"
        self._sleep = sleep
        self._max_retries = max_retries
        self._max_wait = max_wait
        self._clock = clock or (lambda: datetime.now(BERLIN))
        self._pace, self._pace_window, self._monotonic = max(1, pace), pace_window, monotonic
        #: When the last requests were sent (monotonic seconds), at most `pace` of them.
        self._sent: list[float] = []
        self._pacing: asyncio.Lock | None = None
        #: When `available-calendar` was last found missing (None: not found missing).
        self._calendar_missing_at: float | None = None

    # --- pacing -----------------------------------------------------------------------------------------

    async def _wait_for_turn(self) -> None:
        """Wait until one more request stays within `pace` requests per `pace_window` seconds."""
        if self._pacing is None:
            self._pacing = asyncio.Lock()
        async with self._pacing:
            now = self._monotonic()
            self._sent = [t for t in self._sent if t > now - self._pace_window]
            if len(self._sent) >= self._pace:
                wait = self._sent[0] + self._pace_window - now
                log.info("ZMS: waiting %.0f s to stay under the server's request limit", wait)
                await self._sleep(wait)
                now = self._monotonic()
                self._sent = [t for t in self._sent if t > now - self._pace_window]
            self._sent.append(now)

    # --- transport ---------------------------------------------------------------------------------------

    async def _call(
        self, method: str, path: str, *, params: Mapping[str, str] | None = None, body: Any = None
    ) -> Any:
        waited = 0.0
        attempt = 0
        while True:
            await self._wait_for_turn()
            response = await guarded(
                lambda: self._client.request(method, self._base + path, params=params, json=body), what=WHAT
            )
            # Never the query or body: they may carry the process id and auth key.
            log.debug("ZMS %s %s -> %s", method, path, response.status_code)
            if response.status_code == 429:
                # The server's rate limiter sends no Retry-After (`RateLimitingMiddleware.php`); a proxy may.
                delay = retry_after_seconds(response)
                delay = 1.0 if delay is None else delay
                if attempt < self._max_retries and waited + delay <= self._max_wait:
                    attempt += 1
                    waited += delay
                    await self._sleep(delay)
                    continue
            if response.status_code >= 400:
                raise error_of(response)
            return unwrap(json_body(response, what=WHAT))

    # --- catalog and slots -----------------------------------------------------------------------------

    async def catalog(self) -> Catalog:
        data = await self._call("GET", "offices-and-services/")
        try:
            offices = tuple(zms_parse.office(o) for o in list_of(data, "offices"))
            services = tuple(zms_parse.service(s) for s in list_of(data, "services"))
            relations = tuple(
                Relation(str(r["officeId"]), str(r["serviceId"]), int(r.get("slots") or 1))
                for r in list_of(data, "relations")
            )
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise invalid(f"offices-and-services: {type(error).__name__} {error}") from None
        return Catalog(offices, services, relations)

    async def available_slots(
        self, office_ids: Sequence[str], service_id: str, count: int, start: date, end: date
    ) -> list[Slot]:
        """Free start times at these offices between two days (inclusive), sorted by time then office.

        Uses `available-calendar` where the server has it (one request), else `available-days` per office
        plus `available-appointments` per office and free day (paced, see the module). "Nothing free" is an
        empty list, not an error.
        """
        from_calendar = await self._calendar(office_ids, service_id, count, start, end)
        if from_calendar is not None:
            return from_calendar
        free = await self._free_days(office_ids, service_id, count, start, end)
        slots: list[Slot] = []
        for day in sorted(free):
            slots += await self._times_on(day, free[day], service_id, count)
        return sorted(slots)

    async def first_free_times(
        self, office_ids: Sequence[str], service_id: str, count: int, start: date, end: date, *, days: int
    ) -> tuple[list[Slot], date | None]:
        """The free times of the first `days` days between `start` and `end` that have any, and the next
        day with free times after them (None when there is none).

        With `available-calendar` one request; without it `available-days` per office, then the times of
        only those first days, at the offices that have free times on them.
        """
        slots = await self._calendar(office_ids, service_id, count, start, end)
        if slots is not None:
            by_day = sorted({s.start.astimezone(BERLIN).date() for s in slots})
            shown = set(by_day[:days])
            following = by_day[days] if len(by_day) > days else None
            return [s for s in slots if s.start.astimezone(BERLIN).date() in shown], following
        free = await self._free_days(office_ids, service_id, count, start, end)
        ordered = sorted(free)
        found: list[Slot] = []
        for day in ordered[:days]:
            found += await self._times_on(day, free[day], service_id, count)
        return sorted(found), (ordered[days] if len(ordered) > days else None)

    async def _calendar(
        self, office_ids: Sequence[str], service_id: str, count: int, start: date, end: date
    ) -> list[Slot] | None:
        """The free times from `available-calendar`, or None where the server does not have it."""
        missing_at = self._calendar_missing_at
        if missing_at is not None and self._monotonic() - missing_at < CALENDAR_RECHECK_SECONDS:
            return None
        params = {
            "startDate": start.isoformat(),
            "endDate": end.isoformat(),
            "officeIds": ",".join(office_ids),
            "serviceIds": service_id,
            "serviceCounts": str(count),
        }
        try:
            data = await self._call("GET", "available-calendar/", params=params)
        except MissingEndpointError:
            self._calendar_missing_at = self._monotonic()
            return None
        self._calendar_missing_at = None
        return sorted(zms_parse.calendar_slots(data))

    async def _free_days(
        self, office_ids: Sequence[str], service_id: str, count: int, start: date, end: date
    ) -> dict[date, list[str]]:
        """The days with free times between two days, each with the offices that have them
        (`available-days`, one request per office)."""
        free: dict[date, list[str]] = {}
        for office in office_ids:
            params = {
                "officeId": office,
                "serviceId": service_id,
                "serviceCount": str(count),
                "startDate": start.isoformat(),
                "endDate": end.isoformat(),
            }
            try:
                data = await self._call("GET", "available-days/", params=params)
            except NotAvailableError:
                continue
            for text in zms_parse.available_days(data):
                try:
                    day = date.fromisoformat(text[:10])
                except ValueError:
                    raise zms_parse.invalid("available-days: a day is not a date") from None
                if start <= day <= end:
                    free.setdefault(day, []).append(office)
        return free

    async def _times_on(
        self, day: date, office_ids: Sequence[str], service_id: str, count: int
    ) -> list[Slot]:
        """The free times of one day at these offices (`available-appointments`, one request per office)."""
        slots: list[Slot] = []
        for office in office_ids:
            params = {"officeId": office, "serviceId": service_id, "serviceCount": str(count)}
            try:
                times = await self._call(
                    "GET", "available-appointments/", params={**params, "date": day.isoformat()}
                )
            except NotAvailableError:
                continue
            slots += [Slot(to_berlin(ts), office) for ts in list_of(times, "appointmentTimestamps")]
        return slots

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
        try:
            data = await self._call("POST", "reserve-appointment/", body=body)
        except NotAvailableError as error:
            # The server answers a time that is no longer free (or was never offered) with 404
            # `appointmentNotAvailable` (`AppointmentReserveService.php`); for the resident it is taken.
            if error.params.get("code") != "appointmentNotAvailable":
                raise
            raise SlotTakenError(
                str(error), status=error.status, params=error.params, retry_after=error.retry_after
            ) from None
        reserved = self._booking(data, expected=BookingState.RESERVED)
        if not reserved.service_ids:
            reserved = replace(reserved, service_ids=tuple(service_ids), service_counts=tuple(counts))
        if not reserved.office_id:
            reserved = replace(reserved, office_id=office_id)
        return reserved

    async def update(self, booking: Booking, contact: Contact) -> Booking:
        body: dict[str, Any] = {
            **_secret(booking.process_id, booking.auth_key),
            "familyName": contact.name,
            "email": contact.email,
        }
        # The server accepts a missing telephone but rejects an empty one (`ValidationService.php`).
        if contact.telephone.strip():
            body["telephone"] = _telephone(contact.telephone)
        data = await self._held("update-appointment/", body)
        return self._booking(data, booking, expected=booking.state)

    async def preconfirm(self, booking: Booking) -> Booking:
        data = await self._held("preconfirm-appointment/", _secret(booking.process_id, booking.auth_key))
        return self._booking(data, booking, expected=BookingState.WAITING_FOR_CONFIRMATION)

    async def confirm(self, booking: Booking) -> Booking:
        data = await self._held("confirm-appointment/", _secret(booking.process_id, booking.auth_key))
        return self._booking(data, booking, expected=BookingState.CONFIRMED)

    async def _held(self, path: str, body: dict[str, Any]) -> Any:
        """A call on a time this app has just held: the server's "not found" means the hold has lapsed
        (the server drops an expired reservation, then answers `appointmentNotFound`)."""
        try:
            return await self._call("POST", path, body=body)
        except NotAvailableError as error:
            if error.params.get("code") not in ("appointmentNotFound", "authKeyMismatch"):
                raise
            raise ReservationExpiredError(
                str(error), status=error.status, params=error.params, retry_after=error.retry_after
            ) from None

    async def fetch(self, process_id: str, auth_key: str) -> Booking:
        params = {"processId": process_id, "authKey": auth_key}
        data = await self._call("GET", "appointment/", params=params)
        return self._booking(data, secrets=(process_id, auth_key))

    async def cancel(self, process_id: str, auth_key: str) -> None:
        await self._call("POST", "cancel-appointment/", body=_secret(process_id, auth_key))

    def _booking(
        self,
        data: Any,
        before: Booking | None = None,
        secrets: tuple[str, str] | None = None,
        expected: BookingState | None = None,
    ) -> Booking:
        return zms_parse.booking(data, now=self._clock(), before=before, secrets=secrets, expected=expected)


def _as_id(value: str) -> int | str:
    return int(value) if value.isdigit() else value


def _telephone(text: str) -> str:
    """A telephone number as the server's rule wants it: digits with an optional leading "+", the first
    digit not 0 (`^\\+?[1-9]\\d{6,14}$` in `ValidationService.php`). Separators go; a German national
    number (0341 ...) becomes international (+49341 ...), an international prefix 00 becomes "+"."""
    digits = re.sub(r"[\s()/.\-]", "", text.strip())
    if digits.startswith("00"):
        return "+" + digits[2:]
    if digits.startswith("0"):
        return "+49" + digits[1:]
    return digits


def _secret(process_id: str, auth_key: str) -> dict[str, Any]:
    return {"processId": _as_id(process_id), "authKey": auth_key}
