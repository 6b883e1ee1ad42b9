"""The signed notice code: round trip, strict decoding, Base45 and the QR size budget."""

from __future__ import annotations

import zlib
from datetime import date
from decimal import Decimal
from typing import Any

import cbor2
import pytest
import qrcode
from qrcode.constants import ERROR_CORRECT_M

from leipzig_app.domain.notices.base45 import ALPHABET, Base45Error, b45decode, b45encode
from leipzig_app.domain.notices.code import (
    PREFIX,
    NoticeCodeError,
    Remedy,
    decode_notice,
    encode_notice,
)
from leipzig_app.domain.notices.inspect import inspect_payload


def test_base45_matches_rfc_9285_examples() -> None:
    assert b45encode(b"AB") == "BB8"
    assert b45encode(b"Hello!!") == "%69 VD92EX0"
    assert b45encode(b"base-45") == "UJCLQE7W581"
    assert b45decode("QED8WEX0") == b"ietf!"
    for bad in ("GGW", "ZZZ", "abc", "A"):
        with pytest.raises(Base45Error):
            b45decode(bad)


def test_round_trip_keeps_every_field(signing_key: Any, make_notice: Any) -> None:
    notice = make_notice()
    text = encode_notice(notice, signing_key, "lej-2026")
    assert text.startswith(PREFIX)
    assert set(text[len(PREFIX) :]) <= set(ALPHABET)
    decoded, envelope = decode_notice(text)
    assert decoded == notice
    assert envelope.kid == "lej-2026"
    assert envelope.alg == -8
    assert decoded.amount == Decimal("123.45")
    assert decoded.amount_text == "123.45"


def test_amount_is_cent_exact_at_the_extremes(signing_key: Any, make_notice: Any) -> None:
    for amount in ("0.00", "0.01", "0.10", "999999999.99", "19.99"):
        notice = make_notice(amount=Decimal(amount), remedy=Remedy.EINSPRUCH, notice_type="fine")
        decoded, _ = decode_notice(encode_notice(notice, signing_key, "k"))
        assert decoded.amount == Decimal(amount)
        assert str(decoded.amount) == amount


def test_optional_fields_may_be_left_out(signing_key: Any, make_notice: Any) -> None:
    notice = make_notice(bic=None, rf_reference=None, authority=None, objection_url=None, payee="")
    decoded, _ = decode_notice(encode_notice(notice, signing_key, "k"))
    assert decoded == notice


def test_compression_is_optional_and_both_forms_decode(signing_key: Any, make_notice: Any) -> None:
    notice = make_notice()
    plain = encode_notice(notice, signing_key, "k", compress=False)
    packed = encode_notice(notice, signing_key, "k", compress=True)
    assert decode_notice(plain)[0] == decode_notice(packed)[0] == notice
    assert decode_notice(packed)[1].compressed
    assert not decode_notice(plain)[1].compressed


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"amount": Decimal("-1.00")}, "amount"),
        ({"amount": Decimal("1.005")}, "whole cents"),
        ({"iban": "DE20860555921090000005"}, "iban"),
        ({"rf_reference": "RF19539007547034"}, "rf_reference"),
        ({"notice_type": "parking ticket"}, "notice_type"),
        ({"case_number": " "}, "case_number"),
        ({"issuer": "x" * 71}, "issuer"),
        ({"posted_date": date(2026, 11, 1)}, "posted_date"),
        ({"objection_url": "http://formulare.leipzig.de/"}, "objection_url"),
        ({"currency": "USD"}, "currency"),
        ({"due_date": date(2026, 11, 1)}, "due_date"),
    ],
)
def test_invalid_notices_are_not_signed(
    signing_key: Any, make_notice: Any, change: Any, expected: str
) -> None:
    with pytest.raises(NoticeCodeError) as caught:
        encode_notice(make_notice(**change), signing_key, "k")
    assert caught.value.code == "notice_invalid"
    assert expected in caught.value.message


def test_bad_key_id_is_refused(signing_key: Any, make_notice: Any) -> None:
    with pytest.raises(NoticeCodeError, match="key id"):
        encode_notice(make_notice(), signing_key, "a key with spaces")


def _code(raw: bytes) -> str:
    return PREFIX + b45encode(raw)


def _envelope(
    protected: Any, unprotected: Any = None, payload: Any = b"\xa0", sig: bytes = b"\0" * 64
) -> bytes:
    parts = [protected, {} if unprotected is None else unprotected, payload, sig]
    return cbor2.dumps(cbor2.CBORTag(18, parts))


GOOD_HEADER = cbor2.dumps({1: -8, 4: b"k"})


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("LZ1", "not_a_notice_code"),
        ("HC1:6BF", "not_a_notice_code"),
        ("LZ2:ABC", "unsupported_version"),
        ("LZ1:abc", "encoding_invalid"),
        ("LZ1:A", "encoding_invalid"),
        ("LZ1:" + "0" * 5000, "too_long"),
        (_code(b"\x78\x9c garbage"), "encoding_invalid"),
        (_code(zlib.compress(b"\0" * 100_000)), "encoding_invalid"),
        (_code(b"\xff\xff"), "envelope_invalid"),
        (_code(cbor2.dumps([1, 2, 3, 4])), "envelope_invalid"),
        (_code(cbor2.dumps(cbor2.CBORTag(18, [GOOD_HEADER, {}, b"\xa0"]))), "envelope_invalid"),
        (_code(_envelope(GOOD_HEADER) + b"\x00"), "envelope_invalid"),
        (_code(_envelope(GOOD_HEADER, unprotected={4: b"other"})), "envelope_invalid"),
        (_code(_envelope(cbor2.dumps({1: -7, 4: b"k"}))), "envelope_invalid"),
        (_code(_envelope(cbor2.dumps({1: -8}))), "envelope_invalid"),
        (_code(_envelope(GOOD_HEADER, sig=b"\0" * 63)), "envelope_invalid"),
        (_code(_envelope(GOOD_HEADER, payload=b"\xa0")), "payload_invalid"),
        (_code(_envelope(GOOD_HEADER, payload=cbor2.dumps({99: 1}))), "payload_invalid"),
        (_code(_envelope(GOOD_HEADER, payload=cbor2.dumps({"issuer": "x"}))), "payload_invalid"),
        (_code(_envelope(GOOD_HEADER, payload=b"\xff")), "payload_invalid"),
    ],
)
def test_malformed_codes_raise_only_the_domain_error(text: str, code: str) -> None:
    with pytest.raises(NoticeCodeError) as caught:
        decode_notice(text)
    assert caught.value.code == code


def test_wrong_field_types_in_a_payload_are_refused(signing_key: Any, make_notice: Any) -> None:
    from leipzig_app.domain.notices.code import notice_to_map

    base = notice_to_map(make_notice())
    for key, value in ((7, "123"), (5, 2.5), (13, 7), (19, "yes"), (1, 5), (12, 10**30), (7, -5)):
        payload = cbor2.dumps({**base, key: value})
        with pytest.raises(NoticeCodeError) as caught:
            decode_notice(_code(_envelope(GOOD_HEADER, payload=payload)))
        assert caught.value.code == "payload_invalid", (key, value)


@pytest.mark.parametrize("currency", ["CHF", "eur", "", "€"])
def test_a_signed_code_asking_another_currency_than_euros_is_refused(
    signing_key: Any, make_notice: Any, context: Any, currency: str
) -> None:
    # The encoder signs only euros (SEPA), but a code signed elsewhere could name another currency: the
    # app would then show and take its amount as euros. The code is refused as a whole instead.
    from leipzig_app.domain.notices.code import notice_to_map, sig_structure

    protected = cbor2.dumps({1: -8, 4: b"lej-2026"})
    payload = cbor2.dumps({**notice_to_map(make_notice()), 8: currency})
    signature = signing_key.sign(sig_structure(protected, payload))
    text = _code(cbor2.dumps(cbor2.CBORTag(18, [protected, {}, payload, signature])))
    with pytest.raises(NoticeCodeError) as caught:
        decode_notice(text)
    assert caught.value.code == "payload_invalid"
    inspection = inspect_payload(text, context)
    assert not inspection.verified
    assert [p.code for p in inspection.problems] == ["payload_invalid"]
    assert "pay_now" not in inspection.actions
    # Euros named outright (the encoder leaves the default out) are read as before.
    euros = cbor2.dumps({**notice_to_map(make_notice()), 8: "EUR"})
    signed = signing_key.sign(sig_structure(protected, euros))
    assert inspect_payload(
        _code(cbor2.dumps(cbor2.CBORTag(18, [protected, {}, euros, signed]))), context
    ).verified


def test_a_realistic_notice_fits_qr_version_13_at_level_m(signing_key: Any, make_notice: Any) -> None:
    text = encode_notice(make_notice(), signing_key, "lej-2026")
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M)
    qr.add_data(text)
    qr.make(fit=True)
    assert qr.version <= 13, (qr.version, len(text))
    # the longest values every field allows must still fit at level M in some version (no overflow)
    long = make_notice(
        issuer="S" * 70,
        case_number="C" * 35,
        cash_reference="K" * 35,
        payee="P" * 70,
    )
    qr_long = qrcode.QRCode(error_correction=ERROR_CORRECT_M)
    qr_long.add_data(encode_notice(long, signing_key, "lej-2026"))
    qr_long.make(fit=True)
    assert qr_long.version <= 20


def test_set_padding_bits_in_the_compressed_stream_do_not_verify(
    signing_key: Any, context: Any, make_notice: Any
) -> None:
    """The unused bits after the last deflate block are covered by neither checksum nor signature.

    Whether the final deflate byte has unused bits depends on the signature (the session's key is
    random), so several notices are encoded and every padding bit found in any of them is tried.
    """
    tried = 0
    for serial in range(12):
        text = encode_notice(
            make_notice(case_number=f"32.21-2026-{serial:07d}"), signing_key, "lej-2026", compress=True
        )
        prefix, raw = text[:4], b45decode(text[4:])
        original = zlib.decompress(raw)
        last = len(raw) - 5

        def with_bit(bit: int, raw: bytes = raw, last: int = last) -> bytes:
            return raw[:last] + bytes([raw[last] | (1 << bit)]) + raw[last + 1 :]

        def same_output(data: bytes, original: bytes = original) -> bool:
            try:
                return zlib.decompress(data) == original
            except zlib.error:
                return False

        padding = [bit for bit in range(8) if not raw[last] & (1 << bit) and same_output(with_bit(bit))]
        for bit in padding:
            tried += 1
            assert not inspect_payload(prefix + b45encode(with_bit(bit)), context).verified, (serial, bit)
    # a deflate stream ends on a byte boundary about once in eight, never twelve times in a row by chance
    assert tried, "no realistic notice ended its deflate stream with unused bits"
