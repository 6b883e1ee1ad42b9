"""Shared fixtures for the notice tests: fresh keys, a realistic notice and a matching trust context."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from leipzig_app.domain.notices.code import Authority, Notice, Remedy
from leipzig_app.domain.notices.inspect import InspectionContext
from leipzig_app.domain.notices.trust import TrustedKey

CITY_IBAN = "DE20860555921090000004"
TODAY = date(2026, 11, 23)


def public_of(private: Ed25519PrivateKey, kid: str, **kwargs: object) -> TrustedKey:
    raw = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    params: dict[str, object] = {"valid_from": date(2025, 1, 1), "valid_until": None, "demo": False}
    params.update(kwargs)
    return TrustedKey(kid, "Ed25519", raw, **params)  # type: ignore[arg-type]


def realistic_notice(**changes: object) -> Notice:
    values: dict[str, object] = {
        "issuer": "Stadt Leipzig, Ordnungsamt",
        "issuer_id": "14713000",
        "case_number": "32.21-2026-0481516",
        "cash_reference": "5.0123.456789.3",
        "notice_date": date(2026, 11, 10),
        "posted_date": date(2026, 11, 11),
        "amount": Decimal("123.45"),
        "iban": CITY_IBAN,
        # SEPA transfers need no BIC (GiroCode 002 leaves it out), so a real notice would not print it.
        "bic": None,
        "rf_reference": "RF18539007547034",
        "due_date": date(2026, 12, 15),
        "payee": "Stadtkasse Leipzig",
        "remedy": Remedy.WIDERSPRUCH,
        "authority": Authority("Stadt Leipzig, Ordnungsamt", "Otto-Schill-Straße 2, 04109 Leipzig"),
        "objection_url": "https://formulare.leipzig.de/widerspruch",
        "notice_type": "fee",
        "language": "de",
        "instructions_given": True,
    }
    values.update(changes)
    return Notice(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def signing_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="session")
def trusted(signing_key: Ed25519PrivateKey) -> TrustedKey:
    return public_of(signing_key, "lej-2026")


@pytest.fixture
def context(trusted: TrustedKey) -> InspectionContext:
    return InspectionContext(
        trusted_keys=(trusted,),
        official_ibans=frozenset({CITY_IBAN}),
        allowed_domains=("leipzig.de", "127.0.0.1"),
        today=TODAY,
    )


@pytest.fixture
def make_notice() -> object:
    """The realistic notice factory: `make_notice(amount=Decimal("5.00"), ...)`."""
    return realistic_notice


@pytest.fixture
def make_public() -> object:
    """`make_public(private_key, kid, valid_until=..., demo=...)` -> TrustedKey."""
    return public_of
