"""Official letters the resident acts on: the letter record, payments, reminders, objection drafts.

This module holds the rules of the three actions on a notice (pay now, pay later, object) that do not
depend on any I/O, and the ports (Protocols) the letters service needs from outside:

- `Letter`: what the app knows about one letter, from its codes (see `domain/notices/`) or typed in by
  hand, with the trust state the notice screen shows (verified / unsigned / mismatch / forged / manual /
  unknown) and the actions it may offer;
- `PaymentRecord`, `Reminder`, `ObjectionDraft`: what the resident did with it, kept on the device;
- rules: the reminder day (default 3 days before the due date, never after it, never in the past), the
  manual entry (Kassenzeichen, date, amount, notice type), the hand-off URL to the city's payment page
  (only to an allow-listed domain, parameters named as the city profile says).

Objecting never postpones payment (§ 80 (2) VwGO): a reminder is a reminder before the due date, never a
deferral, and nothing here moves the due date.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, Protocol
from urllib.parse import urlencode, urlsplit, urlunsplit

from leipzig_app.domain.errors import AppError
from leipzig_app.domain.notices.code import MAX_AMOUNT, NOTICE_TYPES, Remedy
from leipzig_app.domain.notices.trust import KeyList
from leipzig_app.domain.urls import host_of, is_allowed_link

DEFAULT_REMINDER_DAYS = 3
#: The currency of every letter the app accepts: a notice code names euros or is refused, a GiroCode
#: knows no other currency (EPC069-12), and a letter typed in is in euros.
LETTER_CURRENCY = "EUR"
_CASH_REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ./-]{0,34}$")


class TrustState(StrEnum):
    """How far the app can vouch for a letter; the screen shows it with an icon AND a text."""

    VERIFIED = "verified"  # a signed notice code checked against the city's keys
    UNSIGNED = "unsigned"  # a GiroCode only: anyone can print one
    MISMATCH = "mismatch"  # the two codes of one letter disagree
    FORGED = "forged"  # a notice code whose signature or key does not check
    MANUAL = "manual"  # typed in by the resident: nothing was checked
    UNKNOWN = "unknown"  # nothing on the letter the app can read as a notice


class LetterError(AppError):
    """A request the letter rules refuse; `key` is a message key of locales/*/notices.json."""

    key = "notices.error.invalid"


class PaymentStatus(StrEnum):
    OPEN = "open"
    PENDING = "pending"  # handed off to the payment page, result not read back yet
    PAID = "paid"
    CANCELLED = "cancelled"
    FAILED = "failed"
    #: The city received a payment for the Kassenzeichen, but less than the letter asks for.
    UNDERPAID = "underpaid"
    #: The city reports a payment that does not match the letter: more than asked, another currency,
    #: another Kassenzeichen, or no amount at all. The letter is not paid.
    DIFFERS = "differs"


@dataclass(frozen=True)
class Letter:
    """One letter as the notice screen shows it. Amounts are Decimal euros, dates are calendar days."""

    id: str
    source: str  # "code" or "manual"
    trust: TrustState
    cash_reference: str = ""
    issuer: str = ""
    case_number: str = ""
    payee: str = ""
    iban: str = ""
    bic: str = ""
    amount: Decimal | None = None
    rf_reference: str = ""
    remittance: str = ""
    notice_date: date | None = None
    posted_date: date | None = None
    due_date: date | None = None
    remedy: Remedy = Remedy.NONE
    authority_name: str = ""
    authority_address: str = ""
    objection_url: str = ""
    notice_type: str = "other"
    instructions_given: bool = True
    demo: bool = False
    #: Stable action codes (see `domain/notices/problems.ACTIONS`), in the order to offer them.
    actions: tuple[str, ...] = ()
    #: Problems found on inspection, as `Problem.as_dict()` shapes (code, severity, message, params).
    problems: tuple[Mapping[str, Any], ...] = ()
    #: The texts of the codes as scanned, so a letter can be inspected again with newer keys.
    texts: tuple[str, ...] = ()
    #: The day the resident says the letter was delivered (formal delivery: the date on the envelope),
    #: or None: the deadline then counts from the posting date (see `services.notice_letters`).
    delivered_date: date | None = None

    def to_json(self) -> dict[str, Any]:
        """Plain JSON values (what the letters store keeps)."""
        return {
            "id": self.id, "source": self.source, "trust": self.trust.value,
            "cash_reference": self.cash_reference, "issuer": self.issuer, "case_number": self.case_number,
            "payee": self.payee, "iban": self.iban, "bic": self.bic,
            "amount": None if self.amount is None else f"{self.amount:.2f}",
            "rf_reference": self.rf_reference, "remittance": self.remittance,
            "notice_date": _iso(self.notice_date), "posted_date": _iso(self.posted_date),
            "due_date": _iso(self.due_date), "remedy": self.remedy.value,
            "authority_name": self.authority_name, "authority_address": self.authority_address,
            "objection_url": self.objection_url, "notice_type": self.notice_type,
            "instructions_given": self.instructions_given, "demo": self.demo,
            "actions": list(self.actions), "problems": [dict(p) for p in self.problems],
            "texts": list(self.texts), "delivered_date": _iso(self.delivered_date),
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Letter:
        amount = data.get("amount")
        return cls(
            id=str(data["id"]), source=str(data.get("source", "code")), trust=TrustState(data["trust"]),
            cash_reference=data.get("cash_reference", ""), issuer=data.get("issuer", ""),
            case_number=data.get("case_number", ""), payee=data.get("payee", ""),
            iban=data.get("iban", ""), bic=data.get("bic", ""),
            amount=None if amount is None else Decimal(amount),
            rf_reference=data.get("rf_reference", ""), remittance=data.get("remittance", ""),
            notice_date=_day(data.get("notice_date")), posted_date=_day(data.get("posted_date")),
            due_date=_day(data.get("due_date")), remedy=Remedy(data.get("remedy", "none")),
            authority_name=data.get("authority_name", ""),
            authority_address=data.get("authority_address", ""),
            objection_url=data.get("objection_url", ""), notice_type=data.get("notice_type", "other"),
            instructions_given=bool(data.get("instructions_given", True)), demo=bool(data.get("demo")),
            actions=tuple(data.get("actions", ())), problems=tuple(data.get("problems", ())),
            texts=tuple(data.get("texts", ())), delivered_date=_day(data.get("delivered_date")),
        )  # fmt: skip

    @property
    def amount_text(self) -> str:
        return "" if self.amount is None else f"{self.amount:.2f}"

    def offers(self, action: str) -> bool:
        return action in self.actions


@dataclass(frozen=True)
class PaymentRecord:
    """The last known state of paying one letter; `reference` is the payment service's reference."""

    letter_id: str
    status: PaymentStatus
    amount: Decimal | None = None
    paid_at: datetime | None = None
    reference: str = ""
    channel: str = "payment_page"  # "payment_page" or "bank_transfer" (marked by the resident)
    updated_at: datetime | None = None
    #: ISO 4217 code of `amount`: what the city reported the payment was made in, else the letter's own
    #: (`LETTER_CURRENCY`); "" only for a payment the city reported as not matching before the app kept
    #: currencies, whose currency is not known.
    currency: str = LETTER_CURRENCY
    #: For a hand-off still pending: the result of an earlier try (cancelled or failed) that the city
    #: reported when this one began. The city names only its last result, so that same answer afterwards
    #: is still the earlier try's and says nothing about this one.
    earlier_result: PaymentStatus | None = None
    #: The city's id of that earlier try ("" when it names none): the same result under another id is this
    #: try's own (a second cancellation), under the same id it is still the earlier one.
    earlier_transaction: str = ""

    @property
    def paid(self) -> bool:
        return self.status is PaymentStatus.PAID


@dataclass(frozen=True)
class Reminder:
    """A local reminder to pay a letter on `remind_on` (on or before `due_date`)."""

    letter_id: str
    remind_on: date
    due_date: date
    cash_reference: str = ""
    amount: Decimal | None = None
    payee: str = ""


@dataclass(frozen=True)
class ObjectionDraft:
    """What the resident prepared for an objection; the app keeps it but never files it."""

    letter_id: str
    reason: str = ""
    sender_name: str = ""
    sender_address: str = ""
    updated_at: datetime | None = None


@dataclass(frozen=True)
class RemoteStatus:
    """What the city's payment service says about a Kassenzeichen."""

    status: PaymentStatus
    paid_at: datetime | None = None
    reference: str = ""
    amount: Decimal | None = None
    #: ISO 4217 code of `amount` (a status document without one means euros).
    currency: str = "EUR"
    #: The Kassenzeichen the city's answer names ("" when it names none).
    cash_reference: str = ""
    #: The city's id of the try on its payment page this answer is about ("" when it names none). The city
    #: names only its last result; the id tells a new try's result from the one before.
    transaction: str = ""


# --- rules ----------------------------------------------------------------------------------------------


def letter_id(kind: str, *parts: str) -> str:
    """A stable id for a letter, so that scanning the same letter again finds what was done with it."""
    digest = hashlib.sha256("\x1f".join((kind, *parts)).encode("utf-8")).hexdigest()
    return f"{kind[0]}{digest[:15]}"


def payment_outcome(letter: Letter, remote: RemoteStatus) -> PaymentStatus:
    """What the city's answer means for this letter: a payment counts as `PAID` only when it is the
    letter's amount, in euros, for the letter's Kassenzeichen (a payment page may accept any amount, and
    a hand-off URL can be changed). Less than asked is `UNDERPAID`; anything else that does not match is
    `DIFFERS`. Answers other than "paid" are passed through."""
    if remote.status is not PaymentStatus.PAID:
        return remote.status
    if remote.cash_reference and _reference_key(remote.cash_reference) != _reference_key(
        letter.cash_reference
    ):
        return PaymentStatus.DIFFERS
    if remote.currency.strip().upper() != LETTER_CURRENCY:
        return PaymentStatus.DIFFERS
    if letter.amount is None:
        return PaymentStatus.PAID  # the letter names no amount: nothing to compare with
    if remote.amount is None:
        return PaymentStatus.DIFFERS
    if remote.amount == letter.amount:
        return PaymentStatus.PAID
    return PaymentStatus.UNDERPAID if remote.amount < letter.amount else PaymentStatus.DIFFERS


def outstanding_amount(letter: Letter, payment: PaymentRecord | None) -> Decimal | None:
    """What is still to pay: the letter's amount, less a payment the city received short of it."""
    if letter.amount is None or (payment is not None and payment.paid):
        return None if letter.amount is None else Decimal("0.00")
    if payment is not None and payment.status is PaymentStatus.UNDERPAID and payment.amount is not None:
        return letter.amount - payment.amount
    return letter.amount


def _reference_key(reference: str) -> str:
    return "".join(reference.split()).upper()


def default_reminder_day(due_date: date, today: date, days_before: int = DEFAULT_REMINDER_DAYS) -> date:
    """`days_before` days before the due date, or today when that day has already passed."""
    return max(today, due_date - timedelta(days=max(0, days_before)))


def check_reminder_day(remind_on: date, due_date: date, today: date) -> None:
    """Raise `LetterError` unless today <= remind_on <= due_date: never after the due date."""
    if due_date < today:
        raise LetterError(
            "the due date has passed: pay as soon as possible",
            key="notices.error.due_passed",
            params={"due_date": due_date.isoformat()},
        )
    if remind_on > due_date:
        raise LetterError(
            "a reminder must come on or before the due date",
            key="notices.error.reminder_after_due",
            params={"due_date": due_date.isoformat()},
        )
    if remind_on < today:
        raise LetterError("a reminder cannot be in the past", key="notices.error.reminder_in_past")


@dataclass(frozen=True)
class ManualEntry:
    """What a resident types in when a letter has no code."""

    cash_reference: str
    notice_date: date
    amount: Decimal
    notice_type: str
    due_date: date | None = None


_GROUPED = {sep: re.compile(rf"^\d{{1,3}}(?:{re.escape(sep)}\d{{3}})+$") for sep in ".,"}


def _amount_digits(cleaned: str, text: str) -> str:
    """`cleaned` as plain digits with "." before the cents: the last of two different separators is the
    decimal one; a comma alone is German decimal; a dot alone before exactly three digits, or repeated,
    groups thousands ("1.000" is a thousand euros, as a German reader means it)."""

    def invalid() -> LetterError:
        return LetterError(f"not an amount: {text!r}", key="notices.error.amount_invalid")

    whole, cents = cleaned, ""
    if "," in cleaned and "." in cleaned:
        decimal_sep = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
        whole, _, cents = cleaned.rpartition(decimal_sep)
    elif cleaned.count(",") == 1:
        whole, _, cents = cleaned.partition(",")
    elif cleaned.count(".") == 1 and len(cleaned.partition(".")[2]) != 3:
        whole, _, cents = cleaned.partition(".")
    group_sep = next((sep for sep in ".," if sep in whole), None)
    if group_sep is not None:
        if not _GROUPED[group_sep].match(whole):
            raise invalid()
        whole = whole.replace(group_sep, "")
    if not whole.isdigit() or (cents and not cents.isdigit()) or (not cents and cleaned[-1:] in ".,"):
        raise invalid()
    return f"{whole}.{cents}" if cents else whole


def parse_amount(text: str) -> Decimal:
    """An amount typed the German or English way ("1.234,56", "1.000", "1234.56", "1,234.56", "12,5 €");
    raises LetterError. More than two decimal places ("1,234") is refused, never rounded."""
    cleaned = text.strip().replace("€", "").replace("EUR", "").replace(" ", "").replace("\u00a0", "")
    if cleaned.startswith("-"):
        raise LetterError("amount out of range", key="notices.error.amount_range")
    if not cleaned:
        raise LetterError(f"not an amount: {text!r}", key="notices.error.amount_invalid")
    digits = _amount_digits(cleaned, text)
    try:
        amount = Decimal(digits)
    except InvalidOperation:
        raise LetterError(f"not an amount: {text!r}", key="notices.error.amount_invalid") from None
    if not amount.is_finite() or amount <= 0 or amount > MAX_AMOUNT:
        raise LetterError("amount out of range", key="notices.error.amount_range")
    if len(digits.partition(".")[2]) > 2:
        raise LetterError("whole cents only", key="notices.error.amount_cents")
    return amount.quantize(Decimal("0.01"))


#: Direction marks in a date copied from a right-to-left screen (Arabic writes 15\u200f/12\u200f/2026).
_DIRECTION_MARKS = dict.fromkeys(map(ord, "\u200e\u200f\u061c"))


def parse_day(text: str, *, field_key: str) -> date:
    """A date typed as 15.12.2026, 2026-12-15 or, as the Arabic screen writes it, 15/12/2026 (day first, as
    in Europe); raises LetterError naming the field."""
    value = text.translate(_DIRECTION_MARKS).strip()
    for pattern in ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise LetterError(f"not a date: {text!r}", key="notices.error.date_invalid", params={"field": field_key})


def validate_manual_entry(
    *,
    cash_reference: str,
    notice_date: str,
    amount: str,
    notice_type: str,
    due_date: str = "",
    today: date,
) -> ManualEntry:
    """Check what was typed in; the first problem raises `LetterError` with a key naming it."""
    reference = " ".join(cash_reference.split())
    if not reference:
        raise LetterError("the Kassenzeichen is missing", key="notices.error.reference_missing")
    if not _CASH_REFERENCE.match(reference):
        raise LetterError("unusual Kassenzeichen", key="notices.error.reference_invalid")
    if notice_type not in NOTICE_TYPES:
        raise LetterError("unknown notice type", key="notices.error.type_invalid")
    day = parse_day(notice_date, field_key="notice_date")
    if day > today:
        raise LetterError("the notice date is in the future", key="notices.error.date_future")
    due = parse_day(due_date, field_key="due_date") if due_date.strip() else None
    if due is not None and due < day:
        raise LetterError("the due date is before the notice date", key="notices.error.due_before_notice")
    return ManualEntry(reference, day, parse_amount(amount), notice_type, due)


def check_delivered_day(delivered: date, letter: Letter, today: date) -> None:
    """Raise `LetterError` unless the delivery day can be true: not in the future and not before the
    letter was posted (or, when the posting date is unknown, dated)."""
    if delivered > today:
        raise LetterError("the delivery date is in the future", key="notices.error.delivered_future")
    earliest = letter.posted_date or letter.notice_date
    if earliest is not None and delivered < earliest:
        raise LetterError(
            "delivered before the letter was posted",
            key="notices.error.delivered_before_posting",
            params={"field": "delivered"},
        )


def remedy_for_type(notice_type: str) -> Remedy:
    """The remedy a typed-in notice most likely names: Einspruch for fines, none for a parking offer.

    A Verwarnungsgeld (parking ticket offer) has no remedy: whoever does not pay gets a Bußgeldbescheid.
    """
    if notice_type == "fine":
        return Remedy.EINSPRUCH
    if notice_type == "parking":
        return Remedy.NONE
    return Remedy.WIDERSPRUCH


def payment_handoff_url(
    page_url: str,
    parameters: Mapping[str, str],
    *,
    cash_reference: str,
    amount: Decimal,
    return_url: str | None,
    allowed_domains: Sequence[str],
) -> str:
    """The URL of the city's payment page for one Kassenzeichen and amount.

    `parameters` maps the app's names (cash_reference, amount, return_url) to the city's query names; the
    page must be on an allow-listed domain, or `LetterError` ("notices.error.payment_domain") is raised.
    """
    if not is_allowed_link(page_url, allowed_domains):
        raise LetterError(
            f"the payment page {host_of(page_url)!r} is not on the city's allow-list",
            key="notices.error.payment_domain",
            params={"domain": host_of(page_url)},
        )
    values = {"cash_reference": cash_reference, "amount": f"{amount:.2f}"}
    if return_url:
        values["return_url"] = return_url
    query = [(parameters.get(name, name), value) for name, value in values.items()]
    parts = urlsplit(page_url)
    joined = f"{parts.query}&{urlencode(query)}" if parts.query else urlencode(query)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, joined, ""))


# --- ports ----------------------------------------------------------------------------------------------


class PaymentGateway(Protocol):
    """The city's payment service: reads back what happened on its payment page."""

    async def status(self, cash_reference: str) -> RemoteStatus: ...


class LettersStore(Protocol):
    """Local storage of letters and what the resident did with them (adapters/letters_store.py)."""

    def save_letter(self, letter: Letter, seen_at: datetime) -> None: ...
    def letter(self, letter_id: str) -> Letter | None: ...
    def latest_letter(self) -> Letter | None: ...
    def save_payment(self, record: PaymentRecord) -> None: ...
    def payment(self, letter_id: str) -> PaymentRecord | None: ...
    def save_reminder(self, reminder: Reminder) -> None: ...
    def delete_reminder(self, letter_id: str) -> None: ...
    def reminder(self, letter_id: str) -> Reminder | None: ...
    def reminders(self) -> list[Reminder]: ...
    def save_draft(self, draft: ObjectionDraft) -> None: ...
    def draft(self, letter_id: str) -> ObjectionDraft | None: ...


class TrustRefresher(Protocol):
    """The city's signed key list, refreshed when online, else the cached one (None: none known)."""

    async def __call__(self, today: date) -> KeyList | None: ...


class ReminderCalendar(Protocol):
    """Turns a reminder into an .ics calendar file with an alarm."""

    def reminder_ics(self, reminder: Reminder, *, summary: str, description: str) -> bytes: ...


@dataclass(frozen=True)
class PrintedLetter:
    """A letter to print, sign and post, composed in its language; the renderer only lays it out.

    `sender` may be empty lines to fill in by hand; `notes` go on a separate page for the resident (what
    to do, by when) and are not part of the letter to send.
    """

    title: str
    sender: tuple[str, ...]
    recipient: tuple[str, ...]
    place_date: str
    subject: str
    paragraphs: tuple[str, ...]
    signature_label: str
    notes_title: str = ""
    notes: tuple[str, ...] = ()


class LetterRenderer(Protocol):
    """Renders a `PrintedLetter` as PDF bytes (adapters/objection_pdf.py)."""

    @property
    def supports_rtl(self) -> bool:
        """Whether right-to-left text (Arabic) comes out shaped and in reading order; when it does not,
        the notes are composed in German."""
        ...

    def render(self, letter: PrintedLetter) -> bytes: ...


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None
