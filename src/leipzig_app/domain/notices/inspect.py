"""What a scanned code is, whether to trust it, and what the app may offer to do with it.

`inspect_payload(text, context)` never raises: every input ends as an `Inspection` of kind
"signed-notice", "girocode", "url" or "unknown", with `verified`, `problems` (see `problems.py`: stable
codes with severity, message and params), `fields` (plain JSON values) and `actions` (stable codes from
`problems.ACTIONS`, in the order to offer them).

Trust rules:
- a signed notice is verified only by `trust.verify`; a forged, revoked or unknown one offers no payment;
- a GiroCode is never verified (it is unsigned); "bank_transfer" is offered only when its IBAN is one of
  the city's official accounts (`official_account`), otherwise only copying the text;
- a URL shows its domain first and offers "open_link" only for an allow-listed host (the exact domain or
  a subdomain of it, never a substring match), and only after the user confirms (the UI's part);
- two codes on one letter go through `compare_codes`; any disagreement is a "mismatch_*" error.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from leipzig_app.domain.deadlines import DeadlineError, compute_deadline, latest_posting_day
from leipzig_app.domain.notices.code import MAX_TEXT, Notice, NoticeCodeError, Remedy, decode_notice
from leipzig_app.domain.notices.girocode import GiroCode, GiroCodeError, is_girocode, parse_girocode
from leipzig_app.domain.notices.problems import Problem, error, info, warning
from leipzig_app.domain.notices.trust import KeyList, TrustedKey, merge_trust, verify
from leipzig_app.domain.urls import host_of, is_allowed_link

if TYPE_CHECKING:
    from leipzig_app.domain.profile import CityProfile

KINDS = ("signed-notice", "girocode", "url", "unknown")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://\S+$")


@dataclass(frozen=True)
class InspectionContext:
    """What the judgement depends on: the trust set, the city's accounts and links, and today's date."""

    trusted_keys: tuple[TrustedKey, ...] = ()
    revoked_kids: frozenset[str] = frozenset()
    official_ibans: frozenset[str] = frozenset()
    allowed_domains: tuple[str, ...] = ()
    today: date = field(default_factory=date.today)
    state: str = "SN"

    def official_account(self, iban: str) -> bool:
        return iban.replace(" ", "").upper() in {i.replace(" ", "").upper() for i in self.official_ibans}


def context_from_profile(
    profile: CityProfile, key_list: KeyList | None = None, *, today: date | None = None
) -> InspectionContext:
    """The context for a city: its trusted keys merged with a validated key list (demo keys only for a
    demo profile), its official accounts, its link allow-list and its state's holidays."""
    trust = merge_trust(profile.notices.trusted_keys, key_list, allow_demo=profile.demo)
    return InspectionContext(
        trusted_keys=trust.keys,
        revoked_kids=trust.revoked,
        official_ibans=frozenset(profile.payments.official_accounts),
        allowed_domains=tuple(profile.links.allowed_domains),
        today=today or date.today(),
        state=profile.state,
    )


@dataclass(frozen=True)
class Inspection:
    kind: str
    verified: bool
    problems: tuple[Problem, ...]
    fields: dict[str, Any]
    actions: tuple[str, ...]
    notice: Notice | None = None
    girocode: GiroCode | None = None

    def as_dict(self) -> dict[str, Any]:
        """Exactly the command line's contract: kind, verified, problems, fields, actions."""
        return {
            "kind": self.kind,
            "verified": self.verified,
            "problems": [p.as_dict() for p in self.problems],
            "fields": self.fields,
            "actions": list(self.actions),
        }


def inspect_payload(text: Any, context: InspectionContext) -> Inspection:
    """Classify and judge one scanned text. Never raises."""
    if not isinstance(text, str):
        return _unknown(error("not_text", "the code holds no text"))
    if len(text) > MAX_TEXT:
        return _unknown(error("too_long", f"longer than any QR code can hold ({MAX_TEXT} characters)"))
    stripped = text.strip()
    if not stripped:
        return _unknown(error("empty", "the code is empty"))
    if stripped.startswith("LZ") and re.match(r"^LZ\d+:", stripped):
        return _inspect_notice(stripped, context)
    if is_girocode(text.lstrip("\ufeff")):
        return _inspect_girocode(text.lstrip("\ufeff"), context)
    if _URL.match(stripped):
        return _inspect_url(stripped, context)
    return _unknown(error("unknown_format", "not a notice code, GiroCode or web address"), text=stripped)


def _unknown(problem: Problem, text: str | None = None) -> Inspection:
    fields = {"text": text} if text else {}
    return Inspection("unknown", False, (problem,), fields, ("copy_text",) if text else ())


def _inspect_notice(text: str, context: InspectionContext) -> Inspection:
    try:
        notice, envelope = decode_notice(text)
    except NoticeCodeError as err:
        return Inspection(
            "signed-notice",
            False,
            (error(err.code, f"the notice code cannot be read: {err.message}"),),
            {},
            (),
        )
    result = verify(notice, envelope, context.trusted_keys, context.revoked_kids, context.today)
    problems = list(result.problems)
    fields = notice_fields(notice)
    fields["kid"] = envelope.kid
    fields["demo"] = bool(result.key and result.key.demo)
    if not result.verified:
        # Show what the code claims so people can compare it with the letter, but offer nothing to act on.
        return Inspection("signed-notice", False, tuple(problems), fields, (), notice)
    fields.update(_deadline_fields(notice, context.state))
    if not context.official_account(notice.iban) and context.official_ibans:
        problems.append(
            warning("iban_not_listed", "the city signed this notice for an account not listed in the profile")
        )
    actions: list[str] = []
    if notice.amount > 0:
        actions += ["pay_now", "bank_transfer"]
        if notice.due_date >= context.today:
            actions.append("pay_later")
        else:
            problems.append(info("due_date_passed", "the due date has passed", due_date=notice.due_date))
    if notice.remedy is not Remedy.NONE:
        actions.append("object")
    actions.append("copy_text")
    return Inspection("signed-notice", True, tuple(problems), fields, tuple(actions), notice)


def notice_fields(notice: Notice) -> dict[str, Any]:
    """The notice's fields as plain JSON values (dates ISO, amount "123.45")."""
    return {
        "issuer": notice.issuer,
        "issuer_id": notice.issuer_id,
        "case_number": notice.case_number,
        "cash_reference": notice.cash_reference,
        "notice_type": notice.notice_type,
        "notice_date": notice.notice_date.isoformat(),
        "posted_date": notice.posted_date.isoformat(),
        "amount": notice.amount_text,
        "currency": notice.currency,
        "payee": notice.payee,
        "iban": notice.iban,
        "bic": notice.bic or "",
        "rf_reference": notice.rf_reference or "",
        "due_date": notice.due_date.isoformat(),
        "remedy": notice.remedy.value,
        "authority": {"name": notice.authority.name, "address": notice.authority.address}
        if notice.authority
        else None,
        "objection_url": notice.objection_url or "",
        "language": notice.language,
        "instructions_given": notice.instructions_given,
    }


def _deadline_fields(notice: Notice, state: str) -> dict[str, Any]:
    if notice.remedy is Remedy.NONE:
        return {}
    try:
        result = compute_deadline(
            notice.remedy.value,
            posted=notice.posted_date,
            instructions_given=notice.instructions_given,
            state=state,
        )
    except DeadlineError:
        return {}
    return {
        "objection_deadline": result.deadline.isoformat(),
        "notified_date": result.notified.isoformat(),
        "deadline_may_be_later": result.may_be_later,
        "latest_posting_day": latest_posting_day(result.deadline, state=state).isoformat(),
    }


def _inspect_girocode(text: str, context: InspectionContext) -> Inspection:
    try:
        code = parse_girocode(text)
    except GiroCodeError as err:
        return Inspection("girocode", False, tuple(err.problems), {}, ("copy_text",))
    fields: dict[str, Any] = dict(code.fields())
    official = context.official_account(code.iban)
    fields["official_account"] = official
    problems = [warning("unsigned", "a GiroCode is not signed: anyone can print one")]
    if official:
        problems.append(
            info("official_account", "the IBAN is an official account of the city, still unsigned")
        )
        actions: tuple[str, ...] = ("bank_transfer", "copy_text")
    else:
        problems.append(
            warning("iban_not_official", "the IBAN is not an account of the city: check who wants the money")
        )
        actions = ("copy_text",)
    return Inspection("girocode", False, tuple(problems), fields, actions, girocode=code)


def _inspect_url(url: str, context: InspectionContext) -> Inspection:
    # The host as a browser reads it, in ASCII (Punycode for internationalised names, which cannot imitate
    # a familiar name with look-alike letters): the same host the allow-list is checked against.
    host = host_of(url)
    fields = {"domain": host, "url": url}
    if not host:
        return Inspection(
            "url",
            False,
            (error("url_invalid", "the web address has no host, or could lead elsewhere than it reads"),),
            fields,
            ("copy_text",),
        )
    if is_allowed_link(url, context.allowed_domains):
        return Inspection("url", False, (), fields, ("open_link", "copy_text"))
    problem = warning("link_not_allowed", f"{host} is not one of the city's domains", domain=host)
    return Inspection("url", False, (problem,), fields, ("copy_text",))


def compare_codes(notice: Notice, girocode: GiroCode) -> list[Problem]:
    """Problems when the two codes of one letter disagree on payee account, amount or reference."""
    found: list[Problem] = []
    if notice.iban.replace(" ", "").upper() != girocode.iban.replace(" ", "").upper():
        found.append(
            error(
                "mismatch_iban",
                "the GiroCode pays a different account than the signed notice",
                notice=notice.iban,
                girocode=girocode.iban,
            )
        )
    if girocode.amount is not None and girocode.amount != notice.amount:
        found.append(
            error(
                "mismatch_amount",
                "the GiroCode's amount differs from the signed notice",
                notice=notice.amount_text,
                girocode=girocode.amount_text,
            )
        )
    if not _reference_matches(notice, girocode):
        found.append(
            error(
                "mismatch_reference",
                "the GiroCode's reference does not name this Kassenzeichen",
                cash_reference=notice.cash_reference,
            )
        )
    return found


def _reference_matches(notice: Notice, girocode: GiroCode) -> bool:
    if girocode.reference:
        wanted = (notice.rf_reference or "").replace(" ", "").upper()
        return girocode.reference.replace(" ", "").upper() == wanted
    return names_reference(girocode.remittance, notice.cash_reference)


#: Characters that group the digits of a reference ("5.2612.070001.7", "5 2612 070001 7").
_GROUPING = r"[\s.\-/]"


def names_reference(text: str, reference: str) -> bool:
    """True when `text` names `reference` as a whole: its letters and digits in order, grouped by any of
    space, ".", "-" or "/", with no letter or digit right before or after it and no grouping character
    between it and a further digit, which would carry the number on ("15.2612.070001.7",
    "5.2612.070001.78" and "1.5.2612.070001.7" do not name "5.2612.070001.7"; "Kassenzeichen
    5 2612 070001 7, Parken" does). A text that names two references names each."""
    characters = [c for c in reference.upper() if not re.fullmatch(_GROUPING, c)]
    if not characters:
        return False
    body = f"{_GROUPING}*".join(re.escape(c) for c in characters)
    pattern = rf"(?<![^\W_])(?<!\d{_GROUPING}){body}(?![^\W_])(?!{_GROUPING}\d)"
    return re.search(pattern, text.upper()) is not None


def inspect_letter(texts: Collection[str], context: InspectionContext) -> list[Inspection]:
    """Inspect every code of one letter; a notice and a GiroCode are compared with each other and any
    mismatch is added to both (a mismatched letter offers no payment at all)."""
    results = [inspect_payload(text, context) for text in texts]
    notices = [r for r in results if r.notice is not None]
    giros = [r for r in results if r.girocode is not None]
    mismatches = [
        p
        for n in notices
        for g in giros
        if n.notice and g.girocode
        for p in compare_codes(n.notice, g.girocode)
    ]
    if not mismatches:
        return results
    paired = {id(r) for r in (*notices, *giros)}
    return [
        Inspection(
            r.kind, r.verified, (*mismatches, *r.problems), r.fields, ("copy_text",), r.notice, r.girocode
        )
        if id(r) in paired
        else r
        for r in results
    ]
