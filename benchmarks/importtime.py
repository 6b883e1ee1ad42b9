"""Import-time benchmark: how long `import leipzig_app.app` takes, and which modules cost the most.

Runs `python -X importtime -c "import leipzig_app.app"` in a fresh interpreter several times (the first
run also warms the OS file cache and the bytecode cache and is not counted), parses the per-module
table Python writes to stderr, leaves out what the bare interpreter imports at start-up (measured with
`-c pass`), and prints the median total and the 10 slowest modules by their own time
(`self`) and by their time including what they import (`cumulative`). Target: total at most 0.5 s, with
OpenCV, zbar, cryptography and PIL not imported at all.

    .venv/bin/python benchmarks/importtime.py [--module leipzig_app.app] [--repeat 5] [--json]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
from dataclasses import dataclass

TARGET_SECONDS = 0.5
#: Modules that must load only when a feature needs them.
HEAVY = ("cv2", "pyzbar", "zxingcpp", "cryptography", "PIL", "numpy", "fpdf", "barcode", "qrcode")
_LINE = re.compile(r"^import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s*)(\S+)\s*$")


@dataclass(frozen=True)
class ModuleTime:
    name: str
    self_us: int
    cumulative_us: int
    depth: int


def parse(stderr: str) -> list[ModuleTime]:
    rows = []
    for line in stderr.splitlines():
        match = _LINE.match(line)
        if match:
            self_us, cumulative_us, indent, name = match.groups()
            rows.append(ModuleTime(name, int(self_us), int(cumulative_us), (len(indent) - 1) // 2))
    return rows


def run_once(module: str | None) -> list[ModuleTime]:
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}" if module else "pass"],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        last = completed.stderr.strip().splitlines()[-1] if completed.stderr.strip() else "no output"
        raise SystemExit(f"import {module} failed: {last}")
    rows = parse(completed.stderr)
    if not rows:
        raise SystemExit("python -X importtime wrote no table; is this CPython 3.7 or newer?")
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--module", default="leipzig_app.app")
    parser.add_argument("--repeat", type=int, default=5, help="counted runs after one warm-up (default 5)")
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    run_once(args.module)  # warm-up: bytecode and file caches
    # What the interpreter imports before `-c` runs (site, encodings, ...) is not the app's cost.
    startup = {r.name for r in run_once(None)}
    runs = [[r for r in run_once(args.module) if r.name not in startup] for _ in range(args.repeat)]
    # Total = the top-level imports' cumulative times (the table nests everything else under them).
    totals = [sum(r.cumulative_us for r in rows if r.depth == 0) / 1e6 for rows in runs]
    median_total = statistics.median(totals)
    median_index = totals.index(sorted(totals)[len(totals) // 2])
    rows = runs[median_index]
    slowest_self = sorted(rows, key=lambda r: r.self_us, reverse=True)[: args.top]
    slowest_cumulative = sorted(
        (r for r in rows if r.name != args.module), key=lambda r: r.cumulative_us, reverse=True
    )[: args.top]
    loaded = {r.name.split(".")[0] for r in rows}
    heavy_loaded = sorted(h for h in HEAVY if h in loaded)
    ok = median_total <= TARGET_SECONDS and not heavy_loaded

    if args.json:
        print(
            json.dumps(
                {
                    "module": args.module,
                    "totals": [round(t, 4) for t in totals],
                    "median_total": round(median_total, 4),
                    "target": TARGET_SECONDS,
                    "modules_imported": len(rows),
                    "heavy_loaded": heavy_loaded,
                    "slowest_self": [[r.name, r.self_us / 1e6] for r in slowest_self],
                    "slowest_cumulative": [[r.name, r.cumulative_us / 1e6] for r in slowest_cumulative],
                }
            )
        )
        return 0 if ok else 1
    print(
        f"import {args.module}: median {median_total:.3f} s over {args.repeat} runs "
        f"({', '.join(f'{t:.3f}' for t in totals)}), {len(rows)} modules"
    )
    print(f"target <= {TARGET_SECONDS} s: {'ok' if median_total <= TARGET_SECONDS else 'ABOVE TARGET'}")
    print(f"heavy modules loaded: {', '.join(heavy_loaded) if heavy_loaded else 'none'}")
    print(f"\n{args.top} slowest modules by own time:")
    for r in slowest_self:
        print(f"  {r.self_us / 1e6:7.4f} s  {r.name}")
    print(f"\n{args.top} slowest modules including their imports:")
    for r in slowest_cumulative:
        print(f"  {r.cumulative_us / 1e6:7.4f} s  {r.name}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
