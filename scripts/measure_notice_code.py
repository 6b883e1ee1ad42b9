"""Measure the size of a realistic signed notice code and the QR version it needs (docs/notice-code.md).

.venv/bin/python scripts/measure_notice_code.py
"""

from __future__ import annotations

import zlib
from datetime import date
from decimal import Decimal

import cbor2
import qrcode
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from qrcode.constants import ERROR_CORRECT_M

from leipzig_app.domain.notices.base45 import b45decode
from leipzig_app.domain.notices.code import PREFIX, Authority, Notice, Remedy, encode_notice, notice_to_map


def realistic(**changes: object) -> Notice:
    values: dict[str, object] = {
        "issuer": "Stadt Leipzig, Ordnungsamt",
        "issuer_id": "14713000",
        "case_number": "32.21-2026-0481516",
        "cash_reference": "5.0123.456789.3",
        "notice_date": date(2026, 11, 10),
        "posted_date": date(2026, 11, 11),
        "amount": Decimal("123.45"),
        "iban": "DE20860555921090000004",
        "rf_reference": "RF18539007547034",
        "due_date": date(2026, 12, 15),
        "payee": "Stadtkasse Leipzig",
        "remedy": Remedy.WIDERSPRUCH,
        "authority": Authority("Stadt Leipzig, Ordnungsamt", "Otto-Schill-Straße 2, 04109 Leipzig"),
        "objection_url": "https://formulare.leipzig.de/widerspruch",
        "notice_type": "fee",
    }
    values.update(changes)
    return Notice(**values)  # type: ignore[arg-type]


def qr_version(text: str) -> int:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M)
    code.add_data(text)
    code.make(fit=True)
    return int(code.version)


def main() -> None:
    key = Ed25519PrivateKey.generate()
    cases = {
        "realistic (no BIC)": realistic(),
        "realistic + BIC": realistic(bic="WELADE8LXXX"),
        "parking, no remedy": realistic(
            remedy=Remedy.NONE, authority=None, objection_url=None, rf_reference=None, notice_type="parking"
        ),
    }
    print("| notice | CBOR payload | COSE_Sign1 | zlib | Base45 | QR (level M) | modules | at 3.5 cm |")
    print("|---|---|---|---|---|---|---|---|")
    for name, notice in cases.items():
        payload = len(cbor2.dumps(notice_to_map(notice)))
        text = encode_notice(notice, key, "lej-2026")
        raw = b45decode(text[len(PREFIX) :])
        cose = len(zlib.decompress(raw)) if raw[:1] == b"\x78" else len(raw)
        version = qr_version(text)
        modules = 17 + 4 * version
        print(
            f"| {name} | {payload} B | {cose} B | {len(raw)} B | {len(text)} chars | version {version} | "
            f"{modules} | {35 / modules:.2f} mm/module |"
        )


if __name__ == "__main__":
    main()
