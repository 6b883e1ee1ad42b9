"""`leipzig-app notice`: inspect a scanned code as the app judges it, or issue a demo letter.

    leipzig-app notice inspect TEXT|- [--other TEXT] [--key-list FILE] [--today DATE]
    leipzig-app notice issue --out FILE.png [--amount 35.00 --due D --posted D --cash-reference K
                             --case-number A --notice-type fee --iban IBAN ...] [--tamper]
                             [--girocode-iban IBAN] [--girocode-amount A] [--no-girocode]

`inspect` prints exactly `{"kind", "verified", "problems", "fields", "actions"}` (see
`domain/notices/inspect.py`); its trust comes from the city profile (`--city` before the command), plus a
key-list document when given (validated against the profile's list signers). `--other` is the second code
on the same letter: disagreements are added as "mismatch_*" problems. `-` reads the raw bytes from stdin
(a GiroCode in an ISO 8859 character set is decoded as it declares).

`issue` signs a notice with the demo city's DEMO key and renders an A4 page with both codes, printing
`{"file", "payload", "girocode"}`. Without `--cash-reference` the letter gets the next running number of
the app's demo city (kept in DATA/demo-city, DATA as `--data-dir` before the command names it) as its
Kassenzeichen and Aktenzeichen, so every demo letter is a letter of its own. For tests and testers it
also makes bad letters: `--tamper` changes the amount after signing (a forgery), `--key revoked` signs
with the revoked demo key, `--girocode-iban` and `--girocode-amount` make the GiroCode disagree with the
signed code.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from leipzig_app.cli.deadline import iso_date
from leipzig_app.cli.output import CliError, emit

if TYPE_CHECKING:
    from leipzig_app.domain.notices.code import Notice
    from leipzig_app.domain.notices.inspect import InspectionContext
    from leipzig_app.sandbox.notices import IssuedLetter

DEMO_IBAN = "DE20860555921090000004"
_DEFAULT_REMEDY = {
    "parking": "none",
    "fine": "einspruch",
    "fee": "widerspruch",
    "tax": "widerspruch",
    "other": "widerspruch",
}


def _amount(text: str) -> Decimal:
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"expected an amount such as 35.00, not {text!r}") from None
    if not value.is_finite() or value != value.quantize(Decimal("0.01")) or value < 0:
        raise argparse.ArgumentTypeError(f"expected euros with at most two decimals, not {text!r}")
    return value.quantize(Decimal("0.01"))


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "notice",
        help="inspect a scanned code, or issue a signed demo letter",
        description="Tools for official letters: inspect a code the way the app judges it, or issue a demo "
        "letter with a signed notice code and a GiroCode.",
    )
    commands = parser.add_subparsers(dest="notice_command", metavar="ACTION", required=True)

    inspect = commands.add_parser(
        "inspect",
        help="classify and verify a code's text; prints kind, verified, problems, fields, actions",
        description="Print {kind, verified, problems, fields, actions} for a scanned text ('-' reads stdin).",
    )
    inspect.add_argument("text", metavar="TEXT", help="the code's text, or - for the raw bytes on stdin")
    inspect.add_argument("--other", metavar="TEXT", help="the other code printed on the same letter")
    inspect.add_argument("--key-list", type=Path, metavar="FILE", help="a fetched key-list JSON document")
    inspect.add_argument("--today", type=iso_date, metavar="DATE", help="judge as of this day")
    inspect.set_defaults(handler=run_inspect)

    issue = commands.add_parser(
        "issue",
        help="sign a DEMO notice and render a letter page with both codes",
        description="Sign a demo notice with the demo city's DEMO key and render an A4 PNG letter with the "
        "notice code and a matching GiroCode. Prints {file, payload, girocode}.",
    )
    issue.add_argument("--out", type=Path, required=True, metavar="FILE.png")
    issue.add_argument("--amount", type=_amount, default=Decimal("35.00"))
    issue.add_argument("--posted", type=iso_date, metavar="DATE", help="posting date (default: today)")
    issue.add_argument("--notice-date", type=iso_date, metavar="DATE", help="default: the posting date")
    issue.add_argument("--due", type=iso_date, metavar="DATE", help="default: one month after posting")
    issue.add_argument(
        "--cash-reference",
        help="Kassenzeichen (default: the demo city's next running number, kept in DATA/demo-city)",
    )
    issue.add_argument("--case-number", help="Aktenzeichen (default: from the posting date and that number)")
    issue.add_argument("--notice-type", choices=tuple(_DEFAULT_REMEDY), default="fee")
    issue.add_argument("--remedy", choices=("widerspruch", "einspruch", "none"), help="default: by type")
    issue.add_argument(
        "--no-instructions", action="store_true", help="leave out the instructions on remedies"
    )
    issue.add_argument("--iban", default=DEMO_IBAN, help=f"payee account (default: {DEMO_IBAN})")
    issue.add_argument("--rf-reference", action="store_true", help="add an RF creditor reference")
    issue.add_argument("--objection-url", help="link to the authority's online objection form")
    issue.add_argument("--key", default="current", help="demo key: current, next, revoked or a key id")
    bad = issue.add_argument_group("bad letters for tests")
    bad.add_argument("--tamper", action="store_true", help="change the amount after signing (forgery)")
    bad.add_argument("--girocode-iban", help="put another IBAN into the GiroCode")
    bad.add_argument("--girocode-amount", type=_amount, help="put another amount into the GiroCode")
    bad.add_argument("--no-girocode", action="store_true", help="print only the notice code")
    issue.set_defaults(handler=run_issue)


# --- inspect --------------------------------------------------------------------------------------------


def run_inspect(args: argparse.Namespace) -> int:
    from leipzig_app.domain.notices.inspect import inspect_letter, inspect_payload

    text = _read_stdin() if args.text == "-" else args.text
    context = _context(args)
    if args.other is None:
        result = inspect_payload(text, context)
    else:
        result = inspect_letter([text, args.other], context)[0]
    emit(result.as_dict())
    return 0


def _read_stdin() -> str:
    from leipzig_app.domain.notices.girocode import CHARSETS

    raw = sys.stdin.buffer.read(1_000_000)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    lines = raw.replace(b"\r\n", b"\n").split(b"\n", 3)
    if lines[0] == b"BCD" and len(lines) > 2:
        codec = CHARSETS.get(lines[2].decode("ascii", "replace"))
        if codec:
            return raw.decode(codec, "replace")
    return raw.decode("utf-8", "replace")


def _context(args: argparse.Namespace) -> InspectionContext:
    from leipzig_app.adapters.profiles import load_profile
    from leipzig_app.domain.errors import ProfileError
    from leipzig_app.domain.notices.inspect import context_from_profile
    from leipzig_app.domain.notices.trust import KeyListError, validate_key_list

    try:
        profile = load_profile(getattr(args, "city", None))
    except ProfileError as error:
        raise CliError(str(error)) from None
    today = args.today or date.today()
    key_list = None
    if args.key_list is not None:
        try:
            document = json.loads(args.key_list.read_text(encoding="utf-8"))
            key_list = validate_key_list(document, profile.notices.key_list_signers, today)
        except OSError as error:
            raise CliError(f"--key-list {args.key_list}: cannot read it ({error.strerror})") from None
        except (ValueError, KeyListError) as error:
            raise CliError(f"--key-list {args.key_list}: not a valid key list ({error})") from None
    return context_from_profile(profile, key_list, today=today)


# --- issue ----------------------------------------------------------------------------------------------


def run_issue(args: argparse.Namespace) -> int:
    from leipzig_app.cli.notice_letter import render_letter
    from leipzig_app.domain.notices.code import NoticeCodeError, encode_notice
    from leipzig_app.domain.notices.girocode import GiroCodeError
    from leipzig_app.sandbox.notices import demo_key

    out: Path = args.out
    if out.suffix.lower() != ".png":
        raise CliError(f"--out must name a .png file, not {str(out)!r}")
    if not out.parent.is_dir():
        raise CliError(f"--out: the folder {str(out.parent)!r} does not exist")
    try:
        key = demo_key(args.key)
    except KeyError as error:
        raise CliError(str(error.args[0])) from None
    if key.role == "list-signer":
        raise CliError("--key: the list-signing key does not sign notices")
    notice = _demo_notice(args)
    try:
        payload = encode_notice(notice, key.private_key(), key.kid)
    except NoticeCodeError as error:
        raise CliError(str(error)) from None
    if args.tamper:
        notice = replace(notice, amount=notice.amount + Decimal("10.00"))
        payload = _swap_payload(payload, notice)
    try:
        girocode = None if args.no_girocode else _girocode(notice, args)
    except GiroCodeError as error:
        raise CliError(f"the GiroCode would be invalid: {error}") from None
    try:
        render_letter(notice, payload, girocode, out)
    except OSError as error:
        raise CliError(f"--out {out}: cannot write it ({error.strerror})") from None
    emit({"file": str(out), "payload": payload, "girocode": girocode})
    return 0


def _demo_notice(args: argparse.Namespace) -> Notice:
    from leipzig_app.domain.notices.code import Authority, Notice, Remedy
    from leipzig_app.sandbox.notices import AUTHORITY, AUTHORITY_ADDRESS

    posted: date = args.posted or date.today()
    notice_date: date = args.notice_date or posted
    cash_reference, case_number = args.cash_reference, args.case_number
    if not cash_reference:
        # Each demo letter its own Kassenzeichen: two letters posted on one day are two letters.
        issued = _issue_numbers(args, posted)
        cash_reference, case_number = issued.cash_reference, case_number or issued.case_number
    return Notice(
        issuer=AUTHORITY,
        issuer_id="14713000",
        case_number=case_number or f"32.21-{posted:%Y}-{posted:%m%d}01",
        cash_reference=cash_reference,
        notice_date=notice_date,
        posted_date=posted,
        amount=args.amount,
        iban=args.iban.replace(" ", "").upper(),
        due_date=args.due or posted + timedelta(days=31),
        payee="Stadtkasse Leipzig (DEMO)",
        rf_reference=_rf_reference(cash_reference) if args.rf_reference else None,
        remedy=Remedy(args.remedy or _DEFAULT_REMEDY[args.notice_type]),
        authority=Authority(AUTHORITY, AUTHORITY_ADDRESS),
        objection_url=args.objection_url,
        notice_type=args.notice_type,
        instructions_given=not args.no_instructions,
    )


def _issue_numbers(args: argparse.Namespace, posted: date) -> IssuedLetter:
    """The next numbers of the app's demo city (its folder `demo-city` in the app's data folder, the one
    `--data-dir` names): kept in its database, so they go on across restarts of the demo city."""
    import sqlite3

    from leipzig_app.adapters import paths
    from leipzig_app.sandbox.context import SandboxContext
    from leipzig_app.sandbox.notices import issue_letter

    folder: Path | None = None
    try:
        folder = paths.data_dir(getattr(args, "data_dir", None)) / "demo-city"
        return issue_letter(SandboxContext(data_dir=folder), posted)
    except (OSError, sqlite3.Error) as error:
        where = f"the demo city's folder {folder}" if folder else "the app's data folder"
        raise CliError(
            f"cannot number the letter in {where} ({error}): name another folder with --data-dir before "
            "the command, or give --cash-reference"
        ) from None


def _rf_reference(cash_reference: str) -> str:
    """An ISO 11649 creditor reference made from the Kassenzeichen's letters and digits."""
    from stdnum.iso7064 import mod_97_10

    body = "".join(c for c in cash_reference.upper() if c.isalnum())[:21]
    return f"RF{mod_97_10.calc_check_digits(body + 'RF')}{body}"


def _girocode(notice: Notice, args: argparse.Namespace) -> str:
    from leipzig_app.domain.notices.girocode import transfer_girocode

    changed = replace(
        notice,
        iban=args.girocode_iban or notice.iban,
        amount=args.girocode_amount if args.girocode_amount is not None else notice.amount,
    )
    return transfer_girocode(changed)


def _swap_payload(code: str, notice: Notice) -> str:
    """The same envelope and signature around a changed payload: what a forger who edits a code makes."""
    import zlib

    import cbor2

    from leipzig_app.domain.notices.base45 import b45encode
    from leipzig_app.domain.notices.code import COSE_SIGN1_TAG, PREFIX, decode_notice, notice_to_map

    _, envelope = decode_notice(code)
    payload = cbor2.dumps(notice_to_map(notice))
    raw = cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [envelope.protected, {}, payload, envelope.signature]))
    return PREFIX + b45encode(zlib.compress(raw, 9) if envelope.compressed else raw)
