"""The letters service against the real demo city: open letters, pay now, pay later, object, type in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from tests.letters.conftest import (
    NOW,
    demo_notice,
    girocode_for,
    press,
    sign,
    sign_with_stranger,
)

from leipzig_app.adapters.letters_store import SqliteLettersStore
from leipzig_app.adapters.sqlite_store import Database
from leipzig_app.domain.errors import OfflineError
from leipzig_app.domain.letters import LetterError, PaymentStatus, RemoteStatus, TrustState
from leipzig_app.domain.notices.code import Notice, Remedy
from leipzig_app.domain.profile import CityProfile
from leipzig_app.sandbox.notices import demo_key
from leipzig_app.sandbox.server import SandboxServer
from leipzig_app.services.notice_letters import printed_objection
from leipzig_app.services.notices import NoticesService


async def test_a_signed_letter_with_its_girocode_is_verified_and_offers_all_three_actions(
    service: NoticesService,
) -> None:
    notice = demo_notice()
    letter = await service.open_letter([sign(notice), girocode_for(notice)])
    assert letter.trust is TrustState.VERIFIED
    assert letter.cash_reference == "5.0123.456789.3"
    assert letter.amount == Decimal("123.45")
    assert letter.demo is True
    assert [a for a in letter.actions if a != "copy_text"] == [
        "pay_now",
        "bank_transfer",
        "pay_later",
        "object",
    ]
    assert service.overview(letter.id).pay_now is True


async def test_a_forged_signature_is_flagged_and_offers_nothing(service: NoticesService) -> None:
    letter = await service.open_letter([sign_with_stranger(demo_notice())])
    assert letter.trust is TrustState.FORGED
    assert letter.actions == ()
    assert "signature_invalid" in [p["code"] for p in letter.problems]
    assert service.overview(letter.id).pay_now is False


async def test_a_key_revoked_in_the_citys_key_list_is_refused(service: NoticesService) -> None:
    # The profile does not know demo-2024; only the key list fetched from the demo city revokes it.
    letter = await service.open_letter([sign(demo_notice(), key="revoked")])
    assert letter.trust is TrustState.FORGED
    assert [p["code"] for p in letter.problems] == ["key_revoked"]


async def test_a_girocode_paying_another_account_is_a_mismatch(service: NoticesService) -> None:
    notice = demo_notice()
    fake = girocode_for(notice, iban="DE02120300000000202051", name="Knoellchen Service")
    letter = await service.open_letter([sign(notice), fake])
    assert letter.trust is TrustState.MISMATCH
    assert letter.actions == ()
    assert "mismatch_iban" in [p["code"] for p in letter.problems]


async def test_a_forged_letter_never_overwrites_the_genuine_letters_record(service: NoticesService) -> None:
    genuine = await service.open_letter([sign(demo_notice())])
    forged = await service.open_letter([sign_with_stranger(demo_notice())])
    assert forged.id != genuine.id
    assert service.letter(genuine.id).trust is TrustState.VERIFIED


async def test_a_girocode_alone_is_unsigned_and_offers_only_the_transfer(service: NoticesService) -> None:
    letter = await service.open_letter([girocode_for(demo_notice())])
    assert letter.trust is TrustState.UNSIGNED
    assert letter.actions == ("bank_transfer",)
    data = service.transfer_data(letter.id)
    assert data.iban == "DE20860555921090000004"
    assert data.reference == "RF18539007547034"


async def test_opening_nothing_or_garbage_gives_a_clear_answer(service: NoticesService) -> None:
    with pytest.raises(LetterError) as err:
        await service.open_letter(["", "   "])
    assert err.value.key == "notices.error.no_codes"
    letter = await service.open_letter(["hello"])
    assert letter.trust is TrustState.UNKNOWN
    assert letter.actions == ()


async def test_pay_now_success_is_read_back_and_marked_paid(
    service: NoticesService, http: httpx.AsyncClient
) -> None:
    letter = await service.open_letter([sign(demo_notice())])
    url = await service.start_payment(letter.id, return_url="http://127.0.0.1:8550/scanner/notice")
    assert "kassenzeichen=5.0123.456789.3" in url
    assert "betrag=123.45" in url
    assert service.overview(letter.id).payment.status is PaymentStatus.PENDING  # type: ignore[union-attr]
    assert (await service.check_payment(letter.id)).status is PaymentStatus.PENDING
    result = await press(http, url, "pay")
    assert result.status_code == 200
    record = await service.check_payment(letter.id)
    assert record.status is PaymentStatus.PAID
    assert record.reference.startswith("DEMO-")
    assert record.paid_at is not None
    assert record.amount == Decimal("123.45")
    overview = service.overview(letter.id)
    assert overview.paid
    assert not overview.pay_now


async def test_paying_twice_is_refused_by_the_app_and_by_the_city(
    service: NoticesService, http: httpx.AsyncClient
) -> None:
    letter = await service.open_letter([sign(demo_notice())])
    url = await service.start_payment(letter.id)
    await press(http, url, "pay")
    await service.check_payment(letter.id)
    with pytest.raises(LetterError) as err:
        await service.start_payment(letter.id)
    assert err.value.key == "notices.error.already_paid"
    second = await press_without_page(http, url)
    assert second.status_code == 409
    with pytest.raises(LetterError):
        service.mark_transferred(letter.id)


async def press_without_page(http: httpx.AsyncClient, url: str) -> httpx.Response:
    params = dict(httpx.URL(url).params)
    return await http.post(
        str(httpx.URL(url).copy_with(query=None)),
        data={"kassenzeichen": params["kassenzeichen"], "betrag": params["betrag"], "action": "pay"},
    )


def _changed_amount(url: str, amount: str) -> str:
    """The hand-off URL with another amount: anyone can edit a link before pressing "Bezahlen"."""
    return str(httpx.URL(url).copy_merge_params({"betrag": amount}))


async def test_a_payment_of_less_than_the_letter_asks_is_underpaid_not_paid(
    service: NoticesService, http: httpx.AsyncClient
) -> None:
    notice = demo_notice()
    letter = await service.open_letter([sign(notice), girocode_for(notice)])
    service.set_reminder(letter.id)
    url = await service.start_payment(letter.id)
    assert (await press(http, _changed_amount(url, "0.01"), "pay")).status_code == 200
    record = await service.check_payment(letter.id)
    assert record.status is PaymentStatus.UNDERPAID
    assert record.amount == Decimal("0.01")
    overview = service.overview(letter.id)
    assert not overview.paid
    assert overview.payment_differs
    assert overview.outstanding == Decimal("123.44")
    assert not overview.pay_now  # the city's page refuses a second payment for this Kassenzeichen
    assert overview.reminder is not None  # still to pay: the reminder stays
    [item] = (await service.home_card("de")).items
    assert item.title.startswith("123,44\xa0€ zahlen")
    with pytest.raises(LetterError) as err:
        await service.start_payment(letter.id)
    assert err.value.key == "notices.error.payment_differs"
    data = service.transfer_data(letter.id)
    assert data.amount == Decimal("123.44")
    assert "EUR123.44" in data.girocode.splitlines()


async def test_a_payment_of_more_than_the_letter_asks_differs_and_is_not_paid(
    make_service: Callable[..., NoticesService], http: httpx.AsyncClient
) -> None:
    service = make_service()
    letter = await service.open_letter([sign(demo_notice(cash_reference="5.0999.000002.1"))])
    url = await service.start_payment(letter.id)
    await press(http, _changed_amount(url, "200.00"), "pay")
    # Read back before the next hand-off, as when the resident never returned to the app.
    with pytest.raises(LetterError) as err:
        await service.start_payment(letter.id)
    assert err.value.key == "notices.error.payment_differs"
    overview = service.overview(letter.id)
    assert overview.payment is not None
    assert overview.payment.status is PaymentStatus.DIFFERS
    assert not overview.paid
    assert not overview.pay_now


async def test_a_kept_letter_whose_key_the_city_revoked_since_is_no_longer_offered_for_payment(
    make_service: Callable[..., NoticesService],
    city_server: SandboxServer,
    http: httpx.AsyncClient,
    db: Database,
) -> None:
    service = make_service()
    notice = demo_notice(cash_reference="5.0999.000003.1")
    letter = await service.open_letter([sign(notice), girocode_for(notice)])
    service.set_reminder(letter.id)
    assert service.overview(letter.id).pay_now
    revoked = await http.post(
        city_server.base_url + "/demo/notices/revoke", params={"kid": demo_key("current").kid}
    )
    assert revoked.status_code == 200
    try:
        # The app started again: before handing off it reads the city's key list, which now revokes
        # the key the letter was signed with.
        later = make_service()
        with pytest.raises(LetterError) as err:
            await later.start_payment(letter.id)
        assert err.value.key == "notices.error.no_payment_page"
        overview = later.overview(letter.id)
        assert overview.letter.trust is TrustState.FORGED
        assert "key_revoked" in [p["code"] for p in overview.letter.problems]
        assert overview.letter.actions == ()
        assert not overview.pay_now
        for refused in (
            lambda: later.set_reminder(letter.id),
            lambda: later.mark_transferred(letter.id),
            lambda: later.objection(letter.id),
            lambda: later.reminder_ics(letter.id, "de"),
        ):
            with pytest.raises(LetterError):
                refused()
        [item] = (await later.home_card("de")).items
        assert item.title == "Brief prüfen – Kassenzeichen 5.0999.000003.1"
        assert "nicht mehr" in item.subtitle
        assert item.route == f"/scanner/notice/{letter.id}"
        # The change is kept: without the key list (offline, just started) the letter is not verified.
        assert SqliteLettersStore(db).letter(letter.id).trust is TrustState.FORGED  # type: ignore[union-attr]
    finally:
        await http.post(city_server.base_url + "/demo/notices/reset")


async def test_a_letter_paid_elsewhere_is_recognised_before_handing_off(
    make_service: Callable[..., NoticesService], http: httpx.AsyncClient
) -> None:
    service = make_service()
    letter = await service.open_letter([sign(demo_notice(cash_reference="5.0999.000001.1"))])
    url = await service.start_payment(letter.id)
    await press(http, url, "pay")
    # The resident never came back to the app; the next attempt finds the city's record.
    with pytest.raises(LetterError) as err:
        await service.start_payment(letter.id)
    assert err.value.key == "notices.error.already_paid"
    assert service.overview(letter.id).paid


@pytest.mark.parametrize(("button", "status"), [("cancel", "cancelled"), ("fail", "failed")])
async def test_cancel_and_failure_are_read_back_and_allow_another_try(
    service: NoticesService, http: httpx.AsyncClient, button: str, status: str
) -> None:
    letter = await service.open_letter([sign(demo_notice())])
    url = await service.start_payment(letter.id)
    await press(http, url, button)
    record = await service.check_payment(letter.id)
    assert record.status.value == status
    assert not service.overview(letter.id).paid
    again = await service.start_payment(letter.id)
    await press(http, again, "pay")
    assert (await service.check_payment(letter.id)).paid


@pytest.mark.parametrize("button", ["cancel", "fail"])
async def test_a_new_try_after_a_cancelled_one_stays_pending_until_the_page_has_an_answer(
    service: NoticesService, http: httpx.AsyncClient, button: str
) -> None:
    # The city reports the last result for a Kassenzeichen: right after the second hand-off that is still
    # the first try's "cancelled", which says nothing about the try the resident has just begun.
    letter = await service.open_letter([sign(demo_notice())])
    await press(http, await service.start_payment(letter.id), button)
    assert (await service.check_payment(letter.id)).status.value != "pending"
    again = await service.start_payment(letter.id)
    assert (await service.check_payment(letter.id)).status is PaymentStatus.PENDING
    assert service.overview(letter.id).payment.status is PaymentStatus.PENDING  # type: ignore[union-attr]
    await press(http, again, "pay")
    assert (await service.check_payment(letter.id)).paid


@pytest.mark.parametrize(("first", "then"), [("cancel", "cancel"), ("fail", "fail"), ("cancel", "fail")])
async def test_a_second_and_third_try_ended_on_the_page_read_as_ended(
    service: NoticesService, http: httpx.AsyncClient, first: str, then: str
) -> None:
    # The city names its last result, and with it the try it belongs to: a second cancellation is this
    # try's answer, not the first try's, while a try the resident has not finished stays pending.
    ended = {"cancel": PaymentStatus.CANCELLED, "fail": PaymentStatus.FAILED}
    letter = await service.open_letter([sign(demo_notice())])
    await press(http, await service.start_payment(letter.id), first)
    assert (await service.check_payment(letter.id)).status is ended[first]
    for _ in range(2):  # the second and the third try
        again = await service.start_payment(letter.id)
        assert (await service.check_payment(letter.id)).status is PaymentStatus.PENDING
        await press(http, again, then)
        assert (await service.check_payment(letter.id)).status is ended[then]
        assert service.overview(letter.id).payment.status is ended[then]  # type: ignore[union-attr]
    await press(http, await service.start_payment(letter.id), "pay")
    assert (await service.check_payment(letter.id)).paid


async def test_without_the_try_named_the_same_result_leaves_a_new_try_pending(
    service: NoticesService, http: httpx.AsyncClient
) -> None:
    # A city whose status names no try: a second "cancelled" cannot be told from the first one, and "no
    # result yet" is the safe reading for a try the resident may still be finishing.
    real = service.payments
    assert real is not None

    class Unnamed:
        async def status(self, cash_reference: str) -> RemoteStatus:
            return replace(await real.status(cash_reference), transaction="")

    service.payments = Unnamed()
    letter = await service.open_letter([sign(demo_notice())])
    await press(http, await service.start_payment(letter.id), "cancel")
    assert (await service.check_payment(letter.id)).status is PaymentStatus.CANCELLED
    await press(http, await service.start_payment(letter.id), "cancel")
    assert (await service.check_payment(letter.id)).status is PaymentStatus.PENDING


@pytest.mark.parametrize("mark", ["page", "transfer"])
async def test_a_corrected_notice_asking_more_is_not_paid_by_the_first_payment(
    service: NoticesService, http: httpx.AsyncClient, mark: str
) -> None:
    # A corrected notice (Änderungsbescheid) keeps Kassenzeichen and Aktenzeichen and is the same letter
    # to the app; what was paid for the first amount does not settle a higher one.
    first = await service.open_letter([sign(demo_notice())])
    if mark == "page":
        await press(http, await service.start_payment(first.id), "pay")
        assert (await service.check_payment(first.id)).paid
    else:
        service.mark_transferred(first.id)
    corrected = await service.open_letter([sign(demo_notice(amount=Decimal("150.00")))])
    assert corrected.id == first.id
    overview = service.overview(corrected.id)
    assert not overview.paid
    assert overview.payment is not None
    assert overview.payment.status is PaymentStatus.UNDERPAID
    assert service.transfer_data(corrected.id).amount == Decimal("26.55")
    # Scanning the first notice again (the amount that was paid) shows it paid again.
    again = await service.open_letter([sign(demo_notice())])
    assert service.overview(again.id).paid


async def test_a_payment_keeps_the_currency_it_was_made_in(
    service: NoticesService, http: httpx.AsyncClient
) -> None:
    # The city's page took 123.45 Swiss francs for a letter asking 100.00 euros: not paid. A corrected
    # notice asking 123.45 euros does not make it paid either: the payment stays the francs it was.
    real = service.payments
    assert real is not None

    class Francs:
        async def status(self, cash_reference: str) -> RemoteStatus:
            return replace(await real.status(cash_reference), currency="CHF")

    first = await service.open_letter([sign(demo_notice(amount=Decimal("100.00")))])
    url = await service.start_payment(first.id)
    assert service.overview(first.id).payment.currency == "EUR"  # type: ignore[union-attr]
    await press(http, str(httpx.URL(url).copy_merge_params({"betrag": "123.45"})), "pay")
    service.payments = Francs()
    record = await service.check_payment(first.id)
    assert (record.status, record.amount, record.currency) == (
        PaymentStatus.DIFFERS,
        Decimal("123.45"),
        "CHF",
    )
    corrected = await service.open_letter([sign(demo_notice())])  # 123.45 EUR
    assert corrected.id == first.id
    payment = service.overview(corrected.id).payment
    assert payment is not None
    assert (payment.status, payment.currency) == (PaymentStatus.DIFFERS, "CHF")
    # The resident transferring the letter's amount themselves pays it in euros.
    assert service.mark_transferred(corrected.id).currency == "EUR"


def test_payments_kept_before_the_currency_was_kept_are_euros_where_that_is_known(tmp_path: Path) -> None:
    from leipzig_app.adapters.letters_store import MIGRATIONS
    from leipzig_app.adapters.sqlite_store import Migrations
    from leipzig_app.app import migrations

    path = tmp_path / "app.sqlite3"
    old = Database(path, [Migrations("letters", MIGRATIONS.steps[:3])])
    rows = {
        "paid": ("paid", "payment_page"),
        "underpaid": ("underpaid", "payment_page"),
        "pending": ("pending", "payment_page"),
        "transfer": ("paid", "bank_transfer"),
        # The city named a payment that does not match: its currency was not kept, and may not be euros.
        "differs": ("differs", "payment_page"),
    }
    with old.transaction() as conn:
        for letter_id, (status, channel) in rows.items():
            conn.execute(
                "INSERT INTO letters (id, data, first_seen, last_seen) "
                "VALUES (?, ?, '2026-11-20', '2026-11-20')",
                (letter_id, f'{{"id": "{letter_id}", "trust": "verified"}}'),
            )
            conn.execute(
                "INSERT INTO letter_payments (letter_id, status, amount, channel) VALUES (?, ?, '35.00', ?)",
                (letter_id, status, channel),
            )
    upgraded = Database(path, migrations())
    assert upgraded.version("letters") == len(MIGRATIONS.steps)
    store = SqliteLettersStore(upgraded)
    currencies = {letter_id: store.payment(letter_id).currency for letter_id in rows}  # type: ignore[union-attr]
    assert currencies == {
        "paid": "EUR",
        "underpaid": "EUR",
        "pending": "EUR",
        "transfer": "EUR",
        "differs": "",
    }


async def test_the_payment_status_is_offline_when_the_city_is_unreachable(
    make_service: Callable[..., NoticesService], city: CityProfile
) -> None:
    dead = replace(city, payments=replace(city.payments, status_url="http://127.0.0.1:9/payments/status"))
    service = make_service(profile=dead)
    letter = await service.open_letter([sign(demo_notice())])
    with pytest.raises(OfflineError):
        await service.start_payment(letter.id)


async def test_a_payment_page_outside_the_allow_list_is_refused(
    make_service: Callable[..., NoticesService], city: CityProfile
) -> None:
    evil = replace(city, payments=replace(city.payments, page_url="https://pay.example.org/pay"))
    service = make_service(profile=evil)
    letter = await service.open_letter([sign(demo_notice())])
    with pytest.raises(LetterError) as err:
        await service.start_payment(letter.id)
    assert err.value.key == "notices.error.payment_domain"


async def test_bank_transfer_data_carries_a_valid_girocode(service: NoticesService) -> None:
    letter = await service.open_letter([sign(demo_notice())])
    data = service.transfer_data(letter.id)
    assert (data.name, data.iban, data.amount, data.purpose) == (
        "Stadtkasse Leipzig",
        "DE20860555921090000004",
        Decimal("123.45"),
        "RF18539007547034",
    )
    assert data.girocode.splitlines() == [
        "BCD", "002", "1", "SCT", "", "Stadtkasse Leipzig", "DE20860555921090000004", "EUR123.45", "",
        "RF18539007547034",
    ]  # fmt: skip
    record = service.mark_transferred(letter.id)
    assert record.paid
    assert record.channel == "bank_transfer"


async def test_pay_later_defaults_to_three_days_before_the_due_date(service: NoticesService) -> None:
    letter = await service.open_letter([sign(demo_notice())])
    assert service.default_reminder_day(letter.id) == date(2026, 12, 12)
    reminder = service.set_reminder(letter.id)
    assert reminder.remind_on == date(2026, 12, 12)
    card = await service.home_card("de")
    assert len(card.items) == 1
    assert "123,45" in card.items[0].title
    assert "5.0123.456789.3" in card.items[0].title
    assert "12.12.2026" in card.items[0].subtitle
    assert card.items[0].route == f"/scanner/notice/{letter.id}"


async def test_a_reminder_after_the_due_date_or_in_the_past_is_refused(service: NoticesService) -> None:
    letter = await service.open_letter([sign(demo_notice())])
    with pytest.raises(LetterError) as err:
        service.set_reminder(letter.id, date(2026, 12, 16))
    assert err.value.key == "notices.error.reminder_after_due"
    with pytest.raises(LetterError) as err:
        service.set_reminder(letter.id, date(2026, 11, 22))
    assert err.value.key == "notices.error.reminder_in_past"
    assert service.set_reminder(letter.id, date(2026, 12, 15)).remind_on == date(2026, 12, 15)


async def test_the_reminder_ics_has_an_alarm_berlin_time_and_the_payment_rule(
    service: NoticesService,
) -> None:
    letter = await service.open_letter([sign(demo_notice())])
    service.set_reminder(letter.id, date(2026, 12, 10))
    name, data = service.reminder_ics(letter.id, "de")
    text = data.decode("utf-8").replace("\r\n ", "")
    assert name == "zahlungserinnerung-5-0123-456789-3.ics"
    assert "BEGIN:VTIMEZONE" in text
    assert "TZID:Europe/Berlin" in text
    assert "DTSTART;TZID=Europe/Berlin:20261210T090000" in text
    assert "BEGIN:VALARM" in text
    assert "ACTION:DISPLAY" in text
    assert f"UID:reminder-{letter.id}@leipzig-app.de" in text
    assert "§ 80" in text  # objecting does not postpone payment


async def test_paying_clears_the_reminder(service: NoticesService, http: httpx.AsyncClient) -> None:
    letter = await service.open_letter([sign(demo_notice())])
    service.set_reminder(letter.id)
    url = await service.start_payment(letter.id)
    await press(http, url, "pay")
    await service.check_payment(letter.id)
    assert service.reminders() == []


async def test_object_gives_the_deadline_its_explanation_and_only_valid_channels(
    service: NoticesService,
) -> None:
    letter = await service.open_letter([sign(demo_notice())])
    info = service.objection(letter.id)
    # Posted 11.11.2026 -> notified 15.11.2026 (4 days) -> one month -> 15.12.2026 (a Tuesday).
    assert info.deadline.notified == date(2026, 11, 15)
    assert info.deadline.deadline == date(2026, 12, 15)
    assert info.deadline.may_be_later
    assert info.latest_posting_day == date(2026, 12, 10)
    assert info.remedy is Remedy.WIDERSPRUCH
    assert info.authority_name == "Stadt Leipzig (DEMO), Ordnungsamt"
    assert info.online_form_url is not None
    assert info.online_form_url.endswith("/notices/objection-form?case=32.21-2026-0481516")
    assert not info.deadline_passed
    assert not info.too_late_by_post


def _fine(**changes: object) -> Notice:
    """A fine notice (Bußgeldbescheid): formally delivered, Einspruch within two weeks (§ 67 OWiG)."""
    values: dict[str, object] = {
        "cash_reference": "5.0999.000004.1",
        "notice_type": "fine",
        "remedy": Remedy.EINSPRUCH,
        "notice_date": date(2026, 11, 30),
        "posted_date": date(2026, 12, 1),
        "due_date": date(2026, 12, 22),
    }
    values.update(changes)
    return demo_notice(**values)


async def test_einspruch_counts_from_the_delivery_day_the_resident_gives(
    make_service: Callable[..., NoticesService],
) -> None:
    service = make_service(now=datetime(2026, 12, 3, 9, tzinfo=UTC))
    letter = await service.open_letter([sign(_fine())])
    presumed = service.objection(letter.id)
    # Posted Tuesday 1 Dec: presumed notified Saturday 5 Dec, two weeks end Saturday 19 Dec -> Monday 21.
    assert presumed.deadline.deadline == date(2026, 12, 21)
    assert presumed.delivered is None
    assert presumed.deadline.may_be_later
    # Delivered (Zustellung) on Wednesday 2 Dec: the two weeks end on Wednesday 16 Dec.
    info = service.set_delivered(letter.id, "02.12.2026")
    assert info.delivered == date(2026, 12, 2)
    assert info.deadline.notified == date(2026, 12, 2)
    assert info.deadline.deadline == date(2026, 12, 16)
    assert not info.deadline.may_be_later
    assert info.latest_posting_day < presumed.latest_posting_day
    assert service.objection(letter.id).deadline.deadline == date(2026, 12, 16)  # kept on the device
    _, pdf = service.objection_pdf(letter.id, "de")
    assert pdf.startswith(b"%PDF")
    printed = printed_objection(
        letter, service.objection(letter.id), None, "de", date(2026, 12, 3), "Leipzig"
    )
    assert "16.12.2026" in " ".join(printed.notes)
    # Scanning the letter again keeps what the resident said; an empty field forgets it.
    await service.open_letter([sign(_fine())])
    assert service.objection(letter.id).delivered == date(2026, 12, 2)
    assert service.set_delivered(letter.id, "").deadline.deadline == date(2026, 12, 21)


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("04.12.2026", "notices.error.delivered_future"),
        ("30.11.2026", "notices.error.delivered_before_posting"),
        ("2.12.", "notices.error.date_invalid"),
    ],
)
async def test_a_delivery_day_that_cannot_be_true_is_refused_and_changes_nothing(
    make_service: Callable[..., NoticesService], typed: str, key: str
) -> None:
    service = make_service(now=datetime(2026, 12, 3, 9, tzinfo=UTC))
    letter = await service.open_letter([sign(_fine())])
    service.set_delivered(letter.id, "02.12.2026")
    with pytest.raises(LetterError) as err:
        service.set_delivered(letter.id, typed)
    assert err.value.key == key
    assert service.objection(letter.id).delivered == date(2026, 12, 2)


async def test_a_delivery_day_later_than_presumed_keeps_the_earlier_deadline(
    make_service: Callable[..., NoticesService],
) -> None:
    service = make_service(now=datetime(2026, 12, 20, 9, tzinfo=UTC))
    letter = await service.open_letter([sign(_fine())])
    info = service.set_delivered(letter.id, "09.12.2026")
    assert info.delivered_later_than_presumed
    assert info.deadline.deadline == date(2026, 12, 21)  # from the posting date: the earlier one
    assert info.deadline.may_be_later


async def test_a_link_from_the_code_outside_the_allow_list_is_not_offered(service: NoticesService) -> None:
    letter = await service.open_letter([sign(demo_notice(objection_url="https://widerspruch.example.org/"))])
    info = service.objection(letter.id)
    assert info.online_form_url is not None
    assert "example.org" not in info.online_form_url


async def test_the_objection_draft_is_kept_and_goes_into_the_letter(service: NoticesService) -> None:
    letter = await service.open_letter([sign(demo_notice())])
    service.save_draft(
        letter.id, reason="Die Gebühr wurde doppelt erhoben.", sender_name="Jörg Müller",
        sender_address="Große Fleischergasse 4\n04109 Leipzig",
    )  # fmt: skip
    draft = service.overview(letter.id).draft
    assert draft is not None
    assert draft.reason == "Die Gebühr wurde doppelt erhoben."
    name, pdf = service.objection_pdf(letter.id, "de")
    assert name == "widerspruch-32-21-2026-0481516.pdf"
    assert pdf.startswith(b"%PDF-")


async def test_the_printed_letter_closes_with_the_greeting_on_its_own_line(service: NoticesService) -> None:
    letter = await service.open_letter([sign(demo_notice())])
    printed = printed_objection(
        letter, service.objection(letter.id), None, "de", date(2026, 12, 3), "Leipzig"
    )
    # A German letter ends "Mit freundlichen Grüßen" on a line of its own above the signature (DIN 5008).
    *body, closing = printed.paragraphs
    assert closing == "Mit freundlichen Grüßen"
    assert body[-1] == "Bitte bestätigen Sie mir den Eingang dieses Schreibens."


async def test_a_parking_offer_has_no_objection(service: NoticesService) -> None:
    letter = await service.open_letter([sign(demo_notice(remedy=Remedy.NONE, notice_type="parking"))])
    assert "object" not in letter.actions
    with pytest.raises(LetterError) as err:
        service.objection(letter.id)
    assert err.value.key == "notices.error.no_remedy"


async def test_manual_entry_checks_the_input_and_offers_the_actions(service: NoticesService) -> None:
    with pytest.raises(LetterError) as err:
        service.enter_manually(cash_reference="", notice_date="10.11.2026", amount="20", notice_type="fee")
    assert err.value.key == "notices.error.reference_missing"
    with pytest.raises(LetterError) as err:
        service.enter_manually(
            cash_reference="5.0123.1", notice_date="1.1.2030", amount="20", notice_type="fee"
        )
    assert err.value.key == "notices.error.date_future"
    with pytest.raises(LetterError) as err:
        service.enter_manually(cash_reference="5.0123.1", notice_date="10.11.2026", amount="zwanzig",
                               notice_type="fee")  # fmt: skip
    assert err.value.key == "notices.error.amount_invalid"
    letter = service.enter_manually(
        cash_reference="5.0123.1", notice_date="10.11.2026", amount="1.234,50", notice_type="fine",
        due_date="24.11.2026",
    )  # fmt: skip
    assert letter.trust is TrustState.MANUAL
    assert letter.amount == Decimal("1234.50")
    assert letter.remedy is Remedy.EINSPRUCH
    assert letter.actions == ("pay_now", "bank_transfer", "pay_later", "object")
    assert service.transfer_data(letter.id).remittance == "Kassenzeichen 5.0123.1"
    info = service.objection(letter.id)
    assert info.posting_assumed
    # Einspruch: two weeks from 14.11.2026 (notice date + 4 days) = 28.11.2026, a Saturday -> Monday.
    assert info.deadline.deadline == date(2026, 11, 30)


async def test_a_letter_seen_again_remembers_it_was_paid(
    make_service: Callable[..., NoticesService], http: httpx.AsyncClient
) -> None:
    first = make_service()
    texts = [sign(demo_notice())]
    letter = await first.open_letter(texts)
    url = await first.start_payment(letter.id)
    await press(http, url, "pay")
    await first.check_payment(letter.id)
    later = make_service(now=datetime(2026, 11, 25, 8, 0, tzinfo=NOW.tzinfo))
    again = await later.open_letter(texts)
    assert again.id == letter.id
    assert later.overview(again.id).paid


async def test_the_letter_stays_german_and_the_notes_follow_the_residents_language(
    service: NoticesService,
) -> None:
    from tests.letters.test_pdf import unicode_text

    letter = await service.open_letter(
        [sign(demo_notice(remedy=Remedy.EINSPRUCH, notice_type="fine", case_number="OWi-2026-77"))]
    )
    name, pdf = service.objection_pdf(letter.id, "en")
    assert name == "einspruch-OWi-2026-77.pdf"
    text = unicode_text(pdf)
    assert "Einspruch gegen den Bußgeldbescheid vom 10.11.2026" in text
    assert "Eine Begründung reiche ich nach." in text
    assert "For you: do not send this page" in text
    assert "Post the letter by" in text
    card_letter = await service.open_letter([sign(demo_notice(cash_reference="5.0600.1"))])
    service.set_reminder(card_letter.id)
    card = await service.home_card("en")
    assert card.items[0].title == "Pay €123.45 – reference 5.0600.1"
