"""Benchmark the QR decoder on synthetic photos of a letter that carries a GiroCode and a notice code.

Each image is an A4 letter (see `letters/page.py`) photographed by `letters/camera.py` with one
degradation at severity 1-3 and fixed seeds. Success means BOTH codes were decoded with their exact text.
Prints the rate per degradation (and severity) and overall.

    .venv/bin/python benchmarks/letter_images.py                  # all decoders
    .venv/bin/python benchmarks/letter_images.py --portable       # without zxing-cpp
    .venv/bin/python benchmarks/letter_images.py --save out/      # also write the JPEG photos
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import cv2

sys.path.insert(0, str(Path(__file__).resolve().parent))

from letters.camera import DEGRADATIONS, photograph
from letters.page import render_letter


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--seeds", type=int, default=4, help="photos per degradation and severity (default 4)"
    )
    parser.add_argument("--portable", action="store_true", help="hide zxing-cpp (the path phones run)")
    parser.add_argument("--only", default="", help="comma-separated degradations to run (default: all)")
    parser.add_argument("--save", type=Path, default=None, help="folder to write the photos to")
    args = parser.parse_args(argv)
    chosen = [d for d in args.only.split(",") if d] or list(DEGRADATIONS)
    unknown = set(chosen) - set(DEGRADATIONS)
    if unknown:
        print(f"unknown degradations: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    cv2.setNumThreads(1)
    from leipzig_app.adapters.decoding import QrDecoder

    decoder = QrDecoder(use_zxing=not args.portable)
    decoder.warm_up()  # libraries and the worker process are not part of any photo's time
    print(f"decoder path {decoder.path} ({', '.join(decoder.decoders)}), {args.seeds} seeds per severity")
    if args.save:
        args.save.mkdir(parents=True, exist_ok=True)
    passed_all = total_all = 0
    times: list[float] = []
    for degradation in chosen:
        severities = [1] if degradation == "clean" else [1, 2, 3]
        cells = []
        passed_deg = total_deg = 0
        for severity in severities:
            passed = 0
            for seed in range(args.seeds):
                letter = render_letter(seed)
                photo = photograph(letter, degradation, severity, seed=1000 * severity + seed)
                if args.save:
                    (args.save / f"{degradation}-{severity}-{seed}.jpg").write_bytes(photo)
                started = time.perf_counter()
                texts = set(decoder.decode_image(photo).texts)
                times.append((time.perf_counter() - started) * 1000.0)
                if {letter.giro_text, letter.notice_text} <= texts:
                    passed += 1
            cells.append(f"s{severity} {passed}/{args.seeds}")
            passed_deg += passed
            total_deg += args.seeds
        passed_all += passed_deg
        total_all += total_deg
        print(f"{degradation:14s} {100.0 * passed_deg / total_deg:5.1f}%  ({', '.join(cells)})")
    print(
        f"overall        {100.0 * passed_all / total_all:5.1f}%  ({passed_all}/{total_all}); wall-clock "
        f"decode time per photo median {statistics.median(times):.0f} ms, max {max(times):.0f} ms; "
        f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
