"""The demo city's notice endpoints over real HTTP, and the key-list adapter's fetch-validate-cache cycle."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from leipzig_app.adapters.http import make_client
from leipzig_app.adapters.keylist import KeyListStore
from leipzig_app.domain.errors import OfflineError, ServerError
from leipzig_app.domain.notices.trust import KeyListError, Revocation, sign_key_list
from leipzig_app.sandbox import server as sandbox_server
from leipzig_app.sandbox.notices import demo_key, key_list_document, load_demo_keys

TODAY = date(2026, 11, 23)


@pytest.fixture
def notices_city(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A demo city serving the notices module (alone, so the test does not depend on the others)."""
    monkeypatch.setattr(sandbox_server, "MODULES", ("notices",))
    city = sandbox_server.SandboxServer(tmp_path / "city")
    city.start()
    try:
        yield city.base_url
    finally:
        city.stop()


def signers() -> list[Any]:
    return [demo_key("list-signer").public]


async def test_refresh_from_the_demo_city_caches_rotation_and_revocation(
    notices_city: str, tmp_path: Path
) -> None:
    store = KeyListStore(tmp_path / "cache")
    async with make_client() as client:
        result = await store.refresh(client, f"{notices_city}/notices/keys.json", signers(), TODAY)
    assert result.error is None
    assert result.source == "network"
    assert result.key_list is not None
    assert {k.kid for k in result.key_list.keys} == {"demo-2025", "demo-2030"}
    assert result.key_list.revoked_kids == {"demo-2024"}
    assert store.cache_path.is_file()
    assert store.load(signers(), TODAY) == result.key_list


async def test_objection_form_names_the_identification_it_requires(notices_city: str) -> None:
    async with make_client() as client:
        response = await client.get(
            f"{notices_city}/notices/objection-form", params={"case": "<b>32.21-1</b>"}
        )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "BundID" in response.text
    assert "eID" in response.text
    assert "&lt;b&gt;32.21-1&lt;/b&gt;" in response.text
    assert "<b>32.21-1</b>" not in response.text


async def test_a_failed_fetch_keeps_the_cached_list(notices_city: str, tmp_path: Path) -> None:
    store = KeyListStore(tmp_path / "cache")
    async with make_client() as client:
        first = await store.refresh(client, f"{notices_city}/notices/keys.json", signers(), TODAY)
        missing = await store.refresh(client, f"{notices_city}/notices/nothing.json", signers(), TODAY)
    assert isinstance(missing.error, ServerError)
    assert missing.source == "cache"
    assert missing.key_list == first.key_list

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    async with make_client(transport=httpx.MockTransport(refuse)) as offline:
        result = await store.refresh(offline, "http://127.0.0.1:9/notices/keys.json", signers(), TODAY)
    assert isinstance(result.error, OfflineError)
    assert result.key_list == first.key_list


def _serve(document: Any) -> httpx.AsyncClient:
    body = document if isinstance(document, bytes) else json.dumps(document).encode()
    return make_client(transport=httpx.MockTransport(lambda request: httpx.Response(200, content=body)))


async def test_bad_lists_never_replace_a_good_one(tmp_path: Path) -> None:
    store = KeyListStore(tmp_path / "cache")
    url = "http://127.0.0.1:9/keys.json"
    async with _serve(key_list_document()) as client:
        good = await store.refresh(client, url, signers(), TODAY)
    assert good.source == "network"

    forged = dict(key_list_document())
    forged["signature"] = key_list_document()["signature"][:-4] + "AAA="
    signer = demo_key("list-signer")
    older = sign_key_list(
        issuer="x",
        sequence=1,
        issued_at=TODAY,
        keys=[],
        revoked=[Revocation("demo-2025")],
        signer_kid=signer.kid,
        signer_key=signer.private_key(),
    )
    huge = b" " * 1_000_001
    cases = ((forged, "signature_invalid"), (older, "rollback"), (huge, "too_large"), (b"<html>", None))
    for document, code in cases:
        async with _serve(document) as client:
            result = await store.refresh(client, url, signers(), TODAY)
        assert result.source == "cache"
        assert result.key_list == good.key_list
        assert result.error is not None
        if code:
            assert isinstance(result.error, KeyListError)
            assert result.error.code == code


async def test_no_cache_and_no_network_gives_no_list(tmp_path: Path) -> None:
    store = KeyListStore(tmp_path / "never-written")
    async with _serve(b"not json") as client:
        result = await store.refresh(client, "http://127.0.0.1:9/keys.json", signers(), TODAY)
    assert result.key_list is None
    assert result.source == "none"
    assert result.error is not None


def test_a_changed_cache_file_is_refused(tmp_path: Path) -> None:
    store = KeyListStore(tmp_path)
    document = key_list_document()
    store.cache_path.write_text(json.dumps(document), encoding="utf-8")
    assert store.load(signers(), TODAY) is not None
    payload = json.loads(base64.b64decode(document["payload"]))
    payload["revoked"] = []
    document["payload"] = base64.b64encode(json.dumps(payload).encode()).decode()
    store.cache_path.write_text(json.dumps(document), encoding="utf-8")
    assert store.load(signers(), TODAY) is None
    store.cache_path.write_text("{broken", encoding="utf-8")
    assert store.load(signers(), TODAY) is None


def test_demo_keys_are_all_marked_demo_and_fit_their_roles() -> None:
    keys = load_demo_keys()
    assert all(k.public.demo for k in keys)
    assert {k.role for k in keys} == {"current", "next", "revoked", "list-signer"}
    current = demo_key("current")
    assert current.public.valid_on(TODAY)
    # the private half belongs to the public key the profile trusts
    signature = current.private_key().sign(b"check")
    assert current.public.verifies(signature, b"check")


def test_the_shipped_profile_trusts_exactly_the_current_demo_keys() -> None:
    from leipzig_app.adapters.profiles import load_profile

    profile = load_profile("leipzig")
    assert profile.demo
    assert profile.notices.trusted_keys == (demo_key("current").public,)
    assert profile.notices.key_list_signers == (demo_key("list-signer").public,)
    assert profile.notices.key_list_url == "{sandbox}/notices/keys.json"


async def test_profile_bound_to_the_demo_city_learns_rotation_and_revocation(
    notices_city: str, tmp_path: Path
) -> None:
    from leipzig_app.adapters.profiles import load_profile
    from leipzig_app.domain.notices.code import Authority, Notice, Remedy, encode_notice
    from leipzig_app.domain.notices.inspect import context_from_profile, inspect_payload

    profile = load_profile("leipzig").bind_sandbox(notices_city)
    assert profile.notices.key_list_url == f"{notices_city}/notices/keys.json"
    store = KeyListStore(tmp_path / "cache")
    async with make_client() as client:
        refreshed = await store.refresh(
            client, profile.notices.key_list_url, profile.notices.key_list_signers, TODAY
        )
    notice = Notice(
        issuer="Stadt Leipzig (DEMO)",
        case_number="A-1",
        cash_reference="5.1",
        notice_date=TODAY,
        posted_date=TODAY,
        amount=Decimal("10.00"),
        iban="DE20860555921090000004",
        due_date=date(2026, 12, 31),
        remedy=Remedy.WIDERSPRUCH,
        authority=Authority("Amt", "Str. 1"),
    )

    def judge(role: str, key_list: Any) -> list[str]:
        key = demo_key(role)
        context = context_from_profile(profile, key_list, today=TODAY)
        return [
            p.code
            for p in inspect_payload(encode_notice(notice, key.private_key(), key.kid), context).problems
        ]

    assert judge("revoked", None) == ["unknown_key"]
    assert judge("revoked", refreshed.key_list) == ["key_revoked"]
    assert judge("next", None) == ["unknown_key"]
    assert judge("next", refreshed.key_list) == ["key_not_yet_valid"]  # rotation: known before its first use
    assert judge("current", refreshed.key_list) == ["demo_key"]
