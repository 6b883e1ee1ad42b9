"""The demo city's notice services: its signed key list and its authority's online objection form.

- `GET /notices/keys.json`: the key list signed with the DEMO list-signing key (docs/notice-code.md): the
  current notice key, the next key (rotation) and one revoked key.
- `GET /notices/objection-form?case=...`: the demo authority's online form for a Widerspruch. A real form
  needs identification with the eID card / BundID (§ 3a VwVfG); the page says so, and this demo accepts
  nothing, so that nobody mistakes it for filing an objection.
- `POST /demo/notices/revoke?kid=...` (for testers): the city revokes one of its notice keys, say the
  current one (`demo-2025`), as after a leak; the published list then names it as revoked, with a higher
  sequence number. `POST /demo/notices/reset` takes the revocations back (a client that saw the higher
  list refuses the older one, as it should).

The keys come from `data/demo_keys.json` (made by scripts/make_demo_notice_keys.py). They are demo keys:
their private halves are public. The state is the testers' revocations (table `notice_revocations`) and
the running numbers of the demo letters the city issued, per posting day (table `notice_letters`, see
`issue_letter`): every demo letter gets a Kassenzeichen and an Aktenzeichen of its own, also across a
restart.
"""

from __future__ import annotations

import base64
import html
import json
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, JSONResponse

from leipzig_app.domain.notices.trust import Revocation, TrustedKey, parse_trusted_key, sign_key_list
from leipzig_app.sandbox.context import SandboxContext

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

SCHEMA: list[str] = [
    """
    CREATE TABLE IF NOT EXISTS notice_revocations (
        kid TEXT PRIMARY KEY,
        revoked_on TEXT NOT NULL
    )
    """,
    # One row per demo letter issued: its running number among the letters posted on the same day.
    """
    CREATE TABLE IF NOT EXISTS notice_letters (
        posted TEXT NOT NULL,
        number INTEGER NOT NULL,
        issued_at TEXT NOT NULL,
        PRIMARY KEY (posted, number)
    )
    """,
]
DISCOVERY = [
    {
        "id": "notices.keys",
        "title": "Signierte Schlüsselliste für Bescheid-Codes",
        "path": "/notices/keys.json",
    },
    {"id": "notices.objection", "title": "Online-Widerspruch (Demo)", "path": "/notices/objection-form"},
]
DEMO_KEYS_FILE = Path(__file__).resolve().parent / "data" / "demo_keys.json"
AUTHORITY = "Stadt Leipzig (DEMO), Ordnungsamt"
AUTHORITY_ADDRESS = "Otto-Schill-Straße 2, 04109 Leipzig"
#: Raised whenever the published list changes, so that clients can refuse an older list.
KEY_LIST_SEQUENCE = 3
KEY_LIST_ISSUED = date(2026, 1, 15)


@dataclass(frozen=True)
class DemoKey:
    """A demo key pair with its role: current, next, revoked (notice keys) or list-signer."""

    role: str
    public: TrustedKey
    private_raw: bytes
    revoked_on: date | None = None
    reason: str = ""

    @property
    def kid(self) -> str:
        return self.public.kid

    def private_key(self) -> Ed25519PrivateKey:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        return Ed25519PrivateKey.from_private_bytes(self.private_raw)


@lru_cache(maxsize=1)
def load_demo_keys() -> tuple[DemoKey, ...]:
    """Every demo key of the demo city, notice keys first."""
    data: dict[str, Any] = json.loads(DEMO_KEYS_FILE.read_text(encoding="utf-8"))
    keys = []
    for group in ("notice_keys", "list_signers"):
        for i, item in enumerate(data[group]):
            revoked_on = item.get("revoked_on")
            keys.append(
                DemoKey(
                    role=item["role"],
                    public=parse_trusted_key(item, f"demo_keys.{group}[{i}]"),
                    private_raw=base64.b64decode(item["private_key"]),
                    revoked_on=date.fromisoformat(revoked_on) if revoked_on else None,
                    reason=item.get("reason", ""),
                )
            )
    return tuple(keys)


def demo_key(role_or_kid: str = "current") -> DemoKey:
    """A demo key by role ("current", "next", "revoked", "list-signer") or by key id."""
    for key in load_demo_keys():
        if role_or_kid in (key.role, key.kid):
            return key
    known = ", ".join(sorted({k.role for k in load_demo_keys()} | {k.kid for k in load_demo_keys()}))
    raise KeyError(f"no demo key {role_or_kid!r} (known: {known})")


def key_list_document(revoked_later: dict[str, date] | None = None) -> dict[str, str]:
    """The demo city's signed key list (deterministic: Ed25519 signatures are); `revoked_later` names
    keys a tester revoked (kid -> day), each raising the list's sequence number by one."""
    later = revoked_later or {}
    notice_keys = [k for k in load_demo_keys() if k.role != "list-signer"]
    signer = demo_key("list-signer")
    revoked = [Revocation(k.kid, k.revoked_on, k.reason) for k in notice_keys if k.role == "revoked"]
    revoked += [Revocation(kid, day, "revoked by a tester") for kid, day in sorted(later.items())]
    return sign_key_list(
        issuer="Demo-Stadt Leipzig",
        sequence=KEY_LIST_SEQUENCE + len(later),
        issued_at=max([KEY_LIST_ISSUED, *later.values()]),
        keys=[k.public for k in notice_keys if k.role != "revoked" and k.kid not in later],
        revoked=revoked,
        signer_kid=signer.kid,
        signer_key=signer.private_key(),
    )


@dataclass(frozen=True)
class IssuedLetter:
    """The numbers the demo city gives one letter it issues."""

    posted: date
    #: The running number among the demo letters posted on the same day (1, 2, ...).
    number: int
    cash_reference: str
    case_number: str


def demo_cash_reference(posted: date, number: int) -> str:
    """The Kassenzeichen of demo letter `number` posted on `posted`, shaped like Leipzig's: 5.YYMM.DDNNNN.P
    (posting month and day, the day's running number in four digits, more only from the 10,000th letter
    of a day, and a Luhn check digit over all digits before it)."""
    from stdnum import luhn

    body = f"5{posted:%y%m}{posted:%d}{number:04d}"
    return f"5.{posted:%y%m}.{posted:%d}{number:04d}.{luhn.calc_check_digit(body)}"


def demo_case_number(posted: date, number: int) -> str:
    """The Aktenzeichen of demo letter `number` posted on `posted`: 32.21-YYYY-MMDDNN."""
    return f"32.21-{posted:%Y}-{posted:%m%d}{number:02d}"


def issue_letter(ctx: SandboxContext, posted: date) -> IssuedLetter:
    """Give a new demo letter its numbers: the demo city's next running number for the posting day (kept
    in its database, so never given twice, not even after a restart), as Kassenzeichen and Aktenzeichen.
    Two letters posted on the same day are two letters to the app and to the payment page.

    Works whether the demo city is running or not (the database is created when missing); raises
    `OSError` or `sqlite3.Error` when its folder or database cannot be used."""
    ctx.data_dir.mkdir(parents=True, exist_ok=True)
    day = posted.isoformat()
    with ctx.db() as conn:
        for statement in SCHEMA:
            conn.execute(statement)
        # One statement: the number is read and taken under the database's write lock, so two letters
        # issued at the same moment (two processes) never get the same one.
        cursor = conn.execute(
            "INSERT INTO notice_letters (posted, number, issued_at) "
            "SELECT ?, COALESCE(MAX(number), 0) + 1, ? FROM notice_letters WHERE posted = ?",
            (day, ctx.now().isoformat(), day),
        )
        row = conn.execute(
            "SELECT number FROM notice_letters WHERE rowid = ?", (cursor.lastrowid,)
        ).fetchone()
    number = int(row["number"])
    return IssuedLetter(posted, number, demo_cash_reference(posted, number), demo_case_number(posted, number))


def objection_form_page(case: str) -> str:
    case_text = html.escape(case) if case else "(kein Aktenzeichen angegeben)"
    return f"""<!DOCTYPE html>
<html lang="de">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Widerspruch online einlegen – {html.escape(AUTHORITY)}</title></head>
<body>
<p><strong>DEMO – Demodaten. Hier wird kein Widerspruch eingelegt.</strong></p>
<h1>Widerspruch online einlegen</h1>
<p>Behörde: {html.escape(AUTHORITY)}, {html.escape(AUTHORITY_ADDRESS)}</p>
<p>Aktenzeichen: <span id="case">{case_text}</span></p>
<h2>Identifizierung erforderlich</h2>
<p>Ein Widerspruch über dieses Formular ist nur wirksam, wenn Sie sich mit der Online-Ausweisfunktion
(eID) Ihres Personalausweises oder mit Ihrem BundID-Konto identifizieren (§ 3a Abs. 2 VwVfG, § 70 VwGO).
Eine einfache E-Mail genügt nicht.</p>
<p><button type="button" disabled aria-disabled="true">Mit BundID / eID anmelden (in der Demo nicht
verfügbar)</button></p>
<p>Andere Wege: einen unterschriebenen Brief an die Behörde senden oder den Widerspruch persönlich im
Bürgeramt zur Niederschrift erklären. Die Frist steht in Ihrem Bescheid; eine Begründung kann später
folgen.</p>
<hr>
<p lang="en">Demo: the demo authority's online objection form. A real form requires identification with
the German eID card or BundID; this page files nothing.</p>
</body>
</html>
"""


def create_router(ctx: SandboxContext) -> APIRouter:
    router = APIRouter(tags=["notices"])

    def revoked_later() -> dict[str, date]:
        with ctx.db() as conn:
            rows = conn.execute("SELECT kid, revoked_on FROM notice_revocations").fetchall()
        return {row["kid"]: date.fromisoformat(row["revoked_on"]) for row in rows}

    @router.get("/notices/keys.json")
    def keys() -> dict[str, str]:
        return key_list_document(revoked_later())

    @router.post("/demo/notices/revoke")
    def revoke(kid: str = Query(default="", max_length=64)) -> JSONResponse:
        notice_kids = {k.kid for k in load_demo_keys() if k.role in ("current", "next")}
        if kid not in notice_kids:
            return JSONResponse(
                {"error": f"kid muss einer von {', '.join(sorted(notice_kids))} sein"}, status_code=400
            )
        with ctx.db() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO notice_revocations (kid, revoked_on) VALUES (?, ?)",
                (kid, ctx.now().date().isoformat()),
            )
        return JSONResponse({"revoked": kid, "sequence": KEY_LIST_SEQUENCE + len(revoked_later())})

    @router.post("/demo/notices/reset")
    def reset() -> dict[str, int]:
        with ctx.db() as conn:
            deleted = conn.execute("DELETE FROM notice_revocations").rowcount
        return {"reset": deleted}

    @router.get("/notices/objection-form", response_class=HTMLResponse)
    def objection_form(case: str = Query(default="", max_length=64)) -> HTMLResponse:
        return HTMLResponse(objection_form_page(case))

    return router
