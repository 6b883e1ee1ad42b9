"""Printed demo letters, the way a tester gets them: `leipzig-app notice issue --out letter.png` renders a
letter with both codes, `leipzig-app scan` reads the codes back from the image, and the letters service
judges them. A genuine, a tampered and a mismatched letter."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from leipzig_app.domain.letters import TrustState
from leipzig_app.services.notices import NoticesService

CLI = str(Path(sys.executable).with_name("leipzig-app"))
BASE = ["--posted", "2026-11-11", "--amount", "48.50", "--cash-reference", "5.0400.000001.1"]


def issue_and_scan(tmp_path: Path, name: str, *extra: str) -> list[str]:
    out = tmp_path / f"{name}.png"
    issued = subprocess.run(
        [CLI, "notice", "issue", "--out", str(out), *BASE, *extra], capture_output=True, text=True, timeout=60
    )
    assert issued.returncode == 0, issued.stderr
    assert json.loads(issued.stdout)["file"] == str(out)
    scanned = subprocess.run([CLI, "scan", str(out)], capture_output=True, text=True, timeout=60)
    assert scanned.returncode == 0, scanned.stderr
    return [code["text"] for code in json.loads(scanned.stdout)["codes"]]


@pytest.mark.parametrize(
    ("name", "extra", "trust"),
    [
        ("genuine", (), TrustState.VERIFIED),
        ("tampered", ("--tamper",), TrustState.FORGED),
        ("other-iban", ("--girocode-iban", "DE02120300000000202051"), TrustState.MISMATCH),
    ],
)
async def test_a_printed_letter_is_judged_after_scanning(
    service: NoticesService, tmp_path: Path, name: str, extra: tuple[str, ...], trust: TrustState
) -> None:
    texts = issue_and_scan(tmp_path, name, *extra)
    assert len(texts) == 2, "the letter carries the notice code and the GiroCode"
    letter = await service.open_letter(texts)
    assert letter.trust is trust
    if trust is TrustState.VERIFIED:
        assert letter.cash_reference == "5.0400.000001.1"
        assert "pay_now" in letter.actions
        assert service.transfer_data(letter.id).amount is not None
    else:
        assert letter.actions == ()
