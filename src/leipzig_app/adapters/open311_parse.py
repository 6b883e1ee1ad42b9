"""Turning Open311 GeoReport v2 answers (JSON or XML) into the domain's report types.

Both formats are reduced to the same plain structure first (lists of dicts of strings), so one set of
readers serves both. Servers differ in details the readers absorb: keywords as a comma-separated string
or a list, booleans as `true`/`"true"`, a single object where the standard says list, empty XML elements
for missing values, timestamps with `Z` or without an offset (taken as UTC). XML is parsed with
defusedxml (in the dependency tree through fpdf2), which refuses entity expansion and external entities.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import ElementTree as SafeET  # type: ignore[import-untyped]

from leipzig_app.domain.errors import InvalidResponseError
from leipzig_app.domain.reports import (
    AttributeValue,
    Service,
    ServiceAttribute,
    ServiceDefinition,
    ServiceRequest,
    SubmitReceipt,
)

#: Elements whose children form a list even when only one child is present.
_LIST_ELEMENTS = {"services", "attributes", "values", "service_requests", "errors", "endpoints", "formats"}


def _element_to_plain(element: Element) -> Any:
    children = list(element)
    if element.tag in _LIST_ELEMENTS:
        return [_element_to_plain(child) for child in children]
    if not children:
        return (element.text or "").strip()
    return {child.tag: _element_to_plain(child) for child in children}


def parse_body(content: bytes, fmt: str, *, what: str) -> Any:
    """JSON or XML bytes to plain Python; anything unreadable becomes `InvalidResponseError`."""
    try:
        if fmt == "json":
            return json.loads(content.decode("utf-8"))
        root = SafeET.fromstring(content)
        return _element_to_plain(root) if root.tag in _LIST_ELEMENTS else {root.tag: _element_to_plain(root)}
    except (ValueError, ParseError):  # JSON, Unicode, XML syntax and defusedxml's refusals alike
        raise InvalidResponseError(
            f"{what}: the server's answer is not valid {fmt.upper()}", params={"what": what}
        ) from None


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, Mapping):
        # XML documents with a root that is not a list element, or a JSON object where a list was expected
        if len(value) == 1:
            inner = next(iter(value.values()))
            if isinstance(inner, list):
                return inner
        return [value]
    return []


def _text(item: Mapping[str, Any], name: str) -> str:
    value = item.get(name)
    if value is None:
        return ""
    return str(value).strip()


def _opt(item: Mapping[str, Any], name: str) -> str | None:
    return _text(item, name) or None


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("true", "1", "yes")


def _float(value: Any) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def parse_datetime(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _require_mapping(item: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(item, Mapping):
        raise InvalidResponseError(f"{what}: unexpected answer shape", params={"what": what})
    return item


def services(body: Any) -> list[Service]:
    result = []
    for raw in _as_list(body):
        item = _require_mapping(raw, "services")
        keywords = item.get("keywords") or ""
        words = keywords if isinstance(keywords, list) else str(keywords).split(",")
        if not _text(item, "service_code"):
            raise InvalidResponseError(
                "services: a service without service_code", params={"what": "services"}
            )
        result.append(
            Service(
                code=_text(item, "service_code"),
                name=_text(item, "service_name") or _text(item, "service_code"),
                description=_text(item, "description"),
                metadata=_bool(item.get("metadata", False)),
                type=_text(item, "type") or "realtime",
                keywords=tuple(w.strip() for w in words if str(w).strip()),
                group=_text(item, "group"),
            )
        )
    return result


def definition(body: Any, service_code: str) -> ServiceDefinition:
    data = body.get("service_definition", body) if isinstance(body, Mapping) else body
    data = _require_mapping(data, "service definition")
    attributes = []
    for raw in _as_list(data.get("attributes") or []):
        item = _require_mapping(raw, "service definition")
        values = tuple(
            AttributeValue(key=_text(v, "key"), name=_text(v, "name") or _text(v, "key"))
            for v in (_require_mapping(v, "values") for v in _as_list(item.get("values") or []))
        )
        attributes.append(
            ServiceAttribute(
                code=_text(item, "code"),
                datatype=_text(item, "datatype") or "string",
                description=_text(item, "description") or _text(item, "code"),
                required=_bool(item.get("required", False)),
                variable=_bool(item.get("variable", True)),
                datatype_description=_text(item, "datatype_description"),
                order=int(_float(item.get("order")) or 0),
                values=values,
            )
        )
    attributes.sort(key=lambda a: a.order)
    return ServiceDefinition(
        service_code=_text(data, "service_code") or service_code, attributes=tuple(attributes)
    )


def receipt(body: Any) -> SubmitReceipt:
    items = _as_list(body)
    if not items:
        raise InvalidResponseError(
            "submit: the server answered with an empty list", params={"what": "submit"}
        )
    item = _require_mapping(items[0], "submit")
    result = SubmitReceipt(
        service_request_id=_opt(item, "service_request_id"),
        token=_opt(item, "token"),
        service_notice=_opt(item, "service_notice"),
        account_id=_opt(item, "account_id"),
    )
    if not result.service_request_id and not result.token:
        raise InvalidResponseError(
            "submit: the answer has neither service_request_id nor token", params={"what": "submit"}
        )
    return result


def token_id(body: Any) -> str | None:
    items = _as_list(body)
    return _opt(_require_mapping(items[0], "token"), "service_request_id") if items else None


def requests(body: Any) -> list[ServiceRequest]:
    result = []
    for raw in _as_list(body):
        item = _require_mapping(raw, "requests")
        result.append(
            ServiceRequest(
                id=_text(item, "service_request_id"),
                status=(_text(item, "status") or "open").lower(),
                service_code=_text(item, "service_code"),
                service_name=_text(item, "service_name"),
                description=_text(item, "description"),
                status_notes=_text(item, "status_notes"),
                agency_responsible=_text(item, "agency_responsible"),
                service_notice=_text(item, "service_notice"),
                requested_datetime=parse_datetime(item.get("requested_datetime")),
                updated_datetime=parse_datetime(item.get("updated_datetime")),
                expected_datetime=parse_datetime(item.get("expected_datetime")),
                address=_text(item, "address"),
                lat=_float(item.get("lat")),
                long=_float(item.get("long")),
                media_url=_text(item, "media_url"),
            )
        )
    return result


def errors(body: Any) -> list[tuple[str, str]]:
    """`[{code, description}]` (or XML `<errors>`) as (code, description) pairs; [] when not that shape."""
    pairs = []
    for raw in _as_list(body):
        if isinstance(raw, Mapping) and ("description" in raw or "code" in raw):
            pairs.append((_text(raw, "code"), _text(raw, "description")))
    return pairs
