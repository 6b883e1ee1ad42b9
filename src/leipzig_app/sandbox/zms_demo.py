"""The demo switches of the demo ZMS citizen API under `/demo/zms/` (see `zms.py` for the overview)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from leipzig_app.sandbox import zms
from leipzig_app.sandbox.context import SandboxContext
from leipzig_app.sandbox.zms import ZmsError


def add_demo_endpoints(ctx: SandboxContext, router: APIRouter, limiter: Any) -> None:
    def set_value(key: str, value: str) -> dict[str, Any]:
        with ctx.db() as conn:
            conn.execute(
                "INSERT INTO zms_setting (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )
        return {key: value, "demo": True}

    def flag(enabled: str) -> str:
        return "1" if enabled.lower() in ("1", "true", "yes", "on") else "0"

    @router.api_route("/demo/zms/wrap", methods=["GET", "POST"])
    def wrap(enabled: str = "1") -> dict[str, Any]:
        return set_value("wrap", flag(enabled))

    @router.api_route("/demo/zms/maintenance", methods=["GET", "POST"])
    def maintenance(enabled: str = "1") -> dict[str, Any]:
        return set_value("maintenance", flag(enabled))

    @router.api_route("/demo/zms/calendar", methods=["GET", "POST"])
    def calendar(enabled: str = "1") -> dict[str, Any]:
        return set_value("calendar", flag(enabled))

    @router.api_route("/demo/zms/extensions", methods=["GET", "POST"])
    def extensions(enabled: str = "1") -> dict[str, Any]:
        """Off: no field and no header the real API lacks, so the demo answers exactly like a real server."""
        return set_value("extensions", flag(enabled))

    @router.api_route("/demo/zms/rate-limit", methods=["GET", "POST"])
    def rate_limit(limit: int = 60, window: int = 60) -> dict[str, Any]:
        limiter.reset()
        set_value("rate_window", str(max(1, window)))
        return set_value("rate_limit", str(max(1, limit)))

    @router.post("/demo/zms/reset")
    def reset() -> dict[str, Any]:
        """Back to the seeded state: no bookings, mails or special openings, default switches."""
        with ctx.db() as conn:
            conn.execute("DELETE FROM zms_process WHERE process_id > 100000")
            conn.execute("DELETE FROM zms_mail")
            conn.execute("DELETE FROM zms_special_opening")
            for key, value in zms.DEFAULTS.items():
                conn.execute("UPDATE zms_setting SET value = ? WHERE key = ?", (value, key))
        limiter.reset()
        return {"reset": True, "demo": True}

    @router.post("/demo/zms/special-openings", response_model=None)
    def special_opening(office_id: str, day: str, opens: str, closes: str) -> dict[str, Any] | JSONResponse:
        try:
            zms._office(office_id)
            when = date.fromisoformat(day)
            for value in (opens, closes):
                hour, minute = (int(p) for p in value.split(":"))
                if not (0 <= hour <= 24 and 0 <= minute < 60):
                    raise ValueError(value)
        except (ZmsError, ValueError):
            return JSONResponse(
                {"error": "office_id, day (YYYY-MM-DD), opens and closes (HH:MM) expected"}, 400
            )
        with ctx.db() as conn:
            conn.execute(
                "INSERT INTO zms_special_opening (office_id, day, opens, closes) VALUES (?, ?, ?, ?)",
                (office_id, when.isoformat(), opens, closes),
            )
        return {"office_id": office_id, "day": day, "opens": opens, "closes": closes, "demo": True}

    @router.get("/demo/zms/mails")
    def mails(recipient: str = "") -> dict[str, Any]:
        with ctx.db() as conn:
            rows = conn.execute(
                "SELECT * FROM zms_mail WHERE ? = '' OR lower(recipient) = lower(?) ORDER BY id",
                (recipient, recipient),
            ).fetchall()
        return {
            "demo": True,
            "mails": [
                {
                    "to": r["recipient"],
                    "subject": r["subject"],
                    "body": r["body"],
                    "confirm_url": r["confirm_url"],
                    "sent_at": r["sent_at"],
                    "process_id": r["process_id"],
                }
                for r in rows
            ],
        }
