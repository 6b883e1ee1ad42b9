"""The endpoints of the demo ZMS citizen API and its demo switches (see `zms.py` for the overview)."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from typing import Any

from fastapi import Request

from leipzig_app.sandbox import zms, zms_bodies
from leipzig_app.sandbox.context import SandboxContext
from leipzig_app.sandbox.zms import ZmsError

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
#: The server's rule for a telephone number (`ValidationService.php`), with a leading 0 allowed as well.
_PHONE = re.compile(r"^\+?[0-9]\d{6,14}$")


def _ids(value: str | None, name: str) -> list[str]:
    items = [v.strip() for v in (value or "").split(",") if v.strip()]
    if not items or not all(v.isdigit() for v in items):
        raise ZmsError(
            400, f"invalid{name[0].upper()}{name[1:]}", f"Parameter {name} fehlt oder ist ungültig."
        )
    return items


def _counts(value: str | None, n: int) -> list[int]:
    if not value:
        return [1] * n
    try:
        counts = [int(v) for v in value.split(",")]
    except ValueError:
        raise ZmsError(400, "invalidServiceCount", "serviceCount muss eine Zahl sein.") from None
    if len(counts) != n:
        raise ZmsError(400, "invalidServiceCount", "Zu jeder Dienstleistung gehört eine Anzahl.")
    return counts


def _day(value: str | None, name: str) -> date:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        raise ZmsError(
            400, f"invalid{name[0].upper()}{name[1:]}", f"{name}: Datum JJJJ-MM-TT erwartet."
        ) from None


def _range(params: Any) -> list[date]:
    start, end = _day(params.get("startDate"), "startDate"), _day(params.get("endDate"), "endDate")
    if end < start or (end - start).days > 62:
        raise ZmsError(400, "invalidEndDate", "Der Zeitraum muss 0 bis 62 Tage umfassen.")
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


async def _json(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body() or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ZmsError(400, "invalidRequest", "Die Anfrage ist kein gültiges JSON.") from None
    if not isinstance(body, dict):
        raise ZmsError(400, "invalidRequest", "Ein JSON-Objekt wird erwartet.")
    return body


def _process(conn: Any, body: dict[str, Any]) -> Any:
    """The process named by processId + authKey, or 404 without saying which of the two was wrong."""
    pid, key = str(body.get("processId", "")), str(body.get("authKey", ""))
    row = None
    if pid.isdigit() and key:
        row = conn.execute(
            "SELECT * FROM zms_process WHERE process_id = ? AND auth_key = ?", (int(pid), key)
        ).fetchone()
    if row is None:
        raise ZmsError(404, "appointmentNotFound", "Der Termin wurde nicht gefunden.")
    return row


def _require_held(ctx: SandboxContext, row: Any, *states: str) -> None:
    expired = row["expires_at"] is not None and row["expires_at"] <= ctx.now().timestamp()
    if row["status"] not in states or (row["status"] != "confirmed" and expired):
        raise ZmsError(409, "processNotReservedAnymore", "Die Reservierung ist abgelaufen oder beendet.")


def _mail(ctx: SandboxContext, conn: Any, row: Any, subject: str, text: str, confirm: bool = False) -> None:
    url = None
    if confirm:
        url = f"{ctx.base_url}/demo/zms/confirm?processId={row['process_id']}&authKey={row['auth_key']}"
    conn.execute(
        "INSERT INTO zms_mail (process_id, recipient, subject, body, confirm_url, sent_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (row["process_id"], row["email"], subject, text, url, ctx.now().isoformat()),
    )


def _reload(conn: Any, pid: int) -> Any:
    return conn.execute("SELECT * FROM zms_process WHERE process_id = ?", (pid,)).fetchone()


def confirm(ctx: SandboxContext, process_id: str, auth_key: str) -> dict[str, Any]:
    with ctx.db() as conn:
        row = _process(conn, {"processId": process_id, "authKey": auth_key})
        if row["status"] == "confirmed":
            return zms_bodies.process_body(row, extensions=zms.extensions(ctx))
        office = zms._office(row["office_id"])
        # The real flow is reserved -> preconfirmed -> confirmed; the demo lets an office that does not
        # confirm by e-mail skip the mail step.
        if row["status"] == "reserved" and office["email_confirmation"]:
            raise ZmsError(409, "processNotPreconfirmedAnymore", "Der Termin ist nicht (mehr) vorbestätigt.")
        allowed = ("preconfirmed",) if office["email_confirmation"] else ("reserved", "preconfirmed")
        _require_held(ctx, row, *allowed)
        if not row["email"]:
            raise ZmsError(406, "emailIsRequired", "Eine E-Mail-Adresse ist erforderlich.")
        conn.execute(
            "UPDATE zms_process SET status = 'confirmed', expires_at = NULL WHERE process_id = ?",
            (row["process_id"],),
        )
        row = _reload(conn, row["process_id"])
        when = datetime.fromtimestamp(row["timestamp"], zms.BERLIN).strftime("%d.%m.%Y um %H:%M Uhr")
        _mail(ctx, conn, row, "Terminbestätigung (Demo)", f"Ihr Termin am {when} ist bestätigt.")
        return zms_bodies.process_body(row, extensions=zms.extensions(ctx))


def add_endpoints(ctx: SandboxContext, api: zms.Api) -> None:
    @api("/offices-and-services/")
    async def offices_and_services(request: Request) -> Any:
        return zms_bodies.catalog_body(zms.city_of(request.url.path), extensions=zms.extensions(ctx))

    @api("/available-days/")
    async def available_days(request: Request) -> Any:
        q = request.query_params
        offices, services = _ids(q.get("officeId"), "officeId"), _ids(q.get("serviceId"), "serviceId")
        counts = _counts(q.get("serviceCount"), len(services))
        days = []
        with ctx.db() as conn:
            for day in _range(q):
                for office in offices:
                    units = zms._units(office, services, counts)
                    if zms.free_starts(ctx, conn, office, day, units):
                        days.append(day.isoformat())
                        break
        if not days:
            raise ZmsError(404, "noAppointmentForThisDay", "In diesem Zeitraum sind keine Termine frei.")
        return {"availableDays": days}

    @api("/available-appointments/")
    async def available_appointments(request: Request) -> Any:
        q = request.query_params
        day = _day(q.get("date"), "date")
        office = _ids(q.get("officeId"), "officeId")[0]
        services = _ids(q.get("serviceId"), "serviceId")
        counts = _counts(q.get("serviceCount"), len(services))
        with ctx.db() as conn:
            starts = zms.free_starts(ctx, conn, office, day, zms._units(office, services, counts))
        if not starts:
            raise ZmsError(404, "appointmentNotAvailable", "An diesem Tag sind keine Termine frei.")
        return {"appointmentTimestamps": starts}

    @api("/available-calendar/")
    async def available_calendar(request: Request) -> Any:
        with ctx.db() as conn:
            if conn.execute("SELECT value FROM zms_setting WHERE key = 'calendar'").fetchone()[0] != "1":
                # Older installations do not have this endpoint at all.
                raise ZmsError(404, "", "Not Found")
            q = request.query_params
            offices, services = _ids(q.get("officeIds"), "officeIds"), _ids(q.get("serviceIds"), "serviceIds")
            counts = _counts(q.get("serviceCounts"), len(services))
            days = _range(q)
            result = []
            for day in days:
                entries: list[dict[str, Any]] = []
                for office in offices:
                    starts = zms.free_starts(ctx, conn, office, day, zms._units(office, services, counts))
                    if starts:
                        entries.append({"officeId": office, "appointments": starts})
                if entries:
                    ids = ",".join(str(e["officeId"]) for e in entries)
                    result.append({"date": day.isoformat(), "providerIDs": ids, "offices": entries})
        start, end = days[0].isoformat(), days[-1].isoformat()
        # `AvailableCalendar`: the day range, the slot window (the same here) and the days with free times.
        return {
            "startDate": start, "endDate": end, "slotsStartDate": start, "slotsEndDate": end,
            "prevBookableDate": None, "nextBookableDate": None, "availableDays": result,
        }  # fmt: skip

    @api("/reserve-appointment/", "POST")
    async def reserve(request: Request) -> Any:
        body = await _json(request)
        office = str(body.get("officeId", ""))
        raw_services = body.get("serviceId") or []
        # A single id is accepted as well as a list, as the ZMS API does.
        services = [str(s) for s in (raw_services if isinstance(raw_services, list) else [raw_services])]
        raw_counts = body.get("serviceCount") or [1] * len(services)
        if not isinstance(raw_counts, list) or not all(isinstance(c, int) for c in raw_counts):
            raise ZmsError(400, "invalidServiceCount", "serviceCount muss aus Zahlen bestehen.")
        timestamp = body.get("timestamp")
        if not isinstance(timestamp, int):
            raise ZmsError(400, "invalidTimestamp", "timestamp (Unix-Zeit) fehlt.")
        units = zms._units(office, services, list(raw_counts))
        day = datetime.fromtimestamp(timestamp, zms.BERLIN).date()
        with ctx.db() as conn:
            if timestamp not in zms.free_starts(ctx, conn, office, day, units):
                # Taken or never offered: the real server says the same for both.
                raise ZmsError(
                    404, "appointmentNotAvailable", "Der gewählte Termin ist leider nicht mehr verfügbar."
                )
            pid = conn.execute("SELECT MAX(process_id) FROM zms_process").fetchone()[0] + 1
            conn.execute(
                "INSERT INTO zms_process (process_id, auth_key, office_id, service_ids, service_counts, "
                "timestamp, units, status, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'reserved', ?)",
                (
                    pid,
                    zms.new_auth_key(),
                    office,
                    json.dumps(services),
                    json.dumps(list(raw_counts)),
                    timestamp,
                    units,
                    ctx.now().timestamp() + zms.RESERVATION_SECONDS,
                ),
            )
            return zms_bodies.process_body(_reload(conn, pid), extensions=zms.extensions(ctx))

    @api("/update-appointment/", "POST")
    async def update(request: Request) -> Any:
        body = await _json(request)
        name = str(body.get("familyName") or "").strip()
        email = str(body.get("email") or "").strip()
        phone = str(body.get("telephone") or "").strip()
        with ctx.db() as conn:
            row = _process(conn, body)
            _require_held(ctx, row, "reserved")
            office = zms._office(row["office_id"])
            if not name:
                raise ZmsError(400, "invalidFamilyName", "familyName muss ausgefüllt sein.")
            if not _EMAIL.match(email):
                raise ZmsError(400, "invalidEmail", "email muss eine gültige E-Mail-Adresse sein.")
            if "telephone" in body and not _PHONE.match(phone):
                raise ZmsError(400, "invalidTelephone", "telephone muss aus 7 bis 15 Ziffern bestehen.")
            if office["telephone_required"] and not phone:
                raise ZmsError(406, "telephoneIsRequired", "Eine Telefonnummer ist erforderlich.")
            others = conn.execute(
                "SELECT COUNT(*) FROM zms_process WHERE lower(email) = lower(?) AND process_id != ? AND "
                "status IN ('reserved', 'preconfirmed', 'confirmed') AND timestamp > ?",
                (email, row["process_id"], int(ctx.now().timestamp())),
            ).fetchone()[0]
            if others >= zms.MAX_PER_MAIL:
                raise ZmsError(
                    406,
                    "tooManyAppointmentsWithSameMail",
                    "Mit dieser E-Mail-Adresse sind schon zu viele Termine gebucht.",
                )
            conn.execute(
                "UPDATE zms_process SET family_name = ?, email = ?, telephone = ? WHERE process_id = ?",
                (name, email, phone, row["process_id"]),
            )
            return zms_bodies.process_body(_reload(conn, row["process_id"]), extensions=zms.extensions(ctx))

    @api("/preconfirm-appointment/", "POST")
    async def preconfirm(request: Request) -> Any:
        body = await _json(request)
        with ctx.db() as conn:
            row = _process(conn, body)
            _require_held(ctx, row, "reserved")
            if not row["email"]:
                raise ZmsError(406, "emailIsRequired", "Eine E-Mail-Adresse ist erforderlich.")
            needs_mail = zms._office(row["office_id"])["email_confirmation"]
        if not needs_mail:
            return confirm(ctx, str(row["process_id"]), row["auth_key"])
        with ctx.db() as conn:
            conn.execute(
                "UPDATE zms_process SET status = 'preconfirmed', expires_at = ? WHERE process_id = ?",
                (ctx.now().timestamp() + zms.ACTIVATION_SECONDS, row["process_id"]),
            )
            row = _reload(conn, row["process_id"])
            text = "Bitte öffnen Sie innerhalb von 60 Minuten den Bestätigungslink."
            _mail(ctx, conn, row, "Bitte bestätigen Sie Ihren Termin (Demo)", text, confirm=True)
            return zms_bodies.process_body(row, extensions=zms.extensions(ctx))

    @api("/confirm-appointment/", "POST")
    async def confirm_endpoint(request: Request) -> Any:
        body = await _json(request)
        return confirm(ctx, str(body.get("processId", "")), str(body.get("authKey", "")))

    @api("/appointment/")
    async def appointment(request: Request) -> Any:
        q = request.query_params
        with ctx.db() as conn:
            row = _process(conn, {"processId": q.get("processId", ""), "authKey": q.get("authKey", "")})
            expired = row["expires_at"] is not None and row["expires_at"] <= ctx.now().timestamp()
            if row["status"] in ("reserved", "preconfirmed") and expired:
                raise ZmsError(409, "processNotReservedAnymore", "Die Reservierung ist abgelaufen.")
            return zms_bodies.process_body(row, extensions=zms.extensions(ctx))

    @api("/cancel-appointment/", "POST")
    async def cancel(request: Request) -> Any:
        body = await _json(request)
        with ctx.db() as conn:
            row = _process(conn, body)
            if row["status"] != "cancelled":
                conn.execute(
                    "UPDATE zms_process SET status = 'cancelled', expires_at = NULL WHERE process_id = ?",
                    (row["process_id"],),
                )
                if row["email"]:
                    _mail(ctx, conn, row, "Terminabsage (Demo)", "Ihr Termin wurde abgesagt.")
            return zms_bodies.process_body(_reload(conn, row["process_id"]), extensions=zms.extensions(ctx))
