"""Demo city: the ZMS "eappointment" citizen API under `/terminvereinbarung/api/citizen/` (demo data), and
the same API for the second demo jurisdiction's offices under `/offenbach/terminvereinbarung/api/citizen/`.

Slots are generated deterministically from the demo city's clock (`ctx.now()`): the offices' opening hours
in 15-minute units, some of them already taken (fewer free ones in the next days), 21 days ahead, with the
last day released in two halves at 10:00 and 17:00 (Europe/Berlin) as Leipzig does. Bookings made here
take their units away; a reservation holds for 15 minutes, an e-mail activation for 60 minutes.

Bodies and errors have the shapes of it-at-m/eappointment's `zmscitizenapi` (see docs/appointments.md):
errors are `{"errors": [{"errorCode", "statusCode", "errorMessage", "errorType"}]}` with the codes of its
`Utils/ErrorMessages.php`. A few fields the real API does not have are sent as extensions (opening hours,
step-free access, whether an office confirms by e-mail, fees, documents, `reservedUntil`, a Retry-After
header on 429/503); the demo switch `extensions` turns them off so that the demo answers exactly like a
real server. Demo switches for testers and tests live under `/demo/zms/`: `wrap` (every body as
`{meta, data}`; also `?wrap=1` on any call), `maintenance` (503), `rate-limit`, `calendar` (hide the newer
`available-calendar` endpoint), `extensions`, `special-openings` (extra opening hours on a given day),
`reset` (back to the seeded state) and `mails` (the "sent" e-mails with their activation links; `confirm`
is what such a link opens).
"""

from __future__ import annotations

import functools
import hashlib
import html
import secrets
import threading
from collections.abc import Awaitable, Callable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse

from leipzig_app.sandbox.context import SandboxContext
from leipzig_app.sandbox.zms_data import OFFICES, RELATIONS, SERVICES

BERLIN = ZoneInfo("Europe/Berlin")
PREFIX = "/terminvereinbarung/api/citizen"
#: Each demo jurisdiction's API path and the city its offices are in (`zms_data.OFFICES`, "city").
PREFIXES = {PREFIX: "Leipzig", "/offenbach" + PREFIX: "Offenbach am Main"}
UNIT = 900  # seconds in one 15-minute unit
HORIZON_DAYS = 21
RELEASES = (time(10, 0), time(17, 0))
RESERVATION_SECONDS = 15 * 60
ACTIVATION_SECONDS = 60 * 60
MAX_PER_MAIL = 3
ACTIVE = ("reserved", "preconfirmed", "confirmed")

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS zms_process (
        process_id INTEGER PRIMARY KEY, auth_key TEXT NOT NULL, office_id TEXT NOT NULL,
        service_ids TEXT NOT NULL, service_counts TEXT NOT NULL, timestamp INTEGER NOT NULL,
        units INTEGER NOT NULL, status TEXT NOT NULL, family_name TEXT NOT NULL DEFAULT '',
        email TEXT NOT NULL DEFAULT '', telephone TEXT NOT NULL DEFAULT '', expires_at REAL)""",
    """CREATE TABLE IF NOT EXISTS zms_mail (
        id INTEGER PRIMARY KEY AUTOINCREMENT, process_id INTEGER NOT NULL, recipient TEXT NOT NULL,
        subject TEXT NOT NULL, body TEXT NOT NULL, confirm_url TEXT, sent_at TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS zms_special_opening (
        office_id TEXT NOT NULL, day TEXT NOT NULL, opens TEXT NOT NULL, closes TEXT NOT NULL)""",
    "CREATE TABLE IF NOT EXISTS zms_setting (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
]

DISCOVERY = [{"type": "zms-citizen-api", "path": prefix + "/"} for prefix in PREFIXES]

DEFAULTS = {
    "wrap": "0", "maintenance": "0", "rate_limit": "60", "rate_window": "60", "calendar": "1",
    "extensions": "1",
}  # fmt: skip


def seed(ctx: SandboxContext) -> None:
    with ctx.db() as conn:
        for key, value in DEFAULTS.items():
            conn.execute("INSERT OR IGNORE INTO zms_setting (key, value) VALUES (?, ?)", (key, value))
        # Process numbers look like a real installation's, not like 1, 2, 3.
        if conn.execute("SELECT COUNT(*) FROM zms_process").fetchone()[0] == 0:
            conn.execute(
                "INSERT INTO zms_process (process_id, auth_key, office_id, service_ids, service_counts, "
                "timestamp, units, status) VALUES (100000, 'seed', '10001', '[]', '[]', 0, 0, 'cancelled')"
            )


#: An endpoint's logic: the request in, the plain body out (wrapping and errors are added around it).
Handler = Callable[[Request], Awaitable[Any]]
Api = Callable[..., Callable[[Handler], Handler]]


class ZmsError(Exception):
    def __init__(self, status: int, code: str, message: str, retry_after: int | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.retry_after = status, code, message, retry_after


# --- slots ------------------------------------------------------------------------------------------------


def _windows(conn: Any, office: dict[str, Any], day: date) -> list[tuple[datetime, datetime, bool]]:
    """(start, end, special) opening windows of an office on a day, as aware datetimes."""
    found = [
        (_at(day, opens), _at(day, closes), False)
        for weekday, opens, closes in office["hours"]
        if weekday == day.weekday()
    ]
    for row in conn.execute(
        "SELECT opens, closes FROM zms_special_opening WHERE office_id = ? AND day = ?",
        (office["id"], day.isoformat()),
    ):
        found.append((_at(day, row["opens"]), _at(day, row["closes"]), True))
    return found


def _at(day: date, hhmm: str) -> datetime:
    hour, minute = (int(p) for p in hhmm.split(":"))
    if hour == 24:
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=BERLIN)
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN)


def _base_free(office_id: str, ts: int, days_ahead: int) -> bool:
    """Whether the demo's background bookings left this unit free (deterministic per office and time)."""
    share = 15 if days_ahead == 0 else 35 if days_ahead <= 3 else 65
    digest = hashlib.sha256(f"{office_id}:{ts}".encode()).digest()
    return digest[0] * 100 // 256 < share


def _released(local: datetime, today: date, now_local: datetime) -> bool:
    days_ahead = (local.date() - today).days
    if days_ahead < HORIZON_DAYS:
        return True
    if days_ahead > HORIZON_DAYS:
        return False
    release = RELEASES[0] if local.time() < time(13, 0) else RELEASES[1]
    return now_local.time() >= release


def _occupied(conn: Any, office_id: str, now: datetime) -> set[int]:
    taken: set[int] = set()
    for row in conn.execute(
        "SELECT timestamp, units, status, expires_at FROM zms_process WHERE office_id = ? AND status IN "
        "('reserved', 'preconfirmed', 'confirmed')",
        (office_id,),
    ):
        if (
            row["status"] != "confirmed"
            and row["expires_at"] is not None
            and row["expires_at"] <= now.timestamp()
        ):
            continue
        taken.update(row["timestamp"] + i * UNIT for i in range(row["units"]))
    return taken


def free_starts(ctx: SandboxContext, conn: Any, office_id: str, day: date, units: int) -> list[int]:
    """Unix times at which `units` consecutive free units begin at this office on this local day."""
    office = _office(office_id)
    now = ctx.now()
    now_local = now.astimezone(BERLIN)
    today = now_local.date()
    days_ahead = (day - today).days
    if days_ahead < 0 or days_ahead > HORIZON_DAYS:
        return []
    taken = _occupied(conn, office_id, now)
    earliest = now.timestamp() + 30 * 60
    starts: list[int] = []
    for begin, end, special in _windows(conn, office, day):
        # Step in real (UTC) time so that the hour repeated or skipped at a DST change is counted right.
        units_in_window = []
        ts = int(begin.timestamp())
        while ts + UNIT <= int(end.timestamp()):
            local = datetime.fromtimestamp(ts, BERLIN)
            free = (special or _base_free(office_id, ts, days_ahead)) and ts not in taken
            units_in_window.append((ts, free and _released(local, today, now_local) and ts >= earliest))
            ts += UNIT
        for i in range(len(units_in_window) - units + 1):
            if all(free for _, free in units_in_window[i : i + units]):
                starts.append(units_in_window[i][0])
    return sorted(set(starts))


def _office(office_id: str) -> dict[str, Any]:
    for office in OFFICES:
        if office["id"] == str(office_id):
            return office
    raise ZmsError(400, "invalidOfficeId", f"Unbekanntes Bürgeramt: {office_id}")


def _units(office_id: str, service_ids: list[str], counts: list[int]) -> int:
    """Validate a service combination at an office; returns the 15-minute units it needs."""
    if not service_ids or len(service_ids) != len(counts):
        raise ZmsError(400, "invalidServiceCount", "Dienstleistungen und Anzahlen passen nicht zusammen.")
    _office(office_id)
    total = 0
    for sid, count in zip(service_ids, counts, strict=True):
        service = next((s for s in SERVICES if s["id"] == sid), None)
        if service is None:
            raise ZmsError(400, "invalidServiceId", f"Unbekannte Dienstleistung: {sid}")
        if not 1 <= count <= service["max"]:
            raise ZmsError(400, "invalidServiceCount", f"{service['name']}: 1 bis {service['max']} Personen.")
        relation = next((r for r in RELATIONS if r[0] == office_id and r[1] == sid), None)
        if relation is None:
            raise ZmsError(
                400,
                "invalidLocationAndServiceCombination",
                f"{service['name']} gibt es nicht an diesem Standort.",
            )
        total += relation[2] * count
    first = next(s for s in SERVICES if s["id"] == service_ids[0])
    for sid in service_ids[1:]:
        if sid not in first["combinable"]:
            raise ZmsError(
                400, "invalidServiceCombination", "Diese Dienstleistungen sind nicht kombinierbar."
            )
    return total


# --- bodies -----------------------------------------------------------------------------------------------


def city_of(path: str) -> str:
    """The demo jurisdiction (city) whose API a request path belongs to."""
    return next((city for prefix, city in PREFIXES.items() if path.startswith(prefix + "/")), "Leipzig")


# --- the API ------------------------------------------------------------------------------------------------


def create_router(ctx: SandboxContext) -> APIRouter:
    from leipzig_app.sandbox import zms_api, zms_demo

    router = APIRouter()
    limiter = _RateLimiter()

    def setting(key: str) -> str:
        return demo_setting(ctx, key)

    def answer(
        request: Request, body: Any, status: int = 200, headers: dict[str, str] | None = None
    ) -> Response:
        if request.query_params.get("wrap") == "1" or setting("wrap") == "1":
            meta = {"success": status < 400, "generated": ctx.now().isoformat(), "demo": True}
            body = {"meta": meta, "data": body}
        return JSONResponse(body, status_code=status, headers=headers)

    def api(path: str, method: str = "GET") -> Callable[[Handler], Handler]:
        def decorate(handler: Handler) -> Handler:
            @functools.wraps(handler)
            async def endpoint(request: Request) -> Response:
                try:
                    if setting("maintenance") == "1":
                        raise ZmsError(
                            503, "serviceUnavailable", "Wartungsarbeiten: bitte später erneut.", 120
                        )
                    client = request.client.host if request.client else "unknown"
                    wait = limiter.hit(client, ctx.now().timestamp(), int(setting("rate_limit")),
                                       int(setting("rate_window")))  # fmt: skip
                    if wait is not None:
                        raise ZmsError(
                            429, "rateLimitExceeded", "Zu viele Anfragen: bitte kurz warten.", wait
                        )
                    return answer(request, await handler(request))
                except ZmsError as error:
                    if not error.code:  # an endpoint this installation does not have
                        return JSONResponse({"detail": "Not Found"}, status_code=404)
                    kind = "info" if error.status == 404 else "warning" if error.status < 500 else "error"
                    errors = {"errors": [{"errorCode": error.code, "statusCode": error.status,
                                          "errorMessage": error.message, "errorType": kind}]}  # fmt: skip
                    # The real server sends no Retry-After (`RateLimitingMiddleware.php`): an extension.
                    headers = (
                        {"Retry-After": str(error.retry_after)}
                        if error.retry_after is not None and setting("extensions") == "1"
                        else None
                    )
                    return answer(request, errors, error.status, headers)

            for prefix in PREFIXES:
                router.add_api_route(prefix + path, endpoint, methods=[method], include_in_schema=True)
            return endpoint

        return decorate

    zms_api.add_endpoints(ctx, api)
    zms_demo.add_demo_endpoints(ctx, router, limiter)

    @router.get("/demo/zms/confirm", response_class=HTMLResponse)
    def confirm_link(processId: str = "", authKey: str = "") -> HTMLResponse:  # ZMS parameter names
        try:
            zms_api.confirm(ctx, processId, authKey)
            text = "Ihr Termin ist bestätigt. (Demodaten)"
            status = 200
        except ZmsError as error:
            text, status = error.message, error.status
        head = '<!doctype html><html lang="de"><meta charset="utf-8"><title>Termin (Demo)</title>'
        page = f"{head}<p>{html.escape(text)}</p>"
        return HTMLResponse(page, status_code=status)

    return router


class _RateLimiter:
    """A sliding window per client: at most `limit` calls per `window` seconds of the demo city's clock."""

    def __init__(self) -> None:
        self._calls: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def hit(self, client: str, now: float, limit: int, window: int) -> int | None:
        """None when the call may proceed, else the whole seconds to wait (for Retry-After)."""
        with self._lock:
            calls = [t for t in self._calls.get(client, []) if t > now - window]
            if len(calls) >= limit:
                self._calls[client] = calls
                return max(1, int(calls[0] + window - now + 0.999))
            calls.append(now)
            self._calls[client] = calls
            return None

    def reset(self) -> None:
        with self._lock:
            self._calls.clear()


def new_auth_key() -> str:
    return secrets.token_hex(16)


def demo_setting(ctx: SandboxContext, key: str) -> str:
    with ctx.db() as conn:
        row = conn.execute("SELECT value FROM zms_setting WHERE key = ?", (key,)).fetchone()
    return str(row["value"]) if row else DEFAULTS[key]


def extensions(ctx: SandboxContext) -> bool:
    """Whether the demo sends the fields the real API does not have (demo switch `extensions`)."""
    return demo_setting(ctx, "extensions") == "1"
