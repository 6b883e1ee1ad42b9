"""Trust: profile keys, the signed key list with rotation and revocation, and the verdict on a code."""

from __future__ import annotations

import base64
import json
from datetime import date
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from leipzig_app.domain.notices.code import decode_notice, encode_notice
from leipzig_app.domain.notices.trust import (
    KeyFieldError,
    KeyListError,
    Revocation,
    merge_trust,
    parse_trusted_key,
    sign_key_list,
    validate_key_list,
    verify,
)

TODAY = date(2026, 11, 23)


def _verdict(text: str, keys: Any, revoked: Any = (), today: date = TODAY) -> Any:
    notice, envelope = decode_notice(text)
    return verify(notice, envelope, keys, frozenset(revoked), today)


def _codes(result: Any) -> list[str]:
    return [p.code for p in result.problems]


def test_a_signature_from_a_trusted_valid_key_verifies(
    signing_key: Any, trusted: Any, make_notice: Any
) -> None:
    result = _verdict(encode_notice(make_notice(), signing_key, trusted.kid), [trusted])
    assert result.verified
    assert result.problems == ()
    assert result.key == trusted


def test_wrong_key_under_a_trusted_kid_is_a_forgery(trusted: Any, make_notice: Any) -> None:
    forger = Ed25519PrivateKey.generate()
    result = _verdict(encode_notice(make_notice(), forger, trusted.kid), [trusted])
    assert not result.verified
    assert _codes(result) == ["signature_invalid"]


def test_unknown_kid(signing_key: Any, trusted: Any, make_notice: Any) -> None:
    result = _verdict(encode_notice(make_notice(), signing_key, "other"), [trusted])
    assert not result.verified
    assert _codes(result) == ["unknown_key"]


def test_revoked_key_never_verifies(signing_key: Any, trusted: Any, make_notice: Any) -> None:
    result = _verdict(
        encode_notice(make_notice(), signing_key, trusted.kid), [trusted], revoked=[trusted.kid]
    )
    assert not result.verified
    assert _codes(result) == ["key_revoked"]


def test_expired_and_not_yet_valid_keys(signing_key: Any, make_public: Any, make_notice: Any) -> None:
    expired = make_public(signing_key, "old", valid_until=date(2026, 6, 30))
    result = _verdict(encode_notice(make_notice(), signing_key, "old"), [expired])
    assert not result.verified
    assert _codes(result) == ["key_expired"]
    # a notice dated while the key was valid still verifies after the key's end
    older = make_notice(notice_date=date(2026, 6, 1), posted_date=date(2026, 6, 2))
    assert _verdict(encode_notice(older, signing_key, "old"), [expired]).verified
    future = make_public(signing_key, "new", valid_from=date(2027, 1, 1))
    result = _verdict(encode_notice(make_notice(), signing_key, "new"), [future])
    assert _codes(result) == ["key_not_yet_valid"]


def test_a_notice_dated_in_the_future_is_refused(signing_key: Any, trusted: Any, make_notice: Any) -> None:
    notice = make_notice(notice_date=date(2026, 12, 1), posted_date=date(2026, 12, 1))
    result = _verdict(encode_notice(notice, signing_key, trusted.kid), [trusted])
    assert _codes(result) == ["notice_date_in_future"]


def test_demo_key_verifies_with_a_warning(signing_key: Any, make_public: Any, make_notice: Any) -> None:
    demo = make_public(signing_key, "demo", demo=True)
    result = _verdict(encode_notice(make_notice(), signing_key, "demo"), [demo])
    assert result.verified
    assert _codes(result) == ["demo_key"]
    assert result.problems[0].severity == "warning"


# --- parsing keys ---------------------------------------------------------------------------------------

GOOD = {
    "kid": "lej-2026",
    "algorithm": "Ed25519",
    "public_key": base64.b64encode(bytes(range(32))).decode(),
    "valid_from": date(2026, 1, 1),
    "valid_until": "2027-12-31",
    "demo": True,
}


def test_parse_trusted_key_reads_toml_and_json_dates() -> None:
    key = parse_trusted_key(GOOD, "notices.trusted_keys[0]")
    assert key.public_key == bytes(range(32))
    assert key.valid_until == date(2027, 12, 31)
    assert key.demo
    assert parse_trusted_key(key.as_dict(), "x") == key


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kid": ""}, "kid"),
        ({"kid": "has space"}, "kid"),
        ({"algorithm": "ES256"}, "algorithm"),
        ({"public_key": "not base64!"}, "public_key"),
        ({"public_key": base64.b64encode(b"short").decode()}, "public_key"),
        ({"valid_from": None}, "valid_from"),
        ({"valid_from": "01.01.2026"}, "valid_from"),
        ({"valid_until": "2025-01-01"}, "valid_until"),
        ({"demo": "yes"}, "demo"),
    ],
)
def test_parse_trusted_key_names_the_field(change: dict[str, Any], field: str) -> None:
    with pytest.raises(ValueError, match=field) as caught:
        parse_trusted_key({**GOOD, **change}, "notices.trusted_keys[1]")
    assert isinstance(caught.value, KeyFieldError)
    assert caught.value.field == field
    assert str(caught.value).startswith("notices.trusted_keys[1].")


# --- the key list ---------------------------------------------------------------------------------------


@pytest.fixture
def list_signer(make_public: Any) -> tuple[Ed25519PrivateKey, Any]:
    private = Ed25519PrivateKey.generate()
    return private, make_public(private, "list-1")


def _document(list_signer: Any, keys: Any, revoked: Any = (), sequence: int = 1) -> dict[str, str]:
    private, public = list_signer
    return sign_key_list(
        issuer="Stadt Leipzig",
        sequence=sequence,
        issued_at=date(2026, 11, 1),
        keys=keys,
        revoked=revoked,
        signer_kid=public.kid,
        signer_key=private,
    )


def test_key_list_rotation_brings_a_new_key(
    list_signer: Any, trusted: Any, make_public: Any, make_notice: Any
) -> None:
    new_private = Ed25519PrivateKey.generate()
    new_key = make_public(new_private, "lej-2027", valid_from=date(2026, 11, 1))
    document = json.loads(json.dumps(_document(list_signer, [trusted, new_key])))
    key_list = validate_key_list(document, [list_signer[1]], TODAY)
    trust = merge_trust([trusted], key_list, allow_demo=False)
    assert {k.kid for k in trust.keys} == {"lej-2026", "lej-2027"}
    text = encode_notice(make_notice(), new_private, "lej-2027")
    assert _verdict(text, trust.keys, trust.revoked).verified
    assert not _verdict(text, [trusted]).verified  # without the list the new key is unknown


def test_key_list_revocation_overrides_the_profile(
    list_signer: Any, trusted: Any, signing_key: Any, make_notice: Any
) -> None:
    document = _document(list_signer, [], [Revocation(trusted.kid, date(2026, 11, 20), "stolen")])
    trust = merge_trust([trusted], validate_key_list(document, [list_signer[1]], TODAY), allow_demo=False)
    result = _verdict(encode_notice(make_notice(), signing_key, trusted.kid), trust.keys, trust.revoked)
    assert _codes(result) == ["key_revoked"]


def test_a_real_city_never_trusts_demo_keys(list_signer: Any, make_public: Any, trusted: Any) -> None:
    demo = make_public(Ed25519PrivateKey.generate(), "demo-1", demo=True)
    key_list = validate_key_list(_document(list_signer, [demo]), [list_signer[1]], TODAY)
    assert [k.kid for k in merge_trust([trusted], key_list, allow_demo=False).keys] == ["lej-2026"]
    assert {k.kid for k in merge_trust([trusted], key_list, allow_demo=True).keys} == {"lej-2026", "demo-1"}


def _without_demo_flag(key: Any) -> dict[str, Any]:
    """A demo key described as a city's own key: `demo = false`, as in a copied profile or a key list."""
    return {**key.public.as_dict(), "demo": False}


def test_demo_keys_are_known_by_their_public_key_whatever_their_flag_says() -> None:
    from leipzig_app.domain.notices.trust import DEMO_KEY_FINGERPRINTS, TrustedKey, key_fingerprint
    from leipzig_app.sandbox.notices import load_demo_keys

    demo_keys = load_demo_keys()
    # One place lists them, and it lists every key the demo city has (current, next, revoked, signer).
    assert {key_fingerprint(k.public.public_key) for k in demo_keys} == DEMO_KEY_FINGERPRINTS
    for key in demo_keys:
        assert parse_trusted_key(_without_demo_flag(key), "keys[0]").demo, key.kid
        described = TrustedKey(key.kid, "Ed25519", key.public.public_key, date(2025, 1, 1), demo=False)
        assert described.demo, key.kid
    assert not parse_trusted_key(
        {**_without_demo_flag(demo_keys[0]), "public_key": base64.b64encode(bytes(32)).decode()}, "keys[0]"
    ).demo


def test_a_real_city_drops_demo_keys_arriving_unflagged_in_a_key_list(
    list_signer: Any, trusted: Any, make_notice: Any
) -> None:
    from leipzig_app.sandbox.notices import demo_key

    current = demo_key("current")
    body = json.loads(base64.b64decode(_document(list_signer, [trusted])["payload"]))
    body["keys"].append(_without_demo_flag(current))
    payload = json.dumps(body).encode()
    document = {
        "payload": base64.b64encode(payload).decode(),
        "signer": list_signer[1].kid,
        "signature": base64.b64encode(list_signer[0].sign(payload)).decode(),
    }
    key_list = validate_key_list(document, [list_signer[1]], TODAY)
    assert current.kid in {k.kid for k in key_list.keys}
    trust = merge_trust([trusted], key_list, allow_demo=False)
    assert [k.kid for k in trust.keys] == ["lej-2026"]
    text = encode_notice(make_notice(), current.private_key(), current.kid)
    assert _codes(_verdict(text, trust.keys, trust.revoked)) == ["unknown_key"]
    # Even handed over directly, the key verifies only as a demo key, with the warning.
    demo_trust = merge_trust([trusted], key_list, allow_demo=True)
    assert _codes(_verdict(text, demo_trust.keys, demo_trust.revoked)) == ["demo_key"]


@pytest.mark.parametrize("section", ["trusted_keys", "key_list_signers"])
def test_a_copied_demo_profile_with_every_demo_flag_false_is_refused(tmp_path: Any, section: str) -> None:
    from leipzig_app.adapters.paths import cities_dir
    from leipzig_app.adapters.profiles import load_profile
    from leipzig_app.domain.errors import ProfileError

    text = (cities_dir() / "leipzig.toml").read_text(encoding="utf-8")
    assert "demo = true" in text
    text = text.replace("demo = true", "demo = false")
    if section == "key_list_signers":  # the list signer alone must be refused too
        before, _, rest = text.partition("[[notices.trusted_keys]]")
        text = before + rest[rest.index("[[notices.key_list_signers]]") :]
    copied = tmp_path / "real.toml"
    copied.write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError) as caught:
        load_profile(str(copied))
    assert caught.value.field == f"notices.{section}[0]"
    assert "demo" in caught.value.expected


def test_key_list_refusals(list_signer: Any, trusted: Any, make_public: Any) -> None:
    good = _document(list_signer, [trusted])
    signers = [list_signer[1]]

    def code_of(document: Any, signer_keys: Any = signers, today: date = TODAY) -> str:
        with pytest.raises(KeyListError) as caught:
            validate_key_list(document, signer_keys, today)
        return caught.value.code

    assert code_of("not a mapping") == "malformed"
    assert code_of({**good, "signature": 5}) == "malformed"
    assert code_of({**good, "signer": "someone"}) == "unknown_signer"
    assert (
        code_of(good, [make_public(list_signer[0], "list-1", valid_until=date(2026, 1, 1))])
        == "signer_expired"
    )
    assert code_of({**good, "signature": "@@"}) == "malformed"
    other = _document((Ed25519PrivateKey.generate(), list_signer[1]), [trusted])
    assert code_of({**good, "signature": other["signature"]}) == "signature_invalid"
    payload = json.loads(base64.b64decode(good["payload"]))
    payload["keys"].append(payload["keys"][0] | {"kid": "smuggled"})
    forged = base64.b64encode(json.dumps(payload).encode()).decode()
    assert code_of({**good, "payload": forged}) == "signature_invalid"


def test_key_list_body_is_checked_after_the_signature(list_signer: Any) -> None:
    private, public = list_signer

    def signed(body: Any) -> dict[str, str]:
        raw = json.dumps(body).encode()
        return {
            "payload": base64.b64encode(raw).decode(),
            "signer": public.kid,
            "signature": base64.b64encode(private.sign(raw)).decode(),
        }

    base = {"version": 1, "issuer": "x", "sequence": 1, "issued_at": "2026-11-01", "keys": [], "revoked": []}
    cases = [
        (base | {"version": 2}, "unsupported_version"),
        (base | {"sequence": -1}, "malformed"),
        (base | {"keys": [{"kid": "x"}]}, "malformed"),
        (base | {"revoked": [{"reason": "no kid"}]}, "malformed"),
        (base | {"revoked": [{"kid": "a", "revoked_on": "soon"}]}, "malformed"),
        (base | {"issued_at": "yesterday"}, "malformed"),
    ]
    for body, code in cases:
        with pytest.raises(KeyListError) as caught:
            validate_key_list(signed(body), [public], TODAY)
        assert caught.value.code == code, body
    raw = b"\xff not json"
    with pytest.raises(KeyListError):
        validate_key_list(
            {
                "payload": base64.b64encode(raw).decode(),
                "signer": public.kid,
                "signature": base64.b64encode(private.sign(raw)).decode(),
            },
            [public],
            TODAY,
        )
