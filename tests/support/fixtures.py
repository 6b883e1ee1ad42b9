"""Pytest fixtures for end-to-end tests in Chromium: a plugin module for `pytest_plugins`.

List it in the top-level conftest (`pytest_plugins = ["tests.support.fixtures"]`; the repository root must
be importable, e.g. `pythonpath = ["."]` in the pytest settings). Then::

    @pytest.mark.e2e
    def test_news_opens(web_app_factory, browser_page, screenshot_dir):
        app = web_app_factory(["leipzig-app", "--web", "--port", "{port}"])
        open_app(browser_page, app.url)
        ...
        screenshot(browser_page, screenshot_dir / "news.png")

- `chromium_browser` (session): one Chromium for the whole run; started on first use only, so a run
  without e2e tests never starts a browser.
- `browser_context` / `browser_page` (function): a fresh context per test (own cookies, storage,
  viewport 400x800, locale de-DE); override `browser_context_options` to change them.
- `web_app_factory` (function): starts web-mode apps with `start_web_app` and stops them after the test.
- `screenshot_dir` (function): `test-artifacts/screenshots/<test name>/`, created on demand.

Threads: Playwright's sync API marks its own event loop as running in the thread that uses it, for as
long as the browser lives. A session-wide browser in the main thread would therefore break every
pytest-asyncio test that runs after it ("Cannot run the event loop while another loop is running"). So
Playwright lives in one worker thread (`browser_thread`): the fixtures create the browser, contexts and
pages there, and every test that uses `chromium_browser` (directly or through `browser_page`) has its
body run there too. E2e tests are therefore plain `def` tests; a fixture of your own that drives the
page must do it through `browser_thread.call(fn, ...)`. Without /usr/bin/chromium those tests are
skipped with the reason.
"""

from __future__ import annotations

import contextlib
import inspect
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from tests.support.browser import CHROMIUM, WebApp, launch_chromium, start_web_app

#: Where screenshots go, relative to the repository root (ignored by git).
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

StartWebApp = Callable[..., WebApp]
T = TypeVar("T")


class BrowserThread:
    """The one thread in which Playwright (and so every e2e test body) runs."""

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="playwright")

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return self._executor.submit(fn, *args, **kwargs).result()

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True)


@pytest.fixture(scope="session")
def browser_thread() -> Iterator[BrowserThread]:
    thread = BrowserThread()
    try:
        yield thread
    finally:
        thread.shutdown()


@pytest.fixture(scope="session")
def chromium_browser(browser_thread: BrowserThread) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")

    def start() -> tuple[Playwright, Browser]:
        playwright = sync_playwright().start()
        try:
            return playwright, launch_chromium(playwright)
        except BaseException:
            playwright.stop()
            raise

    playwright, browser = browser_thread.call(start)
    try:
        yield browser
    finally:
        browser_thread.call(browser.close)
        browser_thread.call(playwright.stop)


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run the body of every test that uses the browser in the browser thread."""
    if "chromium_browser" not in pyfuncitem.fixturenames:
        return None
    if inspect.iscoroutinefunction(pyfuncitem.obj):
        raise pytest.UsageError(f"{pyfuncitem.nodeid}: browser tests are plain `def` tests, not `async def`")
    thread = pyfuncitem.funcargs["browser_thread"]
    assert isinstance(thread, BrowserThread)
    names = pyfuncitem._fixtureinfo.argnames
    thread.call(pyfuncitem.obj, **{name: pyfuncitem.funcargs[name] for name in names})
    return True


@pytest.fixture
def browser_context_options() -> dict[str, Any]:
    return {"viewport": {"width": 400, "height": 800}, "locale": "de-DE"}


@pytest.fixture
def browser_context(
    browser_thread: BrowserThread, chromium_browser: Browser, browser_context_options: dict[str, Any]
) -> Iterator[BrowserContext]:
    context = browser_thread.call(chromium_browser.new_context, **browser_context_options)
    try:
        yield context
    finally:
        browser_thread.call(context.close)


@pytest.fixture
def browser_page(browser_thread: BrowserThread, browser_context: BrowserContext) -> Page:
    return browser_thread.call(browser_context.new_page)


@pytest.fixture
def web_app_factory() -> Iterator[StartWebApp]:
    """`start(cmd, env=None, timeout=60)` -> a running `WebApp`; every app is stopped after the test."""
    with contextlib.ExitStack() as stack:

        def start(cmd: Sequence[str], env: Mapping[str, str] | None = None, timeout: float = 60.0) -> WebApp:
            return stack.enter_context(start_web_app(cmd, env, timeout))

        yield start


@pytest.fixture
def screenshot_dir(request: pytest.FixtureRequest) -> Path:
    """A folder named after the test (parametrisation included) for its screenshots."""
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name).strip("_")
    folder = ARTIFACTS / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder
