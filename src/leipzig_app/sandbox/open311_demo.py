"""Demo admin endpoints of the Open311 demo city, under `/demo/open311/` (for testers and tests).

- `POST /demo/open311/requests/{id}/status` `{"status": "open"|"closed", "status_notes": "..."}`
- `POST /demo/open311/process-batch`: every pending batch token gets its id now
- `GET|POST|DELETE /demo/open311/faults`: show, set (`{"fail_next": 3, "modes": ["status"], "status": 503}`,
  `{"fail_next": 1, "status": 429, "retry_after": 5}` or `{"rate": 0.3, "modes": [...], "scope": "all"}`)
  or clear injected faults
- `POST /demo/open311/settings`: `honour_idempotency`, `batch_delay_seconds`, `check_after_seconds`,
  `close_after_seconds`, `refuse_json` (0, or 404/406/415 for every `.json` URL: an XML-only server)
- `GET /demo/open311/stats`: number of requests and of duplicates (same description and category)
- `GET /open311/demo-tiles/{z}/{x}/{y}.png`: plain demo map tiles for the optional map pin (any origin may
  load them, as a browser drawing the web app's map needs)
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from leipzig_app.sandbox import open311_data as data
from leipzig_app.sandbox.context import SandboxContext
from leipzig_app.sandbox.open311_data import iso
from leipzig_app.sandbox.open311_format import demo_tile_png, set_faults


def _bad(message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def _json_object(request: Request) -> dict[str, Any] | None:
    try:
        body = await request.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def add_demo_routes(router: APIRouter, ctx: SandboxContext) -> None:
    @router.get("/open311/demo-tiles/{z}/{x}/{y}.png")
    def demo_tile(z: int, x: int, y: int) -> Response:
        if not (0 <= z <= 19 and 0 <= x < 2**z and 0 <= y < 2**z):
            return _bad("no such tile", 404)
        # A browser draws the map from the app's own origin: like public tile servers, allow any origin,
        # or the web app's map stays grey.
        headers = {"Cache-Control": "max-age=86400", "Access-Control-Allow-Origin": "*"}
        return Response(demo_tile_png(), media_type="image/png", headers=headers)

    @router.post("/demo/open311/requests/{request_id}/status")
    async def set_status(request_id: str, request: Request) -> JSONResponse:
        body = await _json_object(request)
        if body is None or body.get("status") not in ("open", "closed"):
            return _bad('send {"status": "open" or "closed", "status_notes": "..."}')
        notes = str(body.get("status_notes", ""))
        with ctx.db() as conn:
            found = conn.execute(
                "UPDATE open311_requests SET status = ?, status_notes = ?, updated_at = ? WHERE id = ?",
                (body["status"], notes, iso(ctx.now()), request_id),
            ).rowcount
            # A status set by hand replaces the planned ones.
            conn.execute("UPDATE open311_updates SET applied = 1 WHERE request_id = ?", (request_id,))
        if not found:
            return _bad(f"no request {request_id}", 404)
        return JSONResponse(
            {"service_request_id": request_id, "status": body["status"], "status_notes": notes}
        )

    @router.post("/demo/open311/process-batch")
    def process_batch() -> JSONResponse:
        now = iso(ctx.now())
        with ctx.db() as conn:
            count = conn.execute(
                "UPDATE open311_requests SET visible_at = ? WHERE visible_at > ?", (now, now)
            ).rowcount
        return JSONResponse({"processed": count})

    @router.get("/demo/open311/faults")
    def show_faults() -> JSONResponse:
        with ctx.db() as conn:
            return JSONResponse(data.get_setting(conn, "faults") or {})

    @router.post("/demo/open311/faults")
    async def inject_faults(request: Request) -> JSONResponse:
        body = await _json_object(request)
        if body is None:
            return _bad("send a JSON object")
        try:
            with ctx.db() as conn:
                stored = set_faults(conn, body)
        except (ValueError, TypeError) as problem:
            return _bad(str(problem))
        return JSONResponse(stored)

    @router.delete("/demo/open311/faults")
    def clear_faults() -> JSONResponse:
        with ctx.db() as conn:
            conn.execute("DELETE FROM open311_settings WHERE key = 'faults'")
        return JSONResponse({})

    @router.post("/demo/open311/settings")
    async def change_settings(request: Request) -> JSONResponse:
        body = await _json_object(request)
        if body is None or not set(body) <= set(data.DEFAULT_SETTINGS):
            return _bad(f"send a JSON object with any of {', '.join(data.DEFAULT_SETTINGS)}")
        with ctx.db() as conn:
            for key, value in body.items():
                if key == "honour_idempotency" and not isinstance(value, bool):
                    return _bad("honour_idempotency must be true or false")
                if key == "refuse_json" and value not in (0, 404, 406, 415):
                    return _bad("refuse_json must be 0, 404, 406 or 415")
                if key != "honour_idempotency" and not (isinstance(value, int | float) and value >= 0):
                    return _bad(f"{key} must be a number of seconds >= 0")
                data.set_setting(conn, key, value)
            current = {key: data.get_setting(conn, key) for key in data.DEFAULT_SETTINGS}
        return JSONResponse(current)

    @router.get("/demo/open311/stats")
    def stats() -> JSONResponse:
        with ctx.db() as conn:
            total = conn.execute("SELECT COUNT(*) FROM open311_requests").fetchone()[0]
            duplicates = conn.execute(
                "SELECT COALESCE(SUM(n - 1), 0) FROM (SELECT COUNT(*) AS n FROM open311_requests "
                "GROUP BY service_code, description HAVING n > 1)"
            ).fetchone()[0]
            faults = data.get_setting(conn, "faults") or {}
        return JSONResponse(
            {"requests": total, "duplicates": duplicates, "faults_injected": faults.get("injected", 0)}
        )
