"""The notice screen in the real app, driven by the in-process Flet client (tests/support/flet_fake.py).

One app runtime (with its own demo city) serves the whole module; every test opens its own page.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from tests.letters.conftest import demo_notice, girocode_for, press, sign, sign_with_stranger
from tests.support.flet_fake import FakeFletClient
from tests.support.runtime import module_runtime

from leipzig_app.app import AppRuntime
from leipzig_app.domain.letters import PaymentRecord, PaymentStatus
from leipzig_app.domain.notices.code import Remedy
from leipzig_app.i18n import Translator
from leipzig_app.services.notices import NoticesService
from leipzig_app.ui.context import ViewContext

pytestmark = pytest.mark.asyncio(loop_scope="module")


runtime = module_runtime()


@pytest.fixture
def notices(runtime: AppRuntime) -> NoticesService:
    service = runtime.services.notices
    assert isinstance(service, NoticesService)
    return service


@pytest_asyncio.fixture(loop_scope="module")
async def client(runtime: AppRuntime) -> AsyncIterator[FakeFletClient]:
    async with FakeFletClient(runtime.create_main(), platform="android", width=360, height=800) as client:
        yield client


def screen(client: FakeFletClient) -> str:
    return "\n".join(client.texts())


async def until(client: FakeFletClient, condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait for work the app started in the background (`page.run_task`) to show on the screen."""
    for _ in range(int(timeout / 0.05)):
        await client.settle()
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the screen did not change in time")


def status(client: FakeFletClient) -> str:
    return str(client.find("shell.status").get("value"))


async def test_a_verified_letter_shows_summary_trust_and_the_three_actions(
    client: FakeFletClient, notices: NoticesService
) -> None:
    notice = demo_notice(cash_reference="5.0200.000001.1")
    letter = await notices.open_letter([sign(notice), girocode_for(notice)])
    await client.navigate(f"/scanner/notice/{letter.id}")
    assert client.find("notices.trust.verified").visible
    text = screen(client)
    assert "Von der Stadt bestätigt" in text
    assert "5.0200.000001.1" in text
    assert "bis zum 15.12.2026" in client.find("notices.summary.sentence").get("value")
    for action in ("pay_now", "bank_transfer", "pay_later", "object"):
        assert client.find(f"notices.action.{action}").visible


async def test_a_forged_letter_is_flagged_in_words_and_offers_no_payment(
    client: FakeFletClient, notices: NoticesService
) -> None:
    letter = await notices.open_letter([sign_with_stranger(demo_notice())])
    await client.navigate(f"/scanner/notice/{letter.id}")
    assert client.find("notices.trust.forged").visible
    text = screen(client)
    assert "möglicherweise gefälscht" in text
    assert "Die Unterschrift passt nicht" in text
    assert not client.find_all(lambda c: (c.key or "").startswith("notices.action."))
    assert client.find("notices.actions.none").visible


async def test_pay_now_reviews_hands_off_and_reads_the_result_back(
    client: FakeFletClient, notices: NoticesService, runtime: AppRuntime
) -> None:
    letter = await notices.open_letter([sign(demo_notice(cash_reference="5.0200.000002.1"))])
    await client.navigate(f"/scanner/notice/{letter.id}")
    await client.click("notices.action.pay_now")
    assert "123,45" in screen(client)
    assert client.state.launched_urls == []  # nothing happens before the resident confirms
    await client.click("notices.pay.confirm")
    [url] = client.state.launched_urls
    assert "kassenzeichen=5.0200.000002.1" in url
    assert "Bezahlseite ist geöffnet" in status(client)
    await client.click("notices.pay.check")
    assert "Noch kein Ergebnis" in status(client)
    assert runtime.http is not None
    await press(runtime.http, url, "pay")
    await client.click("notices.pay.check")
    assert status(client).startswith("Bezahlt am")
    assert client.find("notices.paid").visible
    assert not client.find_all(lambda c: c.key == "notices.action.pay_now")


@pytest.mark.parametrize(
    ("page_url", "expected"),
    [
        # What Flet's web server gives as the page's URL: its websocket's address, not the page's.
        ("ws://127.0.0.1:8550", "http://127.0.0.1:8550"),
        ("wss://app.example/leipzig", "https://app.example/leipzig"),
    ],
)
async def test_on_the_web_the_payment_page_links_back_to_the_app_over_http(
    runtime: AppRuntime, notices: NoticesService, page_url: str, expected: str
) -> None:
    letter = await notices.open_letter([sign(demo_notice(cash_reference="5.0200.000014.1"))])
    async with FakeFletClient(runtime.create_main(), platform="web", page_url=page_url) as web:
        await web.navigate(f"/scanner/notice/{letter.id}/pay")
        await web.click("notices.pay.confirm")
        [url] = web.state.launched_urls
    assert httpx.URL(url).params["return_url"] == f"{expected}/scanner/notice/{letter.id}/pay"


@pytest.mark.parametrize("step", ["", "/pay", "/transfer", "/later", "/object"])
async def test_every_text_of_the_letter_follows_the_text_size_setting(
    client: FakeFletClient, notices: NoticesService, step: str
) -> None:
    # The setting scales the theme's text styles: a text with a size of its own stays small at 200 %
    # (the labels "Zuständige Behörde", "Empfänger", "Betrag", ... did).
    letter = await notices.open_letter([sign(demo_notice(cash_reference="5.0200.000015.1"))])
    await client.navigate(f"/scanner/notice/{letter.id}{step}")
    fixed = client.find_all(lambda c: c.type == "Text" and c.get("size") is not None)
    assert not fixed, [(c.key, c.own_texts(), c.get("size")) for c in fixed]


async def test_a_payment_short_of_the_amount_is_shown_as_underpaid_with_what_is_open(
    client: FakeFletClient, notices: NoticesService, runtime: AppRuntime
) -> None:
    letter = await notices.open_letter([sign(demo_notice(cash_reference="5.0200.000013.1"))])
    await client.navigate(f"/scanner/notice/{letter.id}/pay")
    await client.click("notices.pay.confirm")
    [url] = client.state.launched_urls
    assert runtime.http is not None
    await press(runtime.http, str(httpx.URL(url).copy_merge_params({"betrag": "0.01"})), "pay")
    await client.click("notices.pay.check")
    assert "Es fehlen noch 123,44" in status(client)
    assert "Es fehlen noch 123,44" in str(client.find("notices.pay.differs").get("value"))
    assert not client.find_all(lambda c: c.key == "notices.pay.confirm")
    await client.navigate(f"/scanner/notice/{letter.id}")
    assert client.find("notices.payment_differs").visible
    assert not client.find_all(lambda c: c.key in ("notices.paid", "notices.action.pay_now"))
    assert client.find("notices.action.bank_transfer").visible


async def test_a_payment_that_does_not_match_is_shown_with_the_amount_and_currency_reported(
    client: FakeFletClient, notices: NoticesService
) -> None:
    letter = await notices.open_letter([sign(demo_notice(cash_reference="5.0200.000017.1"))])
    notices.store.save_payment(
        PaymentRecord(letter.id, PaymentStatus.DIFFERS, Decimal("123.45"), reference="R-1", currency="CHF")
    )
    await client.navigate(f"/scanner/notice/{letter.id}")
    assert client.find("notices.payment_differs").visible
    text = screen(client)
    assert "Die Stadt meldet 123,45\u00a0CHF." in text
    assert "verlangt 123,45\u00a0€" in text
    # A payment kept before its currency was (the city's currency not known): no amount is claimed.
    notices.store.save_payment(
        PaymentRecord(letter.id, PaymentStatus.DIFFERS, Decimal("123.45"), currency="")
    )
    await client.navigate(f"/scanner/notice/{letter.id}/pay")
    assert "meldet 123,45" not in str(client.find("notices.pay.differs").get("value"))


async def test_coming_back_from_the_payment_page_reads_the_result_by_itself(
    client: FakeFletClient, notices: NoticesService, runtime: AppRuntime
) -> None:
    letter = await notices.open_letter([sign(demo_notice(cash_reference="5.0200.000009.1"))])
    url = await notices.start_payment(letter.id)
    assert runtime.http is not None
    await press(runtime.http, url, "cancel")
    # The payment page links back to /scanner/notice/<id>/pay: opening it reads the result once.
    await client.navigate(f"/scanner/notice/{letter.id}/pay")
    await until(client, lambda: "Die Zahlung wurde abgebrochen" in status(client))
    assert client.find("notices.pay.status").visible


async def test_a_new_try_after_a_cancelled_one_is_shown_as_waiting_for_the_page(
    client: FakeFletClient, notices: NoticesService, runtime: AppRuntime
) -> None:
    letter = await notices.open_letter([sign(demo_notice(cash_reference="5.0200.000016.1"))])
    assert runtime.http is not None
    await press(runtime.http, await notices.start_payment(letter.id), "cancel")
    await client.navigate(f"/scanner/notice/{letter.id}/pay")
    await until(client, lambda: "Die Zahlung wurde abgebrochen" in status(client))
    await client.click("notices.pay.confirm")
    await asyncio.sleep(0.3)  # the pay step reads the city's answer once by itself
    await client.settle()
    assert "Bezahlseite ist geöffnet" in status(client)
    assert client.find("notices.pay.check").visible


async def test_returning_to_the_app_reads_the_payment_result_by_itself(
    client: FakeFletClient, notices: NoticesService, runtime: AppRuntime
) -> None:
    # A phone app has no link back from the payment page: the resident switches back to the app.
    letter = await notices.open_letter([sign(demo_notice(cash_reference="5.0200.000011.1"))])
    await client.navigate(f"/scanner/notice/{letter.id}/pay")
    await client.click("notices.pay.confirm")
    [url] = client.state.launched_urls
    assert runtime.http is not None
    await press(runtime.http, url, "pay")
    await client.trigger_page_event("app_lifecycle_state_change", {"state": "inactive"})
    assert not notices.overview(letter.id).paid  # going to the background asks nothing
    await client.trigger_page_event("app_lifecycle_state_change", {"state": "resume"})
    await until(client, lambda: status(client).startswith("Bezahlt am"))
    assert notices.overview(letter.id).paid


async def test_returning_to_another_screen_asks_nothing(
    client: FakeFletClient, notices: NoticesService, runtime: AppRuntime
) -> None:
    letter = await notices.open_letter([sign(demo_notice(cash_reference="5.0200.000012.1"))])
    await client.navigate(f"/scanner/notice/{letter.id}/pay")
    await client.click("notices.pay.confirm")
    [url] = client.state.launched_urls
    assert runtime.http is not None
    await press(runtime.http, url, "pay")
    await client.navigate("/news")
    await client.trigger_page_event("app_lifecycle_state_change", {"state": "resume"})
    await asyncio.sleep(0.3)
    await client.settle()
    assert not notices.overview(letter.id).paid  # the pay screen's check left with the pay screen


async def test_bank_transfer_shows_copy_buttons_and_a_large_girocode(
    client: FakeFletClient, notices: NoticesService
) -> None:
    letter = await notices.open_letter([sign(demo_notice(cash_reference="5.0200.000003.1"))])
    await client.navigate(f"/scanner/notice/{letter.id}/transfer")
    await client.click("notices.transfer.iban.copy")
    assert client.state.clipboard == "DE20860555921090000004"
    assert "IBAN kopiert." in status(client)
    await client.click("notices.transfer.amount.copy")
    assert client.state.clipboard == "123,45"
    image = [c for c in client.find_all(lambda c: c.type == "Image")]
    assert len(image) == 1
    assert image[0].get("width") == 300
    assert "GiroCode für die Überweisung" in str(image[0].get("semantics_label"))
    await client.click("notices.transfer.mark")
    assert "Die App kann das nicht prüfen" in status(client)
    await client.click("notices.transfer.mark_cancel")
    assert status(client) == "Abgebrochen. Es ist nichts geschehen."
    assert not notices.overview(letter.id).paid
    await client.click("notices.transfer.mark")
    await client.click("notices.transfer.mark_confirm")
    assert notices.overview(letter.id).paid


async def test_pay_later_saves_a_reminder_and_refuses_a_day_after_the_due_date(
    client: FakeFletClient, notices: NoticesService
) -> None:
    letter = await notices.open_letter([sign(demo_notice(cash_reference="5.0200.000004.1"))])
    await client.navigate(f"/scanner/notice/{letter.id}/later")
    assert "§ 80 Abs. 2 VwGO" in screen(client)
    field = client.find("notices.later.day")
    assert field.get("value") == "12.12.2026"
    await client.type(field, "16.12.2026")
    await client.click("notices.later.save")
    assert "spätestens am Zahlungsziel" in status(client)
    assert notices.store.reminder(letter.id) is None
    await client.type("notices.later.day", "10.12.2026")
    await client.click("notices.later.save")
    assert "10.12.2026" in status(client)
    assert client.find("notices.later.current").visible


async def test_object_shows_deadline_posting_day_and_never_claims_to_file(
    client: FakeFletClient, notices: NoticesService
) -> None:
    letter = await notices.open_letter([sign(demo_notice(cash_reference="5.0200.000005.1"))])
    await client.navigate(f"/scanner/notice/{letter.id}/object")
    text = screen(client)
    assert "Frist: bis zum 15.12.2026" in text
    assert "spätestens am 10.12.2026 zur Post" in text
    assert "legt den Widerspruch nicht für Sie ein" in text
    await client.click("notices.object.online")
    assert client.find("notices.object.online_confirm_box").visible
    assert "Sie verlassen die App und öffnen 127.0.0.1" in status(client)
    await client.click("notices.object.online_confirm")
    assert client.state.launched_urls[-1].endswith("/notices/objection-form?case=32.21-2026-0481516")
    await client.type("notices.object.reason", "Die Gebühr wurde doppelt erhoben.")
    await client.click("notices.object.save_draft")
    draft = notices.overview(letter.id).draft
    assert draft is not None
    assert draft.reason == "Die Gebühr wurde doppelt erhoben."
    await client.click("notices.object.in_person")
    assert client.find("nav.bar").get("selected_index") == 2  # the appointments section


async def test_object_asks_for_the_delivery_day_and_counts_the_deadline_from_it(
    client: FakeFletClient, notices: NoticesService
) -> None:
    # A fine notice posted on Tuesday 1 Dec 2026 and formally delivered on Wednesday 2 Dec.
    fine = demo_notice(
        cash_reference="5.0200.000014.1",
        notice_type="fine",
        remedy=Remedy.EINSPRUCH,
        notice_date=date(2026, 11, 30),
        posted_date=date(2026, 12, 1),
        due_date=date(2026, 12, 22),
    )
    letter = await notices.open_letter([sign(fine)])
    await client.navigate(f"/scanner/notice/{letter.id}/object")
    # Presumed from posting: Saturday 5 Dec, two weeks end on Saturday 19 Dec -> Monday 21 Dec.
    assert "Frist: bis zum 21.12.2026" in client.find("notices.object.deadline").get("value")
    assert "förmlich zugestellt" in str(client.find("notices.object.delivered_unknown").get("value"))
    assert client.find("notices.object.delivered").get("label")  # the field keeps its accessible name
    await client.type("notices.object.delivered", "03.12.2099")
    await client.click("notices.object.delivered_save")
    assert "in der Zukunft" in status(client)
    assert notices.objection(letter.id).delivered is None  # nothing changed
    await client.type("notices.object.delivered", "02.12.2026")
    await client.click("notices.object.delivered_save")
    assert "Neue Frist: bis zum 16.12.2026" in status(client)
    assert "Frist: bis zum 16.12.2026" in client.find("notices.object.deadline").get("value")
    assert "dem 02.12.2026" in str(client.find("notices.object.delivered_used").get("value"))
    assert not client.find_all(lambda c: c.key == "notices.object.delivered_unknown")
    await client.click("notices.object.delivered_pick")
    assert (
        client.find("notices.object.delivered_picker").get("help_text")
        == "Zugestellt am / erhalten am (optional)"
    )


@pytest.mark.parametrize(("language", "written"), [("ar", "03\u200f/12\u200f/2026"), ("de", "03.12.2026")])
async def test_the_date_fields_are_filled_as_the_screen_writes_dates(
    notices: NoticesService, runtime: AppRuntime, language: str, written: str
) -> None:
    """On an Arabic screen the dates beside the fields read 03/12/2026 (day first, written right to left):
    the fields are filled the same way, not as 03.12.2026. German stays 03.12.2026."""
    from datetime import datetime

    from leipzig_app.ui import formatting

    fine = demo_notice(
        cash_reference=f"5.0200.0000{len(language)}9.1",
        notice_type="fine",
        remedy=Remedy.EINSPRUCH,
        notice_date=date(2026, 11, 30),
        posted_date=date(2026, 12, 1),
        due_date=date(2099, 1, 31),
    )
    letter = await notices.open_letter([sign(fine)])
    notices.set_delivered(letter.id, date(2026, 12, 2))
    runtime.services.settings.update(language=language)
    try:
        async with FakeFletClient(runtime.create_main(), platform="android", width=360, height=800) as client:
            await client.navigate(f"/scanner/notice/{letter.id}/object")
            shown = formatting.day(date(2026, 12, 2), language)
            assert shown in str(client.find("notices.object.delivered_used").get("value"))
            assert client.find("notices.object.delivered").get("value") == shown
            hint = str(client.find("notices.object.delivered").get("hint_text"))
            assert ("DD/MM/YYYY" in hint) == (language == "ar")  # the hint names the same form
            # A day chosen in the calendar is written the same way, and read back as that day.
            await client.click("notices.object.delivered_pick")
            picker = client.find("notices.object.delivered_picker")
            await client.update_props(picker, {"value": datetime(2026, 12, 3)})
            await client.trigger(picker, "change")
            assert notices.objection(letter.id).delivered == date(2026, 12, 3)
            assert client.find("notices.object.delivered").get("value") == written
            assert written == formatting.day(date(2026, 12, 3), language)
            # Saving the field as it is filled keeps the day.
            await client.click("notices.object.delivered_save")
            assert notices.objection(letter.id).delivered == date(2026, 12, 3)
            # The reminder day, beside its own date.
            await client.navigate(f"/scanner/notice/{letter.id}/later")
            day = notices.default_reminder_day(letter.id)
            assert client.find("notices.later.day").get("value") == formatting.day(day, language)
            await client.click("notices.later.save")
            assert notices.overview(letter.id).reminder.remind_on == day  # type: ignore[union-attr]
    finally:
        runtime.services.settings.update(language="de")


async def test_manual_entry_names_the_wrong_field_then_opens_the_letter(client: FakeFletClient) -> None:
    await client.navigate("/scanner/manual")
    await client.type("notices.manual.cash_reference", "5.0300.1")
    await client.type("notices.manual.notice_date", "10.11.2026")
    await client.type("notices.manual.amount", "zwanzig")
    await client.click("notices.manual.submit")
    amount = client.find("notices.manual.amount")
    assert "als Zahl" in str(amount.get("error"))
    await client.type(amount, "20,00")
    await client.click("notices.manual.submit")
    assert client.find("notices.trust.manual").visible
    assert "Von Hand eingegeben" in screen(client)


async def test_open_codes_hands_the_letter_over_and_announces_its_state(runtime: AppRuntime) -> None:
    from leipzig_app.ui.notices.flow import handles, open_codes

    seen: list[str] = []
    announced: list[str] = []
    result: list[str | None] = []

    async def main(page: object) -> None:
        ctx = ViewContext(
            page=page,  # type: ignore[arg-type]
            services=runtime.services,
            t=Translator("de"),
            prefs=runtime.services.settings.load(),
            announce=announced.append,
            navigate=seen.append,
            refresh=lambda: None,
        )
        notice = demo_notice(cash_reference="5.0200.000006.1")
        fake = girocode_for(notice, iban="DE02120300000000202051")
        result.append(await open_codes(ctx, [sign(notice), fake]))
        result.append(await open_codes(ctx, []))

    async with FakeFletClient(main):
        pass
    assert result[0] is not None
    assert seen == [f"/scanner/notice/{result[0]}"]
    assert announced[0] == "Achtung: Die Codes passen nicht zusammen"
    assert result[1] is None
    assert announced[1] == "Es wurde kein Code übergeben."
    assert handles("/scanner/notice")
    assert handles("/scanner/manual")
    assert not handles("/scanner")


async def test_home_lists_the_reminder(client: FakeFletClient, notices: NoticesService) -> None:
    letter = await notices.open_letter([sign(demo_notice(cash_reference="5.0200.000007.1"))])
    notices.set_reminder(letter.id)
    await client.navigate(f"/scanner/notice/{letter.id}")  # the page opened on Home: leave it first
    await client.navigate("/")
    items = client.find_all(lambda c: (c.key or "").startswith("home.notices.item."))
    titles = [str(c.get("title")) for c in items] + client.texts()
    assert any("Kassenzeichen 5.0200.000007.1" in t for t in titles)
    [mine] = [c for c in items if "5.0200.000007.1" in str(c.get("title"))]
    await client.click(mine)
    assert client.find("notices.trust.verified").visible
    assert client.find("notices.action.pay_later").visible


async def test_the_reminder_is_saved_as_a_calendar_file(
    client: FakeFletClient, notices: NoticesService, tmp_path: Path
) -> None:
    target = tmp_path / "erinnerung.ics"
    asked: list[dict[str, object]] = []

    def save_file(_: object, args: dict[str, object] | None) -> str:
        asked.append(dict(args or {}))
        return str(target)  # a desktop dialog answers with a path; the app writes the file

    client.method_handlers[("FilePicker", "save_file")] = save_file
    letter = await notices.open_letter([sign(demo_notice(cash_reference="5.0200.000010.1"))])
    notices.set_reminder(letter.id)
    await client.navigate(f"/scanner/notice/{letter.id}/later")
    await client.click("notices.later.export")
    assert asked[0]["file_name"] == "zahlungserinnerung-5-0200-000010-1.ics"
    assert "BEGIN:VALARM" in target.read_text(encoding="utf-8")
    assert "Kalenderdatei zahlungserinnerung-5-0200-000010-1.ics gespeichert." in status(client)


async def test_a_result_in_the_background_only_speaks_for_a_screen_still_shown() -> None:
    import flet as ft

    from leipzig_app.ui.notices.common import still_shown

    seen: list[bool] = []

    async def main(page: ft.Page) -> None:
        old = ft.Text("pay step")
        holder = ft.Container(content=ft.Column([old]))
        page.add(holder)
        seen.append(still_shown(old))
        holder.content = ft.Text("news")  # what the shell does when the resident goes elsewhere
        page.update()
        seen.append(still_shown(old))
        seen.append(still_shown(ft.Text("never shown")))

    async with FakeFletClient(main):
        pass
    assert seen == [True, False, False]
