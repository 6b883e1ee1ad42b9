"""Reading the bodies of the ZMS citizen API (it-at-m/eappointment, `zmscitizenapi`) into domain objects.

Field names follow the server's models (`Models/Office.php`, `ThinnedScope.php`, `Service.php`,
`ThinnedProcess.php`, `AvailableCalendar.php`) and its error registry (`Utils/ErrorMessages.php`).
A few fields the real API does not have are read when a server sends them (the demo city does):
`openingHours`, `stepFreeAccess`, `scope.emailConfirmationActivated`, service `fees` and `documents`,
and a process's `reservedUntil`. Without them the app falls back to what the real API implies.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time, timedelta
from typing import Any

from leipzig_app.domain.appointments import (
    BERLIN,
    DEFAULT_RESERVATION_MINUTES,
    Booking,
    BookingState,
    Office,
    OpeningHours,
    Service,
    Slot,
    state_from_server,
)
from leipzig_app.domain.errors import InvalidResponseError

WHAT = "appointment booking"

#: Process states of the real server (`thinnedProcess.json`) that come after a confirmed booking: the
#: appointment is being served or is over, so for the resident it stays a confirmed one.
_AFTER_CONFIRMATION = {
    "queued", "called", "processing", "pending", "pickup", "finished", "missed", "parked", "archived",
}  # fmt: skip
#: States in which the server no longer holds the booking for the resident.
_GONE = {"anonymized", "blocked"}


def to_berlin(value: Any) -> datetime:
    """A Unix timestamp (int, float or digits) as a timezone-aware Europe/Berlin datetime."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"not a Unix timestamp: {value!r}")
    return datetime.fromtimestamp(float(value), BERLIN)


def unwrap(data: Any) -> Any:
    """The payload of a `{meta, data}` wrapped body, or the body itself.

    The server writes plain bodies (`BaseController::createJsonResponse`); the OpenAPI annotations in
    `routing.php` describe every answer as `{meta, data}`, and a gateway may deliver that shape.
    """
    if isinstance(data, dict) and "data" in data and "meta" in data:
        return data["data"]
    return data


def list_of(data: Any, name: str) -> list[Any]:
    if not isinstance(data, dict) or not isinstance(data.get(name, []), list):
        raise invalid(f"'{name}' is not a list")
    items: list[Any] = data.get(name, [])
    return items


def invalid(detail: str) -> InvalidResponseError:
    return InvalidResponseError(f"{WHAT}: unexpected answer ({detail})", params={"what": WHAT})


# --- catalog ----------------------------------------------------------------------------------------------


def office(raw: Mapping[str, Any]) -> Office:
    address = raw.get("address") or {}
    street = " ".join(p for p in (address.get("street", ""), address.get("house_number", "")) if p)
    geo = raw.get("geo") or {}
    scope = raw.get("scope") or {}
    # Extension: no version of the real API has opening hours or step-free access on an office.
    hours = tuple(
        OpeningHours(int(h["weekday"]), time.fromisoformat(h["from"]), time.fromisoformat(h["to"]))
        for h in raw.get("openingHours") or []
    )
    step_free = raw.get("stepFreeAccess")
    # Extension: the scope of the real API does not say whether an office confirms by e-mail. Its booking
    # flow is reserved -> preconfirmed (activation mail) -> confirmed (zmscitizenapi/README.md), so
    # without the field every office is treated as one that confirms by e-mail.
    confirms_by_mail = scope.get("emailConfirmationActivated")
    return Office(
        id=str(raw["id"]),
        name=str(raw["name"]),
        street=street,
        postal_code=str(address.get("postal_code") or ""),
        city=str(address.get("city") or ""),
        # The server sends geo positions as numbers or as strings of digits.
        latitude=float(geo["lat"]) if geo.get("lat") not in (None, "") else None,
        longitude=float(geo["lon"]) if geo.get("lon") not in (None, "") else None,
        opening_hours=hours,
        step_free=step_free if isinstance(step_free, bool) else None,
        telephone_required=bool(scope.get("telephoneRequired", False)),
        telephone_activated=bool(scope.get("telephoneActivated", True)),
        email_confirmation=confirms_by_mail if isinstance(confirms_by_mail, bool) else True,
        info=_info(scope),
    )


def _info(scope: Mapping[str, Any]) -> str:
    """The office's note for residents: `displayInfo` in earlier server versions, `infoForAppointment`
    and `infoForAllAppointments` in later ones (both `ThinnedScope.php`)."""
    parts: list[str] = []
    for name in ("displayInfo", "infoForAppointment", "infoForAllAppointments"):
        text = str(scope.get(name) or "").strip()
        if text and text not in parts:
            parts.append(text)
    return "\n".join(parts)


def service(raw: Mapping[str, Any]) -> Service:
    # `combinable` maps the ids of the services it combines with to office ids (`Combinable.php`); an
    # empty one is serialised by PHP as a list.
    combinable = raw.get("combinable") or {}
    ids = combinable.keys() if isinstance(combinable, dict) else combinable
    return Service(
        id=str(raw["id"]),
        name=str(raw["name"]),
        max_quantity=int(raw.get("maxQuantity") or 1),
        combinable=tuple(str(i) for i in ids if str(i) != str(raw["id"])),
        # Extension: the real API has no fees and no documents on a service.
        documents=tuple(str(d) for d in raw.get("documents") or []),
        fee=str(raw.get("fees") or ""),
    )


# --- slots --------------------------------------------------------------------------------------------------


def calendar_slots(data: Any) -> list[Slot]:
    """Free times of `available-calendar`: `availableDays[].offices[].appointments`
    (`AvailableCalendar.php`, `availableCalendar.json`)."""
    slots: list[Slot] = []
    try:
        for day in list_of(data, "availableDays"):
            for entry in day.get("offices") or []:
                office_id = str(entry["officeId"])
                slots += [Slot(to_berlin(ts), office_id) for ts in entry.get("appointments") or []]
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise invalid(f"available-calendar: {type(error).__name__}") from None
    return slots


def available_days(data: Any) -> list[str]:
    """The days of `available-days`: ISO dates (`AvailableDays.php`).

    Entries shaped `{time, providerIDs}` are read as well: that is the shape of the per-office variant
    (`availableDaysByOffice.json`).
    """
    days = []
    for day in list_of(data, "availableDays"):
        when = day.get("time") if isinstance(day, dict) else day
        if not isinstance(when, str):
            raise invalid("available-days: a day is not a date")
        days.append(when)
    return days


# --- bookings -----------------------------------------------------------------------------------------------


def booking(
    data: Any,
    *,
    now: datetime,
    before: Booking | None = None,
    secrets: tuple[str, str] | None = None,
    expected: BookingState | None = None,
) -> Booking:
    """A `ThinnedProcess` as a `Booking`.

    `before` is what the app knew before the call, `expected` the state the call leads to when the server
    does not say (the `status` field is missing in early versions of `ThinnedProcess.php`).
    """
    if not isinstance(data, dict):
        raise invalid("a booking object was expected")
    try:
        known = (before.process_id, before.auth_key) if before else secrets
        process_id = str(data.get("processId") or (known[0] if known else ""))
        auth_key = str(data.get("authKey") or (known[1] if known else ""))
        if not process_id or not auth_key:
            raise ValueError("no processId or authKey")
        state = _state(data.get("status"), expected)
        service_ids, counts = _services(data, before)
        start = to_berlin(data["timestamp"]) if data.get("timestamp") else _start_of(before)
        return Booking(
            process_id=process_id,
            auth_key=auth_key,
            office_id=str(data.get("officeId") or (before.office_id if before else "")),
            service_ids=service_ids,
            service_counts=counts,
            start=start,
            state=state,
            reserved_until=_held_until(data, state, now),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise invalid(f"booking: {type(error).__name__} {error}") from None


def _state(status: Any, expected: BookingState | None) -> BookingState:
    word = str(status or "").strip().lower()
    if not word:
        if expected is None:
            raise ValueError("no status")
        return expected
    if word in _AFTER_CONFIRMATION:
        return BookingState.CONFIRMED
    if word in _GONE:
        return BookingState.CANCELLED
    state = state_from_server(word)
    if state is None:
        raise ValueError(f"status {word!r}")
    return state


def _services(data: Mapping[str, Any], before: Booking | None) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Service ids and person counts: the main `serviceId` with its `serviceCount`, then `subRequestCounts`
    (`[{id, count}]`), as `MapperService::processToThinnedProcess` writes them."""
    ids: list[str] = []
    counts: list[int] = []
    main = data.get("serviceId")
    if main:
        ids.append(str(main))
        counts.append(max(1, int(data.get("serviceCount") or 1)))
    for sub in data.get("subRequestCounts") or []:
        ids.append(str(sub["id"]))
        counts.append(max(1, int(sub.get("count") or 1)))
    if not ids and before is not None:
        return before.service_ids, before.service_counts
    return tuple(ids), tuple(counts)


def _held_until(data: Mapping[str, Any], state: BookingState, now: datetime) -> datetime | None:
    """Until when a reservation or an e-mail activation is held.

    `reservedUntil` is an extension of the demo city. The real API's scope carries `reservationDuration`
    and `activationDuration` in minutes (later versions of `ThinnedScope`); they count from the answer.
    """
    if state not in (BookingState.RESERVED, BookingState.WAITING_FOR_CONFIRMATION):
        return None
    until = data.get("reservedUntil")
    if until is not None:
        return to_berlin(until)
    raw_scope = data.get("scope")
    scope: Mapping[str, Any] = raw_scope if isinstance(raw_scope, dict) else {}
    name = "reservationDuration" if state is BookingState.RESERVED else "activationDuration"
    minutes = scope.get(name)
    if isinstance(minutes, int | str) and str(minutes).isdigit() and int(minutes) > 0:
        return now + timedelta(minutes=int(minutes))
    if state is BookingState.RESERVED:
        return now + timedelta(minutes=DEFAULT_RESERVATION_MINUTES)
    return None


def _start_of(before: Booking | None) -> datetime:
    if before is None:
        raise ValueError("no timestamp")
    return before.start
