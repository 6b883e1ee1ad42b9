"""`leipzig-app deadline`: the last day to object to a notice, as the app computes it.

    leipzig-app deadline --kind widerspruch (--posted D | --delivered D) [--no-instructions] [--state SN]
    leipzig-app deadline --kind einspruch --delivered D

Prints `{"notified": "YYYY-MM-DD", "deadline": "YYYY-MM-DD", "rule": "..."}`. The rules and their legal
references are in docs/notice-code.md; `--lang de` (or uk, ar, de-LS) gives the rule text in that language
(the texts are the app's, `notices.deadline.rule.*` in locales/<lang>/notices.json).
"""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from leipzig_app.cli.output import CliError, emit
from leipzig_app.i18n import EASY_GERMAN, LANGUAGES


def iso_date(text: str) -> date:
    """An argparse type: YYYY-MM-DD, with a message that says so."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date such as 2026-11-23, not {text!r}") from None


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "deadline",
        help="compute the deadline for a Widerspruch or Einspruch",
        description="Compute when a notice counts as notified and the last day to object (Widerspruch: one "
        "month, one year without instructions on remedies; Einspruch: two weeks). A period ending on a "
        "weekend or public holiday of the state ends on the next working day. Prints JSON.",
    )
    parser.add_argument("--kind", required=True, choices=("widerspruch", "einspruch"))
    when = parser.add_mutually_exclusive_group(required=True)
    when.add_argument(
        "--posted", type=iso_date, metavar="DATE", help="the posting date printed on the letter"
    )
    when.add_argument("--delivered", type=iso_date, metavar="DATE", help="the day the letter was delivered")
    parser.add_argument(
        "--no-instructions",
        action="store_true",
        help="the notice had no or wrong instructions on remedies (one year, § 58 VwGO)",
    )
    parser.add_argument("--state", default="SN", help="German state for public holidays (default: SN)")
    parser.add_argument(
        "--lang",
        choices=(*LANGUAGES, EASY_GERMAN),
        default="en",
        help=f"language of the rule text (the app's languages; {EASY_GERMAN} is easy-to-read German)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from leipzig_app.domain.deadlines import DeadlineError, compute_deadline
    from leipzig_app.i18n import Translator
    from leipzig_app.services.notice_letters import deadline_rule

    if args.kind == "einspruch" and args.no_instructions:
        raise CliError("--no-instructions applies to a Widerspruch only (§ 58 VwGO)")
    try:
        result = compute_deadline(
            args.kind,
            posted=args.posted,
            delivered=args.delivered,
            instructions_given=not args.no_instructions,
            state=args.state,
        )
    except DeadlineError as error:
        raise CliError(str(error)) from None
    emit(
        {
            "notified": result.notified.isoformat(),
            "deadline": result.deadline.isoformat(),
            "rule": deadline_rule(result, Translator(args.lang)),
        }
    )
    return 0
