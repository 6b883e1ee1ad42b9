"""Which keys may sign notices, the city's signed key list, and the verdict on a decoded notice code.

Trust starts in the city profile: `[[notices.trusted_keys]]` (notice-signing keys) and
`[[notices.key_list_signers]]` (keys that may sign the published key list). The city also publishes a key
list (JSON, `key_list_document` shape below) with new keys for rotation and a revocation list; a list is
accepted only when a list signer of the profile signed it (`validate_key_list`) and it is merged with the
profile's keys by `merge_trust`. Fetching and caching the list is I/O and lives in `adapters/keylist.py`.

A notice is "verified" only when its Ed25519 signature checks against a trusted key that was valid on the
notice date, has begun its validity by today, and is not revoked (`verify`).

Key-list document (all JSON):
    {"payload": base64(UTF-8 JSON of {"version": 1, "issuer", "sequence", "issued_at", "keys": [...],
                                      "revoked": [{"kid", "revoked_on", "reason"}]}),
     "signer": kid of the list-signing key, "signature": base64(Ed25519 signature over the payload bytes)}
Each entry of "keys" has the fields of a profile key (see `parse_trusted_key`), dates as "YYYY-MM-DD".
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from leipzig_app.domain.errors import AppError
from leipzig_app.domain.notices.code import Envelope, Notice
from leipzig_app.domain.notices.problems import Problem, error, warning

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

ALGORITHM = "Ed25519"
_KID = re.compile(r"^[A-Za-z0-9._-]{1,16}$")
KEY_LIST_VERSION = 1

#: SHA-256 fingerprints (`key_fingerprint`) of the public keys of the demo city's keys, the notice keys
#: and the key-list signer of `sandbox/data/demo_keys.json` (made by `scripts/make_demo_notice_keys.py`,
#: which prints these lines). Their private halves are public in this repository, so a key is a demo key
#: when its public key is one of these, whatever its `demo` flag says: a copied profile or a key list that
#: drops the flag cannot make a real city trust it.
DEMO_KEY_FINGERPRINTS: frozenset[str] = frozenset(
    {
        "99bcf86f7ff4742a528268a5e91fa1d86b2a0ce3ceb42cd719a151b5e3be7f90",  # demo-2025 (current)
        "daa78f0a5a7475e2b8000a1a3fe033c2933785cfd3911dd92cc66af6435ae80b",  # demo-2030 (next)
        "271d191924692d0f28e3caddb1e49321d7f123a698b210c51fb9de344dca8982",  # demo-2024 (revoked)
        "21e98d77112a45e4bab38f31dcaf882cc941e112b1baa065a76a64c332f58821",  # demo-list-1 (list signer)
    }
)


def key_fingerprint(public_key: bytes) -> str:
    """The SHA-256 of a raw public key, in hex."""
    return hashlib.sha256(public_key).hexdigest()


def is_demo_public_key(public_key: bytes) -> bool:
    """True for the public key of one of the demo city's keys (`DEMO_KEY_FINGERPRINTS`)."""
    return key_fingerprint(public_key) in DEMO_KEY_FINGERPRINTS


@dataclass(frozen=True)
class TrustedKey:
    """A public key allowed to sign notices (or key lists), with its validity period."""

    kid: str
    algorithm: str
    public_key: bytes
    valid_from: date
    valid_until: date | None = None
    #: True for the demo city's keys. A key whose public key is a known demo key is one even when it was
    #: described with `demo = false` (see `DEMO_KEY_FINGERPRINTS`).
    demo: bool = False

    def __post_init__(self) -> None:
        if not self.demo and is_demo_public_key(self.public_key):
            object.__setattr__(self, "demo", True)

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)

    def verifies(self, signature: bytes, data: bytes) -> bool:
        """True when `signature` is this key's Ed25519 signature over `data`."""
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, data)
        except (InvalidSignature, ValueError):
            return False
        return True

    def as_dict(self) -> dict[str, Any]:
        """The TOML/JSON shape `parse_trusted_key` reads back."""
        out: dict[str, Any] = {
            "kid": self.kid,
            "algorithm": self.algorithm,
            "public_key": base64.b64encode(self.public_key).decode("ascii"),
            "valid_from": self.valid_from.isoformat(),
            "demo": self.demo,
        }
        if self.valid_until is not None:
            out["valid_until"] = self.valid_until.isoformat()
        return out


class KeyFieldError(ValueError):
    """A key description with a wrong field; the text names the field and what was expected."""

    def __init__(self, where: str, name: str, expected: str):
        super().__init__(f"{where}.{name}: expected {expected}" if where else f"{name}: expected {expected}")
        self.field = name
        self.expected = expected


def parse_trusted_key(data: Mapping[str, Any], where: str) -> TrustedKey:
    """Turn a TOML table or JSON object into a `TrustedKey`; raises `KeyFieldError` (a ValueError).

    Fields: kid (1-16 of A-Z a-z 0-9 . _ -), algorithm ("Ed25519"), public_key (base64 of the raw 32
    bytes), valid_from (date), valid_until (date, optional), demo (bool, optional, default false).
    Dates may be TOML dates or "YYYY-MM-DD" texts.
    """
    if not isinstance(data, Mapping):
        raise KeyFieldError(where, "(table)", "a table with kid, algorithm, public_key and valid_from")
    kid = data.get("kid")
    if not isinstance(kid, str) or not _KID.match(kid):
        raise KeyFieldError(where, "kid", "1 to 16 letters, digits, '.', '_' or '-'")
    if data.get("algorithm") != ALGORITHM:
        raise KeyFieldError(where, "algorithm", f'"{ALGORITHM}" (the only algorithm notice codes use)')
    raw = data.get("public_key")
    try:
        public_key = base64.b64decode(raw, validate=True) if isinstance(raw, str) else b""
    except (binascii.Error, ValueError):
        public_key = b""
    if len(public_key) != 32:
        raise KeyFieldError(where, "public_key", "base64 of the 32 raw bytes of an Ed25519 public key")
    valid_from = _date(data.get("valid_from"), where, "valid_from")
    if valid_from is None:
        raise KeyFieldError(where, "valid_from", "a date such as 2026-01-01 (missing)")
    valid_until = _date(data.get("valid_until"), where, "valid_until")
    if valid_until is not None and valid_until < valid_from:
        raise KeyFieldError(where, "valid_until", "a date on or after valid_from")
    demo = data.get("demo", False)
    if not isinstance(demo, bool):
        raise KeyFieldError(where, "demo", "true or false")
    return TrustedKey(kid, ALGORITHM, public_key, valid_from, valid_until, demo)


def _date(value: Any, where: str, name: str) -> date | None:
    if value is None or (isinstance(value, date) and not hasattr(value, "hour")):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise KeyFieldError(where, name, "a date such as 2026-01-01")


# --- the signed key list ---------------------------------------------------------------------------------


class KeyListError(AppError):
    """A fetched key list that must not be used; `code` says why (stable, for logs and the UI)."""

    key = "notices.error.key_list"

    def __init__(self, code: str, message: str):
        super().__init__(message, params={"code": code})
        self.code = code


@dataclass(frozen=True)
class Revocation:
    kid: str
    revoked_on: date | None = None
    reason: str = ""


@dataclass(frozen=True)
class KeyList:
    """A key list whose signature was checked."""

    issuer: str
    sequence: int
    issued_at: date
    signer: str
    keys: tuple[TrustedKey, ...]
    revoked: tuple[Revocation, ...] = ()

    @property
    def revoked_kids(self) -> frozenset[str]:
        return frozenset(r.kid for r in self.revoked)


def sign_key_list(
    *,
    issuer: str,
    sequence: int,
    issued_at: date,
    keys: Iterable[TrustedKey],
    revoked: Iterable[Revocation],
    signer_kid: str,
    signer_key: Ed25519PrivateKey,
) -> dict[str, str]:
    """The JSON document a city publishes (the demo city serves one)."""
    body = {
        "version": KEY_LIST_VERSION,
        "issuer": issuer,
        "sequence": sequence,
        "issued_at": issued_at.isoformat(),
        "keys": [k.as_dict() for k in keys],
        "revoked": [
            {
                "kid": r.kid,
                "revoked_on": r.revoked_on.isoformat() if r.revoked_on else None,
                "reason": r.reason,
            }
            for r in revoked
        ],
    }
    payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return {
        "payload": base64.b64encode(payload).decode("ascii"),
        "signer": signer_kid,
        "signature": base64.b64encode(signer_key.sign(payload)).decode("ascii"),
    }


def validate_key_list(document: Any, signers: Iterable[TrustedKey], today: date) -> KeyList:
    """Check a fetched key-list document against the profile's list signers; raises `KeyListError`.

    The signer must be one of `signers`, valid today, and its signature must cover the payload bytes.
    """
    if not isinstance(document, Mapping):
        raise KeyListError("malformed", "a key list is a JSON object with payload, signer and signature")
    signer_kid, payload_b64, signature_b64 = (document.get(k) for k in ("signer", "payload", "signature"))
    if not all(isinstance(v, str) for v in (signer_kid, payload_b64, signature_b64)):
        raise KeyListError("malformed", "a key list has the texts payload, signer and signature")
    signer = next((k for k in signers if k.kid == signer_kid), None)
    if signer is None:
        raise KeyListError(
            "unknown_signer", f"the key list is signed by {signer_kid!r}, not a trusted signer"
        )
    if not signer.valid_on(today):
        raise KeyListError("signer_expired", f"the key list's signing key {signer_kid!r} is not valid today")
    try:
        payload = base64.b64decode(str(payload_b64), validate=True)
        signature = base64.b64decode(str(signature_b64), validate=True)
    except (binascii.Error, ValueError):
        raise KeyListError("malformed", "the key list's payload or signature is not base64") from None
    if not signer.verifies(signature, payload):
        raise KeyListError("signature_invalid", "the key list's signature does not check")
    try:
        body = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise KeyListError("malformed", "the key list's payload is not JSON") from None
    return _key_list_from_body(body, str(signer_kid))


def _key_list_from_body(body: Any, signer: str) -> KeyList:
    if not isinstance(body, dict) or body.get("version") != KEY_LIST_VERSION:
        raise KeyListError("unsupported_version", f"this app reads key lists of version {KEY_LIST_VERSION}")
    sequence, issuer = body.get("sequence"), body.get("issuer")
    if type(sequence) is not int or sequence < 0 or not isinstance(issuer, str):
        raise KeyListError("malformed", "a key list has an issuer and a non-negative whole sequence number")
    keys_raw, revoked_raw = body.get("keys"), body.get("revoked", [])
    if not isinstance(keys_raw, list) or not isinstance(revoked_raw, list):
        raise KeyListError("malformed", "keys and revoked are lists")
    try:
        issued_at = date.fromisoformat(str(body.get("issued_at")))
        keys = tuple(parse_trusted_key(item, f"keys[{i}]") for i, item in enumerate(keys_raw))
    except ValueError as err:
        raise KeyListError("malformed", f"key list: {err}") from None
    revoked = []
    for i, item in enumerate(revoked_raw):
        if not isinstance(item, dict) or not isinstance(item.get("kid"), str):
            raise KeyListError("malformed", f"key list: revoked[{i}] needs a kid")
        on = item.get("revoked_on")
        try:
            revoked_on = date.fromisoformat(on) if isinstance(on, str) else None
        except ValueError:
            raise KeyListError("malformed", f"key list: revoked[{i}].revoked_on is not a date") from None
        revoked.append(Revocation(item["kid"], revoked_on, str(item.get("reason") or "")))
    return KeyList(issuer, sequence, issued_at, signer, keys, tuple(revoked))


@dataclass(frozen=True)
class TrustSet:
    """The keys a verification may use and the key ids it must refuse."""

    keys: tuple[TrustedKey, ...] = ()
    revoked: frozenset[str] = field(default_factory=frozenset)


def merge_trust(
    profile_keys: Iterable[TrustedKey], key_list: KeyList | None, *, allow_demo: bool
) -> TrustSet:
    """The profile's keys plus the list's new keys, minus nothing: revoked ids are kept to refuse them.

    A profile key wins over a list key with the same kid (the profile is the root of trust). Demo keys
    (flagged, or recognised by their public key) are dropped unless `allow_demo` (a demo profile): a real
    city never trusts a demo key.
    """
    keys = {k.kid: k for k in profile_keys if allow_demo or not k.demo}
    revoked: frozenset[str] = frozenset()
    if key_list is not None:
        for key in key_list.keys:
            if (allow_demo or not key.demo) and key.kid not in keys:
                keys[key.kid] = key
        revoked = key_list.revoked_kids
    return TrustSet(tuple(keys.values()), revoked)


# --- the verdict -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    verified: bool
    problems: tuple[Problem, ...]
    key: TrustedKey | None = None


def verify(
    notice: Notice,
    envelope: Envelope,
    keys: Iterable[TrustedKey],
    revoked: Collection[str],
    today: date,
) -> Verification:
    """Judge a decoded notice. Problem codes: unknown_key, key_revoked, signature_invalid, key_expired,
    key_not_yet_valid, notice_date_in_future (errors) and demo_key (a warning on a verified demo code).
    """
    kid = envelope.kid
    key = next((k for k in keys if k.kid == kid), None)
    if kid in revoked:
        return Verification(
            False, (error("key_revoked", f"the signing key {kid!r} was revoked", kid=kid),), key
        )
    if key is None:
        return Verification(
            False, (error("unknown_key", f"the code is signed with an unknown key {kid!r}", kid=kid),)
        )
    if not key.verifies(envelope.signature, envelope.signed_bytes):
        return Verification(
            False,
            (error("signature_invalid", "the signature does not match: the code was changed or forged"),),
            key,
        )
    problems: list[Problem] = []
    if notice.notice_date > today:
        problems.append(
            error("notice_date_in_future", "the notice is dated in the future", date=notice.notice_date)
        )
    if key.valid_until is not None and notice.notice_date > key.valid_until:
        problems.append(
            error(
                "key_expired",
                f"the key {kid!r} expired before the notice date",
                kid=kid,
                valid_until=key.valid_until.isoformat(),
            )
        )
    if notice.notice_date < key.valid_from or today < key.valid_from:
        problems.append(
            error(
                "key_not_yet_valid",
                f"the key {kid!r} was not yet valid",
                kid=kid,
                valid_from=key.valid_from.isoformat(),
            )
        )
    if problems:
        return Verification(False, tuple(problems), key)
    if key.demo:
        return Verification(
            True, (warning("demo_key", "signed with the demo city's key: demo data, not a real notice"),), key
        )
    return Verification(True, (), key)
