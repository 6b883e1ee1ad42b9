"""End-to-end helpers: the app in web mode as a subprocess, driven in Debian's Chromium by Playwright.

Measured facts this module relies on (Flet 1.0.5 web client, Chromium 156, Playwright 1.65):
- Flutter draws on a canvas; the DOM holds nothing to query until its semantics tree is switched on by
  a click on the hidden `flt-semantics-placeholder`. After that, roles and names are real ARIA:
  `page.get_by_role("button", name="Add one")` and `locator.aria_snapshot()` work.
- `locator.fill()` does not reach a Flutter text field: click it, then `page.keyboard.type()`.
- Flet's `key=` does not reach the DOM; `ft.Semantics(identifier=...)` appears as the attribute
  `flt-semantics-identifier`.
- The accessibility audit reads Chromium's own accessibility tree over CDP
  (`Accessibility.getFullAXTree`), i.e. the names a screen reader gets.
- Text size: Flutter web derives its text scale from the root element's font size (font-size / 16 px)
  and watches it, so 200 % text is `set_text_scale(page, 2.0)` on a running page, or
  `set_text_scale_on_load(context, 2.0)` before the app loads (what Chromium's font-size setting does).
  Browser zoom (`device_scale_factor`) only makes pixels denser; it is NOT a text-size test.
- The Playwright sync API is used: it runs its own loop in a greenlet and does not disturb the event loop
  pytest-asyncio gives async tests (the async API would need a session-wide event loop instead).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Locator, Page, Playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS: tuple[str, ...] = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-unsafe-swiftshader",
)
#: ARIA roles a user can operate; each needs an accessible name.
INTERACTIVE_ROLES = frozenset(
    {
        "button",
        "link",
        "textbox",
        "searchbox",
        "checkbox",
        "radio",
        "switch",
        "tab",
        "menuitem",
        "menuitemcheckbox",
        "menuitemradio",
        "slider",
        "spinbutton",
        "combobox",
        "listbox",
        "option",
    }
)
_URL = re.compile(r"http://127\.0\.0\.1:(\d+)/?\S*")


class WebAppError(RuntimeError):
    """The app under test did not come up; the message carries the tail of its output."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class WebApp:
    """A running web-mode app: its process, its URL and everything it printed so far."""

    process: subprocess.Popen[str]
    port: int
    url: str = ""
    output: list[str] = field(default_factory=list)
    started_at: float = 0.0
    #: Seconds from process start until the URL line was printed and the page answered HTTP 200.
    serving_after: float = 0.0

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.output[-lines:])


def _read_output(app: WebApp, url_seen: threading.Event) -> None:
    assert app.process.stdout is not None
    for line in app.process.stdout:
        app.output.append(line.rstrip("\n"))
        match = _URL.search(line)
        if match and not url_seen.is_set():
            app.url = match.group(0).rstrip("/") + "/"
            url_seen.set()


def _http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return int(response.status) == 200
    except (urllib.error.URLError, OSError):
        return False


def stop_process(process: subprocess.Popen[str], grace: float = 5.0) -> None:
    """SIGINT (the app's Ctrl+C path), then SIGTERM, then SIGKILL: to this process's own group only."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        if process.poll() is not None:
            break
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace)
    if process.stdout is not None:
        process.stdout.close()


@contextlib.contextmanager
def start_web_app(
    cmd: Sequence[str],
    env: Mapping[str, str] | None = None,
    timeout: float = 60.0,
    *,
    port: int | None = None,
    cwd: str | Path | None = None,
) -> Iterator[WebApp]:
    """Start `cmd` (each `{port}` replaced by a free loopback port), wait for its URL line and HTTP 200.

    The process is always stopped when the block ends, also when start-up fails or times out.
    """
    port = port or free_port()
    argv = [part.replace("{port}", str(port)) for part in cmd]
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    started = time.perf_counter()
    process = subprocess.Popen(
        argv,
        env=full_env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, so stopping it reaches its children too
    )
    app = WebApp(process=process, port=port, started_at=started)
    url_seen = threading.Event()
    reader = threading.Thread(target=_read_output, args=(app, url_seen), daemon=True)
    reader.start()
    try:
        deadline = started + timeout
        while not url_seen.wait(0.05):
            if process.poll() is not None:
                reader.join(1)
                raise WebAppError(f"{argv[0]} exited with {process.returncode}:\n{app.tail()}")
            if time.perf_counter() > deadline:
                raise WebAppError(f"no URL line from {argv[0]} within {timeout} s:\n{app.tail()}")
        while not _http_ok(app.url):
            if process.poll() is not None or time.perf_counter() > deadline:
                raise WebAppError(f"{app.url} did not answer HTTP 200 within {timeout} s:\n{app.tail()}")
            time.sleep(0.05)
        app.serving_after = time.perf_counter() - started
        yield app
    finally:
        stop_process(process)
        reader.join(2)


def launch_chromium(playwright: Playwright, *, extra_args: Sequence[str] = ()) -> Browser:
    """Debian's Chromium with the project's flags; Playwright gives it a fresh temporary profile."""
    if not Path(CHROMIUM).exists():
        raise FileNotFoundError(f"{CHROMIUM} is missing: apt-get install chromium")
    return playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=[*CHROMIUM_FLAGS, *extra_args]
    )


def wait_for_flutter(page: Page, timeout: float = 60.0) -> None:
    """Wait until the Flutter engine has booted and attached its view (semantics still off)."""
    page.locator("flutter-view").wait_for(state="attached", timeout=timeout * 1000)
    page.locator("flt-semantics-placeholder").wait_for(state="attached", timeout=timeout * 1000)


def enable_semantics(page: Page, timeout: float = 30.0) -> None:
    """Switch on Flutter's semantics tree (what a screen reader does) and wait for its first node."""
    # The engine may replace or drop its placeholder while it boots (slow under load): click whatever
    # placeholder is there without waiting for one, and click again until the first node appears.
    deadline = time.perf_counter() + timeout
    node = page.locator("flt-semantics").first
    while True:
        page.evaluate("() => document.querySelector('flt-semantics-placeholder')?.click()")
        try:
            node.wait_for(state="attached", timeout=1000)
            return
        except PlaywrightTimeoutError:
            if time.perf_counter() > deadline:
                raise


def open_app(page: Page, url: str, *, ready_text: str | None = None, timeout: float = 60.0) -> None:
    """Load the app, switch semantics on and, if given, wait for a text of the first screen."""
    page.goto(url, timeout=timeout * 1000)
    wait_for_flutter(page, timeout)
    enable_semantics(page, timeout)
    if ready_text:
        page.get_by_text(ready_text).first.wait_for(timeout=timeout * 1000)


def next_frames(page: Page, frames: int = 2) -> None:
    page.evaluate(
        """(n) => new Promise(done => {
            const step = left => left ? requestAnimationFrame(() => step(left - 1)) : done();
            step(n);
        })""",
        frames,
    )


def box_of(locator: Locator) -> dict[str, float]:
    """Where the control is drawn (x, y, width, height in page pixels); it must be on the page."""
    box = locator.bounding_box()
    assert box is not None, f"{locator} is not drawn"
    return dict(box)


def screenshot(page: Page, path: str | Path, *, settle_ms: int = 500) -> Path:
    """A PNG of the page once Flutter has drawn: two animation frames plus a short settle time."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    next_frames(page, 2)
    page.wait_for_timeout(settle_ms)
    page.screenshot(path=str(target))
    return target


def type_into(page: Page, locator: Locator, text: str) -> None:
    """Type like a user: `fill()` does not reach Flutter's hidden input element.

    Flutter creates that element when the field takes focus, which can lag behind the click on a busy
    machine (keys typed before it exist are lost): wait for it, clicking again if the first tap missed.
    """
    focused = "() => ['INPUT', 'TEXTAREA'].includes(document.activeElement?.tagName ?? '')"
    for _ in range(3):
        locator.click()
        try:
            page.wait_for_function(focused, timeout=5_000)
            break
        except PlaywrightTimeoutError:
            continue
    page.keyboard.type(text)


def set_text_scale(page: Page, factor: float) -> None:
    """Emulate the browser's text size (1.0 = 100 %, 2.0 = 200 %); Flutter follows the root font size."""
    page.evaluate("(px) => { document.documentElement.style.fontSize = px + 'px'; }", 16 * factor)
    next_frames(page, 2)
    page.wait_for_timeout(300)


def set_text_scale_on_load(context: BrowserContext, factor: float) -> None:
    """Every page of `context` starts with this text size, as for a user who set it in the browser."""
    # Init scripts run before the HTML is parsed: set the size again once the real <html> exists.
    context.add_init_script(
        script=(
            "(() => { const apply = () => { if (document.documentElement) "
            f"document.documentElement.style.fontSize = '{16 * factor}px'; }}; "
            "apply(); document.addEventListener('DOMContentLoaded', apply); })();"
        )
    )


def text_scale(page: Page) -> float:
    """The text scale Flutter reads: the root element's computed font size over 16 px."""
    size = page.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)")
    return float(size) / 16


@dataclass(frozen=True)
class UnnamedControl:
    """An operable element whose accessible name is empty: a screen reader announces only its role."""

    role: str
    description: str
    identifier: str | None


def audit_unnamed(page: Page) -> list[UnnamedControl]:
    """Interactive elements without an accessible name, from Chromium's accessibility tree."""
    cdp = page.context.new_cdp_session(page)
    try:
        nodes: list[dict[str, Any]] = cdp.send("Accessibility.getFullAXTree")["nodes"]
        unnamed = []
        for node in nodes:
            role = str((node.get("role") or {}).get("value", ""))
            name = str((node.get("name") or {}).get("value", "")).strip()
            if node.get("ignored") or role not in INTERACTIVE_ROLES or name:
                continue
            description = str((node.get("description") or {}).get("value", ""))
            unnamed.append(UnnamedControl(role, description, _identifier(cdp, node)))
        return unnamed
    finally:
        cdp.detach()


def _identifier(cdp: Any, node: dict[str, Any]) -> str | None:
    """The `flt-semantics-identifier` of the DOM element behind an AX node, if Flet set one."""
    backend_id = node.get("backendDOMNodeId")
    if backend_id is None:
        return None
    try:
        described = cdp.send("DOM.describeNode", {"backendNodeId": backend_id})
    except Exception:
        return None
    attributes = described.get("node", {}).get("attributes", [])
    pairs = dict(zip(attributes[::2], attributes[1::2], strict=False))
    value = pairs.get("flt-semantics-identifier")
    return str(value) if value else None


def scroll_to(page: Page, locator: Locator, tries: int = 15) -> Locator:
    """Flutter builds list items only near the viewport: scroll like a user until the control exists."""
    page.mouse.move(200, 400)
    for _ in range(tries):
        if locator.count():
            return locator
        page.mouse.wheel(0, 500)
        page.wait_for_timeout(250)
    return locator
