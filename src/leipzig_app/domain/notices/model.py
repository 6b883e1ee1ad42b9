"""An official notice as the city signs it: the fields of the notice code and the rules for signing one.

The encoding lives in `code.py`; this module holds only the data and `notice_problems`, the checks a
notice must pass before the city may sign it (limits, IBAN and RF check digits, dates, link rules).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from leipzig_app.domain.urls import SANDBOX_PLACEHOLDER, check_endpoint_url

MAX_AMOUNT = Decimal("999999999.99")
NOTICE_TYPES = ("parking", "fine", "fee", "tax", "other")


class Remedy(StrEnum):
    """The legal remedy the notice's instructions name (Rechtsbehelf)."""

    NONE = "none"
    WIDERSPRUCH = "widerspruch"  # § 68 ff. VwGO: administrative acts such as fee and tax notices
    EINSPRUCH = "einspruch"  # § 67 OWiG: fines (Bußgeldbescheid)


@dataclass(frozen=True)
class Authority:
    """Where an objection goes: the authority's name and postal address (one text, lines split by '\\n')."""

    name: str
    address: str = ""


@dataclass(frozen=True)
class Notice:
    """One official notice as the city signs it."""

    issuer: str
    case_number: str
    cash_reference: str
    notice_date: date
    posted_date: date
    amount: Decimal
    iban: str
    due_date: date
    payee: str = ""
    issuer_id: str = ""
    currency: str = "EUR"
    bic: str | None = None
    rf_reference: str | None = None
    remedy: Remedy = Remedy.NONE
    authority: Authority | None = None
    objection_url: str | None = None
    notice_type: str = "fee"
    language: str = "de"
    instructions_given: bool = True

    @property
    def amount_cents(self) -> int:
        return int(self.amount * 100)

    @property
    def amount_text(self) -> str:
        """The amount as "123.45" (GiroCode and JSON style)."""
        return f"{self.amount:.2f}"


#: The longest text each field may hold (characters); the notice code must fit one QR code.
TEXT_LIMITS = {
    "issuer": 70, "issuer_id": 12, "case_number": 35, "cash_reference": 35, "currency": 3, "iban": 34,
    "bic": 11, "rf_reference": 25, "authority_name": 70, "authority_address": 140, "objection_url": 200,
    "notice_type": 12, "language": 5, "payee": 70,
}  # fmt: skip


def notice_problems(notice: Notice) -> list[str]:
    """What keeps a notice from being signed (empty when it is fine). Checks limits and check digits."""
    from schwifty import IBAN
    from schwifty.exceptions import SchwiftyException
    from stdnum import iso11649

    found: list[str] = []
    for name in ("issuer", "case_number", "cash_reference"):
        if not getattr(notice, name).strip():
            found.append(f"{name} must not be empty")
    for name, limit in TEXT_LIMITS.items():
        value = _text_value(notice, name)
        if value is not None and len(value) > limit:
            found.append(f"{name} has {len(value)} characters, at most {limit} fit")
    if notice.amount.is_nan() or notice.amount < 0 or notice.amount > MAX_AMOUNT:
        found.append(f"amount must be from 0.00 to {MAX_AMOUNT}")
    elif notice.amount != notice.amount.quantize(Decimal("0.01")):
        found.append("amount must be whole cents")
    if notice.currency != "EUR":
        found.append("currency must be EUR (SEPA)")
    try:
        IBAN(notice.iban)
    except SchwiftyException as err:
        found.append(f"iban is not a valid IBAN ({err})")
    if notice.rf_reference and not iso11649.is_valid(notice.rf_reference):
        found.append("rf_reference is not a valid ISO 11649 creditor reference (RF + check digits)")
    if notice.notice_type not in NOTICE_TYPES:
        found.append(f"notice_type must be one of {', '.join(NOTICE_TYPES)}")
    if notice.posted_date < notice.notice_date:
        found.append("posted_date must not be before notice_date")
    if notice.due_date < notice.notice_date:
        found.append("due_date must not be before notice_date")
    if notice.objection_url and (
        check_endpoint_url(notice.objection_url) or SANDBOX_PLACEHOLDER in notice.objection_url
    ):
        found.append("objection_url must be an https:// address (http only on the loopback address)")
    return found


def _text_value(notice: Notice, name: str) -> str | None:
    if name == "authority_name":
        return notice.authority.name if notice.authority else None
    if name == "authority_address":
        return notice.authority.address if notice.authority else None
    value = getattr(notice, name)
    return value if isinstance(value, str) else None
