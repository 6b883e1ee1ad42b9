"""The dialogs that lead out of the app, in real Chromium with semantics on.

Every link the app opens (from a news item, a city service in "Mehr", a scanned code) first asks in a
dialog that names the domain. Here each of them is opened as a resident would: the dialog must carry a
name for screen readers (its title; Flutter's web engine puts it on the dialog's group, and without
one a screen reader hears only "Benachrichtigung"), show the domain before anything else, name each of
its buttons, and close again with its cancel button without leaving the app.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import qrcode
from tests.a11y.screens import WAIT_MS, go, news_routes
from tests.support.browser import audit_unnamed

_DIALOG_JS = """() => [...document.querySelectorAll(
        'flt-semantics[role=dialog], flt-semantics[role=alertdialog]')]
    .map(e => ({
        name: e.getAttribute('aria-label')
            || e.querySelector('[aria-label]')?.getAttribute('aria-label') || '',
        text: e.innerText || '',
    }))"""


def _dialogs(page: Any) -> list[dict[str, str]]:
    found: list[dict[str, str]] = page.evaluate(_DIALOG_JS)
    return found


def _check_dialog(page: Any, opened_by: str, title: str, domain: str, cancel: str = "Abbrechen") -> list[str]:
    """The open dialog against the rules above; closes it. Returns what is wrong, as sentences."""
    page.wait_for_function(f"() => ({_DIALOG_JS})().length > 0", timeout=WAIT_MS)
    page.wait_for_timeout(300)  # the dialog's entrance animation
    problems: list[str] = []
    (dialog,) = _dialogs(page)
    if dialog["name"] != title:
        problems.append(f"{opened_by}: the dialog is named {dialog['name']!r}, not by its title {title!r}")
    lines = [line.strip() for line in dialog["text"].splitlines() if line.strip()]
    # The title comes first, then the domain: before any sentence about it, before the buttons.
    if lines[:2] != [title, domain]:
        problems.append(f"{opened_by}: the dialog does not start with its title and {domain!r}: {lines}")
    problems += [f"{opened_by}: unnamed {c.role} in the dialog" for c in audit_unnamed(page)]
    page.get_by_role("button", name=cancel).first.click()
    page.wait_for_function(f"() => ({_DIALOG_JS})().length === 0", timeout=WAIT_MS)
    return problems


def _pick_file(page: Any, image: Path) -> None:
    pick = page.get_by_role("button", name="Foto oder Datei wählen").first
    pick.wait_for(timeout=WAIT_MS)
    with page.expect_file_chooser(timeout=WAIT_MS) as chooser:
        pick.click()
    chooser.value.set_files(str(image))


@pytest.mark.e2e
def test_every_dialog_that_leaves_the_app_is_named_and_shows_the_domain_first(
    phone_page: Any, a11y_data_dir: Path, tmp_path: Path
) -> None:
    page = phone_page
    problems: list[str] = []

    # A city service in "Mehr": one of the online services on www.leipzig.de.
    go(page, "/more/online_services")
    page.get_by_role("button", name=re.compile("^Hund anmelden")).first.click()
    problems += _check_dialog(page, "online service", "Die App verlassen?", "www.leipzig.de")

    # A news item: "Im Browser öffnen" names the domain of the article.
    go(page, "/news")
    page.wait_for_function(
        "() => [...document.querySelectorAll('flt-semantics')].some(e => /Stand:/.test(e.textContent || ''))",
        timeout=WAIT_MS,
    )
    routes = news_routes(a11y_data_dir)
    assert routes, "the demo city's news never arrived"
    go(page, routes[0])
    open_in_browser = page.get_by_role("button", name=re.compile(r"^Im Browser öffnen \((.+)\)$")).first
    open_in_browser.wait_for(timeout=WAIT_MS)
    match = re.search(
        r"\((.+)\)$", open_in_browser.get_attribute("aria-label") or open_in_browser.inner_text()
    )
    assert match, "the button does not name the article's domain"
    open_in_browser.click()
    problems += _check_dialog(page, "news item", "Link öffnen?", match.group(1))

    # A scanned code with a web address on it.
    image = tmp_path / "link.png"
    qrcode.make("https://www.leipzig.de/buergerservice-und-verwaltung/").save(image)
    go(page, "/scanner")
    _pick_file(page, image)
    open_link = page.get_by_role("button", name="Link öffnen").first
    open_link.wait_for(timeout=WAIT_MS)
    open_link.click()
    problems += _check_dialog(page, "scanned code", "Link öffnen?", "www.leipzig.de", cancel="Nicht öffnen")

    assert not problems, "\n".join(problems)
