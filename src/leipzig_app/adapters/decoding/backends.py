"""The zxing-cpp and OpenCV decoders behind one shape: greyscale array in, `DecodedCode`s out.

zxing-cpp is the strongest decoder but has no mobile build, so it is imported lazily and may be absent
(or hidden on purpose with LEIPZIG_APP_NO_ZXING=1). Its text is rebuilt from the raw bytes by the domain's
rule unless the symbol declared an ECI, in which case zxing-cpp's own ECI-aware text is used. OpenCV is
the last resort: weak on photos, but available everywhere; it also reports where it sees codes it cannot
read, which the engine uses as candidate regions.
"""

from __future__ import annotations

import math
import os
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from leipzig_app.domain.scanning import QR_CODE, DecodedCode, Point, Quad, payload_text

if TYPE_CHECKING:
    from numpy.typing import NDArray

NO_ZXING_ENV = "LEIPZIG_APP_NO_ZXING"

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
    results = zxingcpp.read_barcodes(
        gray,
        formats=(zxingcpp.BarcodeFormat.QRCode, zxingcpp.BarcodeFormat.MicroQRCode),
        try_rotate=harder,
        try_downscale=harder,
        try_invert=harder,
        text_mode=zxingcpp.TextMode.Plain,
        binarizer=getattr(zxingcpp.Binarizer, binarizer),
        return_errors=True,
    )
    codes: list[DecodedCode] = []
    failed: list[Quad] = []
    for result in results:
        position = result.position
        quad = (
            (float(position.top_left.x), float(position.top_left.y)),
            (float(position.top_right.x), float(position.top_right.y)),
            (float(position.bottom_right.x), float(position.bottom_right.y)),
            (float(position.bottom_left.x), float(position.bottom_left.y)),
        )
        if not result.valid:
            # Micro QR guesses on failed reads are mostly fragments of a larger QR code's finder
            # patterns; only full-size QR symbols are worth a second look.
            if result.format.name not in {"MicroQRCode", "RMQRCode"}:
                failed.append(quad)
            continue
        raw = bytes(result.bytes)
        # Symbology identifier "]Q2" (or "]Q4"/"]Q6") means an ECI was declared, and "mixed" content has
        # Kanji/Hanzi or GS1 segments that carry their own character set: zxing-cpp's text honours both.
        # Plain byte-mode text gets the domain's rule, which never mistakes Latin-1 for Shift-JIS.
        has_eci = str(result.symbology_identifier)[-1:] in {"2", "4", "6"}
        plain_bytes = result.content_type in (zxingcpp.ContentType.Text, zxingcpp.ContentType.Binary)
        text = payload_text(raw) if plain_bytes and not has_eci else result.text
        fmt = _FORMAT_NAMES.get(result.format.name, result.format.name)
        codes.append(DecodedCode(text=text, format=fmt, corners=quad, raw=raw, decoder=name))
    return codes, failed


@lru_cache(maxsize=4)
def _opencv_detector(kind: str) -> Any:
    import cv2

    return cv2.QRCodeDetectorAruco() if kind == "aruco" else cv2.QRCodeDetector()


def opencv_read(
    gray: NDArray[Any], *, kind: str = "aruco", name: str = "opencv"
) -> tuple[list[DecodedCode], list[Quad]]:
    """Codes OpenCV reads (raw bytes, text by the domain rule), and quads it found but could not read."""
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
    for payload, quad_points in zip(payloads, points, strict=False):
        quad = order_clockwise([(float(x), float(y)) for x, y in quad_points])
        raw = bytes(payload)
        if not raw:
            failed.append(quad)
            continue
        codes.append(DecodedCode(text=payload_text(raw), format=QR_CODE, corners=quad, raw=raw, decoder=name))
    return codes, failed


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
    raw = text.encode("utf-8", "surrogateescape")
    quad = order_clockwise(points[:4])
    return [DecodedCode(text=payload_text(raw), format=QR_CODE, corners=quad, raw=raw, decoder=name)]
