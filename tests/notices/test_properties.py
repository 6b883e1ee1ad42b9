"""Property tests: no input makes inspection raise, and no one-character change keeps a signature valid."""

from __future__ import annotations

import zlib
from datetime import date, timedelta
from functools import partial
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from leipzig_app.domain.notices.base45 import ALPHABET, b45decode, b45encode
from leipzig_app.domain.notices.code import PREFIX, encode_notice
from leipzig_app.domain.notices.inspect import inspect_payload

_SETTINGS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@_SETTINGS
@given(st.text(max_size=600))
def test_random_text_never_raises(context: Any, text: str) -> None:
    result = inspect_payload(text, context)
    assert result.kind in ("signed-notice", "girocode", "url", "unknown")
    assert not (result.kind == "unknown" and result.verified)


@_SETTINGS
@given(st.text(alphabet=ALPHABET, max_size=600))
def test_random_base45_behind_the_prefix_never_raises_or_verifies(context: Any, body: str) -> None:
    result = inspect_payload("LZ1:" + body, context)
    assert result.kind == "signed-notice"
    assert not result.verified


@_SETTINGS
@given(st.lists(st.text(max_size=40), min_size=1, max_size=14), st.sampled_from(["\n", "\r\n"]))
def test_random_girocode_lines_never_raise(context: Any, lines: list[str], newline: str) -> None:
    result = inspect_payload(newline.join(["BCD", *lines]), context)
    assert result.kind == "girocode"
    assert not result.verified


@_SETTINGS
@given(data=st.data())
def test_no_single_character_change_still_verifies(
    signing_key: Any, context: Any, make_notice: Any, data: Any
) -> None:
    compress = data.draw(st.booleans())
    text = encode_notice(make_notice(), signing_key, "lej-2026", compress=compress)
    assert inspect_payload(text, context).verified
    position = data.draw(st.integers(min_value=0, max_value=len(text) - 1))
    replacement = data.draw(st.sampled_from(ALPHABET + "lz1abc\n").filter(lambda c: c != text[position]))
    mutated = text[:position] + replacement + text[position + 1 :]
    assert not inspect_payload(mutated, context).verified


@_SETTINGS
@given(data=st.data())
def test_no_deletion_or_insertion_still_verifies(
    signing_key: Any, context: Any, make_notice: Any, data: Any
) -> None:
    text = encode_notice(make_notice(), signing_key, "lej-2026", compress=data.draw(st.booleans()))
    position = data.draw(st.integers(min_value=0, max_value=len(text) - 1))
    if data.draw(st.booleans()):
        mutated = text[:position] + text[position + 1 :]
    else:
        mutated = text[:position] + data.draw(st.sampled_from(ALPHABET)) + text[position:]
    # Space is a Base45 character, and a space before the code is not part of it (scanners and copied
    # texts bring surrounding blanks, which inspection strips): that insertion changes nothing.
    assume(mutated.strip() != text)
    assert not inspect_payload(mutated, context).verified


def test_every_single_character_substitution_of_one_code_fails(
    signing_key: Any, context: Any, make_notice: Any
) -> None:
    """Exhaustive over positions for one code (one substitute character per position)."""
    text = encode_notice(make_notice(), signing_key, "lej-2026")
    for i, char in enumerate(text):
        other = ALPHABET[(ALPHABET.index(char) + 1) % len(ALPHABET)] if char in ALPHABET else "0"
        assert not inspect_payload(text[:i] + other + text[i + 1 :], context).verified, i


@_SETTINGS
@given(data=st.data())
def test_mutated_envelope_bytes_never_verify_or_raise(
    signing_key: Any, context: Any, make_notice: Any, data: Any
) -> None:
    """Below the text layer: change, drop or add bytes of the COSE structure itself, then re-encode it."""
    raw = b45decode(encode_notice(make_notice(), signing_key, "lej-2026", compress=False)[len(PREFIX) :])
    position = data.draw(st.integers(min_value=0, max_value=len(raw) - 1))
    operation = data.draw(st.sampled_from(["flip", "drop", "insert"]))
    if operation == "flip":
        mutated = (
            raw[:position] + bytes([raw[position] ^ data.draw(st.integers(1, 255))]) + raw[position + 1 :]
        )
    elif operation == "drop":
        mutated = raw[:position] + raw[position + 1 :]
    else:
        mutated = raw[:position] + bytes([data.draw(st.integers(0, 255))]) + raw[position:]
    for packed in (mutated, zlib.compress(mutated)):
        result = inspect_payload(PREFIX + b45encode(packed), context)
        assert result.kind == "signed-notice"
        assert not result.verified


_NAME_CHARS = st.characters(codec="utf-8", categories=("L", "N", "Zs"), exclude_characters="\r\n")


@_SETTINGS
@given(
    name=st.text(_NAME_CHARS, min_size=1, max_size=70).filter(str.strip),
    cents=st.one_of(st.none(), st.integers(1, 99_999_999_999)),
    remittance=st.text(_NAME_CHARS, max_size=140),
    newline=st.sampled_from(["\n", "\r\n"]),
)
def test_built_girocodes_parse_back(name: str, cents: int | None, remittance: str, newline: str) -> None:
    from decimal import Decimal

    from leipzig_app.domain.notices.girocode import MAX_BYTES, GiroCodeError, build_girocode, parse_girocode

    amount = None if cents is None else Decimal(cents) / 100
    amount_field = "" if amount is None else f"EUR{amount:.2f}"
    lines = ["BCD", "002", "1", "SCT", "", name, "DE20860555921090000004", amount_field, "", "", remittance]
    size = len(newline.join(lines).rstrip(newline).encode("utf-8"))
    build = partial(
        build_girocode,
        name=name,
        iban="DE20860555921090000004",
        amount=amount,
        remittance=remittance,
        newline=newline,
    )
    if size > MAX_BYTES:
        with pytest.raises(GiroCodeError, match="at most 331 bytes"):
            build()
        return
    text = build()
    code = parse_girocode(text)
    assert code.name == name
    assert code.remittance == remittance
    assert code.amount == (None if amount is None else amount.quantize(Decimal("0.01")))


@_SETTINGS
@given(
    start=st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)),
    kind=st.sampled_from(["widerspruch", "einspruch"]),
)
def test_deadlines_end_on_a_working_day_soon_after_the_period(start: date, kind: str) -> None:
    from leipzig_app.domain.deadlines import compute_deadline, is_working_day

    result = compute_deadline(kind, delivered=start)
    assert is_working_day(result.deadline, "SN")
    assert result.unshifted <= result.deadline <= result.unshifted + timedelta(days=4)
    assert result.deadline > start
    if kind == "widerspruch":
        assert 28 <= (result.unshifted - start).days <= 31
