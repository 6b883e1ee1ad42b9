"""Stable codes are the UI's translation keys: every code the modules emit is listed and documented."""

from __future__ import annotations

import re
from pathlib import Path

from leipzig_app.domain.notices.problems import ACTIONS, PROBLEM_CODES

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [
    *sorted((ROOT / "src/leipzig_app/domain/notices").glob("*.py")),
]


def _emitted() -> set[str]:
    found: set[str] = set()
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r"\b(?:error|warning|info)\(\s*\"([a-z_]+)\"", text))
        found |= set(re.findall(r"NoticeCodeError\(\s*\"([a-z_]+)\"", text))
        if 'f"{label}_too_long"' in text:
            found |= {"name_too_long", "reference_too_long", "remittance_too_long", "note_too_long"}
    return found - {"notice_invalid", "kid_invalid"}  # raised only when signing, never in an inspection


def test_every_emitted_code_is_listed() -> None:
    emitted = _emitted()
    assert len(emitted) > 30
    assert emitted <= PROBLEM_CODES, sorted(emitted - PROBLEM_CODES)


def test_every_listed_code_is_documented() -> None:
    docs = (ROOT / "docs/notice-code.md").read_text(encoding="utf-8")
    undocumented = [code for code in PROBLEM_CODES | set(ACTIONS) if f"`{code}`" not in docs]
    assert not undocumented, undocumented
