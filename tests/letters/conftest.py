"""Fixtures for the letters tests: demo letters signed with the demo city's key, and the letters service
wired to the real demo city (payment page, status endpoint) and a real SQLite file."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from leipzig_app.adapters.calendar_export import IcsReminderCalendar
from leipzig_app.adapters.keylist import KeyListStore
from leipzig_app.adapters.letters_store import SqliteLettersStore
from leipzig_app.adapters.objection_pdf import ObjectionLetterPdf
from leipzig_app.adapters.payments import PaymentStatusClient
from leipzig_app.adapters.profiles import load_profile
from leipzig_app.adapters.sqlite_store import Database
from leipzig_app.domain.notices.code import Authority, Notice, Remedy, encode_notice
from leipzig_app.domain.notices.girocode import build_girocode
from leipzig_app.domain.notices.trust import KeyList
from leipzig_app.domain.profile import CityProfile
from leipzig_app.sandbox.notices import demo_key
from leipzig_app.sandbox.server import SandboxServer
from leipzig_app.services.notices import NoticesService

CITY_IBAN = "DE20860555921090000004"
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
TODAY = date(2026, 11, 23)


def demo_notice(**changes: Any) -> Notice:
    values: dict[str, Any] = {
        "issuer": "Stadt Leipzig (DEMO), Ordnungsamt",
        "issuer_id": "14713000",
        "case_number": "32.21-2026-0481516",
        "cash_reference": "5.0123.456789.3",
        "notice_date": date(2026, 11, 10),
        "posted_date": date(2026, 11, 11),
        "amount": Decimal("123.45"),
        "iban": CITY_IBAN,
        "rf_reference": "RF18539007547034",
        "due_date": date(2026, 12, 15),
        "payee": "Stadtkasse Leipzig",
        "remedy": Remedy.WIDERSPRUCH,
        "authority": Authority("Stadt Leipzig (DEMO), Ordnungsamt", "Otto-Schill-Straße 2, 04109 Leipzig"),
        "objection_url": None,
        "notice_type": "fee",
    }
    values.update(changes)
    return Notice(**values)


def sign(notice: Notice, key: str = "current") -> str:
    demo = demo_key(key)
    return encode_notice(notice, demo.private_key(), demo.kid)


def sign_with_stranger(notice: Notice) -> str:
    """Signed with a fresh key that claims the demo key's id: a forgery."""
    return encode_notice(notice, Ed25519PrivateKey.generate(), demo_key("current").kid)


def girocode_for(notice: Notice, **changes: Any) -> str:
    values: dict[str, Any] = {
        "name": notice.payee,
        "iban": notice.iban,
        "amount": notice.amount,
        "reference": notice.rf_reference or "",
    }
    values.update(changes)
    return build_girocode(**values)


@pytest.fixture(scope="module")
def city_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxServer]:
    """One demo city for a test module (starting one takes about a second); payments reset per test."""
    server = SandboxServer(tmp_path_factory.mktemp("letters-city"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def city_profile(city_server: SandboxServer) -> CityProfile:
    return load_profile().bind_sandbox(city_server.base_url)


@pytest.fixture
async def city(city_profile: CityProfile, city_server: SandboxServer, http: httpx.AsyncClient) -> CityProfile:
    """The Leipzig demo profile bound to the module's demo city, with no payment left from other tests."""
    response = await http.post(city_server.base_url + "/demo/payments/reset")
    assert response.status_code == 200
    return city_profile


@pytest.fixture
def make_service(
    city: CityProfile, db: Database, http: httpx.AsyncClient, tmp_path: Path
) -> Callable[..., NoticesService]:
    """`make_service(now=..., profile=...)`: the letters service on the real demo city."""

    def factory(*, now: datetime = NOW, profile: CityProfile | None = None) -> NoticesService:
        profile = profile or city
        cache = KeyListStore(tmp_path / "keys")
        url, signers = profile.notices.key_list_url, profile.notices.key_list_signers

        async def refresh(today: date) -> KeyList | None:
            assert url is not None
            return (await cache.refresh(http, url, signers, today)).key_list

        assert profile.payments.status_url is not None
        return NoticesService(
            profile,
            SqliteLettersStore(db),
            calendar=IcsReminderCalendar(profile.timezone),
            renderer=ObjectionLetterPdf(compress=False),
            payments=PaymentStatusClient(http, profile.payments.status_url),
            trust=refresh,
            clock=lambda: now,
        )

    return factory


@pytest.fixture
def service(make_service: Callable[..., NoticesService]) -> NoticesService:
    return make_service()


async def press(http: httpx.AsyncClient, url: str, button: str) -> httpx.Response:
    """What a resident's browser does on the payment page: load it, then press one of its buttons."""
    page = await http.get(url)
    assert page.status_code == 200, page.text
    params = dict(httpx.URL(url).params)
    form = {
        "kassenzeichen": params["kassenzeichen"],
        "betrag": params["betrag"],
        "return_url": params.get("return_url", ""),
        "action": button,
    }
    return await http.post(str(httpx.URL(url).copy_with(query=None)), data=form)
