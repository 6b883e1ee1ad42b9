"""The command line: `notice inspect`, `notice issue` and `deadline`, in process and as real processes."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from leipzig_app.cli.main import main


def run(capsys: Any, *argv: str) -> tuple[int, Any, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    lines = captured.out.strip().splitlines()
    return code, json.loads(lines[-1]) if lines else None, captured.err


def issue(capsys: Any, tmp_path: Path, *extra: str) -> dict[str, Any]:
    posted = date.today().isoformat()
    code, out, err = run(
        capsys, "notice", "issue", "--out", str(tmp_path / "letter.png"), "--posted", posted, *extra
    )
    assert code == 0, err
    return dict(out)


def test_issue_then_inspect_a_genuine_demo_letter(capsys: Any, tmp_path: Path) -> None:
    letter = issue(capsys, tmp_path, "--amount", "48.50", "--rf-reference")
    assert Path(letter["file"]).stat().st_size > 10_000
    code, out, _ = run(capsys, "notice", "inspect", letter["payload"])
    assert code == 0
    assert set(out) == {"kind", "verified", "problems", "fields", "actions"}
    assert out["kind"] == "signed-notice"
    assert out["verified"] is True
    assert out["fields"]["amount"] == "48.50"
    assert [p["code"] for p in out["problems"]] == ["demo_key"]
    assert out["actions"][:2] == ["pay_now", "bank_transfer"]
    code, out, _ = run(capsys, "notice", "inspect", letter["girocode"], "--other", letter["payload"])
    assert out["kind"] == "girocode"
    assert out["verified"] is False
    assert out["fields"]["official_account"] is True
    assert not any(p["code"].startswith("mismatch") for p in out["problems"])


def test_the_rendered_letter_scans_back(capsys: Any, tmp_path: Path) -> None:
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    letter = issue(capsys, tmp_path, "--notice-type", "fine")
    found = {r.text for r in zxingcpp.read_barcodes(Image.open(letter["file"]))}
    assert found == {letter["payload"], letter["girocode"]}


def test_forged_revoked_and_mismatched_letters_are_caught(capsys: Any, tmp_path: Path) -> None:
    forged = issue(capsys, tmp_path, "--tamper")
    _, out, _ = run(capsys, "notice", "inspect", forged["payload"])
    assert out["verified"] is False
    assert [p["code"] for p in out["problems"]] == ["signature_invalid"]
    assert out["actions"] == []

    revoked = issue(capsys, tmp_path, "--key", "revoked")
    _, out, _ = run(capsys, "notice", "inspect", revoked["payload"])
    assert [p["code"] for p in out["problems"]] == ["unknown_key"]  # the profile alone does not know it
    key_list = tmp_path / "keys.json"
    from leipzig_app.sandbox.notices import key_list_document

    key_list.write_text(json.dumps(key_list_document()), encoding="utf-8")
    _, out, _ = run(capsys, "notice", "inspect", revoked["payload"], "--key-list", str(key_list))
    assert [p["code"] for p in out["problems"]] == ["key_revoked"]

    mismatched = issue(
        capsys, tmp_path, "--girocode-iban", "DE89370400440532013000", "--girocode-amount", "9.99"
    )
    _, out, _ = run(capsys, "notice", "inspect", mismatched["payload"], "--other", mismatched["girocode"])
    assert out["verified"] is True
    codes = [p["code"] for p in out["problems"]]
    assert codes[:2] == ["mismatch_iban", "mismatch_amount"]
    assert out["actions"] == ["copy_text"]


def test_inspect_reads_raw_stdin_in_the_declared_charset(capsys: Any, monkeypatch: Any) -> None:
    import io

    raw = "BCD\n002\n2\nSCT\n\nBürgeramt Süd\nDE20860555921090000004\nEUR5.00".encode("iso8859-1")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    _, out, _ = run(capsys, "notice", "inspect", "-")
    assert out["kind"] == "girocode"
    assert out["fields"]["name"] == "Bürgeramt Süd"


def test_inspect_bad_inputs_give_json_not_tracebacks(capsys: Any, tmp_path: Path) -> None:
    for text in ("", "LZ1:%%%", "https://evil.example/leipzig.de", "\x00\xff garbage"):
        code, out, err = run(capsys, "notice", "inspect", text)
        assert code == 0
        assert "Traceback" not in err
        assert out["verified"] is False
    bad_list = tmp_path / "bad.json"
    bad_list.write_text("{}", encoding="utf-8")
    code, out, err = run(capsys, "notice", "inspect", "x", "--key-list", str(bad_list))
    assert code == 1
    assert "not a valid key list" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--out", "letter.txt"], ".png"),
        (["--key", "nope"], "no demo key"),
        (["--key", "list-signer"], "list-signing"),
        (["--iban", "DE00123"], "IBAN"),
        (["--girocode-iban", "XX"], "GiroCode"),
    ],
)
def test_issue_refuses_bad_options(capsys: Any, tmp_path: Path, argv: list[str], message: str) -> None:
    args = ["notice", "issue", "--out", str(tmp_path / "l.png"), *argv]
    if argv[0] == "--out":
        args = ["notice", "issue", "--out", str(tmp_path / argv[1])]
    code, _, err = run(capsys, *args)
    assert code == 1
    assert message in err


def test_deadline_command(capsys: Any) -> None:
    code, out, _ = run(capsys, "deadline", "--kind", "widerspruch", "--posted", "2025-10-27")
    assert code == 0
    assert out["notified"] == "2025-10-31"
    assert out["deadline"] == "2025-12-01"
    assert "may be later" in out["rule"]
    assert set(out) == {"notified", "deadline", "rule"}
    _, out, _ = run(
        capsys, "deadline", "--kind", "widerspruch", "--delivered", "2025-03-14", "--no-instructions"
    )
    assert out["deadline"] == "2026-03-16"
    _, out, _ = run(capsys, "deadline", "--kind", "einspruch", "--delivered", "2025-10-17", "--lang", "de")
    assert out == {"notified": "2025-10-17", "deadline": "2025-11-03", "rule": out["rule"]}
    assert "Zustellung" in out["rule"]
    # Every language of the app, and easy-to-read German, as on the objection screen.
    for lang, word in (("uk", "Саксонія"), ("ar", "ساكسونيا"), ("de-LS", "Werktag")):
        code, out, _ = run(
            capsys, "deadline", "--kind", "widerspruch", "--posted", "2025-10-27", "--lang", lang
        )
        assert code == 0
        assert out["deadline"] == "2025-12-01"
        assert word in out["rule"], (lang, out["rule"])


def test_deadline_errors(capsys: Any) -> None:
    code, _, err = run(
        capsys, "deadline", "--kind", "widerspruch", "--delivered", "2025-01-01", "--state", "XX"
    )
    assert code == 1
    assert "unknown German state" in err
    code, _, err = run(
        capsys, "deadline", "--kind", "einspruch", "--delivered", "2025-01-01", "--no-instructions"
    )
    assert code == 1
    with pytest.raises(SystemExit):
        main(["deadline", "--kind", "widerspruch", "--posted", "31.01.2025"])
    assert "expected a date" in capsys.readouterr().err


def _subprocess(*argv: str, stdin: bytes | None = None) -> tuple[int, Any, str]:
    proc = subprocess.run(
        [sys.executable, "-m", "leipzig_app.cli.main", *argv],
        input=stdin,
        capture_output=True,
        timeout=60,
        check=False,
    )
    out = proc.stdout.decode().strip()
    return proc.returncode, json.loads(out) if out else None, proc.stderr.decode()


def test_subprocess_runs(tmp_path: Path) -> None:
    code, letter, err = _subprocess("notice", "issue", "--out", str(tmp_path / "a.png"))
    assert code == 0, err
    code, out, err = _subprocess("notice", "inspect", "-", stdin=letter["payload"].encode() + b"\n")
    assert code == 0, err
    assert out["verified"] is True
    code, out, err = _subprocess("deadline", "--kind", "einspruch", "--delivered", "2025-12-11")
    assert code == 0, err
    assert out["deadline"] == "2025-12-29"
