"""Pure rules of the letters domain, the payment status adapter's parsing and the demo payment page."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import httpx
import pytest

from leipzig_app.adapters.payments import parse_status
from leipzig_app.domain.errors import InvalidResponseError
from leipzig_app.domain.letters import (
    Letter,
    LetterError,
    PaymentStatus,
    RemoteStatus,
    TrustState,
    check_delivered_day,
    check_reminder_day,
    default_reminder_day,
    parse_amount,
    parse_day,
    payment_handoff_url,
    payment_outcome,
)
from leipzig_app.sandbox.server import SandboxServer

MAPPING = {"cash_reference": "kassenzeichen", "amount": "betrag", "return_url": "return_url"}


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("35", "35.00"),
        ("35,5", "35.50"),
        ("1.234,56 €", "1234.56"),
        ("1234.56", "1234.56"),
        ("1.234.567", "1234567.00"),
        ("1.000", "1000.00"),  # a German thousands dot, not one euro
        ("1.000,50", "1000.50"),
        ("1,234.56", "1234.56"),
        ("1,234,567", "1234567.00"),
        ("12.5", "12.50"),
        ("61.20 EUR", "61.20"),
    ],
)
def test_amounts_typed_the_german_or_english_way(typed: str, amount: str) -> None:
    assert parse_amount(typed) == Decimal(amount)


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("", "amount_invalid"),
        ("-5", "amount_range"),
        ("0", "amount_range"),
        ("1,234", "amount_cents"),
        ("1,000", "amount_cents"),  # three decimals are refused, never read as one euro
        ("NaN", "amount_invalid"),
        ("1e3x", "amount_invalid"),
        ("1e3", "amount_invalid"),
        ("1.23,45", "amount_invalid"),
        ("12.34.5", "amount_invalid"),
        ("12,", "amount_invalid"),
        ("1.2.3,4", "amount_invalid"),
    ],
)
def test_bad_amounts_are_named(typed: str, key: str) -> None:
    with pytest.raises(LetterError) as err:
        parse_amount(typed)
    assert err.value.key == f"notices.error.{key}"


def test_the_reminder_day_is_clamped_to_today_and_never_after_the_due_date() -> None:
    assert default_reminder_day(date(2026, 12, 15), date(2026, 11, 23)) == date(2026, 12, 12)
    assert default_reminder_day(date(2026, 11, 24), date(2026, 11, 23)) == date(2026, 11, 23)
    check_reminder_day(date(2026, 12, 15), date(2026, 12, 15), date(2026, 11, 23))
    with pytest.raises(LetterError) as err:
        check_reminder_day(date(2026, 11, 23), date(2026, 11, 22), date(2026, 11, 23))
    assert err.value.key == "notices.error.due_passed"


def test_the_handoff_url_uses_the_citys_parameter_names_and_keeps_its_query() -> None:
    url = payment_handoff_url(
        "https://zahlung.leipzig.de/pay?mandant=14713000",
        MAPPING,
        cash_reference="5.0123 456",
        amount=Decimal("7.5"),
        return_url="https://app.example/back",
        allowed_domains=("leipzig.de",),
    )
    assert url == (
        "https://zahlung.leipzig.de/pay?mandant=14713000&kassenzeichen=5.0123+456&betrag=7.50"
        "&return_url=https%3A%2F%2Fapp.example%2Fback"
    )


@pytest.mark.parametrize("page", ["https://leipzig.de.evil.example/pay", "http://zahlung.leipzig.de/pay"])
def test_the_handoff_refuses_pages_outside_the_allow_list_or_without_https(page: str) -> None:
    with pytest.raises(LetterError) as err:
        payment_handoff_url(
            page,
            MAPPING,
            cash_reference="1",
            amount=Decimal(1),
            return_url=None,
            allowed_domains=("leipzig.de",),
        )
    assert err.value.key == "notices.error.payment_domain"


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"status": "refunded"},
        {"status": "paid"},
        {"status": "paid", "paid_at": "gestern"},
        {"status": "open", "amount": "viel"},
    ],
)
def test_a_status_answer_of_the_wrong_shape_is_invalid(body: object) -> None:
    with pytest.raises(InvalidResponseError):
        parse_status(body)


def test_a_paid_status_is_read_with_date_reference_and_amount() -> None:
    status = parse_status(
        {"status": "paid", "paid_at": "2026-11-23T10:00:00+00:00", "reference": "R1", "amount": "12.5"}
    )
    assert status.status is PaymentStatus.PAID
    assert status.reference == "R1"
    assert status.amount == Decimal("12.50")
    assert status.paid_at is not None


def test_a_status_answer_names_its_currency_and_kassenzeichen() -> None:
    status = parse_status(
        {"kassenzeichen": "5.0123.456789.3", "status": "paid", "paid_at": "2026-11-23T10:00:00+00:00",
         "reference": "R1", "amount": "123.45", "currency": "CHF"}
    )  # fmt: skip
    assert (status.currency, status.cash_reference) == ("CHF", "5.0123.456789.3")
    assert parse_status({"status": "open"}).currency == "EUR"
    assert parse_status({"status": "open", "currency": " chf "}).currency == "CHF"
    for bad in (978, "EURO", "€", "C1F"):
        with pytest.raises(InvalidResponseError):
            parse_status({"status": "open", "currency": bad})


def test_a_status_answer_names_the_try_it_is_about() -> None:
    assert parse_status({"status": "cancelled", "transaction": "T-2"}).transaction == "T-2"
    assert parse_status({"status": "cancelled", "transaction": None}).transaction == ""
    assert parse_status({"status": "open"}).transaction == ""
    with pytest.raises(InvalidResponseError):
        parse_status({"status": "cancelled", "transaction": ["T-2"]})


_OWED = Letter(id="n1", source="code", trust=TrustState.VERIFIED, cash_reference="5.0123.456789.3",
               amount=Decimal("123.45"))  # fmt: skip
_PAID_AT = datetime(2026, 11, 23, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("changes", "outcome"),
    [
        ({}, PaymentStatus.PAID),
        ({"cash_reference": " 5.0123.456789.3 "}, PaymentStatus.PAID),  # spacing is not a difference
        ({"amount": Decimal("0.01")}, PaymentStatus.UNDERPAID),
        ({"amount": Decimal("123.44")}, PaymentStatus.UNDERPAID),
        ({"amount": Decimal("200.00")}, PaymentStatus.DIFFERS),
        ({"amount": None}, PaymentStatus.DIFFERS),
        ({"currency": "CHF"}, PaymentStatus.DIFFERS),
        ({"cash_reference": "5.0999.000001.1"}, PaymentStatus.DIFFERS),
    ],
)
def test_a_payment_settles_a_letter_only_with_its_amount_currency_and_kassenzeichen(
    changes: dict[str, object], outcome: PaymentStatus
) -> None:
    values: dict[str, object] = {"amount": Decimal("123.45"), "currency": "EUR", "cash_reference": ""}
    values.update(changes)
    remote = RemoteStatus(PaymentStatus.PAID, _PAID_AT, "DEMO-1", **values)  # type: ignore[arg-type]
    assert payment_outcome(_OWED, remote) is outcome
    assert payment_outcome(_OWED, RemoteStatus(PaymentStatus.CANCELLED)) is PaymentStatus.CANCELLED


def test_a_delivery_day_lies_between_posting_and_today() -> None:
    posted = Letter(id="n2", source="code", trust=TrustState.VERIFIED, notice_date=date(2026, 11, 30),
                    posted_date=date(2026, 12, 1))  # fmt: skip
    check_delivered_day(date(2026, 12, 1), posted, date(2026, 12, 3))  # delivered on the posting day
    check_delivered_day(date(2026, 12, 3), posted, date(2026, 12, 3))
    for day, key in (
        (date(2026, 12, 4), "notices.error.delivered_future"),
        (date(2026, 11, 30), "notices.error.delivered_before_posting"),
    ):
        with pytest.raises(LetterError) as err:
            check_delivered_day(day, posted, date(2026, 12, 3))
        assert err.value.key == key
    typed_in = Letter(id="m1", source="manual", trust=TrustState.MANUAL, notice_date=date(2026, 11, 30))
    check_delivered_day(date(2026, 11, 30), typed_in, date(2026, 12, 3))  # no posting date: the date


async def test_the_demo_payment_page_explains_bad_input_and_refuses_a_second_payment(
    sandbox: SandboxServer, http: httpx.AsyncClient
) -> None:
    base = sandbox.base_url
    bad = await http.get(f"{base}/payments/pay", params={"kassenzeichen": "5.1", "betrag": "12,50"})
    assert bad.status_code == 400
    assert "Betrag" in bad.text
    page = await http.get(f"{base}/payments/pay", params={"kassenzeichen": "5.1", "betrag": "1234.50"})
    assert page.status_code == 200
    assert "1.234,50 €" in page.text
    for button in ("Bezahlen", "Abbrechen", "Fehlschlag"):
        assert button in page.text
    form = {"kassenzeichen": "5.1", "betrag": "1234.50", "action": "pay"}
    assert (await http.post(f"{base}/payments/pay", data=form)).status_code == 200
    assert (await http.post(f"{base}/payments/pay", data=form)).status_code == 409
    assert (
        await http.get(f"{base}/payments/pay", params={"kassenzeichen": "5.1", "betrag": "1"})
    ).status_code == 409
    status = (await http.get(f"{base}/payments/status", params={"kassenzeichen": "5.1"})).json()
    assert status["status"] == "paid"
    assert status["amount"] == "1234.50"
    unknown = (await http.get(f"{base}/payments/status", params={"kassenzeichen": "9.9"})).json()
    assert unknown["status"] == "open"
    assert unknown["transaction"] is None
    assert (await http.get(f"{base}/payments/status", params={"kassenzeichen": ""})).status_code == 400


async def test_the_demo_city_names_each_try_on_its_payment_page_apart(
    sandbox: SandboxServer, http: httpx.AsyncClient
) -> None:
    base = sandbox.base_url

    async def end_try(action: str) -> dict[str, object]:
        form = {"kassenzeichen": "5.2", "betrag": "10.00", "action": action}
        assert (await http.post(f"{base}/payments/pay", data=form)).status_code == 200
        return dict((await http.get(f"{base}/payments/status", params={"kassenzeichen": "5.2"})).json())

    first, second = await end_try("cancel"), await end_try("cancel")
    assert first["status"] == second["status"] == "cancelled"
    assert first["transaction"]
    assert second["transaction"]
    assert first["transaction"] != second["transaction"]
    # A reset (for testers) never gives an id twice: an app that kept one must not take a new try for it.
    reset = await http.post(f"{base}/demo/payments/reset", params={"kassenzeichen": "5.2"})
    assert reset.status_code == 200
    third = await end_try("cancel")
    assert third["transaction"] not in (first["transaction"], second["transaction"])


def test_the_girocode_image_reads_back_exactly_with_umlauts() -> None:
    import io

    import zxingcpp
    from PIL import Image

    from leipzig_app.domain.notices.girocode import build_girocode
    from leipzig_app.ui.notices.common import qr_png

    text = build_girocode(
        name="Stadtkasse Leipzig Süd", iban="DE20860555921090000004", amount=Decimal("61.20"),
        remittance="Kassenzeichen 5.0500.000001.1 Gebühr",
    )  # fmt: skip
    image = Image.open(io.BytesIO(qr_png(text)))
    [found] = zxingcpp.read_barcodes(image)
    assert found.text == text
    assert found.ec_level == "M"


@pytest.mark.parametrize(
    "typed",
    [
        "30.12.2026",
        "2026-12-30",
        "30.12.26",
        # As the Arabic screen writes dates (day/month/year, with right-to-left marks), also copied.
        "30/12/2026",
        "30\u200f/12\u200f/2026",
    ],
)
def test_a_day_is_read_as_the_app_writes_it(typed: str) -> None:
    assert parse_day(typed, field_key="remind_on") == date(2026, 12, 30)


@pytest.mark.parametrize("typed", ["12/30/2026", "30/12", "31.02.2026", "30-12-2026x"])
def test_a_day_that_is_no_day_is_refused(typed: str) -> None:
    with pytest.raises(LetterError) as err:
        parse_day(typed, field_key="remind_on")
    assert err.value.key == "notices.error.date_invalid"
