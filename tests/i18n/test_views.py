"""Languages in the running app (in-process Flet client): easy German on the notice screen and its steps,
Arabic from right to left, Ukrainian throughout, and dates and amounts in each language's format.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
import pytest_asyncio
from tests.letters.conftest import demo_notice, girocode_for, sign
from tests.support.flet_fake import FakeFletClient
from tests.support.runtime import module_runtime

from leipzig_app.adapters.paths import assets_dir
from leipzig_app.app import AppRuntime
from leipzig_app.i18n import EASY_GERMAN, Translator, catalog
from leipzig_app.services.notices import NoticesService
from leipzig_app.ui import formatting

pytestmark = pytest.mark.asyncio(loop_scope="module")


runtime = module_runtime()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def letter_id(runtime: AppRuntime) -> str:
    service = runtime.services.notices
    assert isinstance(service, NoticesService)
    notice = demo_notice(cash_reference="5.0300.000001.1")
    letter = await service.open_letter([sign(notice), girocode_for(notice)])
    return str(letter.id)


def page_text(client: FakeFletClient) -> str:
    return "\n".join(client.texts())


async def open_client(runtime: AppRuntime, route: str) -> FakeFletClient:
    client = FakeFletClient(runtime.create_main(), platform="android", width=360, height=800)
    await client.connect()
    await client.navigate(route)
    return client


async def test_easy_german_explains_the_letter_the_deadline_and_each_action(
    runtime: AppRuntime, letter_id: str
) -> None:
    runtime.services.settings.update(language="de", easy_language=True)
    easy = Translator(EASY_GERMAN)
    client = await open_client(runtime, f"/scanner/notice/{letter_id}")
    try:
        text = page_text(client)
        sentence = str(client.find("notices.summary.sentence").get("value"))
        assert sentence.startswith("Das steht in dem Brief:\nStadt Leipzig")
        assert "Sie sollen 123,45\xa0€ bezahlen.\nBezahlen Sie bis zum 15.12.2026." in sentence
        for key in ("notices.trust.verified.title", "notices.actions.title", "notices.action.pay_now"):
            assert easy(key) in text, key
        assert "Von der Stadt bestätigt" not in text  # the standard German title is replaced

        await client.navigate(f"/scanner/notice/{letter_id}/object")
        text = page_text(client)
        assert easy("notices.object.never_files") in text
        assert "Ihr Widerspruch muss bis zum" in text
        assert "beim Amt sein." in text

        await client.navigate(f"/scanner/notice/{letter_id}/later")
        assert "Die App kann Sie an das Bezahlen erinnern." in page_text(client)

        await client.navigate(f"/scanner/notice/{letter_id}/transfer")
        assert easy("notices.transfer.intro") in page_text(client)
        # Texts easy German does not rewrite come in standard German.
        assert catalog("de")["notices.transfer.iban"] in page_text(client)
    finally:
        await client.close()
        runtime.services.settings.update(language="de", easy_language=False)


async def test_easy_german_is_off_for_other_languages(runtime: AppRuntime, letter_id: str) -> None:
    runtime.services.settings.update(language="en", easy_language=True)
    client = await open_client(runtime, f"/scanner/notice/{letter_id}")
    try:
        assert "Confirmed by the city" in page_text(client)
    finally:
        await client.close()
        runtime.services.settings.update(language="de", easy_language=False)


async def test_arabic_turns_the_page_right_to_left_with_arabic_dates_and_amounts(
    runtime: AppRuntime, letter_id: str
) -> None:
    runtime.services.settings.update(language="ar")
    client = await open_client(runtime, f"/scanner/notice/{letter_id}")
    try:
        assert client.page.rtl is True
        # Arabic letters come from the bundled font (Roboto has none; no font is fetched from the web).
        assert client.page.theme is not None
        family = client.page.theme.font_family
        assert family == "Noto Sans Arabic"
        text_theme = client.page.theme.text_theme
        assert text_theme is not None
        assert text_theme.body_medium is not None
        assert text_theme.body_medium.font_family == family  # the styles carry it, or the client drops it
        assert client.page.fonts is not None
        assert (assets_dir() / client.page.fonts[family]).stat().st_size > 100_000
        text = page_text(client)
        assert Translator("ar")("notices.trust.verified.title") in text
        sentence = str(client.find("notices.summary.sentence").get("value"))
        assert sentence.startswith("تطلب ")
        assert "2026" in sentence
        assert "15.12.2026" not in sentence
        tab_labels = [
            c.get("label") for c in client.find_all(lambda c: str(c.get("key", "")).startswith("nav."))
        ]
        assert "الرئيسية" in tab_labels
    finally:
        await client.close()
        runtime.services.settings.update(language="de")


async def test_ukrainian_shows_ukrainian_texts_left_to_right(runtime: AppRuntime) -> None:
    runtime.services.settings.update(language="uk")
    client = await open_client(runtime, "/more")
    try:
        assert client.page.rtl is False
        assert client.page.theme is not None
        assert client.page.theme.font_family is None  # Roboto has Cyrillic letters
        text = page_text(client)
        assert "Налаштування" in text
        assert "Заява про доступність" in text
    finally:
        await client.close()
        runtime.services.settings.update(language="de")


@pytest.mark.parametrize("language", ["uk", "ar"])
async def test_the_objection_deadline_is_explained_in_ukrainian_and_arabic(
    runtime: AppRuntime, letter_id: str, language: str
) -> None:
    runtime.services.settings.update(language=language)
    client = await open_client(runtime, f"/scanner/notice/{letter_id}/object")
    try:
        t = Translator(language)
        rule = str(client.find("notices.object.rule").get("value"))
        steps = [
            str(c.get("value"))
            for c in client.find_all(lambda c: str(c.get("key", "")).startswith("notices.object.step."))
        ]
        # The state whose holidays count is named in the resident's language, not by its code "SN".
        assert rule == t("notices.deadline.rule.widerspruch_one_month", state=t("notices.deadline.state.SN"))
        assert "(SN)" not in rule
        assert len(steps) >= 2  # presumed notification, then the month's end
        # Posted 11 Nov 2026: notified on 15 Nov, the month ends on 15 Dec (a Tuesday).
        assert formatting.day(date(2026, 11, 11), language) in steps[0]
        assert formatting.day(date(2026, 12, 15), language) in steps[-1]
        for text in (rule, *steps):
            assert not re.search(r"\d{4}-\d{2}-\d{2}", text), text
            assert not set(re.findall(r"[A-Za-z]{3,}", text)) - {"VwGO", "VwVfG", "BGB", "OWiG", "Abs"}, text
    finally:
        await client.close()
        runtime.services.settings.update(language="de")


async def test_a_field_runs_right_to_left_while_its_text_is_written_so(
    runtime: AppRuntime, letter_id: str
) -> None:
    """In the German app a resident may write the reason in Arabic: the field then runs right to left
    (its full stop at the end, its lines aligned right); German text, or none, leaves the screen's own
    direction."""
    runtime.services.settings.update(language="de")
    client = await open_client(runtime, f"/scanner/notice/{letter_id}/object")
    try:
        key = "notices.object.reason"
        assert not client.find(key).get("rtl")
        await client.type(key, "الرسوم مرتفعة جدا.")
        assert client.find(key).get("rtl") is True
        await client.type(key, "Die Gebühr ist zu hoch.")
        assert not client.find(key).get("rtl")
        await client.type(key, "")
        assert not client.find(key).get("rtl")
    finally:
        await client.close()
