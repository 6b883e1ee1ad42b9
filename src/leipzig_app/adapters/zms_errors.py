"""The error answers of the ZMS citizen API as domain errors.

The server answers `{"errors": [{"errorCode", "statusCode", "errorMessage", "errorType"}]}` with the
highest status of the listed errors (it-at-m/eappointment `zmscitizenapi/src/Zmscitizenapi/Utils/
ErrorMessages.php`). The codes read here are the ones of that registry; several share a status (406 is
"too many appointments for this e-mail" as well as "telephone number required"), so the code decides
where the status alone is ambiguous.
"""

from __future__ import annotations

import httpx

from leipzig_app.adapters.http import retry_after_seconds
from leipzig_app.adapters.zms_parse import WHAT, unwrap
from leipzig_app.domain.appointments import (
    AppointmentServerError,
    InvalidCombinationError,
    MaintenanceError,
    NotAvailableError,
    RateLimitedError,
    ReservationExpiredError,
    SlotTakenError,
    TooManyAppointmentsError,
)
from leipzig_app.domain.errors import ServerError


class MissingEndpointError(ServerError):
    """The server does not have this endpoint (an installation from before it was added)."""


#: Codes whose meaning the app knows, whatever the status.
_BY_CODE: dict[str, tuple[type[ServerError], str | None]] = {
    "tooManyAppointmentsWithSameMail": (TooManyAppointmentsError, None),
    "processNotReservedAnymore": (ReservationExpiredError, None),
    "processNotPreconfirmedAnymore": (ReservationExpiredError, None),
    "preconfirmationExpired": (ReservationExpiredError, None),
    "appointmentNotFound": (NotAvailableError, "appointments.error.not_found"),
    "authKeyMismatch": (NotAvailableError, "appointments.error.not_found"),
    "appointmentNotAvailable": (NotAvailableError, None),
    "noAppointmentForThisDay": (NotAvailableError, None),
    "invalidLocationAndServiceCombination": (InvalidCombinationError, None),
    "tooManyServicesPerAppointment": (InvalidCombinationError, None),
    "rateLimitExceeded": (RateLimitedError, None),
    "serviceUnavailable": (MaintenanceError, None),
}

_BY_STATUS: dict[int, type[AppointmentServerError]] = {
    404: NotAvailableError,
    409: SlotTakenError,
    429: RateLimitedError,
    503: MaintenanceError,
}


def error_of(response: httpx.Response) -> ServerError:
    status = response.status_code
    retry_after = retry_after_seconds(response)
    try:
        data = unwrap(response.json())
    except ValueError:
        data = None
    errors = data.get("errors") if isinstance(data, dict) else None
    first = _first(errors, status)
    code = str(first.get("errorCode") or "")
    # The server's own text may be shown as detail; it never contains the secrets.
    detail = str(first.get("errorMessage") or "")[:300]
    message = f"{WHAT}: {code or 'HTTP ' + str(status)}" + (f" ({detail})" if detail else "")
    params = {"code": code, "detail": detail}
    # Without the endpoint, servers before the catch-all route answer a bare 404; later ones answer
    # `notFound` ("Endpoint not found", `routing.php`).
    if status == 404 and (not errors or code == "notFound"):
        return MissingEndpointError(message, status=status, params=params)
    kind: type[ServerError]
    key: str | None = None
    if code in _BY_CODE:
        kind, key = _BY_CODE[code]
    elif "ombination" in code:
        kind = InvalidCombinationError
    elif status in _BY_STATUS:
        kind = _BY_STATUS[status]
    elif 400 <= status < 500:
        # Input the server refused (missing telephone, invalid e-mail, captcha, ...): its text says why.
        kind, key = AppointmentServerError, "appointments.error.rejected"
    else:
        kind = ServerError
    return kind(message, status=status, key=key, params=params, retry_after=retry_after)


def _first(errors: object, status: int) -> dict[str, object]:
    """The error that set the answer's status (the server answers with the highest one listed)."""
    if not isinstance(errors, list):
        return {}
    entries = [e for e in errors if isinstance(e, dict)]
    for entry in entries:
        if entry.get("statusCode") == status:
            return entry
    return entries[0] if entries else {}
