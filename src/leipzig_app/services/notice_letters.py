"""Building blocks of the letters service: a `Letter` from inspected codes or typed-in data, the bank
transfer data with its GiroCode, the objection facts, and the texts of the printed objection letter.

Kept apart from `services/notices.py` (the use cases) so each stays readable; everything here is pure.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from leipzig_app.domain.deadlines import Deadline, compute_deadline, latest_posting_day, notification_date
from leipzig_app.domain.languages import babel_locale
from leipzig_app.domain.letters import (
    Letter,
    LetterError,
    ManualEntry,
    ObjectionDraft,
    PrintedLetter,
    TrustState,
    letter_id,
    remedy_for_type,
)
from leipzig_app.domain.notices.code import Remedy
from leipzig_app.domain.notices.girocode import GiroCodeError, build_girocode
from leipzig_app.domain.notices.inspect import Inspection
from leipzig_app.domain.profile import CityProfile
from leipzig_app.domain.urls import host_of, is_allowed_link
from leipzig_app.i18n import Translator


def format_day(day: date | None, language: str) -> str:
    """A date the way people of that language write it ("15.12.2026")."""
    if day is None:
        return ""
    from babel.dates import format_date

    return str(format_date(day, format="medium", locale=babel_locale(language)))


def format_money(amount: Decimal | None, language: str) -> str:
    if amount is None:
        return ""
    from babel.numbers import format_currency

    return str(format_currency(amount, "EUR", locale=babel_locale(language)))


# --- the deadline explained -------------------------------------------------------------------------------

#: Public holidays of the German states (their German names, as the `holidays` package gives them) with
#: a text of their own under `notices.holiday.<code>`; any other name is shown as it is.
HOLIDAYS = {
    "Neujahr": "new_year",
    "Heilige Drei Könige": "epiphany",
    "Frauentag": "womens_day",
    "Karfreitag": "good_friday",
    "Ostersonntag": "easter_sunday",
    "Ostermontag": "easter_monday",
    "Erster Mai": "labour_day",
    "Christi Himmelfahrt": "ascension",
    "Pfingstsonntag": "whit_sunday",
    "Pfingstmontag": "whit_monday",
    "Fronleichnam": "corpus_christi",
    "Mariä Himmelfahrt": "assumption",
    "Weltkindertag": "childrens_day",
    "Tag der Deutschen Einheit": "german_unity",
    "Reformationstag": "reformation",
    "Allerheiligen": "all_saints",
    "Buß- und Bettag": "repentance",
    "Erster Weihnachtstag": "christmas",
    "Zweiter Weihnachtstag": "boxing_day",
}


def deadline_rule(deadline: Deadline, t: Translator, *, with_presumption: bool = True) -> str:
    """The rule behind a deadline in the translator's language; with the note that notification was
    presumed from the posting date when it was (and `with_presumption`)."""
    # The state whose holidays count, by its name ("Sachsen"): its code ("SN") means nothing to a resident.
    state_key = f"notices.deadline.state.{deadline.state}"
    state = t(state_key) if t.has(state_key) else deadline.state
    text = t(f"notices.deadline.rule.{deadline.rule_key}", state=state)
    if with_presumption and deadline.may_be_later:
        text += " " + t("notices.deadline.rule.presumed")
    return text


def deadline_steps(deadline: Deadline, t: Translator, day: Callable[[date], str]) -> list[str]:
    """The steps of the calculation in the translator's language, dates written by `day` (the app's
    formatting of dates in that language)."""
    lines = []
    for step in deadline.steps:
        params = step.params
        if step.key == "notified":
            posted = params.get("posted")
            lines.append(
                t(
                    "notices.deadline.step.notified",
                    posted=day(posted) if isinstance(posted, date) else "",
                    days=params.get("days", ""),
                    day=day(step.day),
                )
            )
        elif step.key == "period_end":
            lines.append(t(f"notices.deadline.step.period_end.{params.get('rule')}", day=day(step.day)))
        elif step.key == "skip":
            reason = str(params.get("reason", "holiday"))
            name = str(params.get("holiday") or "")
            code = HOLIDAYS.get(name)
            holiday = t(f"notices.holiday.{code}") if code else name
            lines.append(t(f"notices.deadline.step.skip_{reason}", day=day(step.day), holiday=holiday))
        else:  # "delivered", "moved"
            lines.append(t(f"notices.deadline.step.{step.key}", day=day(step.day)))
    return lines


# --- letters from codes ----------------------------------------------------------------------------------


def letter_from_inspections(results: Sequence[Inspection], texts: Sequence[str]) -> Letter:
    """One `Letter` from the inspections of all codes of one letter (see `inspect_letter`).

    Trust: any mismatch between the codes wins, then a verified notice code, then a notice code that does
    not verify (forged), then a GiroCode alone (unsigned). A letter that is not verified keeps an id of its
    own, so a forged code claiming someone's Kassenzeichen never overwrites the genuine letter's record.
    """
    problems: list[dict[str, Any]] = []
    for result in results:
        for problem in result.problems:
            shape = problem.as_dict()
            if shape not in problems:
                problems.append(shape)
    notices = [r for r in results if r.kind == "signed-notice"]
    giros = [r for r in results if r.girocode is not None]
    mismatch = any(p["code"].startswith("mismatch_") for p in problems)
    verified = next((r for r in notices if r.verified and r.notice is not None), None)
    if mismatch:
        trust = TrustState.MISMATCH
    elif verified is not None:
        trust = TrustState.VERIFIED
    elif notices:
        trust = TrustState.FORGED
    elif giros:
        trust = TrustState.UNSIGNED
    else:
        trust = TrustState.UNKNOWN
    base = dict(trust=trust, problems=tuple(problems), texts=tuple(texts), source="code")
    primary = verified or next((r for r in notices if r.notice is not None), None)
    if primary is not None and primary.notice is not None:
        n = primary.notice
        if trust is TrustState.VERIFIED:
            ident = letter_id("notice", n.issuer_id or n.issuer, n.cash_reference, n.case_number)
            actions = primary.actions
        else:
            ident, actions = letter_id("suspect", *sorted(texts)), ()
        return Letter(
            id=ident,
            cash_reference=n.cash_reference,
            issuer=n.issuer,
            case_number=n.case_number,
            payee=n.payee or n.issuer,
            iban=n.iban,
            bic=n.bic or "",
            amount=n.amount,
            rf_reference=n.rf_reference or "",
            notice_date=n.notice_date,
            posted_date=n.posted_date,
            due_date=n.due_date,
            remedy=n.remedy,
            authority_name=n.authority.name if n.authority else n.issuer,
            authority_address=n.authority.address if n.authority else "",
            objection_url=n.objection_url or "",
            notice_type=n.notice_type,
            instructions_given=n.instructions_given,
            demo=bool(primary.fields.get("demo")),
            actions=actions,
            **base,  # type: ignore[arg-type]
        )
    if giros and giros[0].girocode is not None:
        g = giros[0].girocode
        if trust is TrustState.UNSIGNED:
            ident = letter_id("giro", g.iban, g.amount_text, g.reference, g.remittance)
            actions = giros[0].actions
        else:
            ident, actions = letter_id("suspect", *sorted(texts)), ()
        return Letter(
            id=ident,
            payee=g.name,
            iban=g.iban,
            bic=g.bic,
            amount=g.amount,
            rf_reference=g.reference,
            remittance=g.remittance,
            actions=tuple(a for a in actions if a != "copy_text"),
            **base,  # type: ignore[arg-type]
        )
    return Letter(id=letter_id("unknown", *sorted(texts)), **base)  # type: ignore[arg-type]


def manual_letter(entry: ManualEntry, profile: CityProfile, today: date) -> Letter:
    """A letter typed in by hand: nothing is verified, the Kassenzeichen is the resident's reading."""
    remedy = remedy_for_type(entry.notice_type)
    actions: list[str] = ["pay_now"]
    if profile.payments.official_accounts:
        actions.append("bank_transfer")
    if entry.due_date is not None and entry.due_date >= today:
        actions.append("pay_later")
    if remedy is not Remedy.NONE:
        actions.append("object")
    return Letter(
        id=letter_id("manual", entry.cash_reference.upper(), entry.notice_date.isoformat()),
        source="manual",
        trust=TrustState.MANUAL,
        cash_reference=entry.cash_reference,
        issuer=profile.payments.payee or profile.name,
        payee=profile.payments.payee or profile.name,
        iban=profile.payments.official_accounts[0] if profile.payments.official_accounts else "",
        amount=entry.amount,
        notice_date=entry.notice_date,
        due_date=entry.due_date,
        remedy=remedy,
        notice_type=entry.notice_type,
        actions=tuple(actions),
    )


# --- bank transfer -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TransferData:
    """What a banking app needs, each to copy on its own, and the GiroCode text to show as a QR code."""

    name: str
    iban: str
    bic: str
    amount: Decimal | None
    reference: str  # ISO 11649 RF reference, or "" when the remittance text carries the Kassenzeichen
    remittance: str
    girocode: str

    @property
    def purpose(self) -> str:
        """What goes into the banking app's purpose line: the RF reference, else the remittance text."""
        return self.reference or self.remittance


def transfer_data(letter: Letter) -> TransferData:
    """The transfer data of a letter that offers "bank_transfer"; raises `LetterError` otherwise."""
    if not letter.offers("bank_transfer") or not letter.iban:
        raise LetterError("no bank transfer for this letter", key="notices.error.no_transfer")
    reference = letter.rf_reference
    remittance = "" if reference else (letter.remittance or f"Kassenzeichen {letter.cash_reference}")
    name = (letter.payee or letter.issuer)[:70]
    try:
        text = build_girocode(
            name=name,
            iban=letter.iban,
            amount=letter.amount,
            bic=letter.bic,
            reference=reference,
            remittance=remittance[:140],
        )
    except GiroCodeError as error:
        raise LetterError(f"cannot build a GiroCode: {error}", key="notices.error.girocode_build") from None
    return TransferData(name, letter.iban, letter.bic, letter.amount, reference, remittance[:140], text)


# --- objection ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ObjectionInfo:
    """The facts of an objection: deadline with its explanation, remedy, authority and the valid channels."""

    remedy: Remedy
    deadline: Deadline
    latest_posting_day: date
    authority_name: str
    authority_address: str
    #: The authority's online form (eID/BundID) on an allow-listed domain, or None.
    online_form_url: str | None
    #: True when the posting date is assumed to be the notice date (a typed-in letter).
    posting_assumed: bool
    #: The delivery day the resident gave, or None (the deadline then counts from the posting date and
    #: may end earlier when the letter was formally delivered: the screen says so).
    delivered: date | None
    #: The delivery day given is later than the notification presumed from the posting date: the earlier
    #: deadline is shown (the app cannot know whether the letter was formally delivered).
    delivered_later_than_presumed: bool
    deadline_passed: bool
    too_late_by_post: bool

    @property
    def online_form_domain(self) -> str:
        return host_of(self.online_form_url or "")


def objection_info(letter: Letter, profile: CityProfile, today: date) -> ObjectionInfo:
    if not letter.offers("object") or letter.remedy is Remedy.NONE:
        raise LetterError("this letter names no remedy", key="notices.error.no_remedy")
    posted = letter.posted_date or letter.notice_date
    if posted is None:
        raise LetterError("the letter has no date", key="notices.error.no_date")
    delivered = letter.delivered_date
    # Formal delivery (Zustellung, e.g. a Bußgeldbescheid) starts the period on the day of delivery,
    # which can be earlier than the day presumed from posting. A later day is not taken on the
    # resident's word alone: the earlier deadline is the safe one to show.
    later = delivered is not None and delivered > notification_date(posted)
    when = {"posted": posted} if delivered is None or later else {"delivered": delivered}
    deadline = compute_deadline(
        letter.remedy.value, instructions_given=letter.instructions_given, state=profile.state, **when
    )
    latest = latest_posting_day(deadline.deadline, state=profile.state)
    return ObjectionInfo(
        remedy=letter.remedy,
        deadline=deadline,
        latest_posting_day=latest,
        authority_name=letter.authority_name,
        authority_address=letter.authority_address,
        online_form_url=online_form(letter, profile),
        posting_assumed=letter.posted_date is None and "posted" in when,
        delivered=delivered,
        delivered_later_than_presumed=later,
        deadline_passed=deadline.deadline < today,
        too_late_by_post=latest < today,
    )


def online_form(letter: Letter, profile: CityProfile) -> str | None:
    """The objection form from the signed code, else the profile's form for the notice type or its default.

    Profile forms receive the case number as `case`. Only allow-listed domains are offered.
    """
    allowed = profile.links.allowed_domains
    if letter.objection_url and is_allowed_link(letter.objection_url, allowed):
        return letter.objection_url
    forms = profile.notices.objection_forms
    url = forms.get(letter.notice_type) or forms.get("default")
    if not url or not is_allowed_link(url, allowed):
        return None
    if letter.case_number:
        from urllib.parse import urlencode

        url += ("&" if "?" in url else "?") + urlencode({"case": letter.case_number})
    return url


def printed_objection(
    letter: Letter,
    info: ObjectionInfo,
    draft: ObjectionDraft | None,
    language: str,
    today: date,
    city: str,
) -> PrintedLetter:
    """The objection letter in German (the authority's language) with notes in `language`, the
    resident's (the service passes German where the device cannot set the resident's script)."""
    de, t = Translator("de"), Translator(language)
    kind = "einspruch" if info.remedy is Remedy.EINSPRUCH else "widerspruch"
    sender = tuple(
        line
        for line in (
            (draft.sender_name if draft else ""),
            *((draft.sender_address if draft else "").splitlines()),
        )
        if line.strip()
    ) or (de("notices.pdf.sender_blank"), "", "")
    recipient = tuple(
        line
        for line in (info.authority_name, *info.authority_address.replace(", ", "\n").splitlines())
        if line
    ) or (de("notices.pdf.recipient_blank"), "", "")
    refs = [
        de("notices.pdf.ref_case", case=letter.case_number) if letter.case_number else "",
        de("notices.pdf.ref_cash", cash=letter.cash_reference) if letter.cash_reference else "",
    ]
    notice_date = f"{letter.notice_date:%d.%m.%Y}" if letter.notice_date else "…"
    reason = (draft.reason.strip() if draft else "") or de("notices.pdf.reason_later")
    paragraphs = (
        de("notices.pdf.salutation"),
        de(f"notices.pdf.body_{kind}", date=notice_date, issuer=letter.issuer or info.authority_name),
        reason,
        de("notices.pdf.receipt"),
        de("notices.pdf.closing"),
    )
    notes = (
        t("notices.pdf.note_sign"),
        t(
            "notices.pdf.note_post_by",
            day=format_day(info.latest_posting_day, language),
            deadline=format_day(info.deadline.deadline, language),
        ),
        t("notices.pdf.note_in_person"),
        t("notices.pdf.note_payment"),
        t("notices.pdf.note_copy"),
    )
    return PrintedLetter(
        title=de(f"notices.pdf.title_{kind}"),
        sender=sender,
        recipient=recipient,
        place_date=f"{city}, {today:%d.%m.%Y}",
        subject=" – ".join(
            part for part in (de(f"notices.pdf.subject_{kind}", date=notice_date), *refs) if part
        ),
        paragraphs=paragraphs,
        signature_label=de("notices.pdf.signature"),
        notes_title=t("notices.pdf.notes_title"),
        notes=notes,
    )
