"""Open311 GeoReport v2 client: implements the `ProblemReporting` port over an injected httpx client.

JSON first; when a server answers the `.json` URL with something that is not an Open311 JSON answer (404,
406 or 415 without an Open311 error list, or a body that is not JSON) the client switches to `.xml`, the
format every server must offer, and keeps using it. POSTs are form-encoded UTF-8; photos go as multipart
`media` files or, where the city profile says so, are uploaded first and referenced by `media_url` (one
photo per report then: the standard has a single `media_url` field; more raise `TooManyPhotosError`).
Every POST carries an `Idempotency-Key` header (servers that honour it answer a repeat with the first
answer). A transport failure before the request left (connection refused) is an `OfflineError`; one
after it may have left (timeout, reset) is a `DeliveryUncertainError`, which the outbox treats with care.
Server errors `[{code, description}]` become `ServerError`s with keys naming the problem (api key,
field, not found) and the server's own description.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import httpx

from leipzig_app.adapters import open311_parse as parse
from leipzig_app.adapters.http import guarded, retry_after_seconds
from leipzig_app.domain.errors import InvalidResponseError, OfflineError, ServerError
from leipzig_app.domain.reports import (
    DeliveryUncertainError,
    PhotoFile,
    ReportDraft,
    Service,
    ServiceDefinition,
    ServiceRequest,
    SubmitReceipt,
)


class TooManyPhotosError(ServerError):
    """GeoReport v2 carries one `media_url` per request, so a city that takes photos by URL takes one
    photo per report. More are refused before anything leaves the device, never dropped silently. The
    refusal counts as a 4xx: the outbox hands the report back to the resident instead of retrying it."""

    key = "reports.photos.one_only"

    def __init__(self, count: int):
        super().__init__(
            f"submit: {count} photos, but this city takes photos by media_url, one per report",
            status=400,
            params={"count": count, "what": "submit"},
        )


#: Answers to a `.json` URL that mean "not in JSON here" (unless they carry an Open311 error list). Reading
#: and sending use the same set: a resumed outbox may send before anything was read.
JSON_REFUSED = frozenset({404, 406, 415})


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


class Open311Client:
    def __init__(
        self,
        http: httpx.AsyncClient,
        endpoint: str,
        *,
        api_key: str | None = None,
        jurisdiction_id: str | None = None,
        photo_upload: str = "multipart",
        media_upload_url: str | None = None,
    ):
        self._http = http
        self.endpoint = endpoint if endpoint.endswith("/") else endpoint + "/"
        self.api_key = api_key
        self.jurisdiction_id = jurisdiction_id
        self.photo_upload = photo_upload
        self.media_upload_url = media_upload_url
        #: "json" until a server shows it offers only XML.
        self.format = "json"

    # --- port -----------------------------------------------------------------------------------------

    async def services(self) -> list[Service]:
        return parse.services(await self._get("services", what="services"))

    async def definition(self, service_code: str) -> ServiceDefinition:
        body = await self._get(f"services/{service_code}", what="service definition")
        return parse.definition(body, service_code)

    async def token(self, token: str) -> str | None:
        return parse.token_id(await self._get(f"tokens/{token}", what="token"))

    async def request(self, request_id: str) -> ServiceRequest:
        found = parse.requests(await self._get(f"requests/{request_id}", what="request"))
        if not found:
            raise ServerError(
                f"request {request_id} not found", status=404, key="reports.error.not_found",
                params={"description": request_id},
            )  # fmt: skip
        return found[0]

    async def requests(
        self,
        *,
        service_code: str | None = None,
        status: str | None = None,
        start_date: datetime | None = None,
        end_date: datetime | None = None,
    ) -> list[ServiceRequest]:
        params = {
            "service_code": service_code,
            "status": status,
            "start_date": _iso(start_date) if start_date else None,
            "end_date": _iso(end_date) if end_date else None,
        }
        body = await self._get("requests", what="requests", params={k: v for k, v in params.items() if v})
        return parse.requests(body)

    async def submit(
        self, draft: ReportDraft, photos: Sequence[PhotoFile], *, idempotency_key: str | None = None
    ) -> SubmitReceipt:
        fields = self._form(draft)
        files: list[tuple[str, tuple[str, bytes, str]]] = []
        if photos and self.photo_upload == "multipart":
            files = [("media", (p.name, p.data, p.content_type)) for p in photos]
        elif len(photos) > 1:
            raise TooManyPhotosError(len(photos))  # before anything is uploaded or sent
        elif photos:
            # A retry must send the very request the key was first used with (a server that honours
            # the key refuses another one with 422), so the upload is keyed as well.
            media_key = f"{idempotency_key}.media" if idempotency_key else None
            fields.append(("media_url", await self.upload_media(photos[0], idempotency_key=media_key)))
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        fmt = self.format

        async def call() -> httpx.Response:
            url = f"{self.endpoint}requests.{fmt}"
            if files:
                # httpx sends multipart when files are given; form fields go along as parts.
                return await self._http.post(url, data=_as_multidict(fields), files=files, headers=headers)
            return await self._http.post(url, data=_as_multidict(fields), headers=headers)

        response = await _post_guarded(call, what="submit")
        if (
            response.status_code in JSON_REFUSED
            and fmt == "json"
            and not self._is_open311_error(response, fmt)
        ):
            self.format = "xml"
            return await self.submit(draft, photos, idempotency_key=idempotency_key)
        body = self._check(response, fmt, what="submit")
        return parse.receipt(body)

    # --- photos by URL ----------------------------------------------------------------------------------

    async def upload_media(self, photo: PhotoFile, *, idempotency_key: str | None = None) -> str:
        """Upload one photo to the profile's `media_upload_url`; returns the URL the server gave it."""
        if not self.media_upload_url:
            raise ServerError(
                "no media_upload_url configured", status=400, key="reports.error.field",
                params={"description": "media_upload_url"},
            )  # fmt: skip
        upload_url = self.media_upload_url

        async def call() -> httpx.Response:
            return await self._http.post(
                upload_url,
                data={"api_key": self.api_key or ""},
                files=[("media", (photo.name, photo.data, photo.content_type))],
                headers={"Idempotency-Key": idempotency_key} if idempotency_key else None,
            )

        response = await guarded(call, what="photo upload")
        body = self._check(response, "json", what="photo upload")
        url = body.get("media_url") if isinstance(body, dict) else None
        if not isinstance(url, str) or not url:
            raise ServerError(
                "photo upload: no media_url in the answer", status=502, params={"what": "photo upload"}
            )
        return url

    # --- plumbing -------------------------------------------------------------------------------------

    def _form(self, draft: ReportDraft) -> list[tuple[str, str]]:
        fields: list[tuple[str, str]] = [("api_key", self.api_key or "")]
        if self.jurisdiction_id:
            fields.append(("jurisdiction_id", self.jurisdiction_id))
        fields.append(("service_code", draft.service_code))
        loc = draft.location
        if loc.has_point:
            fields += [("lat", f"{loc.lat:.7f}"), ("long", f"{loc.long:.7f}")]
        if loc.address:
            fields.append(("address_string", loc.address))
        for code, values in draft.attributes.items():
            fields += [(f"attribute[{code}]", value) for value in values]
        fields.append(("description", draft.description))
        if draft.email:
            fields.append(("email", draft.email.strip()))
        return fields

    async def _get(self, stem: str, *, what: str, params: dict[str, str] | None = None) -> Any:
        query = dict(params or {})
        if self.jurisdiction_id:
            query["jurisdiction_id"] = self.jurisdiction_id
        fmt = self.format

        async def call() -> httpx.Response:
            return await self._http.get(f"{self.endpoint}{stem}.{fmt}", params=query)

        response = await guarded(call, what=what)
        if fmt == "json" and self._json_unsupported(response):
            self.format = "xml"
            return await self._get(stem, what=what, params=params)
        return self._check(response, fmt, what=what)

    def _json_unsupported(self, response: httpx.Response) -> bool:
        if response.status_code in JSON_REFUSED:
            return not self._is_open311_error(response, "json")
        if response.is_success:
            kind = response.headers.get("content-type", "")
            return "xml" in kind or response.content.lstrip().startswith(b"<")
        return False

    def _is_open311_error(self, response: httpx.Response, fmt: str) -> bool:
        try:
            return bool(parse.errors(parse.parse_body(response.content, fmt, what="error")))
        except InvalidResponseError:
            return False

    def _check(self, response: httpx.Response, fmt: str, *, what: str) -> Any:
        if response.is_success:
            return parse.parse_body(response.content, fmt, what=what)
        raise _server_error(response, fmt, what)


def _as_multidict(fields: list[tuple[str, str]]) -> dict[str, Any]:
    """httpx takes repeated form fields as lists under one name (order within a name is kept)."""
    merged: dict[str, Any] = {}
    for name, value in fields:
        if name in merged:
            existing = merged[name]
            merged[name] = [*existing, value] if isinstance(existing, list) else [existing, value]
        else:
            merged[name] = value
    return merged


async def _post_guarded(call: Any, *, what: str) -> httpx.Response:
    """Like `guarded`, but tells apart failures before the request left from those after."""
    try:
        response: httpx.Response = await call()
        return response
    except (httpx.ConnectError, httpx.ConnectTimeout) as error:
        raise OfflineError(
            f"{what}: cannot reach the server ({type(error).__name__})", params={"what": what}
        ) from None
    except httpx.TimeoutException:
        raise DeliveryUncertainError(
            f"{what}: no answer in time; the server may have received the report",
            key="error.timeout",
            params={"what": what},
        ) from None
    except (httpx.TransportError, OSError) as error:
        raise DeliveryUncertainError(
            f"{what}: the connection broke ({type(error).__name__}); the server may have received the report",
            params={"what": what},
        ) from None


def _server_error(response: httpx.Response, fmt: str, what: str) -> ServerError:
    status = response.status_code
    try:
        pairs = parse.errors(parse.parse_body(response.content, fmt, what=what))
    except InvalidResponseError:
        pairs = []
    description = "; ".join(d for _, d in pairs if d) or response.reason_phrase or str(status)
    key = {403: "reports.error.api_key", 404: "reports.error.not_found"}.get(status)
    if key is None and 400 <= status < 500 and status not in (408, 425, 429):
        key = "reports.error.field"
    hint = {403: " (API key missing or not accepted)"}.get(status, "")
    return ServerError(
        f"{what}: the server answered {status}{hint}: {description}",
        status=status,
        key=key,
        params={"description": description, "what": what},
        retry_after=retry_after_seconds(response),
    )
