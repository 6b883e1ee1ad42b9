"""The signed notice code printed on the city's letters: its fields, encoding and envelope.

Layout (documented in docs/notice-code.md): `LZ1:` + Base45( zlib?( COSE_Sign1 ) ). The COSE_Sign1
structure (RFC 9052, CBOR tag 18) is `[protected, unprotected, payload, signature]`; the protected header
holds the algorithm (-8, EdDSA) and the key id, the payload is a CBOR map with small integer keys
(`FIELD_KEYS`), and the Ed25519 signature covers `["Signature1", protected, b"", payload]`. Dates are whole
days since 1970-01-01 and the amount is an integer number of cents, so nothing is lost or rounded.

`decode_notice` only decodes and checks the shape; whether the signature is trusted is `trust.verify`'s
question. Any malformed input raises `NoticeCodeError`, never another exception.
"""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

import cbor2

from leipzig_app.domain.errors import AppError
from leipzig_app.domain.notices.base45 import Base45Error, b45decode, b45encode
from leipzig_app.domain.notices.model import (
    MAX_AMOUNT,
    NOTICE_TYPES,
    TEXT_LIMITS,
    Authority,
    Notice,
    Remedy,
    notice_problems,
)

__all__ = [
    "MAX_AMOUNT",
    "NOTICE_TYPES",
    "PREFIX",
    "Authority",
    "Envelope",
    "Notice",
    "NoticeCodeError",
    "Remedy",
    "decode_notice",
    "encode_notice",
    "looks_like_notice_code",
    "notice_problems",
    "notice_to_map",
]

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

PREFIX = "LZ1:"
COSE_SIGN1_TAG = 18
ALG_EDDSA = -8
HEADER_ALG = 1
HEADER_KID = 4
#: The longest code text accepted before decoding (a QR code holds at most 4,296 alphanumeric characters).
MAX_TEXT = 4296
_MAX_INFLATED = 8192
_EPOCH = date(1970, 1, 1)
_KID = re.compile(r"^[A-Za-z0-9._-]{1,16}$")


_REMEDY_CODES = {Remedy.NONE: 0, Remedy.WIDERSPRUCH: 1, Remedy.EINSPRUCH: 2}
_REMEDY_BY_CODE = {v: k for k, v in _REMEDY_CODES.items()}


class NoticeCodeError(AppError):
    """A notice code that cannot be decoded or signed; `code` is the stable problem code."""

    key = "notices.error.code"

    def __init__(self, code: str, message: str):
        super().__init__(message, params={"code": code})
        self.code = code


#: CBOR map keys of the payload. Never reuse a number: old codes stay readable.
FIELD_KEYS: dict[str, int] = {
    "issuer": 1,
    "issuer_id": 2,
    "case_number": 3,
    "cash_reference": 4,
    "notice_date": 5,
    "posted_date": 6,
    "amount": 7,
    "currency": 8,
    "iban": 9,
    "bic": 10,
    "rf_reference": 11,
    "due_date": 12,
    "remedy": 13,
    "authority_name": 14,
    "authority_address": 15,
    "objection_url": 16,
    "notice_type": 17,
    "language": 18,
    "instructions_given": 19,
    "payee": 20,
}
_NAMES = {v: k for k, v in FIELD_KEYS.items()}
_REQUIRED = (
    "issuer",
    "case_number",
    "cash_reference",
    "notice_date",
    "posted_date",
    "amount",
    "iban",
    "due_date",
)


@dataclass(frozen=True)
class Envelope:
    """The decoded COSE_Sign1 structure; `signed_bytes` is what the signature covers."""

    protected: bytes
    payload: bytes
    signature: bytes
    alg: int
    kid: str
    compressed: bool = field(default=False)

    @property
    def signed_bytes(self) -> bytes:
        return sig_structure(self.protected, self.payload)


def sig_structure(protected: bytes, payload: bytes) -> bytes:
    """The COSE `Sig_structure` for Sign1 with empty external data (RFC 9052, section 4.4)."""
    return cbor2.dumps(["Signature1", protected, b"", payload])


# --- encoding -------------------------------------------------------------------------------------------


def notice_to_map(notice: Notice) -> dict[int, Any]:
    """The CBOR payload map; empty optional fields and default values are left out to keep the code small."""
    values: dict[str, Any] = {
        "issuer": notice.issuer,
        "issuer_id": notice.issuer_id or None,
        "case_number": notice.case_number,
        "cash_reference": notice.cash_reference,
        "notice_date": (notice.notice_date - _EPOCH).days,
        "posted_date": (notice.posted_date - _EPOCH).days,
        "amount": notice.amount_cents,
        # Defaults are left out: EUR, German, instructions given.
        "currency": notice.currency if notice.currency != "EUR" else None,
        "iban": notice.iban.replace(" ", "").upper(),
        "bic": notice.bic or None,
        "rf_reference": notice.rf_reference.replace(" ", "").upper() if notice.rf_reference else None,
        "due_date": (notice.due_date - _EPOCH).days,
        "remedy": _REMEDY_CODES[notice.remedy],
        # The authority is most often the issuer itself: its name is then left out to save space.
        "authority_name": notice.authority.name
        if notice.authority and notice.authority.name != notice.issuer
        else None,
        "authority_address": notice.authority.address if notice.authority else None,
        "objection_url": notice.objection_url or None,
        "notice_type": notice.notice_type,
        "language": notice.language if notice.language != "de" else None,
        "instructions_given": None if notice.instructions_given else False,
        "payee": notice.payee or None,
    }
    return {FIELD_KEYS[name]: value for name, value in values.items() if value is not None}


def encode_notice(
    notice: Notice, private_key: Ed25519PrivateKey, kid: str, *, compress: bool | None = None
) -> str:
    """Sign a notice and return the code text (`LZ1:...`, QR alphanumeric characters only).

    `compress=None` uses zlib only when it makes the code shorter. Raises `NoticeCodeError` with code
    "notice_invalid" when the notice breaks a rule of `notice_problems`, or "kid_invalid".
    """
    problems = notice_problems(notice)
    if problems:
        raise NoticeCodeError("notice_invalid", "cannot sign this notice: " + "; ".join(problems))
    if not _KID.match(kid):
        raise NoticeCodeError("kid_invalid", "a key id is 1 to 16 letters, digits, '.', '_' or '-'")
    protected = cbor2.dumps({HEADER_ALG: ALG_EDDSA, HEADER_KID: kid.encode("ascii")})
    payload = cbor2.dumps(notice_to_map(notice))
    signature = private_key.sign(sig_structure(protected, payload))
    raw = cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {}, payload, signature]))
    packed = zlib.compress(raw, 9)
    if compress or (compress is None and len(packed) < len(raw)):
        raw = packed
    return PREFIX + b45encode(raw)


# --- decoding -------------------------------------------------------------------------------------------


def looks_like_notice_code(text: str) -> bool:
    """True for text that claims to be a notice code of any version (`LZ<digits>:`)."""
    return re.match(r"^LZ\d+:", text) is not None


def decode_notice(text: str) -> tuple[Notice, Envelope]:
    """Decode a code text into its notice and envelope without judging trust.

    Raises `NoticeCodeError` (codes: "not_a_notice_code", "unsupported_version", "too_long",
    "encoding_invalid", "envelope_invalid", "payload_invalid") for anything that is not a well-formed code.
    """
    if not isinstance(text, str):
        raise NoticeCodeError("not_a_notice_code", "a notice code is text")
    if len(text) > MAX_TEXT:
        raise NoticeCodeError("too_long", f"a notice code has at most {MAX_TEXT} characters")
    if not looks_like_notice_code(text):
        raise NoticeCodeError("not_a_notice_code", f"a notice code starts with {PREFIX}")
    if not text.startswith(PREFIX):
        raise NoticeCodeError(
            "unsupported_version", f"this app reads notice codes of version {PREFIX[:-1]}; update the app"
        )
    try:
        raw = b45decode(text[len(PREFIX) :])
    except Base45Error as error:
        raise NoticeCodeError("encoding_invalid", f"the code's text is damaged: {error}") from None
    compressed = raw[:1] == b"\x78"
    if compressed:
        raw = _inflate(raw)
    envelope = _parse_envelope(raw, compressed)
    payload = _cbor(envelope.payload, "payload_invalid")
    return _notice_from_map(payload), envelope


#: zlib headers an encoder writes (CMF 0x78, FLG for the four compression levels, no preset dictionary).
_ZLIB_HEADERS = frozenset({b"\x78\x01", b"\x78\x5e", b"\x78\x9c", b"\x78\xda"})


def _inflate_exact(raw: bytes) -> bytes:
    try:
        inflater = zlib.decompressobj()
        out = inflater.decompress(raw, _MAX_INFLATED)
        if inflater.unconsumed_tail or not inflater.eof or inflater.unused_data:
            raise NoticeCodeError("encoding_invalid", "the code's compressed data is damaged or too large")
    except zlib.error:
        raise NoticeCodeError("encoding_invalid", "the code's compressed data is damaged") from None
    return out


def _inflate(raw: bytes) -> bytes:
    """Decompress, accepting only the one canonical form of the stream.

    A deflate stream ends in padding bits, and the zlib header has informational bits; neither is covered
    by the checksum or the signature. An encoder writes the padding as zeros and a standard header, so a
    code whose header is unusual, or whose last deflate byte has a set bit that can be cleared without
    changing the output, was altered after signing: refused, so that no changed character still verifies.
    """
    if len(raw) < 6 or raw[:2] not in _ZLIB_HEADERS:
        raise NoticeCodeError("encoding_invalid", "the code's compressed data is damaged")
    out = _inflate_exact(raw)
    last = len(raw) - 5  # the last deflate byte, before the 4-byte Adler-32 trailer
    for bit in range(7, -1, -1):
        if raw[last] & (1 << bit):
            cleared = raw[:last] + bytes([raw[last] & ~(1 << bit)]) + raw[last + 1 :]
            try:
                same = _inflate_exact(cleared) == out
            except NoticeCodeError:
                same = False
            if same:
                raise NoticeCodeError("encoding_invalid", "the code's compressed data was altered")
    return out


def _cbor(data: bytes, code: str) -> Any:
    """Strict CBOR: exactly one item, nothing after it."""
    stream = io.BytesIO(data)
    try:
        value = cbor2.CBORDecoder(stream).decode()
    except (cbor2.CBORError, ValueError, TypeError, OverflowError, RecursionError, LookupError, EOFError):
        raise NoticeCodeError(code, "the code's data is not valid CBOR") from None
    if stream.tell() != len(data):
        raise NoticeCodeError(code, "the code has extra data after its content")
    return value


def _parse_envelope(raw: bytes, compressed: bool) -> Envelope:
    item = _cbor(raw, "envelope_invalid")
    if not isinstance(item, cbor2.CBORTag) or item.tag != COSE_SIGN1_TAG:
        raise NoticeCodeError("envelope_invalid", "the code is not a COSE_Sign1 structure")
    value = item.value
    if not isinstance(value, (list, tuple)) or len(value) != 4:
        raise NoticeCodeError("envelope_invalid", "COSE_Sign1 has four parts")
    protected, unprotected, payload, signature = value
    if not all(isinstance(part, bytes) for part in (protected, payload, signature)):
        raise NoticeCodeError("envelope_invalid", "COSE_Sign1 parts have the wrong types")
    if not isinstance(unprotected, Mapping) or unprotected:
        # Nothing unsigned may travel with the notice: an unprotected header could be changed unnoticed.
        raise NoticeCodeError("envelope_invalid", "the unprotected header must be empty")
    header = _cbor(protected, "envelope_invalid")
    if not isinstance(header, Mapping) or set(header) != {HEADER_ALG, HEADER_KID}:
        raise NoticeCodeError("envelope_invalid", "the protected header holds exactly alg and kid")
    alg, kid = header[HEADER_ALG], header[HEADER_KID]
    if alg != ALG_EDDSA or isinstance(alg, bool):
        raise NoticeCodeError("envelope_invalid", f"unsupported signature algorithm {alg!r} (expected EdDSA)")
    if not isinstance(kid, bytes) or not _KID.match(kid.decode("ascii", "replace")):
        raise NoticeCodeError("envelope_invalid", "the key id is malformed")
    if len(signature) != 64:
        raise NoticeCodeError("envelope_invalid", "an Ed25519 signature has 64 bytes")
    return Envelope(protected, payload, signature, alg, kid.decode("ascii"), compressed)


def _notice_from_map(data: Any) -> Notice:
    if not isinstance(data, Mapping) or not all(type(k) is int for k in data):
        raise NoticeCodeError("payload_invalid", "the payload is a map with number keys")
    unknown = [k for k in data if k not in _NAMES]
    if unknown:
        raise NoticeCodeError("payload_invalid", f"the payload has unknown fields {sorted(unknown)}")
    v = {_NAMES[k]: value for k, value in data.items()}
    missing = [name for name in _REQUIRED if name not in v]
    if missing:
        raise NoticeCodeError("payload_invalid", f"the payload lacks {', '.join(missing)}")
    for name, limit in TEXT_LIMITS.items():
        if name in v and (not isinstance(v[name], str) or len(v[name]) > limit):
            raise NoticeCodeError("payload_invalid", f"field {name} must be a text of at most {limit}")
    for name in ("notice_date", "posted_date", "due_date", "amount", "remedy"):
        if type(v.get(name, 0)) is not int:
            raise NoticeCodeError("payload_invalid", f"field {name} must be a whole number")
    if "instructions_given" in v and not isinstance(v["instructions_given"], bool):
        raise NoticeCodeError("payload_invalid", "field instructions_given must be true or false")
    if v.get("currency", "EUR") != "EUR":
        # Notices are paid by SEPA transfer, in euros (the encoder signs nothing else): an amount in
        # another currency would be shown, paid and compared as euros.
        raise NoticeCodeError("payload_invalid", "field currency must be EUR")
    remedy = _REMEDY_BY_CODE.get(v.get("remedy", 0))
    if remedy is None:
        raise NoticeCodeError("payload_invalid", "field remedy must be 0, 1 or 2")
    try:
        amount = (Decimal(v["amount"]) / 100).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise NoticeCodeError("payload_invalid", "field amount is out of range") from None
    if not 0 <= amount <= MAX_AMOUNT:
        raise NoticeCodeError("payload_invalid", "field amount is out of range")
    authority = None
    if "authority_name" in v or "authority_address" in v:
        authority = Authority(v.get("authority_name", v["issuer"]), v.get("authority_address", ""))
    return Notice(
        issuer=v["issuer"],
        issuer_id=v.get("issuer_id", ""),
        case_number=v["case_number"],
        cash_reference=v["cash_reference"],
        notice_date=_day(v["notice_date"], "notice_date"),
        posted_date=_day(v["posted_date"], "posted_date"),
        amount=amount,
        currency=v.get("currency", "EUR"),
        iban=v["iban"],
        bic=v.get("bic"),
        rf_reference=v.get("rf_reference"),
        due_date=_day(v["due_date"], "due_date"),
        remedy=remedy,
        authority=authority,
        objection_url=v.get("objection_url"),
        notice_type=v.get("notice_type", "other"),
        language=v.get("language", "de"),
        instructions_given=v.get("instructions_given", True),
        payee=v.get("payee", ""),
    )


def _day(days: int, name: str) -> date:
    try:
        return _EPOCH + timedelta(days=days)
    except OverflowError:
        raise NoticeCodeError("payload_invalid", f"field {name} is not a valid date") from None
