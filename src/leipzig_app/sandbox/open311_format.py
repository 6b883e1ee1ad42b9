"""Open311 answers in both formats (JSON and the mandatory XML), errors as `[{code, description}]`, and
the demo city's fault injection for tests and the outbox benchmark.

Faults are kept in the demo city's SQLite (so they survive a restart of the demo city) and consumed by the
Open311 endpoints: "fail the next N requests" or "fail a share of requests at random", each failure one of
`status` (500/503, or 429 "too many requests" with an optional `Retry-After`, before storing),
`status_after` (stored, then 500), `reset_before` / `reset_after` (the connection breaks before or after
the request was stored) and `delay_before` / `delay_after` (the answer comes only after `delay` seconds,
so that clients time out).
"""

from __future__ import annotations

import json
import logging
import random
import sqlite3
import struct
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any
from xml.etree import ElementTree as ET

from fastapi import Response
from starlette.types import Receive, Scope, Send

from leipzig_app.sandbox.open311_data import get_setting, set_setting

#: XML element names of list items, by the list's element name.
_ITEM_NAMES = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
}
FAULT_MODES = ("status", "status_after", "reset_before", "reset_after", "delay_before", "delay_after")


def _to_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, Mapping):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    elif isinstance(value, list | tuple):
        item_name = _ITEM_NAMES.get(element.tag, "item")
        for child in value:
            _fill(ET.SubElement(element, item_name), child)
    else:
        element.text = _to_text(value)


def to_xml(root: str, value: Any) -> bytes:
    element = ET.Element(root)
    _fill(element, value)
    body: bytes = ET.tostring(element, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body


def render(fmt: str, root: str, value: Any, status: int = 200) -> Response:
    """JSON or XML for the same data; `root` is the XML root (a list's items get Open311's names)."""
    if fmt == "xml":
        return Response(to_xml(root, value), status_code=status, media_type="text/xml; charset=utf-8")
    body = json.dumps(value, ensure_ascii=False).encode("utf-8")
    return Response(body, status_code=status, media_type="application/json; charset=utf-8")


def error(fmt: str, status: int, description: str) -> Response:
    return render(fmt, "errors", [{"code": status, "description": description}], status)


class _QuietDemoFaults(logging.Filter):
    """Keeps the log free of tracebacks for connections the demo city drops on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        text = str(error)
        return not ("demo fault" in text or "shorter than Content-Length" in text)


def quiet_demo_faults() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _QuietDemoFaults) for f in logger.filters):
        logger.addFilter(_QuietDemoFaults())


class BrokenResponse(Response):
    """Starts an answer and drops the connection: the client sees a transport error, never a status."""

    def __init__(self) -> None:
        super().__init__(b"")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"4096")],
            }
        )
        await send({"type": "http.response.body", "body": b'[{"service_req', "more_body": True})
        raise ConnectionResetError("demo fault: connection dropped on purpose")


@dataclass(frozen=True)
class Fault:
    mode: str
    status: int = 503
    delay: float = 5.0
    #: Seconds sent as `Retry-After` with a `status` fault (None: no such header).
    retry_after: int | None = None


def set_faults(conn: sqlite3.Connection, config: Mapping[str, Any]) -> dict[str, Any]:
    """Validate and store a fault configuration (raises ValueError with what is wrong)."""
    modes = config.get("modes") or ([config["mode"]] if config.get("mode") else ["status"])
    if not isinstance(modes, list) or any(m not in FAULT_MODES for m in modes):
        raise ValueError(f"modes must be a list of {', '.join(FAULT_MODES)}")
    status = int(config.get("status", 503))
    if status not in (429, 500, 502, 503, 504):
        raise ValueError("status must be 429, 500, 502, 503 or 504")
    retry_after = config.get("retry_after")
    if retry_after is not None and not (isinstance(retry_after, int) and 0 <= retry_after <= 3600):
        raise ValueError("retry_after must be whole seconds from 0 to 3600")
    rate = float(config.get("rate", 0.0))
    fail_next = int(config.get("fail_next", 0))
    delay = float(config.get("delay", 5.0))
    if not (0.0 <= rate <= 1.0) or fail_next < 0 or not (0.0 <= delay <= 120.0):
        raise ValueError("rate 0..1, fail_next >= 0, delay 0..120 seconds")
    scope = config.get("scope", "post")
    if scope not in ("post", "all"):
        raise ValueError("scope must be 'post' or 'all'")
    stored = {
        "modes": modes,
        "status": status,
        "rate": rate,
        "fail_next": fail_next,
        "delay": delay,
        "scope": scope,
        "retry_after": retry_after,
        "injected": 0,
    }
    set_setting(conn, "faults", stored)
    return stored


def take_fault(
    conn: sqlite3.Connection, *, is_post: bool, rng: random.Random, allowed: Sequence[str] = FAULT_MODES
) -> Fault | None:
    """The fault to inject into this request, if any (counts it down / rolls the dice)."""
    config = get_setting(conn, "faults")
    if not config or (config["scope"] == "post" and not is_post):
        return None
    modes = [m for m in config["modes"] if m in allowed]
    if not modes:
        return None
    if config["fail_next"] > 0:
        config["fail_next"] -= 1
    elif not (config["rate"] > 0 and rng.random() < config["rate"]):
        return None
    config["injected"] += 1
    set_setting(conn, "faults", config)
    return Fault(
        mode=rng.choice(modes),
        status=config["status"],
        delay=config["delay"],
        retry_after=config.get("retry_after"),
    )


@cache
def demo_tile_png(size: int = 256) -> bytes:
    """A plain demo map tile (pale ground, a grid every 32 px): enough to place a pin, clearly no map."""
    ground, line = b"\xe8\xef\xe4", b"\xb8\xc4\xb4"
    rows = []
    for y in range(size):
        pixels = b"".join(line if (x % 32 == 0 or y % 32 == 0) else ground for x in range(size))
        rows.append(b"\x00" + pixels)

    def chunk(kind: bytes, payload: bytes) -> bytes:
        body = kind + payload
        return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )
