"""The zxing-cpp and OpenCV decoders behind one shape: greyscale array in, `DecodedCode`s out.

zxing-cpp is the strongest decoder but has no mobile build, so it is imported lazily and may be absent
(or hidden on purpose with LEIPZIG_APP_NO_ZXING=1). It hands over the payload in the ECI protocol's form
(symbology identifier, ECI designators, data), and the domain's rule makes text of it: each ECI segment in
its declared character set, undeclared bytes as UTF-8 when valid, else ISO-8859-1 (Shift-JIS only where
nothing else fits). OpenCV is the last resort: weak on photos, but available everywhere; it reports the
ECI a symbol declares, and where it sees codes it cannot read, which the engine uses as candidate regions.
"""

from __future__ import annotations

import math
import os
import re
import threading
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from leipzig_app.domain.scanning import (
    QR_CODE,
    DecodedCode,
    Point,
    Quad,
    parse_eci_protocol,
    payload_text,
)

if TYPE_CHECKING:
    from numpy.typing import NDArray

NO_ZXING_ENV = "LEIPZIG_APP_NO_ZXING"

_C1_CONTROL = re.compile("[\x80-\x9f]")

_FORMAT_NAMES = {
    "QRCode": QR_CODE,
    "QRCodeModel1": QR_CODE,
    "QRCodeModel2": QR_CODE,
    "MicroQRCode": "MicroQRCode",
}


def zxing_hidden_by_env() -> bool:
    return os.environ.get(NO_ZXING_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


@lru_cache(maxsize=1)
def _zxing() -> Any | None:
    try:
        import zxingcpp
    except ImportError:
        return None
    return zxingcpp


def zxing_available() -> bool:
    return _zxing() is not None


def order_clockwise(points: list[Point]) -> Quad:
    """Four points ordered clockwise on screen (y grows downwards), starting nearest the top-left."""
    cx = sum(p[0] for p in points) / len(points)
    cy = sum(p[1] for p in points) / len(points)
    ordered = sorted(points, key=lambda p: math.atan2(p[1] - cy, p[0] - cx))
    start = min(range(4), key=lambda i: ordered[i][0] + ordered[i][1])
    rotated = ordered[start:] + ordered[:start]
    return (rotated[0], rotated[1], rotated[2], rotated[3])


def zxing_read(
    gray: NDArray[Any], *, name: str = "zxing", binarizer: str = "LocalAverage", harder: bool = True
) -> tuple[list[DecodedCode], list[Quad]]:
    """Codes zxing-cpp reads, and the quads of symbols it located but could not read."""
    zxingcpp = _zxing()
    if zxingcpp is None:
        return [], []
    options: dict[str, Any] = {
        "formats": (zxingcpp.BarcodeFormat.QRCode, zxingcpp.BarcodeFormat.MicroQRCode),
        "try_rotate": harder,
        "try_downscale": harder,
        "try_invert": harder,
        "binarizer": getattr(zxingcpp.Binarizer, binarizer),
        "return_errors": True,
    }
    # HexECI: the payload in the ECI protocol's form, hex-encoded. zxing-cpp 3.1 reports "]Q1" as the
    # symbology identifier even for symbols that declare an ECI, so the designators are the only reliable
    # sign of one.
    results = zxingcpp.read_barcodes(gray, text_mode=zxingcpp.TextMode.HexECI, **options)
    codes: list[DecodedCode] = []
    failed: list[Quad] = []
    needs_plain: list[int] = []
    for result in results:
        quad = _zxing_quad(result.position)
        if not result.valid:
            # Micro QR guesses on failed reads are mostly fragments of a larger QR code's finder
            # patterns; only full-size QR symbols are worth a second look.
            if result.format.name not in {"MicroQRCode", "RMQRCode"}:
                failed.append(quad)
            continue
        raw = bytes(result.bytes)
        payload = parse_eci_protocol(bytes.fromhex(result.text))
        if payload.has_eci:
            text, eci = payload.text(), payload.first_eci
        else:
            text, eci = payload_text(raw), None
            if result.content_type == zxingcpp.ContentType.Mixed or _C1_CONTROL.search(text):
                # Kanji and Hanzi mode segments switch the character set without an ECI, and only
                # zxing-cpp's own text knows where they are. C1 control characters, which real text never
                # contains, show that one character set for all bytes was wrong.
                needs_plain.append(len(codes))
        fmt = _FORMAT_NAMES.get(result.format.name, result.format.name)
        codes.append(DecodedCode(text=text, format=fmt, corners=quad, raw=raw, decoder=name, eci=eci))
    if needs_plain:
        plain = {
            _zxing_quad(r.position): r.text
            for r in zxingcpp.read_barcodes(gray, text_mode=zxingcpp.TextMode.Plain, **options)
            if r.valid and r.text
        }
        for index in needs_plain:
            by_segment = plain.get(codes[index].corners)
            if by_segment is not None and not _C1_CONTROL.search(by_segment):
                codes[index] = replace(codes[index], text=str(by_segment))
    return codes, failed


def _zxing_quad(position: Any) -> Quad:
    return (
        (float(position.top_left.x), float(position.top_left.y)),
        (float(position.top_right.x), float(position.top_right.y)),
        (float(position.bottom_right.x), float(position.bottom_right.y)),
        (float(position.bottom_left.x), float(position.bottom_left.y)),
    )


_detectors = threading.local()


def _opencv_detector(kind: str) -> Any:
    """OpenCV's detector objects keep state between calls: one per thread (live frames and a still look
    at the same letter may decode at the same time)."""
    import cv2

    cache: dict[str, Any] | None = getattr(_detectors, "cache", None)
    if cache is None:
        cache = _detectors.cache = {}
    if kind not in cache:
        cache[kind] = cv2.QRCodeDetectorAruco() if kind == "aruco" else cv2.QRCodeDetector()
    return cache[kind]


def opencv_read(
    gray: NDArray[Any], *, kind: str = "aruco", name: str = "opencv"
) -> tuple[list[DecodedCode], list[Quad]]:
    """Codes OpenCV reads (raw bytes and the declared ECI, text by the domain rule), and quads it found
    but could not read."""
    import cv2

    detector = _opencv_detector(kind)
    try:
        ok, payloads, points, _ = detector.detectAndDecodeBytesMulti(gray)
    except cv2.error:
        return [], []
    if not ok or points is None:
        return [], []
    codes: list[DecodedCode] = []
    failed: list[Quad] = []
    for index, (payload, quad_points) in enumerate(zip(payloads, points, strict=False)):
        quad = order_clockwise([(float(x), float(y)) for x, y in quad_points])
        raw = bytes(payload)
        if not raw:
            failed.append(quad)
            continue
        eci = _opencv_eci(detector, index, gray, quad_points, raw)
        if eci is None:
            raw = _as_received(raw)
        codes.append(
            DecodedCode(
                text=payload_text(raw, eci), format=QR_CODE, corners=quad, raw=raw, decoder=name, eci=eci
            )
        )
    return codes, failed


def _opencv_eci(detector: Any, index: int, gray: NDArray[Any], quad_points: Any, raw: bytes) -> int | None:
    """The ECI OpenCV saw in a symbol, or None for none.

    Only the classic detector reports it (`getEncoding`); a symbol read by the ArUco-based detector is
    decoded once more by the classic one at the same corners. ASCII payloads read the same in every
    character set of the ECI table except UTF-16, whose ASCII text is full of NUL bytes, so ASCII without
    NUL bytes needs no second decode. OpenCV says 0 for "no ECI" (and turns
    undeclared bytes that are not UTF-8 into UTF-8 as if they were ISO-8859-1, which the domain's rule
    reads back as the same text).
    """
    import cv2
    import numpy as np

    if raw.isascii() and b"\x00" not in raw:
        return None
    try:
        if hasattr(detector, "getEncoding"):
            value = int(detector.getEncoding(index))
        else:
            classic = _opencv_detector("classic")
            # The multi-code call: the single-code `decodeBytes` leaves the reported encoding unchanged.
            points = np.asarray(quad_points, dtype=np.float32).reshape(1, -1, 2)
            ok, again, _ = classic.decodeBytesMulti(gray, points)
            if not ok or not again or bytes(again[0]) != raw:
                return None
            value = int(classic.getEncoding(0))
    except cv2.error:
        return None
    return value if value > 0 else None


def _as_received(raw: bytes) -> bytes:
    """The payload bytes before OpenCV turned undeclared non-UTF-8 bytes into UTF-8 (as ISO-8859-1).

    The bytes are turned back whenever the domain's text rule reads them differently from OpenCV's
    ISO-8859-1 text, such as Shift-JIS (C1 lead bytes, half-width katakana) or a GiroCode in the
    character set its third line declares. zbar and zxing-cpp hand over the bytes as received, so all
    decoders then agree on one text and one symbol gives one code.
    Text that reads the same either way keeps OpenCV's bytes.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw
    if text.isascii() or any(ord(ch) > 0xFF for ch in text):
        return raw
    original = text.encode("iso-8859-1")
    try:
        original.decode("utf-8")
    except UnicodeDecodeError:
        return original if payload_text(original) != text else raw
    return raw  # valid UTF-8 would have been passed through unchanged


def opencv_read_curved(gray: NDArray[Any], *, name: str = "opencv-curved") -> list[DecodedCode]:
    """OpenCV's decoder for codes printed on bent paper (one code per call), isolated in a worker process
    because it can crash the process (see `isolated`)."""
    from leipzig_app.adapters.decoding.isolated import shared_worker

    answer = shared_worker().decode(gray)
    if answer is None:
        return []
    text, points = answer
    # decodeCurved returns text only; the bytes are recovered as OpenCV built the string (UTF-8, with
    # byte-mode data that is not UTF-8 passed through as Latin-1 by the Python binding).
    raw = _as_received(text.encode("utf-8", "surrogateescape"))
    quad = order_clockwise(points[:4])
    return [DecodedCode(text=payload_text(raw), format=QR_CODE, corners=quad, raw=raw, decoder=name)]
