"""`leipzig-app appointments catalog|slots|book|cancel`: the ZMS citizen API from the command line.

For testers and city IT checking a booking backend: every subcommand talks to the given endpoint (the
base URL ending in `/terminvereinbarung/api/citizen/`) and prints one JSON document. The booking's auth
key is printed because the caller needs it to cancel; nothing is stored.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from datetime import datetime
from typing import Any, TypeVar

from leipzig_app.cli.output import CliError, emit

_T = TypeVar("_T")


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "appointments",
        help="citizen-office appointments over the ZMS citizen API (catalog, slots, book, cancel)",
        description="Talk to a ZMS citizen API: list offices and services, free times, book and cancel.",
    )
    commands = parser.add_subparsers(dest="appointments_command", metavar="SUBCOMMAND", required=True)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = commands.add_parser(name, help=help_text, description=help_text)
        p.add_argument(
            "--endpoint", required=True, help="base URL, e.g. https://.../terminvereinbarung/api/citizen/"
        )
        return p

    command("catalog", "offices and services").set_defaults(handler=_catalog)
    slots = command("slots", "free times (ISO 8601 with offset)")
    slots.description = (
        "Free times of one office: a sorted list of ISO 8601 times with offset (Europe/Berlin). With "
        "several offices (--office A,B): [{slot, office_id, office_name}, ...], sorted by time, then "
        "office; a time free at two offices is two entries. Pass slot and office_id of an entry to `book` "
        "as --slot and --office."
    )
    slots.add_argument(
        "--office", required=True, help="office id; several separated by commas, e.g. 10002,10004"
    )
    slots.add_argument("--service", required=True, help="service id")
    slots.add_argument("--days", type=int, default=14, help="how many days from today (1-62, default 14)")
    slots.add_argument("--count", type=int, default=1, help="number of persons (default 1)")
    slots.set_defaults(handler=_slots)
    book = command("book", "reserve a time, add the contact, then preconfirm or confirm")
    book.add_argument("--office", required=True)
    book.add_argument("--service", required=True)
    book.add_argument("--slot", required=True, help="a time from `slots`, e.g. 2026-11-24T09:15:00+01:00")
    book.add_argument("--name", required=True)
    book.add_argument("--email", required=True)
    book.add_argument("--phone", default="", help="telephone (required by some offices)")
    book.add_argument("--count", type=int, default=1)
    book.set_defaults(handler=_book)
    cancel = command("cancel", "cancel a booking")
    cancel.add_argument("--process-id", required=True)
    cancel.add_argument("--auth-key", required=True)
    cancel.set_defaults(handler=_cancel)


def _run(args: argparse.Namespace, work: Callable[[Any], Awaitable[_T]]) -> _T:
    from leipzig_app.adapters.http import make_client
    from leipzig_app.adapters.zms import ZmsBooking
    from leipzig_app.domain.errors import AppError
    from leipzig_app.domain.urls import check_endpoint_url

    problem = check_endpoint_url(args.endpoint)
    if problem:
        raise CliError(f"--endpoint: {problem}")

    async def main() -> _T:
        async with make_client() as client:
            return await work(ZmsBooking(client, args.endpoint))

    try:
        return asyncio.run(main())
    except AppError as error:
        raise CliError(error.message) from None


def _catalog(args: argparse.Namespace) -> int:
    async def work(booking: Any) -> Any:
        return await booking.catalog()

    catalog = _run(args, work)
    services = []
    for service in catalog.services:
        entry = _jsonable(asdict(service))
        entry["office_ids"] = [o.id for o in catalog.offices_for(service.id)]
        services.append(entry)
    emit({"offices": [_jsonable(asdict(o)) for o in catalog.offices], "services": services})
    return 0


def _slots(args: argparse.Namespace) -> int:
    from leipzig_app.domain.appointments import BERLIN

    if not 1 <= args.days <= 62:
        raise CliError(f"--days must be from 1 to 62, not {args.days}")
    if args.count < 1:
        raise CliError("--count must be at least 1")
    offices = [o.strip() for o in args.office.split(",") if o.strip()]

    async def work(booking: Any) -> Any:
        from datetime import timedelta

        today = datetime.now(BERLIN).date()
        found = await booking.available_slots(
            offices, args.service, args.count, today, today + timedelta(days=args.days - 1)
        )
        return found, await booking.catalog()

    slots, catalog = _run(args, work)
    now = datetime.now(BERLIN)
    future = [s for s in sorted(set(slots)) if s.start.timestamp() > now.timestamp()]
    if len(offices) == 1:
        # The contract for one office: a plain list of ISO 8601 times with offset.
        emit([s.start.isoformat() for s in future])
        return 0
    # Several offices: a time free at more than one is one entry per office, since `book` needs both
    # --slot and --office.
    names = {o.id: o.name for o in catalog.offices}
    emit(
        [
            {"slot": s.start.isoformat(), "office_id": s.office_id, "office_name": names.get(s.office_id)}
            for s in future
        ]
    )
    return 0


def _book(args: argparse.Namespace) -> int:
    from leipzig_app.domain.appointments import Contact, check_contact
    from leipzig_app.domain.errors import AppError
    from leipzig_app.services.appointments import book_with

    try:
        start = datetime.fromisoformat(args.slot)
    except ValueError:
        raise CliError(f"--slot: not an ISO 8601 time: {args.slot!r}") from None
    if start.tzinfo is None:
        raise CliError("--slot: needs a UTC offset, e.g. 2026-11-24T09:15:00+01:00")

    async def work(booking: Any) -> Any:
        catalog = await booking.catalog()
        office = catalog.office(args.office)
        catalog.service(args.service)
        contact = check_contact(Contact(args.name, args.email, args.phone), office)
        return await book_with(booking, office, [args.service], [args.count], start, contact)

    try:
        result = _run(args, work)
    except AppError as error:  # pragma: no cover - _run already converts
        raise CliError(error.message) from None
    emit(
        {
            "process_id": result.process_id,
            "auth_key": result.auth_key,
            "slot": result.start.isoformat(),
            "state": result.state.value,
        }
    )
    return 0


def _cancel(args: argparse.Namespace) -> int:
    async def work(booking: Any) -> None:
        await booking.cancel(args.process_id, args.auth_key)

    _run(args, work)
    emit({"cancelled": True})
    return 0


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
