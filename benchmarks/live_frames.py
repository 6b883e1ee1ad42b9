"""Live scanning at phone resolutions: frames and seconds until a letter's codes are collected.

A camera on a letter held by hand: the demo letter (`leipzig-app notice issue`, a signed notice code and a
GiroCode) and the benchmark letter (`letters/page.py`, a smaller notice code) fill a share of a portrait
720p or 1080p frame (`letters/phone.py`). Three frames with different hand tilt are offered in turn to the
service's `LiveScanSession`, with a camera's pause between frames, until the session declares the set
complete or the time limit passes. Prints per case: codes collected, complete or not, frames decoded,
seconds, thorough looks.

    .venv/bin/python benchmarks/live_frames.py               # full path (zxing-cpp)
    .venv/bin/python benchmarks/live_frames.py --portable    # the path phones run
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2

sys.path.insert(0, str(Path(__file__).resolve().parent))

from letters.page import render_letter
from letters.phone import phone_frame

CLI = str(Path(sys.executable).with_name("leipzig-app"))
SIZES = {"720p": (720, 1280), "1080p": (1080, 1920)}
SHARES = (0.95, 0.8, 0.65)
LETTER = ("--posted", "2026-11-11", "--amount", "48.50")


def demo_letter() -> tuple[object, set[str]]:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "letter.png"
        issued = subprocess.run(
            # A fresh data folder: the same letter number, so the same letter, on every run.
            [CLI, "--data-dir", folder, "notice", "issue", "--out", str(out), *LETTER],
            capture_output=True,
            text=True,
            check=True,
        )
        answer = json.loads(issued.stdout)
        return cv2.imread(str(out), cv2.IMREAD_GRAYSCALE), {answer["payload"], answer["girocode"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--portable", action="store_true", help="hide zxing-cpp (the path phones run)")
    parser.add_argument("--limit", type=float, default=20.0, help="seconds per case (default 20)")
    parser.add_argument("--pause", type=float, default=0.03, help="seconds between frames (default 0.03)")
    args = parser.parse_args(argv)
    cv2.setNumThreads(1)
    from leipzig_app.adapters.decoding import QrDecoder
    from leipzig_app.services.scanner import ScannerService

    decoder = QrDecoder(use_zxing=not args.portable)
    decoder.warm_up()
    service = ScannerService(decoder)
    bench = render_letter(0)
    letters = {"demo": demo_letter(), "bench": (bench.image, {bench.giro_text, bench.notice_text})}
    load = " ".join(f"{v:.2f}" for v in os.getloadavg())
    print(f"decoder path {decoder.path}; load average at the start {load}")
    both = total = 0
    for name, (page, texts) in letters.items():
        for size_name, size in SIZES.items():
            for share in SHARES:
                frames = [phone_frame(page, size, share, seed) for seed in range(3)]  # type: ignore[arg-type]
                session = service.live_session()
                started = time.monotonic()
                count, complete = 0, False
                while time.monotonic() - started < args.limit:
                    update = session.offer(frames[count % len(frames)])
                    count += 1
                    if update is not None and update.complete:
                        complete = True
                        break
                    time.sleep(args.pause)
                session.wait_for_look(10)
                read = {code.text for code in session.codes} & texts
                total += 1
                both += len(read) == 2 and complete
                state = "complete" if complete else "not complete"
                print(
                    f"{name:5s} {size_name:5s} page {share:.0%} of the width: {len(read)}/2 codes, {state}, "
                    f"{count} frames, {time.monotonic() - started:.1f} s, {session.thorough_looks} looks"
                )
    print(
        f"both codes and complete: {both}/{total}; load average at the end "
        f"{' '.join(f'{v:.2f}' for v in os.getloadavg())}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
