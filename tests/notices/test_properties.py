"""Property tests: no input makes inspection raise, and no one-character change keeps a signature valid."""

from __future__ import annotations

import zlib
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leipzig_app.domain.notices.base45 import ALPHABET, b45decode, b45encode
from leipzig_app.domain.notices.code import PREFIX, encode_notice
from leipzig_app.domain.notices.inspect import inspect_payload

_SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
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
