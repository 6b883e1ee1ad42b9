"""`leipzig-app report services|submit|status`: check an Open311 GeoReport v2 endpoint from the shell.

For testers and city IT. `submit` sends directly (no outbox) with a fresh idempotency key, after the same
checks and clean-up the app makes (`services.reports.prepare_draft`: trimmed text, numbers with a decimal
point) and with the photo through the same privacy processing (metadata removed, faces and plates blurred,
downscaled). Server errors end with exit code 1 and one line naming the problem.
"""

from __future__ import annotations

import argparse
import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any, TypeVar

from leipzig_app.cli.output import CliError, emit
from leipzig_app.domain.errors import AppError
from leipzig_app.domain.urls import check_endpoint_url

_T = TypeVar("_T")


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "report",
        help="talk to an Open311 GeoReport v2 endpoint (list services, submit a report, read a status)",
        description="Open311 GeoReport v2 tools. JSON on stdout; errors: exit 1 and one line.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--endpoint", required=True, help="base URL, e.g. https://city.example/open311/v2/")
        p.add_argument("--jurisdiction", default=None, help="jurisdiction_id, when the server hosts several")

    services = actions.add_parser("services", help="list the server's services (JSON)")
    common(services)
    services.set_defaults(handler=_services)

    submit = actions.add_parser("submit", help="submit one report; prints id/token and notice")
    common(submit)
    submit.add_argument("--api-key", required=True)
    submit.add_argument("--service-code", required=True)
    submit.add_argument("--lat", type=float, default=None)
    submit.add_argument("--long", type=float, default=None)
    submit.add_argument("--address", default=None, help="address_string (instead of --lat/--long)")
    submit.add_argument("--description", required=True)
    submit.add_argument(
        "--attribute", action="append", default=[], metavar="CODE=VALUE", help="repeat for several values"
    )
    submit.add_argument("--photo", type=Path, default=None, help="JPEG/PNG; privacy-processed before upload")
    submit.add_argument("--email", default=None)
    submit.add_argument(
        "--photo-upload", choices=("multipart", "media_url"), default="multipart",
        help="how the server takes photos (default multipart)",
    )  # fmt: skip
    submit.add_argument(
        "--media-upload-url", default=None, help="where photos go for --photo-upload media_url"
    )
    submit.set_defaults(handler=_submit)

    status = actions.add_parser("status", help="read one request (JSON)")
    common(status)
    status.add_argument("id", help="service_request_id")
    status.set_defaults(handler=_status)


def _run(args: argparse.Namespace, work: Callable[[Any], Awaitable[_T]]) -> _T:
    from leipzig_app.adapters.http import make_client
    from leipzig_app.adapters.open311 import Open311Client

    problem = check_endpoint_url(args.endpoint)
    if problem:
        raise CliError(f"--endpoint: {problem}")

    async def go() -> _T:
        async with make_client() as http:
            client = Open311Client(
                http,
                args.endpoint,
                api_key=getattr(args, "api_key", None),
                jurisdiction_id=args.jurisdiction,
                photo_upload=getattr(args, "photo_upload", "multipart"),
                media_upload_url=getattr(args, "media_upload_url", None),
            )
            return await work(client)

    try:
        return asyncio.run(go())
    except AppError as error:
        raise CliError(str(error)) from None


def _services(args: argparse.Namespace) -> int:
    async def work(client: Any) -> list[Any]:
        found = await client.services()
        return [
            {
                "service_code": s.code,
                "service_name": s.name,
                "description": s.description,
                "metadata": s.metadata,
                "type": s.type,
                "keywords": list(s.keywords),
                "group": s.group,
            }
            for s in found
        ]

    emit(_run(args, work))
    return 0


def _attributes(pairs: list[str]) -> dict[str, tuple[str, ...]]:
    result: dict[str, tuple[str, ...]] = {}
    for pair in pairs:
        code, sep, value = pair.partition("=")
        if not sep or not code.strip():
            raise CliError(f"--attribute must be CODE=VALUE, not '{pair}'")
        result[code.strip()] = (*result.get(code.strip(), ()), value)
    return result


def _photo(path: Path | None) -> list[Any]:
    if path is None:
        return []
    from leipzig_app.adapters.photos import OpenCvPhotoProcessor
    from leipzig_app.domain.reports import PhotoFile

    try:
        data = path.read_bytes()
    except OSError as error:
        raise CliError(f"--photo: cannot read {path}: {error.strerror}") from None
    try:
        processed = OpenCvPhotoProcessor().process(data)
    except AppError as error:
        raise CliError(f"--photo: {error}") from None
    return [PhotoFile("photo.jpg", processed.data)]


def _submit(args: argparse.Namespace) -> int:
    from leipzig_app.domain.reports import Location, ReportDraft
    from leipzig_app.services.reports import prepare_draft

    if (args.lat is None) != (args.long is None):
        raise CliError("give both --lat and --long, or --address")
    if args.lat is None and not args.address:
        raise CliError("a location is required: --lat and --long, or --address")
    if args.photo_upload == "media_url" and args.photo and not args.media_upload_url:
        raise CliError("--photo-upload media_url needs --media-upload-url")
    draft = ReportDraft(
        service_code=args.service_code,
        location=Location(lat=args.lat, long=args.long, address=args.address),
        description=args.description,
        attributes=_attributes(args.attribute),
        email=args.email,
    )
    photos = _photo(args.photo)

    async def work(client: Any) -> dict[str, Any]:
        services = {s.code: s for s in await client.services()}
        service = services.get(args.service_code)
        if service is None:
            raise CliError(
                f"--service-code '{args.service_code}' is not offered (known: {', '.join(sorted(services))})"
            )
        definition = await client.definition(service.code) if service.metadata else None
        prepared = prepare_draft(draft, definition)  # as the app sends it (1,5 becomes 1.5)
        receipt = await client.submit(prepared, photos, idempotency_key=str(uuid.uuid4()))
        return {
            "service_request_id": receipt.service_request_id,
            "token": receipt.token,
            "service_notice": receipt.service_notice,
        }

    emit(_run(args, work))
    return 0


def _status(args: argparse.Namespace) -> int:
    async def work(client: Any) -> dict[str, Any]:
        request = await client.request(args.id)
        fields = {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in asdict(request).items()}
        return {"service_request_id": fields.pop("id"), **fields}

    emit(_run(args, work))
    return 0
