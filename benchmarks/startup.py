"""Start-up benchmark: seconds from process start to the first screen rendered in Chromium.

Measures, in the same run and alternating so that machine load hits both alike:
(a) a bare Flet "hello" app served the same way (web mode, 127.0.0.1, no CDN), and
(b) `leipzig-app --web --port N --data-dir <empty temporary folder>` (a first start).
"Rendered" means Flutter's semantics tree is on and holds a known text of the first screen ("Hello,
world" for (a), the navigation label "Aktuell" for (b) by default). One Chromium is started before the
clock runs; every measurement uses a fresh browser context, so nothing is cached between runs.

Prints every run, both medians and their ratio (target: at most 1.3). Usage::

    .venv/bin/python benchmarks/startup.py [--repeat 5] [--ready-text Aktuell] [--json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the benchmark reuses the test harness's browser helpers

from playwright.sync_api import Browser, sync_playwright  # noqa: E402
from tests.support.browser import WebAppError, launch_chromium, open_app, start_web_app  # noqa: E402

TARGET_RATIO = 1.3
HELLO_TEXT = "Hello, world"
HELLO_APP = f'''
import os, sys
import flet as ft

def main(page: ft.Page) -> None:
    page.add(ft.Text("{HELLO_TEXT}"))

os.environ.setdefault("FLET_FORCE_WEB_SERVER", "true")
os.environ.setdefault("FLET_DISPLAY_URL_PREFIX", "App URL:")
ft.run(main, host="127.0.0.1", port=int(sys.argv[1]), view=ft.AppView.WEB_BROWSER, no_cdn=True)
'''


def leipzig_app_command() -> list[str] | None:
    """The installed `leipzig-app` next to this Python (the venv), else on PATH."""
    beside = Path(sys.executable).with_name("leipzig-app")
    found = str(beside) if beside.exists() else shutil.which("leipzig-app")
    return [found, "--web", "--port", "{port}", "--data-dir", "{data_dir}"] if found else None


def measure(browser: Browser, cmd: list[str], ready_text: str, timeout: float) -> tuple[float, float]:
    """One cold start: process start -> URL -> page loaded -> semantics on -> ready text present.

    Returns the total and the part until the server answered (the rest is the browser's). Each start
    gets an empty data folder (`{data_dir}`): a first start, and the user's own folder stays untouched.
    """
    with tempfile.TemporaryDirectory() as data_dir:
        argv = [part.replace("{data_dir}", data_dir) for part in cmd]
        return _measure(browser, argv, ready_text, timeout)


def _measure(browser: Browser, cmd: list[str], ready_text: str, timeout: float) -> tuple[float, float]:
    with start_web_app(cmd, timeout=timeout) as app:
        context = browser.new_context(viewport={"width": 400, "height": 800}, locale="de-DE")
        try:
            page = context.new_page()
            open_app(page, app.url, timeout=timeout)
            page.wait_for_function(
                """(text) => [...document.querySelectorAll('flt-semantics')].some(e =>
                    (e.textContent || '').includes(text)
                    || (e.getAttribute('aria-label') || '').includes(text))""",
                arg=ready_text,
                timeout=timeout * 1000,
            )
            return time.perf_counter() - app.started_at, app.serving_after
        finally:
            context.close()


def main() -> int:
    try:
        return run()
    except (FileNotFoundError, WebAppError) as error:
        print(f"startup benchmark: {error}", file=sys.stderr)
        return 2


def run() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="cold starts per app (default 5)")
    parser.add_argument("--ready-text", default="Aktuell", help="a text of the app's first screen")
    parser.add_argument("--timeout", type=float, default=90.0, help="seconds allowed per start")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    app_cmd = leipzig_app_command()
    results: dict[str, list[float]] = {"hello": [], "leipzig-app": []}
    serving: dict[str, list[float]] = {"hello": [], "leipzig-app": []}
    app_problem = None if app_cmd else "the leipzig-app command is not installed"
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        hello = Path(tmp) / "hello.py"
        hello.write_text(HELLO_APP)
        hello_cmd = [sys.executable, str(hello), "{port}"]
        browser = launch_chromium(playwright)
        try:
            measure(browser, hello_cmd, HELLO_TEXT, args.timeout)  # warm the OS file cache once, unrecorded
            for run in range(args.repeat):
                order = [("hello", hello_cmd, HELLO_TEXT)]
                if app_cmd and app_problem is None:
                    app_entry = ("leipzig-app", app_cmd, args.ready_text)
                    order = [app_entry, *order] if run % 2 else [*order, app_entry]
                for name, cmd, text in order:
                    try:
                        total, served = measure(browser, cmd, text, args.timeout)
                        results[name].append(total)
                        serving[name].append(served)
                    except Exception as error:
                        if name == "hello":
                            raise
                        app_problem = f"leipzig-app did not reach its first screen: {error}".splitlines()[0]
                        break
                if not args.json:
                    print(
                        f"run {run + 1}: "
                        + "  ".join(
                            f"{k} {v[-1]:.2f} s (serving after {serving[k][-1]:.2f} s)"
                            for k, v in results.items()
                            if v
                        )
                    )
        finally:
            browser.close()

    hello_median = statistics.median(results["hello"])
    app_median = (
        statistics.median(results["leipzig-app"]) if results["leipzig-app"] and not app_problem else None
    )
    ratio = app_median / hello_median if app_median else None
    report = {
        "repeat": args.repeat,
        "hello_seconds": results["hello"],
        "leipzig_app_seconds": results["leipzig-app"],
        "hello_serving_seconds": serving["hello"],
        "leipzig_app_serving_seconds": serving["leipzig-app"],
        "hello_median": round(hello_median, 3),
        "leipzig_app_median": round(app_median, 3) if app_median else None,
        "ratio": round(ratio, 3) if ratio else None,
        "target_ratio": TARGET_RATIO,
        "problem": app_problem,
    }
    if args.json:
        print(json.dumps(report))
    else:
        print(
            f"hello median:       {hello_median:.2f} s "
            f"(serving after {statistics.median(serving['hello']):.2f} s)"
        )
        if app_median is None:
            print(f"leipzig-app:        missing ({app_problem})")
        else:
            verdict = "ok" if ratio is not None and ratio <= TARGET_RATIO else "ABOVE TARGET"
            print(
                f"leipzig-app median: {app_median:.2f} s "
                f"(serving after {statistics.median(serving['leipzig-app']):.2f} s)"
            )
            print(f"ratio:              {ratio:.2f} (target <= {TARGET_RATIO}: {verdict})")
    return 0 if ratio is not None and ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
