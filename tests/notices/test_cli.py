"""The command line: `notice inspect`, `notice issue` and `deadline`, in process and as real processes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from leipzig_app.cli.main import main


@pytest.fixture(autouse=True)
def app_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The app's data folder (with its demo city, whose state numbers the demo letters) for this test."""
    folder = tmp_path / "app"
    monkeypatch.setenv("LEIPZIG_APP_DATA", str(folder))
    return folder


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


def test_demo_letters_issued_on_one_day_each_have_their_own_kassenzeichen(
    capsys: Any, tmp_path: Path, app_folder: Path
) -> None:
    import httpx

    from leipzig_app.domain.letters import letter_id
    from leipzig_app.domain.notices.code import decode_notice
    from leipzig_app.sandbox.server import SandboxServer

    def issued() -> Any:
        return decode_notice(issue(capsys, tmp_path)["payload"])[0]

    first, second = issued(), issued()
    assert first.posted_date == second.posted_date
    assert first.cash_reference != second.cash_reference
    assert first.case_number != second.case_number
    ids = {letter_id("notice", n.issuer_id, n.cash_reference, n.case_number) for n in (first, second)}
    assert len(ids) == 2  # two letters to the app, not one
    # The running number is the demo city's: it goes on after the demo city stopped and started again, and
    # while it runs; its payment page takes every Kassenzeichen it makes.
    with SandboxServer(app_folder / "demo-city") as city:
        third = issued()
        for notice in (first, second, third):
            page = httpx.get(
                f"{city.base_url}/payments/pay",
                params={"kassenzeichen": notice.cash_reference, "betrag": "35.00"},
            )
            assert page.status_code == 200, page.text
    fourth = issued()
    references = [n.cash_reference for n in (first, second, third, fourth)]
    assert len(set(references)) == 4
    # The running number of the posting day: 1, 2, 3, 4 in a fresh demo city.
    assert [int(reference.split(".")[2][2:]) for reference in references] == [1, 2, 3, 4]
    for reference in references:  # the shape of a Leipzig Kassenzeichen: 5.YYMM.DDNNNN.P
        assert re.fullmatch(r"5\.\d{4}\.\d{6,}\.\d", reference), reference


def test_letters_issued_at_the_same_moment_get_numbers_of_their_own(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from leipzig_app.sandbox.context import SandboxContext
    from leipzig_app.sandbox.notices import issue_letter

    posted, other_day = date(2026, 11, 11), date(2026, 11, 12)

    def one(day: date) -> str:
        # A context of its own for each letter, as two processes have: no lock shared in Python.
        return issue_letter(SandboxContext(data_dir=tmp_path / "demo-city"), day).cash_reference

    with ThreadPoolExecutor(max_workers=8) as pool:
        references = list(pool.map(one, [posted] * 24))
    assert len(set(references)) == 24
    # Each posting day has its own running number; the day is part of the Kassenzeichen.
    first, second = one(other_day), one(other_day)
    assert first.startswith("5.2611.120001.")
    assert second.startswith("5.2611.120002.")


def test_issue_says_what_to_do_when_the_demo_city_cannot_number_a_letter(capsys: Any, tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the app's data folder should be", encoding="utf-8")
    out = str(tmp_path / "l.png")
    code, _, err = run(capsys, "--data-dir", str(blocked), "notice", "issue", "--out", out)
    assert code == 1
    assert "--cash-reference" in err
    assert "Traceback" not in err
    given = ["--data-dir", str(blocked), "notice", "issue", "--out", out, "--cash-reference", "5.1"]
    code, _, err = run(capsys, *given)
    assert code == 0, err


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
