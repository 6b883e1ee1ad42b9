"""The demo city's Open311 GeoReport v2 server under `/open311/v2/` (JSON and XML).

Speaks discovery, services with groups and keywords, service definitions with attributes of every
datatype, a realtime and a batch service (a batch request answers with a token that `/tokens/{token}`
turns into an id later), api keys (403 otherwise), jurisdictions `leipzig.de` (the default) and
`offenbach.de` (each with its own services and requests; `open311_offenbach.py`), POST requests form-encoded
or multipart with photos (kept in the data folder and served back as `media_url`), requests with filters
and requests/{id} whose status changes over time.

Beyond the standard, and documented in docs/reports.md:
- `Idempotency-Key` request header on POST: a repeated key answers the first answer again (with
  `Idempotent-Replayed: true`) instead of storing a second request; the same key with another request
  (other fields or photos) is refused with 422, as the IETF Idempotency-Key draft asks. Testers switch it
  off through `/demo/open311/settings` to check clients against servers that do not honour it.
- `POST /open311/media` (multipart `media`, `api_key`): stores a photo and answers `{"media_url": ...}`,
  for cities whose profile says photos go by `media_url`. The URL is named by the photo's content, so a
  retried report carries the same `media_url` as its first attempt.
- `/demo/open311/...`: change statuses, process batch tokens, inject faults, read counts.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import secrets
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse, JSONResponse
from starlette.datastructures import UploadFile

from leipzig_app.domain.reports import MAX_DESCRIPTION
from leipzig_app.sandbox import open311_data as data
from leipzig_app.sandbox.context import SandboxContext
from leipzig_app.sandbox.open311_data import API_KEY, JURISDICTION, JURISDICTIONS, SCHEMA, iso
from leipzig_app.sandbox.open311_format import BrokenResponse, error, quiet_demo_faults, render, take_fault
from leipzig_app.sandbox.open311_seed import seed

__all__ = ["DISCOVERY", "SCHEMA", "create_router", "seed"]

DISCOVERY = [{"type": "open311-georeport-v2", "path": "/open311/v2/discovery.json"}]
PREFIX = "/open311/v2"
MAX_PHOTO_BYTES = 10 * 1024 * 1024
_FORMATS = ("json", "xml")
_IMAGE_MAGIC = {b"\xff\xd8\xff": ("jpg", "image/jpeg"), b"\x89PNG": ("png", "image/png")}


def _media_dir(ctx: SandboxContext) -> Any:
    folder = ctx.data_dir / "open311-media"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _check_jurisdiction(fmt: str, value: str | None) -> Response | None:
    if value and value not in JURISDICTIONS:
        served = "', '".join(JURISDICTIONS)
        return error(fmt, 404, f"jurisdiction_id '{value}' is not served here (use '{served}')")
    return None


def _parse_date(value: str | None) -> str | None:
    if not value:
        return None
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return iso(moment if moment.tzinfo else moment.replace(tzinfo=datetime.now().astimezone().tzinfo))


async def _save_photo(ctx: SandboxContext, upload: UploadFile, stem: str | None) -> str:
    """Stores an uploaded image in the data folder; returns its path below the server root. Without a
    `stem` the file is named by a hash of its content."""
    content = await upload.read(MAX_PHOTO_BYTES + 1)
    if len(content) > MAX_PHOTO_BYTES:
        raise ValueError("media: photo larger than 10 MB")
    kind = next((v for magic, v in _IMAGE_MAGIC.items() if content.startswith(magic)), None)
    if kind is None:
        raise ValueError("media: only JPEG or PNG photos are accepted")
    name = f"{stem or hashlib.sha256(content).hexdigest()[:24]}.{kind[0]}"
    (_media_dir(ctx) / name).write_bytes(content)
    return f"/open311/media/{name}"


def _collect_attributes(
    form: Any, definition: list[dict[str, Any]]
) -> tuple[dict[str, list[str]], str | None]:
    values: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if key.startswith("attribute[") and key.endswith("]") and isinstance(value, str):
            values.setdefault(key[len("attribute[") : -1], []).append(value)
    by_code = {a["code"]: a for a in definition}
    for code in values:
        if code not in by_code:
            return values, f"attribute[{code}] is not an attribute of this service"
    for attr in definition:
        given = [v for v in values.get(attr["code"], []) if v.strip()]
        if attr["required"] and not given:
            return values, f"attribute[{attr['code']}] is required: {attr['description']}"
        keys = {v["key"] for v in attr["values"]}
        if attr["datatype"] in ("singlevaluelist", "multivaluelist") and any(v not in keys for v in given):
            return values, f"attribute[{attr['code']}] must be one of {', '.join(sorted(keys))}"
        if attr["datatype"] != "multivaluelist" and len(given) > 1:
            return values, f"attribute[{attr['code']}] takes a single value"
        if attr["datatype"] == "number":
            try:
                [float(v) for v in given]
            except ValueError:
                return values, f"attribute[{attr['code']}] must be a number"
    return values, None


def create_router(ctx: SandboxContext) -> APIRouter:
    router = APIRouter()
    quiet_demo_faults()
    rng = random.Random(311)  # noqa: S311 - fault dice, not security

    def fault_for(is_post: bool) -> Any:
        with ctx.db() as conn:
            return take_fault(conn, is_post=is_post, rng=rng)

    async def read_fault(fmt: str) -> Response | None:
        fault = fault_for(False)
        if fault is None:
            return None
        if fault.mode.startswith("delay"):
            await asyncio.sleep(fault.delay)
            return None
        if fault.mode.startswith("reset"):
            return BrokenResponse()
        return error(fmt, fault.status, "Demo-Störung: der Server ist vorübergehend nicht verfügbar")

    def refuse_format(fmt: str) -> Response | None:
        """An unknown format, or JSON while the demo switch `refuse_json` plays an XML-only server
        (answering every `.json` URL with that status and an HTML page, as such servers do)."""
        if fmt not in _FORMATS:
            return error("json", 404, "unknown format")
        if fmt == "json":
            with ctx.db() as conn:
                status = int(data.get_setting(conn, "refuse_json") or 0)
            if status:
                return Response("<html><body>Not available</body></html>", status, media_type="text/html")
        return None

    async def refuse_read(fmt: str, jurisdiction_id: str | None) -> Response | None:
        """What every read endpoint answers before it looks at data: an unknown format (or JSON refused),
        a foreign jurisdiction or a demo fault; None when the request may go on."""
        if problem := refuse_format(fmt):
            return problem
        return _check_jurisdiction(fmt, jurisdiction_id) or await read_fault(fmt)

    @router.get(PREFIX + "/discovery.{fmt}")
    def discovery(fmt: str) -> Response:
        if fmt not in _FORMATS:
            return error("json", 404, "unknown format")
        return render(
            fmt,
            "discovery",
            {
                "changeset": "2026-11-01T00:00:00+00:00",
                "contact": "Demo-Stadt Leipzig, demo-stadt@example.org (Demodaten)",
                "key_service": "API-Schlüssel für die Demo-Stadt: demo-open311-key",
                "endpoints": [
                    {
                        "specification": "http://wiki.open311.org/GeoReport_v2",
                        "url": ctx.base_url + PREFIX,
                        "changeset": "2026-11-01T00:00:00+00:00",
                        "type": "test",
                        "formats": ["text/xml", "application/json"],
                    }
                ],
            },
        )

    @router.get(PREFIX + "/services.{fmt}")
    async def list_services(fmt: str, jurisdiction_id: str | None = None) -> Response:
        if problem := await refuse_read(fmt, jurisdiction_id):
            return problem
        with ctx.db() as conn:
            return render(fmt, "services", data.services(conn, jurisdiction_id or JURISDICTION))

    @router.get(PREFIX + "/services/{code}.{fmt}")
    async def service_definition(code: str, fmt: str, jurisdiction_id: str | None = None) -> Response:
        if problem := await refuse_read(fmt, jurisdiction_id):
            return problem
        with ctx.db() as conn:
            if data.service_row(conn, code, jurisdiction_id or JURISDICTION) is None:
                return error(fmt, 404, f"service_code '{code}' not found")
            attrs = data.attributes(conn, code)
        if not attrs:
            return error(fmt, 404, f"service '{code}' has no service definition (metadata is false)")
        return render(fmt, "service_definition", {"service_code": code, "attributes": attrs})

    @router.post(PREFIX + "/requests.{fmt}")
    async def post_request(fmt: str, request: Request) -> Response:
        if problem := refuse_format(fmt):
            return problem
        async with request.form() as form:  # closes uploaded files' temporary storage afterwards
            return await _post_with_faults(
                ctx, fmt, form, request.headers.get("Idempotency-Key"), fault_for(True)
            )

    @router.get(PREFIX + "/requests.{fmt}")
    async def list_requests(
        fmt: str,
        jurisdiction_id: str | None = None,
        service_request_id: str | None = None,
        service_code: str | None = None,
        start_date: str | None = None,
        end_date: str | None = None,
        status: str | None = None,
    ) -> Response:
        if problem := await refuse_read(fmt, jurisdiction_id):
            return problem
        where = ["r.visible_at <= ?", data.REQUEST_IN_JURISDICTION]
        params = [iso(ctx.now()), JURISDICTION, jurisdiction_id or JURISDICTION]
        for column, value in (
            ("r.id", service_request_id),
            ("r.service_code", service_code),
            ("r.status", status),
        ):
            if value:
                items = [v.strip() for v in value.split(",") if v.strip()]
                where.append(f"{column} IN ({','.join('?' * len(items))})")
                params += items
        try:
            start, end = _parse_date(start_date), _parse_date(end_date)
        except ValueError:
            return error(fmt, 400, "start_date/end_date must be ISO 8601 (2026-11-20T08:00:00+01:00)")
        if start:
            where.append("r.requested_at >= ?")
            params.append(start)
        if end:
            where.append("r.requested_at <= ?")
            params.append(end)
        with ctx.db() as conn:
            data.apply_due_updates(conn, ctx.now())
            rows = conn.execute(
                f"{data.REQUEST_SELECT} WHERE {' AND '.join(where)} ORDER BY r.requested_at DESC LIMIT 1000",
                params,
            ).fetchall()
        return render(fmt, "service_requests", [data.request_json(r, ctx.base_url) for r in rows])

    @router.get(PREFIX + "/requests/{request_id}.{fmt}")
    async def get_request(request_id: str, fmt: str, jurisdiction_id: str | None = None) -> Response:
        if problem := await refuse_read(fmt, jurisdiction_id):
            return problem
        with ctx.db() as conn:
            data.apply_due_updates(conn, ctx.now())
            row = conn.execute(
                f"{data.REQUEST_SELECT} WHERE r.id = ? AND r.visible_at <= ? "
                f"AND {data.REQUEST_IN_JURISDICTION}",
                (request_id, iso(ctx.now()), JURISDICTION, jurisdiction_id or JURISDICTION),
            ).fetchone()
        if row is None:
            return error(fmt, 404, f"service_request_id '{request_id}' not found")
        return render(fmt, "service_requests", [data.request_json(row, ctx.base_url)])

    @router.get(PREFIX + "/tokens/{token}.{fmt}")
    async def get_token(token: str, fmt: str, jurisdiction_id: str | None = None) -> Response:
        if problem := await refuse_read(fmt, jurisdiction_id):
            return problem
        with ctx.db() as conn:
            row = conn.execute(
                "SELECT id, visible_at FROM open311_requests WHERE token = ?", (token,)
            ).fetchone()
        if row is None:
            return error(fmt, 404, f"token '{token}' not found")
        ready = row["visible_at"] <= iso(ctx.now())
        return render(
            fmt, "service_requests", [{"service_request_id": row["id"] if ready else None, "token": token}]
        )

    @router.post("/open311/media")
    async def upload_media(request: Request) -> Response:
        async with request.form() as form:
            if form.get("api_key") != API_KEY:
                return error("json", 403, "api_key missing or invalid")
            upload = form.get("media")
            if not isinstance(upload, UploadFile):
                return error("json", 400, "media: a file is required (multipart/form-data)")
            try:
                # named by its content: the same photo sent again (a retried report) gets the same URL
                path = await _save_photo(ctx, upload, None)
            except ValueError as problem:
                return error("json", 400, str(problem))
        return JSONResponse({"media_url": ctx.base_url + path}, status_code=201)

    @router.get("/open311/media/{name}")
    def media(name: str) -> Response:
        path = _media_dir(ctx) / name
        if "/" in name or name.startswith(".") or not path.is_file():
            return error("json", 404, "photo not found")
        return FileResponse(path)

    from leipzig_app.sandbox.open311_demo import add_demo_routes

    add_demo_routes(router, ctx)
    return router


async def _post_with_faults(
    ctx: SandboxContext, fmt: str, form: Any, idem_key: str | None, fault: Any
) -> Response:
    """Store a request, with the injected fault (if any) before or after storing."""
    mode = fault.mode if fault else ""
    if fault and mode == "delay_before":
        await asyncio.sleep(fault.delay)
    if fault and mode == "status":
        if fault.status == 429:
            answer = error(fmt, 429, "Demo-Störung: zu viele Anfragen, bitte später noch einmal senden")
        else:
            answer = error(fmt, fault.status, "Demo-Störung: der Server ist vorübergehend nicht verfügbar")
        if fault.retry_after is not None:
            answer.headers["Retry-After"] = str(fault.retry_after)
        return answer
    if mode == "reset_before":
        return BrokenResponse()
    answer = await _store_request(ctx, fmt, form, idem_key)
    if fault and mode == "status_after":
        return error(fmt, 500, "Demo-Störung: interner Fehler nach dem Speichern")
    if mode == "reset_after":
        return BrokenResponse()
    if fault and mode == "delay_after":
        await asyncio.sleep(fault.delay)
    return answer


def _fingerprint(form: Any) -> str:
    """What makes two POSTs the same request: every field and each photo's name and size, in order."""
    parts = []
    for key, value in form.multi_items():
        if isinstance(value, UploadFile):
            parts.append([key, value.filename or "", value.size])
        else:
            parts.append([key, str(value)])
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()


def _replay(conn: Any, fmt: str, idem_key: str | None, fingerprint: str) -> Response | None:
    """The first answer again for a repeated Idempotency-Key (when the demo city honours the header), or
    422 when the key comes with another request than the one it was first sent with."""
    if not idem_key or not data.get_setting(conn, "honour_idempotency"):
        return None
    stored = conn.execute("SELECT * FROM open311_idempotency WHERE key = ?", (idem_key,)).fetchone()
    if stored is None:
        return None
    first = conn.execute(
        "SELECT fingerprint FROM open311_idempotency_payload WHERE key = ?", (idem_key,)
    ).fetchone()
    if first is not None and first["fingerprint"] != fingerprint:
        return error(fmt, 422, "Idempotency-Key was already used for another request")
    response = render(fmt, "service_requests", json.loads(stored["body"]), stored["status"])
    response.headers["Idempotent-Replayed"] = "true"
    return response


async def _store_request(ctx: SandboxContext, fmt: str, form: Any, idem_key: str | None) -> Response:
    def text(name: str) -> str:
        value = form.get(name)
        return value.strip() if isinstance(value, str) else ""

    if text("api_key") != API_KEY:
        return error(fmt, 403, "api_key missing or invalid")
    problem = _check_jurisdiction(fmt, text("jurisdiction_id"))
    if problem:
        return problem
    fingerprint = _fingerprint(form)
    with ctx.db() as conn:
        replay = _replay(conn, fmt, idem_key, fingerprint)
        if replay is not None:
            return replay
        service = data.service_row(conn, text("service_code"), text("jurisdiction_id") or JURISDICTION)
        definition = data.attributes(conn, text("service_code")) if service else []
    if service is None:
        return error(fmt, 400, f"service_code '{text('service_code')}' is missing or unknown")
    lat, long, address = text("lat"), text("long"), text("address_string") or text("address_id")
    try:
        point = (float(lat), float(long)) if lat and long else None
    except ValueError:
        return error(fmt, 400, "lat/long must be decimal degrees (WGS84)")
    if point is None and not address:
        return error(fmt, 400, "location required: lat and long, or address_string")
    description = text("description")
    if len(description) > MAX_DESCRIPTION:
        return error(fmt, 400, f"description longer than {MAX_DESCRIPTION} characters")
    email = text("email")
    if email and ("@" not in email or " " in email):
        return error(fmt, 400, "email is not an e-mail address")
    attributes, attr_problem = _collect_attributes(form, definition)
    if attr_problem:
        return error(fmt, 400, attr_problem)
    uploads = [v for k, v in form.multi_items() if k == "media" and isinstance(v, UploadFile)]
    media_url = text("media_url")
    try:
        # Read before the database transaction: no await may happen while it holds the lock.
        for upload in uploads[:3]:
            path = await _save_photo(ctx, upload, secrets.token_hex(8))
            media_url = media_url or path
    except ValueError as photo_problem:
        return error(fmt, 400, str(photo_problem))
    now = ctx.now()
    with ctx.db() as conn:
        replay = _replay(conn, fmt, idem_key, fingerprint)  # a twin request may have been stored meanwhile
        if replay is not None:
            return replay
        request_id = data.next_request_id(conn)
        batch = service["type"] == "batch"
        token = secrets.token_hex(6) if batch else None
        visible = (
            now + timedelta(seconds=float(data.get_setting(conn, "batch_delay_seconds"))) if batch else now
        )
        notice = f"Ihre Meldung wird von {service['agency']} bearbeitet (Demodaten)."
        honour = bool(idem_key) and bool(data.get_setting(conn, "honour_idempotency"))
        conn.execute(
            "INSERT INTO open311_requests (id, token, service_code, description, lat, long, address, email, "
            "attributes, media_url, status, status_notes, service_notice, requested_at, updated_at, "
            "expected_at, visible_at, idempotency_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', "
            "'Eingegangen.', ?, ?, ?, ?, ?, ?)",
            (
                request_id, token, service["code"], description, point[0] if point else None,
                point[1] if point else None, address, email or None,
                json.dumps(attributes, ensure_ascii=False), media_url, notice, iso(now), iso(now),
                iso(now + timedelta(days=5)), iso(visible),
                idem_key if honour else None,
            ),
        )  # fmt: skip
        data.plan_updates(conn, request_id, service["agency"], visible)
        answer = [
            {"token": token, "service_notice": notice, "account_id": None}
            if batch
            else {"service_request_id": request_id, "service_notice": notice, "account_id": None}
        ]
        if honour:
            conn.execute(
                "INSERT INTO open311_idempotency (key, status, body, created_at) VALUES (?, 201, ?, ?)",
                (idem_key, json.dumps(answer, ensure_ascii=False), iso(now)),
            )
            conn.execute(
                "INSERT INTO open311_idempotency_payload (key, fingerprint) VALUES (?, ?)",
                (idem_key, fingerprint),
            )
    return render(fmt, "service_requests", answer, 201)
