"""Inspecting scans: what kind, whether verified, which problems and which actions."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from leipzig_app.domain.notices.code import Remedy, encode_notice
from leipzig_app.domain.notices.girocode import build_girocode, parse_girocode
from leipzig_app.domain.notices.inspect import compare_codes, inspect_letter, inspect_payload

IBAN = "DE20860555921090000004"
OTHER_IBAN = "DE89370400440532013000"


def codes(result: Any) -> list[str]:
    return [p.code for p in result.problems]


def test_verified_notice_offers_the_three_actions(signing_key: Any, context: Any, make_notice: Any) -> None:
    result = inspect_payload(encode_notice(make_notice(), signing_key, "lej-2026"), context)
    assert result.kind == "signed-notice"
    assert result.verified
    assert result.actions == ("pay_now", "bank_transfer", "pay_later", "object", "copy_text")
    fields = result.fields
    for name in (
        "issuer",
        "case_number",
        "cash_reference",
        "notice_date",
        "posted_date",
        "amount",
        "currency",
        "iban",
        "due_date",
        "remedy",
        "objection_url",
    ):
        assert name in fields
    assert fields["amount"] == "123.45"
    assert fields["remedy"] == "widerspruch"
    assert fields["authority"]["address"].startswith("Otto-Schill")
    # posted 2026-11-11 -> notified 11-15 -> one month 12-15 (a Tuesday)
    assert fields["objection_deadline"] == "2026-12-15"
    assert fields["deadline_may_be_later"] is True
    assert fields["latest_posting_day"] == "2026-12-10"
    assert set(result.as_dict()) == {"kind", "verified", "problems", "fields", "actions"}


def test_fine_without_remedy_and_overdue_notice(signing_key: Any, context: Any, make_notice: Any) -> None:
    parking = make_notice(
        remedy=Remedy.NONE,
        notice_type="parking",
        authority=None,
        objection_url=None,
        due_date=date(2026, 11, 20),
    )
    result = inspect_payload(encode_notice(parking, signing_key, "lej-2026"), context)
    assert result.verified
    assert result.actions == ("pay_now", "bank_transfer", "copy_text")
    assert codes(result) == ["due_date_passed"]
    assert "objection_deadline" not in result.fields


def test_forged_notice_offers_nothing_but_shows_its_claims(context: Any, make_notice: Any) -> None:
    forged = encode_notice(make_notice(iban=OTHER_IBAN), Ed25519PrivateKey.generate(), "lej-2026")
    result = inspect_payload(forged, context)
    assert result.kind == "signed-notice"
    assert not result.verified
    assert codes(result) == ["signature_invalid"]
    assert result.actions == ()
    assert result.fields["iban"] == OTHER_IBAN


def test_revoked_key_in_the_context(signing_key: Any, context: Any, make_notice: Any) -> None:
    revoked = replace(context, revoked_kids=frozenset({"lej-2026"}))
    result = inspect_payload(encode_notice(make_notice(), signing_key, "lej-2026"), revoked)
    assert codes(result) == ["key_revoked"]
    assert not result.verified


def test_damaged_notice_code(context: Any) -> None:
    result = inspect_payload("LZ1:NOT*VALID*", context)
    assert result.kind == "signed-notice"
    assert not result.verified
    assert codes(result) == ["encoding_invalid"]
    assert inspect_payload("LZ7:ABC", context).problems[0].code == "unsupported_version"


def test_girocode_is_never_verified(context: Any) -> None:
    text = build_girocode(name="Stadtkasse Leipzig", iban=IBAN, amount=Decimal("12.00"), remittance="K 1")
    official = inspect_payload(text, context)
    assert official.kind == "girocode"
    assert not official.verified
    assert codes(official) == ["unsigned", "official_account"]
    assert official.fields["official_account"] is True
    assert official.actions == ("bank_transfer", "copy_text")
    stranger = inspect_payload(text.replace(IBAN, OTHER_IBAN), context)
    assert codes(stranger) == ["unsigned", "iban_not_official"]
    assert stranger.actions == ("copy_text",)
    broken = inspect_payload(text.replace("SCT", "XYZ"), context)
    assert broken.kind == "girocode"
    assert codes(broken) == ["identification_invalid"]


def test_urls_show_the_domain_and_open_only_allow_listed_hosts(context: Any) -> None:
    ok = inspect_payload("https://www.leipzig.de/buergerservice", context)
    assert ok.kind == "url"
    assert next(iter(ok.fields)) == "domain"
    assert ok.fields["domain"] == "www.leipzig.de"
    assert ok.actions == ("open_link", "copy_text")
    for bad in (
        "https://leipzig.de.evil.example/pay",
        "https://evilleipzig.de/",
        "http://www.leipzig.de/",
        "https://leipzig.de@evil.example/",
    ):
        result = inspect_payload(bad, context)
        assert result.kind == "url", bad
        assert "open_link" not in result.actions, bad
    lookalike = inspect_payload("https://lеipzig.de/", context)  # Cyrillic "е"
    assert lookalike.fields["domain"].startswith("xn--")
    assert "open_link" not in lookalike.actions


def test_a_url_that_could_lead_elsewhere_shows_no_allowed_domain_and_cannot_open(context: Any) -> None:
    # Python's urlsplit names www.leipzig.de for these; a browser goes to evil.example (a backslash is
    # a slash to it) or to a host the text hides.
    for tricky in (
        "https://evil.example\\@www.leipzig.de/",
        "https://evil.example\\@leipzig.de",
        "https://leipzig.de@evil.example/",
        "https://www.leipzig\u200b.de/",
    ):
        result = inspect_payload(tricky, context)
        assert result.kind == "url", tricky
        assert result.fields["domain"] == "", tricky
        assert codes(result) == ["url_invalid"], tricky
        assert result.actions == ("copy_text",), tricky
    # Full-width letters lead a browser to www.leipzig.de: shown and checked as that host.
    wide = inspect_payload("https://ｗｗｗ.ｌｅｉｐｚｉｇ.ｄｅ/", context)
    assert wide.fields["domain"] == "www.leipzig.de"
    assert wide.actions == ("open_link", "copy_text")


def test_unknown_inputs(context: Any) -> None:
    for text, code in (
        ("", "empty"),
        ("   \n", "empty"),
        ("x" * 5000, "too_long"),
        ("hello", "unknown_format"),
        ("javascript:alert(1)", "unknown_format"),
    ):
        result = inspect_payload(text, context)
        assert result.kind == "unknown"
        assert not result.verified
        assert codes(result) == [code]
    assert inspect_payload(None, context).kind == "unknown"
    assert inspect_payload("hello", context).actions == ("copy_text",)


def test_compare_codes_catches_every_disagreement(make_notice: Any) -> None:
    notice = make_notice()
    matching = parse_girocode(
        build_girocode(
            name="Stadtkasse Leipzig", iban=IBAN, amount=Decimal("123.45"), reference="RF18539007547034"
        )
    )
    assert compare_codes(notice, matching) == []
    by_text = parse_girocode(
        build_girocode(
            name="S", iban=IBAN, amount=Decimal("123.45"), remittance="Kassenzeichen 5 0123 456789 3"
        )
    )
    assert compare_codes(notice, by_text) == []
    wrong = parse_girocode(
        build_girocode(
            name="S", iban=OTHER_IBAN, amount=Decimal("132.45"), remittance="Kassenzeichen 5.0123.456789.4"
        )
    )
    found = compare_codes(notice, wrong)
    assert [p.code for p in found] == ["mismatch_iban", "mismatch_amount", "mismatch_reference"]
    assert all(p.severity == "error" for p in found)


@pytest.mark.parametrize(
    ("remittance", "names_it"),
    [
        ("Kassenzeichen 5.0123.456789.3", True),
        ("Kassenzeichen 5 0123 456789 3, Parken", True),
        ("KZ:5-0123-456789-3.", True),
        ("501234567893", True),
        ("Kassenzeichen 5.0123.456789.3 vom 10.11.2026", True),
        # Extra digits before or after, directly or across a grouping character: another number.
        ("Kassenzeichen 5.0123.456789.31", False),
        ("Kassenzeichen 5.0123.456789.3.1", False),
        ("Kassenzeichen 15.0123.456789.3", False),
        ("Kassenzeichen 1.5.0123.456789.3", False),
        ("Kassenzeichen 1 5 0123 456789 3", False),
        ("Kassenzeichen X5.0123.456789.3", False),
        # Two references: it counts when one of them is this Kassenzeichen as a whole.
        ("Kassenzeichen 15.0123.456789.3 und 5.0123.456789.3", True),
        ("Kassenzeichen 15.0123.456789.3 und 5.0123.456789.31", False),
    ],
)
def test_the_girocode_must_name_the_kassenzeichen_as_a_whole(
    make_notice: Any, remittance: str, names_it: bool
) -> None:
    notice = make_notice(rf_reference=None)
    giro = parse_girocode(
        build_girocode(name="S", iban=IBAN, amount=Decimal("123.45"), remittance=remittance)
    )
    found = [p.code for p in compare_codes(notice, giro)]
    assert found == ([] if names_it else ["mismatch_reference"])


def test_inspect_letter_marks_both_codes_of_a_mismatched_letter(
    signing_key: Any, context: Any, make_notice: Any
) -> None:
    notice_text = encode_notice(make_notice(), signing_key, "lej-2026")
    good = build_girocode(
        name="Stadtkasse", iban=IBAN, amount=Decimal("123.45"), reference="RF18539007547034"
    )
    assert all("mismatch_iban" not in codes(r) for r in inspect_letter([notice_text, good], context))
    bad = good.replace(IBAN, OTHER_IBAN)
    results = inspect_letter([notice_text, bad], context)
    assert all(codes(r)[0] == "mismatch_iban" for r in results)
    assert all(r.actions == ("copy_text",) for r in results)


def test_context_from_profile_trusts_demo_keys_only_in_a_demo_profile(make_notice: Any) -> None:
    from leipzig_app.adapters.profiles import load_profile
    from leipzig_app.domain.notices.inspect import context_from_profile
    from leipzig_app.sandbox.notices import demo_key

    profile = load_profile("leipzig")
    key = demo_key("current")
    text = encode_notice(make_notice(), key.private_key(), key.kid)
    demo_context = context_from_profile(profile, today=date(2026, 11, 23))
    assert demo_context.official_account("DE20 8605 5592 1090 0000 04")
    assert demo_context.state == "SN"
    assert inspect_payload(text, demo_context).verified
    real_city = context_from_profile(replace(profile, demo=False), today=date(2026, 11, 23))
    assert real_city.trusted_keys == ()
    assert codes(inspect_payload(text, real_city)) == ["unknown_key"]


def test_transfer_girocode_matches_its_notice(make_notice: Any) -> None:
    from leipzig_app.domain.notices.girocode import transfer_girocode

    for notice in (make_notice(), make_notice(rf_reference=None, bic="WELADE8LXXX")):
        code = parse_girocode(transfer_girocode(notice))
        assert compare_codes(notice, code) == []
        assert code.name == "Stadtkasse Leipzig"
    free = parse_girocode(transfer_girocode(make_notice(amount=Decimal("0.00")), newline="\r\n"))
    assert free.amount is None
