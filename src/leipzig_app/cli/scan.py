"""`leipzig-app scan FILE...`: decode the codes in image files, one JSON line per file.

Each line is `{"file", "codes": [{"text", "format", "corners", "decoder"}], "ms"}`; a file that cannot be
read gets `"error"` (and `"error_key"`) and an empty code list, and the run goes on. The exit code is 0
unless the command line itself is wrong. One decoder serves all files, so many files per call cost no
start-up time each; it is warmed up before the first file, and "ms" is the wall-clock time of reading and
decoding that one file.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from leipzig_app.cli.output import CliError, emit


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "scan",
        help="decode the QR codes in image files (JPEG, PNG, WebP, BMP; PDF with pypdfium2)",
        description="Decode every QR code in each FILE and print one JSON line per file: "
        '{"file", "codes": [{"text", "format", "corners", "decoder"}], "ms"}, with "error" for files '
        "that cannot be read. Exit code 0 unless the command line is wrong.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="image or PDF files")
    parser.add_argument(
        "--portable",
        action="store_true",
        help="decode without zxing-cpp, as phones do (also: LEIPZIG_APP_NO_ZXING=1)",
    )
    parser.add_argument(
        "--budget-ms",
        type=float,
        default=None,
        help="time budget per file in milliseconds (default: full effort)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.budget_ms is not None and args.budget_ms <= 0:
        raise CliError(f"--budget-ms must be positive, not {args.budget_ms}")
    from leipzig_app.adapters.decoding import QrDecoder
    from leipzig_app.domain.scanning import ScanError
    from leipzig_app.services.scanner import ScannerService

    decoder = QrDecoder(use_zxing=False) if args.portable else QrDecoder()
    service = ScannerService(decoder)
    # Libraries and the worker process are loaded before the first file, so that each "ms" is the time
    # of that file alone.
    decoder.warm_up()
    for name in args.files:
        started = time.perf_counter()
        line: dict[str, Any] = {"file": name, "codes": []}
        try:
            outcome = (
                decoder.decode_image(name, budget_ms=args.budget_ms)
                if args.budget_ms
                else service.scan_file(name)
            )
        except ScanError as error:
            line["error"] = error.message
            line["error_key"] = error.key
        except Exception as error:  # noqa: BLE001  (one broken file must not end the run for the others)
            line["error"] = f"unexpected error ({type(error).__name__}): {error}"
            line["error_key"] = "scan.error.unexpected"
        else:
            line["codes"] = [
                {
                    "text": code.text,
                    "format": code.format,
                    "corners": [[round(x, 1), round(y, 1)] for x, y in code.corners],
                    "decoder": code.decoder,
                }
                for code in outcome.codes
            ]
            line["width"], line["height"] = outcome.width, outcome.height
        line["ms"] = round((time.perf_counter() - started) * 1000.0, 2)
        emit(line)
    return 0
