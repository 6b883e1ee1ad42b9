"""What a code scanner returns, how QR payload bytes become text, and the port the scanner service uses.

Pure Python on purpose: the text rule decides whether a payee on a GiroCode reads "Süd" or "S羹d", so it
must be testable without any image library. Decoders (zxing-cpp, zbar, OpenCV) live in the adapters and
return the types defined here; the service and the screens only ever see these types.
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol, runtime_checkable

from leipzig_app.domain.errors import AppError
from leipzig_app.domain.notices.girocode import girocode_text

Point = tuple[float, float]
#: Corner points in image pixels, clockwise from the code's own top-left corner.
Quad = tuple[Point, Point, Point, Point]

QR_CODE = "QRCode"


@dataclass(frozen=True)
class DecodedCode:
    """One code found in an image: its text, format, where it sits and which decoder read it."""

    text: str
    format: str
    corners: Quad
    raw: bytes
    decoder: str
    #: The ECI (character set) the symbol declared, as the decoder reported it; None when the symbol
    #: declared none or the decoder cannot tell (zbar never can).
    eci: int | None = None

    @property
    def center(self) -> Point:
        xs = [p[0] for p in self.corners]
        ys = [p[1] for p in self.corners]
        return (sum(xs) / 4.0, sum(ys) / 4.0)

    @property
    def side(self) -> float:
        """Mean edge length in pixels: how large the code appears."""
        return quad_side(self.corners)


@dataclass(frozen=True)
class ScanOutcome:
    """The result of one decoding call.

    `candidates` are regions that look like a code but could not be read (used for "move closer" hints);
    `exhausted` says the time budget ran out before every strategy had run; `brightness` is the mean grey
    level (0-255) of the image, or None when unknown.
    """

    codes: tuple[DecodedCode, ...]
    elapsed_ms: float
    width: int = 0
    height: int = 0
    candidates: tuple[Quad, ...] = ()
    exhausted: bool = False
    brightness: float | None = None
    decoders_tried: tuple[str, ...] = field(default=())

    @property
    def texts(self) -> tuple[str, ...]:
        return tuple(code.text for code in self.codes)


class DecoderPath(enum.StrEnum):
    """Which decoding libraries are in use: "full" with zxing-cpp, "portable" with OpenCV and zbar only."""

    FULL = "full"
    PORTABLE = "portable"


@runtime_checkable
class CodeDecoder(Protocol):
    """The port the scanner service decodes through.

    `source` of `decode_image` is a path or the encoded bytes of an image file (JPEG, PNG, WebP, BMP; PDF
    where a renderer is installed). `frame` of `decode_frame` is an opaque camera frame the adapter
    understands (the service never looks inside it); `thorough` decodes it like a still photo (every
    decoder, preprocessing, rescue steps) within the budget. Both raise `ScanError` subclasses for input
    that cannot be read; both return every code they find.
    """

    @property
    def path(self) -> DecoderPath: ...

    def decode_image(self, source: str | bytes, *, budget_ms: float | None = None) -> ScanOutcome: ...

    def decode_frame(self, frame: object, *, budget_ms: float, thorough: bool = False) -> ScanOutcome: ...


# --------------------------------------------------------------------------------------------------------
# Errors


class ScanError(AppError):
    """An image that cannot be scanned; the key names the reason for the screen."""

    key = "scan.error.unreadable"


class NotAnImageError(ScanError):
    key = "scan.error.not_an_image"


class EmptyFileError(ScanError):
    key = "scan.error.empty"


class CorruptImageError(ScanError):
    """The file starts like an image but cannot be decoded (truncated, damaged)."""

    key = "scan.error.corrupt"


class ImageTooLargeError(ScanError):
    key = "scan.error.too_large"


class FileAccessError(ScanError):
    """Missing file, a directory, or no permission to read."""

    key = "scan.error.file_access"


class UnsupportedFrameError(ScanError):
    key = "scan.error.unsupported_frame"


# --------------------------------------------------------------------------------------------------------
# Text of QR payloads

#: ECI assignment numbers (AIM ECI) to Python codec names, for the character sets QR symbols declare.
ECI_CHARSETS: dict[int, str] = {
    0: "cp437",
    1: "iso-8859-1",
    2: "cp437",
    3: "iso-8859-1",
    4: "iso-8859-2",
    5: "iso-8859-3",
    6: "iso-8859-4",
    7: "iso-8859-5",
    8: "iso-8859-6",
    9: "iso-8859-7",
    10: "iso-8859-8",
    11: "iso-8859-9",
    12: "iso-8859-10",
    13: "iso-8859-11",
    15: "iso-8859-13",
    16: "iso-8859-14",
    17: "iso-8859-15",
    18: "iso-8859-16",
    20: "shift_jis",
    21: "cp1250",
    22: "cp1251",
    23: "cp1252",
    24: "cp1256",
    25: "utf-16-be",
    26: "utf-8",
    27: "ascii",
    28: "big5",
    29: "gb18030",
    30: "euc-kr",
    170: "ascii",
}

# Shift-JIS half-width katakana are the single bytes 0xA1-0xDF, which ISO-8859-1 reads as symbols
# (0xA1-0xBF: "©®°»²") and capitals (0xC0-0xDF: "ÄÖÜÆØÅ"). A run of them alone says nothing: Latin text
# has "ÆØÅ", "ÄÖÜ-Straße" and "©®°" too. Only what Latin text never has decides for katakana:
# - a voiced mark ﾞ (0xDE, "Þ") after a kana that takes it (ｳ, ｶ-ﾄ, ﾊ-ﾎ), or a semi-voiced mark ﾟ
#   (0xDF, "ß") after ﾊ-ﾎ: "ﾃﾞｻﾞｲﾝ" reads "ÃÞ»Þ²Ý";
# - a symbol between two capitals ("ｲﾗｽﾄ" reads "²×½Ä"), where Latin text has a space or a letter.
_KANA_WITH_MARK = re.compile(rb"[\xb3\xb6-\xc4\xca-\xce]\xde|[\xca-\xce]\xdf")
_SYMBOL_BETWEEN_CAPITALS = re.compile(rb"[\xc0-\xdf][\xa1-\xbf]+[\xc0-\xdf]")
# ISO-8859-1's C1 range holds only control codes, which real text never uses, while Shift-JIS lead
# bytes for kana and common kanji fall exactly there.
_C1_BYTE = re.compile(rb"[\x80-\x9f]")


def payload_text(raw: bytes, eci: int | None = None) -> str:
    """Turn the raw bytes of a QR payload into text, following the QR rules.

    1. A declared ECI character set wins; an ECI this table does not know (or a declaration the bytes
       contradict) gives the content-based rule below, without the Shift-JIS guess.
    2. Without ECI, bytes that are valid UTF-8 are UTF-8 (GiroCodes and most modern codes).
    3. A GiroCode (first line `BCD`) declares its character set on its third line (EPC069-12: 1 UTF-8,
       2-8 ISO 8859-1, -2, -4, -5, -7, -10, -15) and is read in it (`girocode_text`).
    4. Bytes that only make sense as Shift-JIS (the QR standard's own Kanji character set, used without ECI
       by Japanese generators) are Shift-JIS: they need ISO-8859-1's unused C1 control range (the lead
       bytes of double-byte characters) or read as half-width katakana that no Latin text could be (see
       `_looks_like_katakana`), and they decode cleanly.
    5. Otherwise ISO-8859-1, the QR default, which maps every byte and never garbles Latin text.
    """
    if eci is not None:
        charset = ECI_CHARSETS.get(eci)
        if charset is not None:
            try:
                return raw.decode(charset)
            except UnicodeDecodeError:
                pass  # a wrong declaration: fall back to the content-based rule below
        return _by_content(raw, japanese=False)
    return _by_content(raw, japanese=True)


def _by_content(raw: bytes, *, japanese: bool) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    giro = girocode_text(raw)
    if giro is not None:
        return giro
    if japanese and (_C1_BYTE.search(raw) or _looks_like_katakana(raw)):
        try:
            return raw.decode("shift_jis")
        except UnicodeDecodeError:
            pass
    return raw.decode("iso-8859-1")


def _looks_like_katakana(raw: bytes) -> bool:
    """True when single bytes 0xA1-0xDF read as half-width katakana in a way no ISO-8859-1 text reads."""
    return bool(_KANA_WITH_MARK.search(raw) or _SYMBOL_BETWEEN_CAPITALS.search(raw))


@dataclass(frozen=True)
class EciSegment:
    """Payload bytes and the ECI designator in force for them (None: before any designator)."""

    eci: int | None
    data: bytes


@dataclass(frozen=True)
class EciPayload:
    """A payload in the transmitted form of the ECI protocol (AIM ECI, ISO/IEC 15424).

    That form is the symbology identifier ("]Q2" for a QR code that declares an ECI), then the data, in
    which a backslash followed by six digits is an ECI designator that switches the character set of
    the bytes after it, and a doubled backslash is one backslash of data.
    """

    symbology: str
    segments: tuple[EciSegment, ...]

    @property
    def has_eci(self) -> bool:
        return any(segment.eci is not None for segment in self.segments)

    @property
    def raw(self) -> bytes:
        """The payload bytes without designators."""
        return b"".join(segment.data for segment in self.segments)

    @property
    def first_eci(self) -> int | None:
        return next((s.eci for s in self.segments if s.eci is not None), None)

    def text(self) -> str:
        """Each segment decoded with the character set its ECI names (see `payload_text`)."""
        if not self.has_eci:
            return payload_text(self.raw)
        return "".join(payload_text(s.data, s.eci) for s in self.segments)


_DESIGNATOR_DIGITS = 6


def parse_eci_protocol(data: bytes) -> EciPayload:
    """Split ECI-protocol bytes into the symbology identifier and segments of one character set each.

    The identifier ("]" plus two characters) is optional. A backslash that is neither doubled nor
    followed by six digits is kept as data, so input that never went through the protocol's escaping
    still comes out unchanged. Consecutive data under the same designator forms one segment; an empty
    segment (a designator directly followed by another) is dropped.
    """
    symbology = ""
    if len(data) >= 3 and data[:1] == b"]":
        symbology, data = data[:3].decode("latin-1"), data[3:]
    segments: list[EciSegment] = []
    current: int | None = None
    chunk = bytearray()
    i = 0
    while i < len(data):
        byte = data[i]
        if byte == 0x5C:  # backslash
            following = data[i + 1 : i + 1 + _DESIGNATOR_DIGITS]
            if following[:1] == b"\\":
                chunk.append(0x5C)
                i += 2
                continue
            if len(following) == _DESIGNATOR_DIGITS and following.isdigit():
                if chunk:
                    segments.append(EciSegment(current, bytes(chunk)))
                    chunk = bytearray()
                current = int(following)
                i += 1 + _DESIGNATOR_DIGITS
                continue
        chunk.append(byte)
        i += 1
    if chunk or not segments:
        segments.append(EciSegment(current, bytes(chunk)))
    return EciPayload(symbology=symbology, segments=tuple(segments))


# --------------------------------------------------------------------------------------------------------
# Geometry helpers shared by decoders and the live session


def quad_side(quad: Quad) -> float:
    total = 0.0
    for i in range(4):
        (x1, y1), (x2, y2) = quad[i], quad[(i + 1) % 4]
        total += math.hypot(x2 - x1, y2 - y1)
    return total / 4.0


def quad_center(quad: Quad) -> Point:
    return (sum(p[0] for p in quad) / 4.0, sum(p[1] for p in quad) / 4.0)


def same_place(a: Quad, b: Quad) -> bool:
    """Whether two quads mark the same symbol: centres closer than half the smaller side."""
    (ax, ay), (bx, by) = quad_center(a), quad_center(b)
    distance = math.hypot(ax - bx, ay - by)
    return distance < 0.5 * max(1.0, min(quad_side(a), quad_side(b)))


def merge_codes(found: Sequence[DecodedCode]) -> tuple[DecodedCode, ...]:
    """One finding per symbol: drop codes that several decoders or variants found in the same place.

    The first finding wins (decoders run strongest first), with one exception: two different texts in
    the same place, only one of them decoded with an ECI declaration, are one symbol read by a decoder
    that cannot see ECIs (zbar) and by one that can; the text decoded with the declared character set
    is kept. Two codes with the same text in different places are both kept: a
    letter may print the same code twice.
    """
    kept: list[DecodedCode] = []
    for code in found:
        if any(k.text == code.text and same_place(k.corners, code.corners) for k in kept):
            continue
        rival = next(
            (
                i
                for i, k in enumerate(kept)
                if (k.eci is None) != (code.eci is None) and same_place(k.corners, code.corners)
            ),
            None,
        )
        if rival is not None:
            if code.eci is not None:
                kept[rival] = code
            continue
        kept.append(code)
    return tuple(kept)


def with_corners(code: DecodedCode, corners: Quad, decoder: str | None = None) -> DecodedCode:
    """The same finding placed elsewhere (a variant's pixels mapped back to the image)."""
    return replace(code, corners=corners, decoder=code.decoder if decoder is None else decoder)
