"""The demo city's payment page and payment status service (a stand-in for ePayBL, epay21, pmPayment).

- `GET /payments/pay?kassenzeichen=..&betrag=..&return_url=..`: a simple HTML page naming the
  Kassenzeichen and the amount, with the buttons "Bezahlen", "Abbrechen" and "Fehlschlag (Demo)". The
  buttons post to `POST /payments/pay`; a Kassenzeichen that is already paid is refused with 409, so
  nothing is paid twice.
- `GET /payments/status?kassenzeichen=..`: `{"kassenzeichen", "status": "open"|"paid"|"cancelled"|
  "failed", "paid_at", "reference", "amount", "transaction"}`; a Kassenzeichen never seen is "open".
  Only the last result is named; `transaction` names the try on the page it belongs to (every press of a
  button is a try of its own, `DEMO-T000001`, ...; null while there is none), so that a client can tell
  a second cancelled try from the first.
- `POST /demo/payments/reset[?kassenzeichen=..]`: forget one Kassenzeichen, or all (for testers).

The page never asks for card or account data: this is demo data, and a real city's provider does that on
its own site. `return_url` is offered as a link back (http(s) only), never followed automatically.
"""

from __future__ import annotations

import html
import re
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse, JSONResponse

from leipzig_app.sandbox.context import SandboxContext

SCHEMA = [
    """
    CREATE TABLE IF NOT EXISTS payments (
        kassenzeichen TEXT PRIMARY KEY,
        status TEXT NOT NULL,
        amount_cents INTEGER NOT NULL,
        paid_at TEXT,
        reference TEXT NOT NULL DEFAULT '',
        updated_at TEXT NOT NULL
    )
    """,
    # One row per try that ended on the page; AUTOINCREMENT: an id is never given twice, not even after a
    # reset, so a client never takes a new try for one it has seen.
    """
    CREATE TABLE IF NOT EXISTS payment_tries (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kassenzeichen TEXT NOT NULL,
        status TEXT NOT NULL,
        ended_at TEXT NOT NULL
    )
    """,
]
DISCOVERY = [
    {
        "id": "payments.page",
        "type": "payment-page",
        "title": "Bezahlseite (Demo-ePayBL)",
        "path": "/payments/pay",
    },
    {
        "id": "payments.status",
        "type": "payment-status",
        "title": "Zahlungsstatus",
        "path": "/payments/status",
    },
]
_KASSENZEICHEN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ./-]{0,34}$")
_MAX_CENTS = 99_999_999_999
ACTIONS = {"pay": "paid", "cancel": "cancelled", "fail": "failed"}


def seed(ctx: SandboxContext) -> None:
    """Nothing to seed: every Kassenzeichen starts open."""


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    document = f"""<!DOCTYPE html>
<html lang="de">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} – Demo-Bezahlseite</title></head>
<body>
<p><strong>DEMO – Demodaten. Es wird kein Geld bewegt.</strong></p>
<h1>{html.escape(title)}</h1>
{body}
</body>
</html>
"""
    return HTMLResponse(document, status_code=status)


def _euro(cents: int) -> str:
    whole, rest = divmod(cents, 100)
    return f"{whole:,}".replace(",", ".") + f",{rest:02d} €"


def _cents(betrag: str) -> int | None:
    try:
        amount = Decimal(betrag.strip())
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        return None
    cents = int(amount * 100)
    return cents if 1 <= cents <= _MAX_CENTS else None


def _safe_return(url: str) -> str:
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.netloc else ""


def _back_link(return_url: str) -> str:
    url = _safe_return(return_url)
    if not url:
        return "<p>Sie können dieses Fenster schließen und zur App zurückkehren.</p>"
    return f'<p><a id="back" href="{html.escape(url)}">Zurück zur App</a></p>'


def _row(ctx: SandboxContext, kassenzeichen: str) -> dict[str, Any] | None:
    with ctx.db() as conn:
        row = conn.execute("SELECT * FROM payments WHERE kassenzeichen = ?", (kassenzeichen,)).fetchone()
        last = conn.execute(
            "SELECT MAX(id) FROM payment_tries WHERE kassenzeichen = ?", (kassenzeichen,)
        ).fetchone()[0]
    if row is None:
        return None
    return {**dict(row), "transaction": _transaction(last)}


def _transaction(try_id: int | None) -> str | None:
    return None if try_id is None else f"DEMO-T{try_id:06d}"


def _invalid(kassenzeichen: str, betrag: str) -> str | None:
    if not _KASSENZEICHEN.match(kassenzeichen):
        return "Das Kassenzeichen fehlt oder enthält ungültige Zeichen."
    if _cents(betrag) is None:
        return "Der Betrag fehlt oder ist ungültig (0.01 bis 999999999.99, mit Punkt)."
    return None


def create_router(ctx: SandboxContext) -> APIRouter:
    router = APIRouter(tags=["payments"])

    @router.get("/payments/pay", response_class=HTMLResponse)
    def pay_page(
        kassenzeichen: str = Query(default="", max_length=64),
        betrag: str = Query(default="", max_length=20),
        return_url: str = Query(default="", max_length=500),
    ) -> HTMLResponse:
        problem = _invalid(kassenzeichen, betrag)
        if problem:
            return _page("Zahlung nicht möglich", f"<p id='error'>{html.escape(problem)}</p>", 400)
        row = _row(ctx, kassenzeichen)
        if row and row["status"] == "paid":
            return _page(
                "Bereits bezahlt",
                f"<p id='already-paid'>Das Kassenzeichen {html.escape(kassenzeichen)} wurde am "
                f"{html.escape(row['paid_at'] or '')} bezahlt (Referenz {html.escape(row['reference'])}). "
                f"Eine zweite Zahlung ist nicht möglich.</p>{_back_link(return_url)}",
                409,
            )
        cents = _cents(betrag)
        assert cents is not None
        hidden = "".join(
            f'<input type="hidden" name="{name}" value="{html.escape(value)}">'
            for name, value in (
                ("kassenzeichen", kassenzeichen),
                ("betrag", betrag),
                ("return_url", return_url),
            )
        )
        buttons = (
            '<button type="submit" name="action" value="pay" id="pay">Bezahlen</button> '
            '<button type="submit" name="action" value="cancel" id="cancel">Abbrechen</button> '
            '<button type="submit" name="action" value="fail" id="fail">Fehlschlag (Demo)</button>'
        )
        body = (
            f"<p>Empfänger: Stadtkasse Leipzig (DEMO)</p>"
            f"<p>Kassenzeichen: <span id='kassenzeichen'>{html.escape(kassenzeichen)}</span></p>"
            f"<p>Betrag: <span id='betrag'>{_euro(cents)}</span></p>"
            f'<form method="post" action="/payments/pay">{hidden}{buttons}</form>'
        )
        return _page("Bezahlen", body)

    @router.post("/payments/pay", response_class=HTMLResponse)
    def pay(
        kassenzeichen: str = Form(default="", max_length=64),
        betrag: str = Form(default="", max_length=20),
        action: str = Form(default="", max_length=10),
        return_url: str = Form(default="", max_length=500),
    ) -> HTMLResponse:
        problem = _invalid(kassenzeichen, betrag)
        if problem or action not in ACTIONS:
            return _page(
                "Zahlung nicht möglich",
                f"<p id='error'>{html.escape(problem or 'Unbekannte Aktion.')}</p>",
                400,
            )
        cents = _cents(betrag)
        assert cents is not None
        now = ctx.now().replace(microsecond=0).isoformat()
        status = ACTIONS[action]
        with ctx.db() as conn:
            row = conn.execute(
                "SELECT status, paid_at, reference FROM payments WHERE kassenzeichen = ?", (kassenzeichen,)
            ).fetchone()
            if row is not None and row["status"] == "paid":
                return _page(
                    "Bereits bezahlt",
                    f"<p id='already-paid'>Das Kassenzeichen {html.escape(kassenzeichen)} ist "
                    f"bereits bezahlt (Referenz {html.escape(row['reference'])}). "
                    "Es wurde nichts abgebucht.</p>"
                    f"{_back_link(return_url)}",
                    409,
                )
            reference = ""
            paid_at = None
            if status == "paid":
                count = conn.execute("SELECT COUNT(*) FROM payments WHERE status = 'paid'").fetchone()[0]
                reference = f"DEMO-{ctx.now():%Y%m%d}-{count + 1:05d}"
                paid_at = now
            conn.execute(
                "INSERT INTO payments (kassenzeichen, status, amount_cents, paid_at, reference, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(kassenzeichen) DO UPDATE SET "
                "status = excluded.status, amount_cents = excluded.amount_cents, paid_at = excluded.paid_at, "
                "reference = excluded.reference, updated_at = excluded.updated_at",
                (kassenzeichen, status, cents, paid_at, reference, now),
            )
            conn.execute(
                "INSERT INTO payment_tries (kassenzeichen, status, ended_at) VALUES (?, ?, ?)",
                (kassenzeichen, status, now),
            )
        texts = {
            "paid": (
                "Zahlung erfolgreich",
                f"Vielen Dank. Referenz: <span id='reference'>{reference}</span>",
            ),
            "cancelled": (
                "Zahlung abgebrochen",
                "Sie haben die Zahlung abgebrochen. Es wurde nichts abgebucht.",
            ),
            "failed": (
                "Zahlung fehlgeschlagen",
                "Die Zahlung ist fehlgeschlagen (Demo). Es wurde nichts abgebucht.",
            ),
        }
        title, text = texts[status]
        return _page(title, f"<p id='result' data-status='{status}'>{text}</p>{_back_link(return_url)}")

    @router.get("/payments/status")
    def payment_status(kassenzeichen: str = Query(default="", max_length=64)) -> JSONResponse:
        if not _KASSENZEICHEN.match(kassenzeichen):
            return JSONResponse({"error": "kassenzeichen fehlt oder ist ungültig"}, status_code=400)
        row = _row(ctx, kassenzeichen)
        if row is None:
            body: dict[str, Any] = {
                "kassenzeichen": kassenzeichen, "status": "open", "paid_at": None, "reference": None,
                "amount": None, "transaction": None,
            }  # fmt: skip
        else:
            body = {
                "kassenzeichen": kassenzeichen,
                "status": row["status"],
                "paid_at": row["paid_at"],
                "reference": row["reference"] or None,
                "amount": f"{row['amount_cents'] // 100}.{row['amount_cents'] % 100:02d}",
                "transaction": row["transaction"],
            }
        return JSONResponse(body)

    @router.post("/demo/payments/reset")
    def reset(kassenzeichen: str = Query(default="", max_length=64)) -> dict[str, Any]:
        with ctx.db() as conn:
            if kassenzeichen:
                deleted = conn.execute(
                    "DELETE FROM payments WHERE kassenzeichen = ?", (kassenzeichen,)
                ).rowcount
                conn.execute("DELETE FROM payment_tries WHERE kassenzeichen = ?", (kassenzeichen,))
            else:
                deleted = conn.execute("DELETE FROM payments").rowcount
                conn.execute("DELETE FROM payment_tries")
        return {"kassenzeichen": kassenzeichen or None, "reset": deleted}

    return router
