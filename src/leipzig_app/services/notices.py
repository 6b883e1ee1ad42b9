"""Official letters: open a scanned letter, then pay now, pay later or object; or type a letter in.

Use cases (the notice screen, `ui/notices/`, calls these):
- `open_letter(texts)`: inspect every code of one letter with the city's trust context (profile keys plus
  the signed key list, refreshed when online at most every `TRUST_REFRESH` and cached otherwise) and keep
  the letter; its trust state and offered actions come from the domain's inspection.
- `enter_manually(...)`: a letter without a code; nothing is verified.
- pay now: `start_payment` builds the hand-off URL to the city's payment page (allow-listed domain,
  parameter names from `profile.payments.parameters`) and refuses a letter already paid, here or at the
  city; `check_payment` reads the result back from `payments.status_url` and marks the letter paid with
  date and reference. `transfer_data` gives the bank transfer data and a GiroCode; `mark_transferred`
  records that the resident transferred the money themselves.
- pay later: `set_reminder` (default 3 days before the due date, never after it), listed on Home through
  `home_card`, exported by `reminder_ics`. Objecting does not postpone payment (§ 80 (2) VwGO).
- object: `objection` (deadline and explanation, remedy, authority, valid channels only), `save_draft`,
  `objection_pdf`. The app never files an objection and never says it did.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from leipzig_app.domain.errors import AppError
from leipzig_app.domain.letters import (
    LETTER_CURRENCY,
    Letter,
    LetterError,
    LetterRenderer,
    LettersStore,
    ObjectionDraft,
    PaymentGateway,
    PaymentRecord,
    PaymentStatus,
    Reminder,
    ReminderCalendar,
    RemoteStatus,
    TrustRefresher,
    TrustState,
    check_delivered_day,
    check_reminder_day,
    default_reminder_day,
    outstanding_amount,
    parse_day,
    payment_handoff_url,
    payment_outcome,
    validate_manual_entry,
)
from leipzig_app.domain.notices.inspect import InspectionContext, inspect_letter
from leipzig_app.domain.notices.trust import KeyList, merge_trust
from leipzig_app.domain.profile import CityProfile
from leipzig_app.i18n import Translator
from leipzig_app.services.container import HomeCard, HomeItem
from leipzig_app.services.notice_letters import (
    ObjectionInfo,
    TransferData,
    format_day,
    format_money,
    letter_from_inspections,
    manual_letter,
    objection_info,
    printed_objection,
    transfer_data,
)

#: Seconds between two fetches of the signed key list.
TRUST_REFRESH = 600.0
HOME_ITEMS = 3
MAX_CODES = 8
MAX_REASON = 5000


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class LetterOverview:
    """Everything the notice screen shows for one letter."""

    letter: Letter
    payment: PaymentRecord | None
    reminder: Reminder | None
    draft: ObjectionDraft | None
    #: The city's payment page can be used for this letter now.
    pay_now: bool

    @property
    def paid(self) -> bool:
        return self.payment is not None and self.payment.paid

    @property
    def payment_differs(self) -> bool:
        """The city reports a payment for this letter that does not settle it (too little, or not
        matching its amount, currency or Kassenzeichen)."""
        return self.payment is not None and self.payment.status in _NOT_SETTLED

    @property
    def outstanding(self) -> Decimal | None:
        """What is still to pay (None when the letter names no amount)."""
        return outstanding_amount(self.letter, self.payment)


#: Trust states of a letter that must not be paid.
_SUSPECT = frozenset({TrustState.FORGED, TrustState.MISMATCH, TrustState.UNKNOWN})
#: Payments the city received that do not settle the letter: no second hand-off, the resident is told.
_NOT_SETTLED = frozenset({PaymentStatus.UNDERPAID, PaymentStatus.DIFFERS})
#: States in which the city received money for the letter (the amount may not match).
_RECEIVED = frozenset({PaymentStatus.PAID, PaymentStatus.UNDERPAID, PaymentStatus.DIFFERS})
#: Results of a try that ended without a payment: the city may still name them when the next try begins.
_EARLIER_TRY = frozenset({PaymentStatus.CANCELLED, PaymentStatus.FAILED})


class NoticesService:
    def __init__(
        self,
        profile: CityProfile,
        store: LettersStore,
        *,
        calendar: ReminderCalendar,
        renderer: LetterRenderer,
        payments: PaymentGateway | None = None,
        trust: TrustRefresher | None = None,
        clock: Callable[[], datetime] = _utc_now,
    ):
        self.profile = profile
        self.store = store
        self.calendar = calendar
        self.renderer = renderer
        self.payments = payments
        self.trust = trust
        self.clock = clock
        self._key_list: KeyList | None = None
        self._trust_checked = float("-inf")

    # --- time ----------------------------------------------------------------------------------------

    def today(self) -> date:
        """Today in the city's time zone (deadlines and due dates are the city's calendar days)."""
        return self.clock().astimezone(ZoneInfo(self.profile.timezone)).date()

    # --- opening letters -----------------------------------------------------------------------------

    async def inspection_context(self) -> InspectionContext:
        """The trust context, with the city's key list refreshed first when that is due."""
        if self.trust is not None and time.monotonic() - self._trust_checked >= TRUST_REFRESH:
            self._trust_checked = time.monotonic()
            # Offline or a bad list: the profile's keys (and the last good list) still apply.
            with contextlib.suppress(AppError):
                self._key_list = await self.trust(self.today()) or self._key_list
        return self._current_context()

    def _current_context(self) -> InspectionContext:
        """The trust context with the key list known now (no network)."""
        trust = merge_trust(self.profile.notices.trusted_keys, self._key_list, allow_demo=self.profile.demo)
        return InspectionContext(
            trusted_keys=trust.keys,
            revoked_kids=trust.revoked,
            official_ibans=frozenset(self.profile.payments.official_accounts),
            allowed_domains=self.profile.links.allowed_domains,
            today=self.today(),
            state=self.profile.state,
        )

    def _rechecked(self, letter: Letter, context: InspectionContext | None = None) -> Letter:
        """A letter kept as verified, inspected again with the trust context of now.

        A key the city revoked since (or any other reason the codes no longer verify) turns the kept
        letter into what a new scan would say: its trust state and problems, and no actions. The change
        is kept, so the letter never counts as verified again on the strength of an older context (after
        a restart, before the key list is read again). A letter is never raised to verified here: a
        letter that was not verified has an id of its own (see `letter_from_inspections`).
        """
        if letter.trust is not TrustState.VERIFIED or not letter.texts:
            return letter
        codes = list(letter.texts)
        again = letter_from_inspections(inspect_letter(codes, context or self._current_context()), codes)
        if again.trust is TrustState.VERIFIED:
            return letter
        changed = replace(letter, trust=again.trust, actions=(), problems=again.problems)
        self.store.save_letter(changed, self.clock())
        return changed

    async def open_letter(self, texts: Sequence[str]) -> Letter:
        """Inspect all codes of one letter and keep it; a letter seen before keeps what was done with it."""
        codes = [t for t in texts if isinstance(t, str) and t.strip()]
        if not codes:
            raise LetterError("no code to open", key="notices.error.no_codes")
        if len(codes) > MAX_CODES:
            raise LetterError("too many codes for one letter", key="notices.error.too_many_codes")
        context = await self.inspection_context()
        letter = letter_from_inspections(inspect_letter(codes, context), codes)
        kept = self.store.letter(letter.id)
        if kept is not None and kept.delivered_date is not None:
            letter = replace(letter, delivered_date=kept.delivered_date)  # what the resident told stays
        self.store.save_letter(letter, self.clock())
        if kept is not None and kept.amount != letter.amount:
            self._judge_payment_again(letter)
        return letter

    def _judge_payment_again(self, letter: Letter) -> None:
        """A corrected notice under the same Kassenzeichen and Aktenzeichen asks another amount: what was
        paid is judged against the new amount (paid for 35 EUR is not paid when the letter now asks 55)."""
        payment = self.store.payment(letter.id)
        if payment is None or payment.amount is None or payment.status not in _RECEIVED:
            return
        # The payment stays what it was, in its own currency: 35 CHF never settle a letter asking 35 EUR.
        received = RemoteStatus(
            PaymentStatus.PAID,
            paid_at=payment.paid_at,
            reference=payment.reference,
            amount=payment.amount,
            currency=payment.currency,
        )
        status = payment_outcome(letter, received)
        if status is not payment.status:
            self._record(
                letter,
                status,
                payment.paid_at,
                payment.reference,
                payment.amount,
                channel=payment.channel,
                currency=payment.currency,
            )

    def enter_manually(
        self, *, cash_reference: str, notice_date: str, amount: str, notice_type: str, due_date: str = ""
    ) -> Letter:
        entry = validate_manual_entry(
            cash_reference=cash_reference,
            notice_date=notice_date,
            amount=amount,
            notice_type=notice_type,
            due_date=due_date,
            today=self.today(),
        )
        letter = manual_letter(entry, self.profile, self.today())
        self.store.save_letter(letter, self.clock())
        return letter

    def letter(self, letter_id: str, context: InspectionContext | None = None) -> Letter:
        """The kept letter, its trust checked again with the current keys (see `_rechecked`)."""
        letter = self.store.letter(letter_id)
        if letter is None:
            raise LetterError(f"no letter {letter_id!r}", key="notices.error.not_found")
        return self._rechecked(letter, context)

    def latest(self) -> Letter | None:
        letter = self.store.latest_letter()
        return None if letter is None else self._rechecked(letter)

    def overview(self, letter_id: str) -> LetterOverview:
        letter = self.letter(letter_id)
        payment = self.store.payment(letter_id)
        paid = payment is not None and payment.paid
        return LetterOverview(
            letter=letter,
            payment=payment,
            reminder=self.store.reminder(letter_id),
            draft=self.store.draft(letter_id),
            pay_now=not paid
            and (payment is None or payment.status not in _NOT_SETTLED)
            and self._payment_page_ready(letter),
        )

    def _payment_page_ready(self, letter: Letter) -> bool:
        settings = self.profile.payments
        return bool(
            letter.offers("pay_now") and settings.page_url and self.payments is not None and letter.amount
        )

    # --- pay now -------------------------------------------------------------------------------------

    async def start_payment(self, letter_id: str, *, return_url: str | None = None) -> str:
        """The payment page URL for this letter; refuses a letter already paid (here or at the city), and
        one whose codes no longer verify with the city's current keys."""
        letter = self.letter(letter_id, await self.inspection_context())
        if not self._payment_page_ready(letter) or self.payments is None or letter.amount is None:
            raise LetterError("paying online is not offered", key="notices.error.no_payment_page")
        self._refuse_if_paid(letter_id)
        remote = await self.payments.status(letter.cash_reference)
        if remote.status is PaymentStatus.PAID:
            self._record(
                letter,
                payment_outcome(letter, remote),
                remote.paid_at,
                remote.reference,
                remote.amount,
                currency=remote.currency,
            )
            self._refuse_if_paid(letter_id)
        self._refuse_if_differs(letter)
        settings = self.profile.payments
        assert settings.page_url is not None
        url = payment_handoff_url(
            settings.page_url,
            settings.parameters,
            cash_reference=letter.cash_reference,
            amount=letter.amount,
            return_url=return_url,
            allowed_domains=self.profile.links.allowed_domains,
        )
        # The city names only its last result: an earlier try's "cancelled" or "failed" is still what it
        # says until the resident acts on the page, so remember it (and the try it names) as not this
        # try's answer.
        earlier = remote.status if remote.status in _EARLIER_TRY else None
        self._record(
            letter,
            PaymentStatus.PENDING,
            None,
            "",
            letter.amount,
            earlier_result=earlier,
            earlier_transaction=remote.transaction if earlier is not None else "",
        )
        return url

    async def check_payment(self, letter_id: str) -> PaymentRecord:
        """Read the result back from the city's payment service and keep it."""
        letter = self.letter(letter_id)
        current = self.store.payment(letter_id)
        if current is not None and current.paid:
            return current
        if self.payments is None:
            raise LetterError("paying online is not offered", key="notices.error.no_payment_page")
        remote = await self.payments.status(letter.cash_reference)
        status = payment_outcome(letter, remote)
        if (
            current is not None
            and current.status is PaymentStatus.PENDING
            and (status is PaymentStatus.OPEN or _still_the_earlier_try(current, status, remote))
        ):
            # Nothing happened on the page yet, or the city still names the earlier try's result: a
            # started hand-off stays pending.
            return current
        if status is PaymentStatus.OPEN:
            status = current.status if current is not None else PaymentStatus.OPEN
        # The amount the city reports is kept as it is: an underpaid letter shows what is still open.
        return self._record(
            letter, status, remote.paid_at, remote.reference, remote.amount, currency=remote.currency
        )

    def mark_transferred(self, letter_id: str) -> PaymentRecord:
        """The resident says they transferred the money themselves (the app cannot read a bank back)."""
        letter = self.letter(letter_id)
        self._refuse_if_paid(letter_id)
        if not letter.offers("bank_transfer"):
            raise LetterError("no bank transfer for this letter", key="notices.error.no_transfer")
        return self._record(
            letter,
            PaymentStatus.PAID,
            self.clock(),
            letter.rf_reference or letter.cash_reference,
            letter.amount,
            channel="bank_transfer",
        )

    def transfer_data(self, letter_id: str) -> TransferData:
        """The transfer data; after a payment short of the letter's amount, for what is still open."""
        letter = self.letter(letter_id)
        payment = self.store.payment(letter_id)
        if payment is not None and payment.status is PaymentStatus.UNDERPAID:
            letter = replace(letter, amount=outstanding_amount(letter, payment))
        return transfer_data(letter)

    def _refuse_if_differs(self, letter: Letter) -> None:
        payment = self.store.payment(letter.id)
        if payment is not None and payment.status in _NOT_SETTLED:
            raise LetterError(
                "the city reports a payment that does not match this letter",
                key="notices.error.payment_differs",
            )

    def _refuse_if_paid(self, letter_id: str) -> None:
        payment = self.store.payment(letter_id)
        if payment is not None and payment.paid:
            raise LetterError(
                "this letter is already paid",
                key="notices.error.already_paid",
                params={"reference": payment.reference},
            )

    def _record(
        self,
        letter: Letter,
        status: PaymentStatus,
        paid_at: datetime | None,
        reference: str,
        amount: Decimal | None,
        *,
        channel: str = "payment_page",
        currency: str = LETTER_CURRENCY,
        earlier_result: PaymentStatus | None = None,
        earlier_transaction: str = "",
    ) -> PaymentRecord:
        """Keep the state of paying a letter. `amount` is in `currency`; without an amount the record holds
        the letter's own amount, in the letter's currency."""
        record = PaymentRecord(
            letter_id=letter.id,
            status=status,
            amount=amount if amount is not None else letter.amount,
            paid_at=paid_at,
            reference=reference,
            channel=channel,
            updated_at=self.clock(),
            currency=currency if amount is not None else LETTER_CURRENCY,
            earlier_result=earlier_result,
            earlier_transaction=earlier_transaction,
        )
        self.store.save_payment(record)
        if record.paid:
            self.store.delete_reminder(letter.id)  # nothing left to remind of
        return record

    # --- pay later -----------------------------------------------------------------------------------

    def default_reminder_day(self, letter_id: str) -> date:
        letter = self._payable_later(self.letter(letter_id))
        assert letter.due_date is not None
        return default_reminder_day(letter.due_date, self.today())

    def set_reminder(self, letter_id: str, remind_on: date | None = None) -> Reminder:
        letter = self._payable_later(self.letter(letter_id))
        assert letter.due_date is not None
        self._refuse_if_paid(letter_id)
        day = remind_on or default_reminder_day(letter.due_date, self.today())
        check_reminder_day(day, letter.due_date, self.today())
        reminder = Reminder(
            letter.id, day, letter.due_date, letter.cash_reference, letter.amount, letter.payee
        )
        self.store.save_reminder(reminder)
        return reminder

    def remove_reminder(self, letter_id: str) -> None:
        self.store.delete_reminder(letter_id)

    def reminders(self) -> list[Reminder]:
        return self.store.reminders()

    def reminder_ics(self, letter_id: str, language: str) -> tuple[str, bytes]:
        """The reminder as an .ics file (name, bytes) with an alarm on the reminder day."""
        reminder = self.store.reminder(letter_id)
        if reminder is None:
            raise LetterError("no reminder set", key="notices.error.no_reminder")
        self._payable_later(self.letter(letter_id))  # never a reminder to pay a letter no longer verified
        t = Translator(language)
        summary = t(
            "notices.ics.summary",
            amount=format_money(reminder.amount, language),
            cash=reminder.cash_reference,
        )
        description = "\n".join(
            (
                t("notices.ics.due", due=format_day(reminder.due_date, language), payee=reminder.payee),
                t("notices.later.no_postponement"),
            )
        )
        data = self.calendar.reminder_ics(reminder, summary=summary, description=description)
        return f"zahlungserinnerung-{_file_safe(reminder.cash_reference or letter_id)}.ics", data

    def _payable_later(self, letter: Letter) -> Letter:
        if not letter.offers("pay_later") or letter.due_date is None:
            raise LetterError("no reminder for this letter", key="notices.error.no_pay_later")
        return letter

    async def home_card(self, language: str) -> HomeCard:
        t = Translator(language)
        context = await self.inspection_context()
        today = self.today()
        items = []
        for reminder in self.store.reminders()[:HOME_ITEMS]:
            kept = self.store.letter(reminder.letter_id)
            if kept is not None and self._rechecked(kept, context).trust in _SUSPECT:
                # Confirmed when the reminder was set, not any more (a revoked key): warn, never "pay".
                items.append(
                    HomeItem(
                        title=t("notices.home.suspect_item", cash=reminder.cash_reference),
                        subtitle=t("notices.home.suspect"),
                        route=f"/scanner/notice/{reminder.letter_id}",
                    )
                )
                continue
            key = "notices.home.due_now" if reminder.remind_on <= today else "notices.home.remind_on"
            amount = reminder.amount
            if kept is not None:  # after a payment short of the amount: what is still open
                amount = outstanding_amount(kept, self.store.payment(kept.id)) or amount
            items.append(
                HomeItem(
                    title=t(
                        "notices.home.item",
                        amount=format_money(amount, language),
                        cash=reminder.cash_reference,
                    ),
                    subtitle=t(
                        key,
                        day=format_day(reminder.remind_on, language),
                        due=format_day(reminder.due_date, language),
                    ),
                    route=f"/scanner/notice/{reminder.letter_id}",
                )
            )
        return HomeCard(items=tuple(items))

    # --- object --------------------------------------------------------------------------------------

    def objection(self, letter_id: str) -> ObjectionInfo:
        return objection_info(self.letter(letter_id), self.profile, self.today())

    def set_delivered(self, letter_id: str, delivered: str | date | None) -> ObjectionInfo:
        """Keep the day the letter was delivered ("zugestellt am / erhalten am"; empty forgets it) and
        give the objection facts counted from it."""
        letter = self.letter(letter_id)
        objection_info(letter, self.profile, self.today())  # refuses a letter that names no remedy
        day: date | None
        if isinstance(delivered, str):
            day = parse_day(delivered, field_key="delivered") if delivered.strip() else None
        else:
            day = delivered
        if day is not None:
            check_delivered_day(day, letter, self.today())
        letter = replace(letter, delivered_date=day)
        self.store.save_letter(letter, self.clock())
        return objection_info(letter, self.profile, self.today())

    def save_draft(
        self, letter_id: str, *, reason: str, sender_name: str = "", sender_address: str = ""
    ) -> ObjectionDraft:
        """Keep the resident's draft on the device (nothing is sent)."""
        letter = self.letter(letter_id)
        if len(reason) > MAX_REASON:
            raise LetterError(
                "reason too long", key="notices.error.reason_too_long", params={"limit": MAX_REASON}
            )
        draft = ObjectionDraft(
            letter.id, reason.strip(), sender_name.strip()[:120], sender_address.strip()[:300], self.clock()
        )
        self.store.save_draft(draft)
        return draft

    def objection_notes_language(self, language: str) -> str:
        """The language of the notes page of the objection PDF: the resident's, or German where this
        device cannot set a right-to-left script in a PDF."""
        return "de" if Translator(language).rtl and not self.renderer.supports_rtl else language

    def objection_pdf(self, letter_id: str, language: str) -> tuple[str, bytes]:
        """The pre-filled objection letter to sign and post (file name, PDF bytes)."""
        letter = self.letter(letter_id)
        info = objection_info(letter, self.profile, self.today())
        printed = printed_objection(
            letter,
            info,
            self.store.draft(letter_id),
            self.objection_notes_language(language),
            self.today(),
            self.profile.name,
        )
        name = "einspruch" if info.remedy.value == "einspruch" else "widerspruch"
        ref = _file_safe(letter.case_number or letter.cash_reference or letter.id)
        return f"{name}-{ref}.pdf", self.renderer.render(printed)


def _still_the_earlier_try(pending: PaymentRecord, status: PaymentStatus, remote: RemoteStatus) -> bool:
    """Whether the city's answer is still the result of the try before the pending one: the same result,
    and the same try on the page. When the city (or the record kept from an older version of the app)
    names no try, the same result is taken for the earlier one: it cannot be told apart, and "no result
    yet" is safer than "cancelled" for a try the resident may still be finishing."""
    if pending.earlier_result is None or status is not pending.earlier_result:
        return False
    if not pending.earlier_transaction or not remote.transaction:
        return True
    return remote.transaction == pending.earlier_transaction


def _file_safe(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in text).strip("-")[:40] or "brief"
