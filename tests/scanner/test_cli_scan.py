"""`leipzig-app scan FILE...`: one JSON line per file, errors as lines, exit 0 unless the usage is wrong."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from leipzig_app.cli.main import main

from .conftest import TRICKY_TEXTS, encode, on_page, qr_array

WriteImage = Callable[[str, bytes], Path]
CLI = Path(sys.executable).with_name("leipzig-app")


def _lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines()]


@pytest.fixture
def files(write_image: WriteImage) -> list[Path]:
    letter = on_page([qr_array(TRICKY_TEXTS[4], box=4), qr_array("Zweiter: Straße", box=4)], size=(800, 500))
    return [
        write_image("letter.png", encode(letter)),
        write_image("blank.jpg", encode(on_page([], size=(200, 100)), ".jpg")),
        write_image("notes.txt", b"not an image"),
        write_image("empty.webp", b""),
    ]


def test_one_line_per_file_in_order(
    files: list[Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = tmp_path / "missing.png"
    code = main(["scan", *map(str, files), str(missing), str(tmp_path)])
    out = capsys.readouterr()
    assert code == 0
    assert out.err == ""
    lines = _lines(out.out)
    assert [line["file"] for line in lines] == [*map(str, files), str(missing), str(tmp_path)]
    letter, blank, notes, empty, gone, folder = lines
    assert sorted(c["text"] for c in letter["codes"]) == sorted([TRICKY_TEXTS[4], "Zweiter: Straße"])  # type: ignore[union-attr]
    first = letter["codes"][0]  # type: ignore[index]
    assert first["format"] == "QRCode"
    assert len(first["corners"]) == 4
    assert first["decoder"]
    assert isinstance(letter["ms"], float)
    assert "error" not in letter
    assert blank["codes"] == []
    assert "error" not in blank
    assert notes["codes"] == []
    assert "not an image" in str(notes["error"])
    assert empty["error_key"] == "scan.error.empty"
    assert gone["error_key"] == folder["error_key"] == "scan.error.file_access"


def test_portable_option(files: list[Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "--portable", str(files[0])]) == 0
    (line,) = _lines(capsys.readouterr().out)
    assert len(line["codes"]) == 2  # type: ignore[arg-type]
    assert not any(c["decoder"].startswith("zxing") for c in line["codes"])  # type: ignore[union-attr]


def test_usage_errors_exit_non_zero(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["scan"])
    assert exited.value.code == 2
    assert main(["scan", "--budget-ms", "0", "x.png"]) == 1
    assert "--budget-ms must be positive" in capsys.readouterr().err


def test_installed_command_prints_json_lines(files: list[Path]) -> None:
    assert CLI.exists(), CLI
    done = subprocess.run(
        [str(CLI), "scan", str(files[0]), str(files[2])],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    letter, notes = _lines(done.stdout)
    assert len(letter["codes"]) == 2  # type: ignore[arg-type]
    assert notes["error_key"] == "scan.error.not_an_image"
    usage = subprocess.run([str(CLI), "scan"], capture_output=True, text=True, timeout=60, check=False)
    assert usage.returncode == 2
    assert usage.stdout == ""
