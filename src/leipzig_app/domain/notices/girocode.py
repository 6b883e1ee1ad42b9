"""GiroCode (EPC069-12 "Quick Response Code: guidelines to enable data capture for the initiation of a SEPA
credit transfer"): parsing with every rule checked, and building one for display or a letter.

Lines, separated by LF or CRLF: service tag `BCD`, version `001` (BIC required) or `002` (BIC optional),
character set `1`-`8`, identification `SCT`, BIC, beneficiary name (max 70), IBAN, amount (`EUR` + 0.01 to
999999999.99, may be empty), purpose (4), structured reference (ISO 11649, max 35) OR unstructured
remittance (max 140), note to the payer (max 70). Trailing empty lines may be left out; the whole payload
is at most 331 bytes in its character set. A GiroCode is unsigned: anyone can print one, so it is never
"verified" (see `inspect.py`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from leipzig_app.domain.errors import AppError
from leipzig_app.domain.notices.problems import Problem, error

if TYPE_CHECKING:
    from leipzig_app.domain.notices.model import Notice

MAX_BYTES = 331
#: EPC069-12 character set numbers and the Python codecs that implement them.
CHARSETS: dict[str, str] = {
    "1": "utf-8",
    "2": "iso8859-1",
    "3": "iso8859-2",
    "4": "iso8859-4",
    "5": "iso8859-5",
    "6": "iso8859-7",
    "7": "iso8859-10",
    "8": "iso8859-15",
}
_BIC = re.compile(r"^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$")
_AMOUNT = re.compile(r"^EUR(\d{1,9})(?:\.(\d{1,2}))?$")
_PURPOSE = re.compile(r"^[A-Z0-9]{4}$")
_LIMITS = {"name": 70, "reference": 35, "remittance": 140, "note": 70}
MIN_AMOUNT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999.99")


class GiroCodeError(AppError):
    """A text that is not a valid GiroCode; `problems` lists every broken rule."""

    key = "notices.error.girocode"

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.message for p in problems), params={"codes": [p.code for p in problems]})
        self.problems = problems


@dataclass(frozen=True)
class GiroCode:
    name: str
    iban: str
    amount: Decimal | None
    bic: str = ""
    currency: str = "EUR"
    reference: str = ""
    remittance: str = ""
    purpose: str = ""
    note: str = ""
    version: str = "002"
    charset: str = "1"

    @property
    def amount_text(self) -> str:
        """The amount as "123.45", or "" when the payer enters it."""
        return "" if self.amount is None else f"{self.amount:.2f}"

    def fields(self) -> dict[str, str]:
        return {
            "name": self.name,
            "iban": self.iban,
            "bic": self.bic,
            "amount": self.amount_text,
            "currency": self.currency,
            "reference": self.reference,
            "remittance": self.remittance,
            "purpose": self.purpose,
            "note": self.note,
        }


def is_girocode(text: str) -> bool:
    """True for text that claims to be a GiroCode (first line `BCD`), valid or not."""
    return text.startswith(("BCD\n", "BCD\r\n")) or text == "BCD"


def girocode_text(raw: bytes) -> str | None:
    """The text of payload bytes that start like a GiroCode (first line `BCD`), or None for other bytes.

    Bytes that are valid UTF-8 are UTF-8 (character set 1, and codes that declare another set but were
    written in UTF-8, whose text `parse_girocode` still checks against the declared set). Otherwise the
    bytes are decoded in the character set the third line declares (2-8: ISO 8859-1, -2, -4, -5, -7, -10,
    -15); None when it declares none of these or the bytes are not valid in it. The scanner's text rule
    (`domain.scanning.payload_text`) uses this, so a scanned GiroCode reads in its own character set.
    """
    head = raw.split(b"\n", 3)
    if len(head) < 3 or head[0].removesuffix(b"\r") != b"BCD":
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    codec = CHARSETS.get(head[2].removesuffix(b"\r").decode("ascii", "replace"))
    if codec is None:
        return None
    try:
        return raw.decode(codec)
    except UnicodeDecodeError:
        return None


def parse_girocode_bytes(raw: bytes) -> GiroCode:
    """Parse the raw bytes of a scanned code in the character set the code declares (`girocode_text`).

    A scanned code needs no call of its own: the scanner's text rule already reads GiroCode bytes this way.
    """
    text = girocode_text(raw)
    if text is not None:
        return parse_girocode(text)
    head = raw.split(b"\n", 3)
    charset = head[2].removesuffix(b"\r").decode("ascii", "replace") if len(head) > 2 else ""
    if head[0].removesuffix(b"\r") == b"BCD" and charset in CHARSETS:
        raise GiroCodeError(
            [
                error(
                    "charset_mismatch",
                    f"the text is not valid in character set {charset} ({CHARSETS[charset]})",
                )
            ]
        )
    return parse_girocode(raw.decode("iso-8859-1"))  # not a GiroCode, or no set 1-8: the rules say why


def parse_girocode(text: str) -> GiroCode:
    """Parse and validate a GiroCode text; raises `GiroCodeError` listing every problem found."""
    problems: list[Problem] = []
    lines = text.split("\n")
    if any(line.endswith("\r") for line in lines[:-1]):
        lines = [line.removesuffix("\r") for line in lines]
    while len(lines) > 1 and lines[-1] == "":
        lines.pop()
    if lines[0] != "BCD":
        raise GiroCodeError([error("not_girocode", "a GiroCode starts with the line BCD")])
    if len(lines) > 12:
        problems.append(error("too_many_lines", f"a GiroCode has at most 12 lines, not {len(lines)}"))
    lines += [""] * (12 - len(lines))
    _, version, charset, ident, bic, name, iban, amount_raw, purpose, reference, remittance, note = lines[:12]

    if version not in ("001", "002"):
        problems.append(error("version_invalid", f"version must be 001 or 002, not {version!r}"))
    if charset not in CHARSETS:
        problems.append(error("charset_invalid", f"character set must be 1 to 8, not {charset!r}"))
    if ident != "SCT":
        problems.append(error("identification_invalid", f"identification must be SCT, not {ident!r}"))
    if bic:
        problems += _bic_problems(bic)
    elif version == "001":
        problems.append(error("bic_missing", "version 001 requires the BIC"))
    if not name.strip():
        problems.append(error("name_missing", "the beneficiary's name is missing"))
    for label, value in (
        ("name", name),
        ("reference", reference),
        ("remittance", remittance),
        ("note", note),
    ):
        if len(value) > _LIMITS[label]:
            problems.append(
                error(
                    f"{label}_too_long",
                    f"{label} has {len(value)} characters, at most {_LIMITS[label]}",
                    limit=_LIMITS[label],
                )
            )
    problems += _iban_problems(iban)
    amount = _amount(amount_raw, problems)
    if purpose and not _PURPOSE.match(purpose):
        problems.append(error("purpose_invalid", "the purpose code is four capital letters or digits"))
    if reference and remittance:
        problems.append(error("reference_and_remittance", "a GiroCode has a reference OR a remittance text"))
    if reference:
        problems += _reference_problems(reference)
    codec = CHARSETS.get(charset, "utf-8")
    try:
        size = len(text.encode(codec))
    except UnicodeEncodeError:
        problems.append(
            error("charset_mismatch", f"the text has characters that character set {charset} cannot hold")
        )
        size = len(text.encode("utf-8"))
    if size > MAX_BYTES:
        problems.append(error("too_long", f"a GiroCode has at most {MAX_BYTES} bytes, this one {size}"))
    if problems:
        raise GiroCodeError(problems)
    return GiroCode(
        name=name, iban=iban, amount=amount, bic=bic, reference=reference, remittance=remittance,
        purpose=purpose, note=note, version=version, charset=charset,
    )  # fmt: skip


def _bic_problems(bic: str) -> list[Problem]:
    if not _BIC.match(bic):
        return [error("bic_invalid", "a BIC has 8 or 11 capital letters and digits")]
    from schwifty import BIC
    from schwifty.exceptions import SchwiftyException

    try:
        BIC(bic)
    except SchwiftyException as err:
        return [error("bic_invalid", f"the BIC is not valid ({err})")]
    return []


def _iban_problems(iban: str) -> list[Problem]:
    if not iban:
        return [error("iban_missing", "the IBAN is missing")]
    if iban != iban.strip().upper() or " " in iban:
        return [error("iban_invalid", "the IBAN must be written in capitals without spaces")]
    from schwifty import IBAN
    from schwifty.exceptions import SchwiftyException

    try:
        IBAN(iban)
    except SchwiftyException as err:
        return [error("iban_invalid", f"the IBAN is not valid ({err})")]
    return []


def _amount(raw: str, problems: list[Problem]) -> Decimal | None:
    if not raw:
        return None
    match = _AMOUNT.match(raw)
    if not match:
        problems.append(error("amount_invalid", "the amount is written as EUR12.34"))
        return None
    try:
        amount = Decimal(f"{match.group(1)}.{match.group(2) or '0'}").quantize(Decimal("0.01"))
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        problems.append(error("amount_invalid", "the amount is written as EUR12.34"))
        return None
    if not MIN_AMOUNT <= amount <= MAX_AMOUNT:
        problems.append(error("amount_out_of_range", f"the amount must be from {MIN_AMOUNT} to {MAX_AMOUNT}"))
        return None
    return amount


def _reference_problems(reference: str) -> list[Problem]:
    from stdnum import iso11649

    if not re.match(r"^RF\d\d[A-Za-z0-9]{1,21}$", reference):
        return [error("reference_invalid", "the structured reference is an ISO 11649 RF reference")]
    if not iso11649.is_valid(reference):
        return [error("reference_checksum", "the RF reference's check digits are wrong")]
    return []


def build_girocode(
    *,
    name: str,
    iban: str,
    amount: Decimal | None,
    bic: str = "",
    reference: str = "",
    remittance: str = "",
    purpose: str = "",
    note: str = "",
    version: str = "002",
    charset: str = "1",
    newline: str = "\n",
) -> str:
    """A valid GiroCode text; raises `GiroCodeError` if the data would not make one."""
    if newline not in ("\n", "\r\n"):
        raise ValueError("newline is LF or CRLF")
    amount_field = "" if amount is None else f"EUR{amount:.2f}"
    lines = [
        "BCD", version, charset, "SCT", bic, name, iban.replace(" ", "").upper(), amount_field, purpose,
        reference.replace(" ", "").upper(), remittance, note,
    ]  # fmt: skip
    while lines[-1] == "":
        lines.pop()
    text = newline.join(lines)
    parse_girocode(text)
    return text


def transfer_girocode(notice: Notice, *, newline: str = "\n") -> str:
    """The GiroCode for paying a notice by bank transfer: payee, IBAN, BIC, amount, and the RF reference
    or else "Kassenzeichen ..." as remittance, so that `compare_codes` finds it matching the notice."""
    return build_girocode(
        name=(notice.payee or notice.issuer)[:70],
        iban=notice.iban,
        bic=notice.bic or "",
        amount=notice.amount if notice.amount > 0 else None,
        reference=notice.rf_reference or "",
        remittance="" if notice.rf_reference else f"Kassenzeichen {notice.cash_reference}",
        newline=newline,
    )
