"""The command line's output when the reader is not a UTF-8 terminal: an ASCII stream, a pipe closed early."""

from __future__ import annotations

import json
import os
import subprocess
import sys

ARGS = ["deadline", "--kind", "widerspruch", "--posted", "2026-12-01", "--lang", "de"]


def _command(*argv: str) -> list[str]:
    return [sys.executable, "-m", "leipzig_app.cli.main", *argv]


def test_an_ascii_stream_gets_the_same_json_with_escapes() -> None:
    utf8 = subprocess.run(_command(*ARGS), capture_output=True, timeout=60, check=False)
    ascii_only = subprocess.run(
        _command(*ARGS),
        capture_output=True,
        timeout=60,
        check=False,
        env={**os.environ, "PYTHONIOENCODING": "ascii"},
    )
    assert utf8.returncode == 0, utf8.stderr
    assert ascii_only.returncode == 0, ascii_only.stderr
    assert ascii_only.stderr == b""
    assert "§" in utf8.stdout.decode("utf-8")  # the rule text names the law
    assert ascii_only.stdout.isascii()
    assert json.loads(ascii_only.stdout) == json.loads(utf8.stdout)


def test_a_reader_that_stops_early_ends_the_command_quietly() -> None:
    with subprocess.Popen(_command(*ARGS), stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None
        assert process.stderr is not None
        process.stdout.close()  # like `| head -0`: nobody reads what the command prints
        try:
            stderr = process.stderr.read()
            code = process.wait(timeout=60)
        finally:
            process.kill()
    assert stderr == b"", stderr.decode(errors="replace")
    assert code == 141  # 128 + SIGPIPE, as the shell reports a tool stopped by a closed pipe
