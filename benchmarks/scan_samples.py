"""Benchmark the QR decoder on the shared real-world samples at rotations 0/90/180/270.

Success means a decoded text equals the sample's expected text exactly (a `.txt` next to the image). A
structured-append group (images `NAME-01` ... sharing `NAME.txt`) succeeds when the texts of its images,
concatenated in file order, equal the expectation. A misread is an item for which codes were decoded but
none has the expected text.

Times are milliseconds per image, reading the file included, with OpenCV on one thread. The primary figure
is wall-clock time: what a resident waits for, including the curved-surface decoder's worker process.
The CPU column adds up the processor time of this process and of that worker (Linux: from /proc); unlike
wall-clock time it hardly changes when other work shares the machine. The decoder is warmed up first, so
no image is charged with loading the libraries or starting the worker.

    .venv/bin/python benchmarks/scan_samples.py                 # all decoders (zxing-cpp where installed)
    .venv/bin/python benchmarks/scan_samples.py --portable      # without zxing-cpp, as on phones
    .venv/bin/python benchmarks/scan_samples.py --engine zxing-only   # zxing-cpp alone, the baseline
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SAMPLES = REPO.parent / "shared" / "qr-samples"
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".bmp"}
ROTATIONS = {0: None, 90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}


@dataclass
class Item:
    """One test item: one image, or the images of one structured-append group, and the expected text."""

    name: str
    images: list[Path]
    expected: str
    suite: str


@dataclass
class Tally:
    passed: int = 0
    total: int = 0
    misreads: list[tuple[str, str, str]] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)


def find_items(root: Path) -> list[Item]:
    items: list[Item] = []
    for folder in sorted(p for p in root.rglob("*") if p.is_dir()):
        images = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        groups: dict[Path, list[Path]] = {}
        for image in images:
            own = image.with_suffix(".txt")
            if own.exists():
                groups[own] = [image]
            elif "-" in image.stem:
                shared = folder / (image.stem.rsplit("-", 1)[0] + ".txt")
                if shared.exists():
                    groups.setdefault(shared, []).append(image)
        for expectation, members in groups.items():
            suite = "zxing-java" if "zxing-java" in expectation.relative_to(root).parts else "zxing-cpp"
            items.append(
                Item(
                    name=str(expectation.relative_to(root).with_suffix("")),
                    images=sorted(members),
                    expected=expectation.read_bytes().decode("utf-8"),
                    suite=suite,
                )
            )
    return items


def make_engine(kind: str) -> Callable[[bytes], list[str]]:
    """A function from encoded image bytes to the decoded texts."""
    if kind == "zxing-only":
        import zxingcpp

        def zxing_only(data: bytes) -> list[str]:
            gray = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE)
            results = zxingcpp.read_barcodes(gray, text_mode=zxingcpp.TextMode.Plain)
            return [r.text for r in results]

        return zxing_only
    from leipzig_app.adapters.decoding import QrDecoder

    decoder = QrDecoder(use_zxing=kind != "portable")
    print(f"engine: {kind}, path {decoder.path}, decoders {', '.join(decoder.decoders)}")
    decoder.warm_up()

    def engine(data: bytes) -> list[str]:
        return list(decoder.decode_image(data).texts)

    return engine


def rotated_bytes(path: Path, rotation: int) -> bytes:
    if rotation == 0:
        return path.read_bytes()
    image = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    ok, buffer = cv2.imencode(".png", cv2.rotate(image, ROTATIONS[rotation]))  # lossless
    assert ok, path
    return bytes(buffer.tobytes())


def run(
    items: list[Item], engine: Callable[[bytes], list[str]], rotations: list[int]
) -> dict[int, dict[str, Tally]]:
    results: dict[int, dict[str, Tally]] = {}
    for rotation in rotations:
        per_suite: dict[str, Tally] = {}
        for item in items:
            tally = per_suite.setdefault(item.suite, Tally())
            decoded: list[list[str]] = []
            for image in item.images:
                data = rotated_bytes(image, rotation)
                started, started_cpu = time.perf_counter(), cpu_seconds()
                decoded.append(engine(data))
                tally.times.append((time.perf_counter() - started) * 1000.0)
                tally.cpu.append(max(0.0, cpu_seconds() - started_cpu) * 1000.0)
            tally.total += 1
            if len(decoded) == 1:
                ok = item.expected in decoded[0]
                got = decoded[0][0] if decoded[0] else None
            else:
                # Structured append: each part is one symbol; join the parts in file order.
                got = "".join(texts[0] if texts else "" for texts in decoded) if all(decoded) else None
                ok = got == item.expected
            if ok:
                tally.passed += 1
            elif got is not None:
                tally.misreads.append((item.name, got, item.expected))
        results[rotation] = per_suite
    return results


def cpu_seconds() -> float:
    """Processor time of this process plus the curved-surface decoder's worker process (if running)."""
    total = time.process_time()
    try:
        from leipzig_app.adapters.decoding.isolated import shared_worker
    except ImportError:
        return total
    pid = shared_worker().pid
    if pid is None:
        return total
    try:
        # /proc/PID/stat: fields after the command name in parentheses; utime and stime are the 12th and
        # 13th of those, in clock ticks.
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return total + (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return total


def report(results: dict[int, dict[str, Tally]]) -> None:
    all_times: list[float] = []
    all_cpu: list[float] = []
    for rotation, per_suite in results.items():
        passed = sum(t.passed for t in per_suite.values())
        total = sum(t.total for t in per_suite.values())
        times = [ms for t in per_suite.values() for ms in t.times]
        cpu = [ms for t in per_suite.values() for ms in t.cpu]
        all_times.extend(times)
        all_cpu.extend(cpu)
        suites = ", ".join(f"{name} {t.passed}/{t.total}" for name, t in sorted(per_suite.items()))
        print(
            f"rotation {rotation:3d}: {passed}/{total} = {100.0 * passed / total:5.1f}%  ({suites})  "
            f"wall median {statistics.median(times):.1f} ms, p95 {percentile(times, 95):.1f} ms  "
            f"(CPU median {statistics.median(cpu):.1f} ms, p95 {percentile(cpu, 95):.1f} ms)"
        )
        for name, got, expected in (m for t in per_suite.values() for m in t.misreads):
            print(f"    misread {name}: got {got[:60]!r}, expected {expected[:60]!r}")
    print(
        f"all rotations: {len(all_times)} images, wall-clock time per image median "
        f"{statistics.median(all_times):.1f} ms, p95 {percentile(all_times, 95):.1f} ms, max "
        f"{max(all_times):.0f} ms  (CPU incl. worker: median {statistics.median(all_cpu):.1f} ms, "
        f"p95 {percentile(all_cpu, 95):.1f} ms)"
    )
    print(f"load average at the end: {load_average()}")


def load_average() -> str:
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=Path, default=DEFAULT_SAMPLES, help=f"default: {DEFAULT_SAMPLES}")
    parser.add_argument("--portable", action="store_true", help="hide zxing-cpp (the path phones run)")
    parser.add_argument("--engine", choices=["all", "zxing-only"], default="all")
    parser.add_argument("--rotations", default="0,90,180,270", help="comma-separated, from 0/90/180/270")
    parser.add_argument("--threads", type=int, default=1, help="OpenCV threads (default 1: single-threaded)")
    args = parser.parse_args(argv)
    if not args.samples.is_dir():
        print(f"no samples at {args.samples}", file=sys.stderr)
        return 2
    rotations = [int(r) for r in args.rotations.split(",")]
    if any(r not in ROTATIONS for r in rotations):
        print("rotations must be 0, 90, 180 or 270", file=sys.stderr)
        return 2
    cv2.setNumThreads(args.threads)
    kind = "zxing-only" if args.engine == "zxing-only" else ("portable" if args.portable else "full")
    items = find_items(args.samples)
    print(f"{len(items)} items from {args.samples}")
    print(f"load average at the start: {load_average()}")
    engine = make_engine(kind)
    engine(rotated_bytes(items[0].images[0], 0))  # warm-up: lazy imports are not part of the timing
    report(run(items, engine, rotations))
    return 0


if __name__ == "__main__":
    sys.exit(main())
