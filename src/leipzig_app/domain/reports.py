"""Problem reports (Open311 GeoReport v2): what a report is, the rules it must follow, and the ports.

Pure rules only: grouping and searching the city's categories, checking a draft against the category's
service definition (required attributes, value lists, the 4,000-character description, one location),
nearby duplicates ("Schon gemeldet?") and matching a server-side request to a report that may have been
stored before a connection broke. The Protocols at the end say what the reports service needs from
outside: a reporting backend, a photo processor and the outbox store.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol

from leipzig_app.domain.errors import AppError, OfflineError

MAX_DESCRIPTION = 4000
MAX_PHOTOS = 3
DUPLICATE_RADIUS_M = 50.0
DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class ReportInvalidError(AppError):
    """The resident must change something in the report (`params['field']` names what)."""

    key = "reports.error.invalid"


class DeliveryUncertainError(OfflineError):
    """The request left the device but no answer came back: the server may or may not have stored it."""

    key = "error.offline"


@dataclass(frozen=True)
class AttributeValue:
    key: str
    name: str


@dataclass(frozen=True)
class ServiceAttribute:
    code: str
    datatype: str
    description: str
    required: bool = False
    variable: bool = True
    datatype_description: str = ""
    order: int = 0
    values: tuple[AttributeValue, ...] = ()


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    description: str = ""
    metadata: bool = False
    type: str = "realtime"
    keywords: tuple[str, ...] = ()
    group: str = ""


@dataclass(frozen=True)
class ServiceDefinition:
    service_code: str
    attributes: tuple[ServiceAttribute, ...] = ()


@dataclass(frozen=True)
class Location:
    lat: float | None = None
    long: float | None = None
    address: str | None = None

    @property
    def has_point(self) -> bool:
        return self.lat is not None and self.long is not None


@dataclass(frozen=True)
class ReportDraft:
    service_code: str
    location: Location
    description: str
    service_name: str = ""
    #: attribute code -> values (one for most datatypes, several for multivaluelist)
    attributes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    email: str | None = None


@dataclass(frozen=True)
class PhotoFile:
    name: str
    data: bytes
    content_type: str = "image/jpeg"


@dataclass(frozen=True)
class SubmitReceipt:
    service_request_id: str | None = None
    token: str | None = None
    service_notice: str | None = None
    account_id: str | None = None


@dataclass(frozen=True)
class ServiceRequest:
    id: str
    status: str
    service_code: str = ""
    service_name: str = ""
    description: str = ""
    status_notes: str = ""
    agency_responsible: str = ""
    service_notice: str = ""
    requested_datetime: datetime | None = None
    updated_datetime: datetime | None = None
    expected_datetime: datetime | None = None
    address: str = ""
    lat: float | None = None
    long: float | None = None
    media_url: str = ""


@dataclass(frozen=True)
class Region:
    """A rectangle of a photo to blur (pixels of the processed image)."""

    x: int
    y: int
    w: int
    h: int
    kind: str = "manual"  # "face", "plate" or "manual"


@dataclass(frozen=True)
class ProcessedPhoto:
    data: bytes
    width: int
    height: int
    regions: tuple[Region, ...] = ()
    #: The position the camera recorded, read before the metadata was removed (offered only with consent).
    gps: tuple[float, float] | None = None


# --- categories -----------------------------------------------------------------------------------------


def group_services(services: Sequence[Service]) -> list[tuple[str, list[Service]]]:
    """Services grouped by their `group`, groups and names sorted (German collation is close enough)."""
    groups: dict[str, list[Service]] = {}
    for service in services:
        groups.setdefault(service.group or "", []).append(service)
    return [
        (name, sorted(items, key=lambda s: s.name.casefold()))
        for name, items in sorted(groups.items(), key=lambda kv: (kv[0] == "", kv[0].casefold()))
    ]


def search_services(services: Sequence[Service], query: str) -> list[Service]:
    """Services whose name, group, description or keywords contain every word of the query."""
    words = query.casefold().split()
    if not words:
        return list(services)
    found = []
    for service in services:
        haystack = " ".join([service.name, service.group, service.description, *service.keywords]).casefold()
        if all(word in haystack for word in words):
            found.append(service)
    return found


# --- validation -----------------------------------------------------------------------------------------


def _invalid(field_name: str, problem: str, message: str, **params: object) -> ReportInvalidError:
    return ReportInvalidError(message, key=f"reports.error.{problem}", params={"field": field_name, **params})


def validate_draft(draft: ReportDraft, definition: ServiceDefinition | None) -> None:
    """Raise `ReportInvalidError` at the first problem the resident must fix before sending."""
    problems = draft_problems(draft, definition)
    if problems:
        raise problems[0]


def draft_problems(draft: ReportDraft, definition: ServiceDefinition | None) -> list[ReportInvalidError]:
    """Every problem the resident must fix before sending, at most one per field (`params['field']`), so a
    form can mark all of them at once; `validate_draft` raises the first of them."""
    problems: list[ReportInvalidError] = []
    if not draft.service_code.strip():
        problems.append(_invalid("service_code", "no_category", "choose a category"))
    loc = draft.location
    if loc.has_point:
        assert loc.lat is not None
        assert loc.long is not None
        if not (-90 <= loc.lat <= 90 and -180 <= loc.long <= 180):
            problems.append(_invalid("location", "bad_location", "latitude/longitude out of range"))
    elif not (loc.address and loc.address.strip()):
        problems.append(_invalid("location", "no_location", "give a location (address or position)"))
    if not draft.description.strip():
        problems.append(_invalid("description", "no_description", "describe the problem"))
    elif len(draft.description) > MAX_DESCRIPTION:
        problems.append(
            _invalid("description", "description_too_long", "description too long", max=MAX_DESCRIPTION)
        )
    if draft.email and not _EMAIL.match(draft.email.strip()):
        problems.append(_invalid("email", "bad_email", "not an e-mail address"))
    attributes = {a.code: a for a in definition.attributes} if definition else {}
    for code in draft.attributes:
        if definition is not None and code not in attributes:
            problems.append(_invalid(code, "unknown_attribute", f"unknown attribute {code}", code=code))
    for attr in attributes.values():
        values = tuple(v for v in draft.attributes.get(attr.code, ()) if v.strip())
        if not attr.variable:
            continue
        try:
            if attr.required and not values:
                raise _invalid(
                    attr.code,
                    "attribute_required",
                    f"attribute {attr.code} is required ({attr.description})",
                    name=attr.description,
                )
            _check_values(attr, values)
        except ReportInvalidError as problem:
            problems.append(problem)
    return problems


def _check_values(attr: ServiceAttribute, values: tuple[str, ...]) -> None:
    name = attr.description
    if attr.datatype != "multivaluelist" and len(values) > 1:
        raise _invalid(attr.code, "attribute_single", f"attribute {attr.code} takes one value", name=name)
    keys = {v.key for v in attr.values}
    for value in values:
        if attr.datatype in ("singlevaluelist", "multivaluelist") and value not in keys:
            raise _invalid(
                attr.code, "attribute_choice", f"attribute {attr.code}: not one of the choices", name=name
            )
        if attr.datatype == "number":
            try:
                float(value.replace(",", "."))
            except ValueError:
                raise _invalid(
                    attr.code, "attribute_number", f"attribute {attr.code} must be a number", name=name
                ) from None
        if attr.datatype == "datetime" and parse_date_answer(value) is None:
            raise _invalid(
                attr.code,
                "attribute_datetime",
                f"attribute {attr.code} must be a date (DD.MM.YYYY or YYYY-MM-DD)",
                name=name,
            )


_GERMAN_DATE = re.compile(r"(\d{1,2})\.\s*(\d{1,2})\.\s*(\d{4})")


def parse_date_answer(value: str) -> str | None:
    """A date as a resident types it (`20.11.2026`, `1.2.2026`) or in ISO 8601 (`2026-11-20`, also with a
    time), as the ISO text sent to the server (`2026-11-20`, a time kept when one was given); None when it
    is no date."""
    text = value.strip()
    german = _GERMAN_DATE.fullmatch(text)
    try:
        if german:
            day, month, year = (int(g) for g in german.groups())
            return date(year, month, day).isoformat()
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text).isoformat()
        return datetime.fromisoformat(text).isoformat() if re.match(r"\d{4}-\d{2}-\d{2}[T ]", text) else None
    except ValueError:
        return None


def normalise_attributes(
    draft_attributes: Mapping[str, Sequence[str]], definition: ServiceDefinition | None
) -> dict[str, tuple[str, ...]]:
    """Trimmed values, empty ones dropped, numbers with a decimal point (forms accept 1,5), dates in ISO
    8601 (forms accept 20.11.2026)."""
    types = {a.code: a.datatype for a in definition.attributes} if definition else {}
    result: dict[str, tuple[str, ...]] = {}
    for code, values in draft_attributes.items():
        cleaned = tuple(v.strip() for v in values if v.strip())
        if types.get(code) == "number":
            cleaned = tuple(v.replace(",", ".") for v in cleaned)
        if types.get(code) == "datetime":
            cleaned = tuple(parse_date_answer(v) or v for v in cleaned)  # no date: validation names it
        if cleaned:
            result[code] = cleaned
    return result


# --- geography and duplicates -----------------------------------------------------------------------------


def distance_m(lat1: float, long1: float, lat2: float, long2: float) -> float:
    """Great-circle distance in metres (haversine; plenty for a city)."""
    r = 6_371_000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(long2 - long1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(min(1.0, math.sqrt(a)))


def _same_address(a: str, b: str) -> bool:
    def norm(s: str) -> str:
        return re.sub(r"[^0-9a-zäöüß]", "", s.casefold().replace("straße", "str").replace("strasse", "str"))

    return bool(a and b) and norm(a) == norm(b)


def is_near(request: ServiceRequest, location: Location, radius_m: float) -> bool:
    if location.has_point and request.lat is not None and request.long is not None:
        assert location.lat is not None
        assert location.long is not None
        return distance_m(location.lat, location.long, request.lat, request.long) <= radius_m
    return _same_address(request.address, location.address or "")


def nearby_open(
    requests: Sequence[ServiceRequest],
    location: Location,
    service_code: str,
    radius_m: float = DUPLICATE_RADIUS_M,
) -> list[ServiceRequest]:
    """Open requests of the same category near the location, nearest first ("Schon gemeldet?")."""
    found = [
        r
        for r in requests
        if r.status == "open" and r.service_code == service_code and is_near(r, location, radius_m)
    ]

    def key(r: ServiceRequest) -> float:
        if location.has_point and r.lat is not None and r.long is not None:
            assert location.lat is not None
            assert location.long is not None
            return distance_m(location.lat, location.long, r.lat, r.long)
        return 0.0

    return sorted(found, key=key)


def _norm_text(text: str) -> str:
    return " ".join(text.split()).casefold()


def matches_report(
    request: ServiceRequest,
    draft: ReportDraft,
    first_attempt_at: datetime,
    *,
    slack: timedelta = timedelta(minutes=10),
) -> bool:
    """Is this server-side request the report we tried to send (after an ambiguous failure)?

    Same category, same description (whitespace-insensitive, servers may trim), same place (within 25 m or
    the same address), and created no earlier than our first attempt minus `slack` (clock skew).
    """
    if request.service_code and request.service_code != draft.service_code:
        return False
    if _norm_text(request.description) != _norm_text(draft.description):
        return False
    if request.requested_datetime is not None and request.requested_datetime < first_attempt_at - slack:
        return False
    return is_near(request, draft.location, 25.0)


# --- ports ----------------------------------------------------------------------------------------------


class ProblemReporting(Protocol):
    """A reporting backend (an Open311 GeoReport v2 server)."""

    async def services(self) -> list[Service]: ...

    async def definition(self, service_code: str) -> ServiceDefinition: ...

    async def submit(
        self, draft: ReportDraft, photos: Sequence[PhotoFile], *, idempotency_key: str | None = None
    ) -> SubmitReceipt: ...

    async def token(self, token: str) -> str | None: ...

    async def request(self, request_id: str) -> ServiceRequest: ...

    async def requests(
        self,
        *,
        service_code: str | None = None,
        status: str | None = None,
        start_date: datetime | None = None,
        end_date: datetime | None = None,
    ) -> list[ServiceRequest]: ...


class PhotoProcessor(Protocol):
    """Privacy processing: metadata removed, faces and plates blurred, downscaled."""

    def process(self, data: bytes, regions: Sequence[Region] | None = None) -> ProcessedPhoto: ...
