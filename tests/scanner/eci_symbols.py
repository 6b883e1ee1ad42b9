"""QR symbols that declare ECIs (character sets) or belong to a structured-append group, made with the
qrcode package's own encoder parts.

The qrcode package writes byte-mode segments but no ECI designators, and segno (which can) is not a
dependency. The bit stream is therefore assembled here as ISO/IEC 18004 lays it out (ECI mode indicator
0111 and the designator, the structured-append header, byte-mode and Kanji-mode segments), and the
package does the rest: padding, Reed-Solomon blocks, masking and the matrix. Nothing in the package is
patched: the finished codewords are handed to a `QRCode` as its data cache, which it then lays out as
usual.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import qrcode
import qrcode.util
from numpy.typing import NDArray
from qrcode.base import rs_blocks

#: One segment: the ECI designated before it (None: no designator) and its data: bytes are written in
#: byte mode, a str in Kanji mode (as Shift-JIS double bytes, the QR standard's Kanji character set).
Segment = tuple[int | None, bytes | str]

_ECI_MODE = 0b0111
_STRUCTURED_APPEND_MODE = 0b0011


def _put_eci(buffer: qrcode.util.BitBuffer, eci: int) -> None:
    buffer.put(_ECI_MODE, 4)
    if eci < 1 << 7:
        buffer.put(eci, 8)
    elif eci < 1 << 14:
        buffer.put(0b10, 2)
        buffer.put(eci, 14)
    else:
        buffer.put(0b110, 3)
        buffer.put(eci, 21)


def _put_kanji(buffer: qrcode.util.BitBuffer, text: str, version: int) -> None:
    double = text.encode("shift_jis")
    buffer.put(qrcode.util.MODE_KANJI, 4)
    buffer.put(len(double) // 2, qrcode.util.length_in_bits(qrcode.util.MODE_KANJI, version))
    for i in range(0, len(double), 2):
        value = (double[i] << 8) | double[i + 1]
        value -= 0x8140 if value <= 0x9FFC else 0xC140
        buffer.put((value >> 8) * 0xC0 + (value & 0xFF), 13)


def codewords(
    segments: Sequence[Segment], version: int, level: int, part: tuple[int, int, int] | None = None
) -> list[int]:
    """The symbol's data and error-correction codewords for `segments`; `part` is (index from 0, count,
    parity byte) of a structured-append group."""
    buffer = qrcode.util.BitBuffer()
    if part is not None:
        index, count, parity = part
        buffer.put(_STRUCTURED_APPEND_MODE, 4)
        buffer.put(index, 4)
        buffer.put(count - 1, 4)
        buffer.put(parity, 8)
    for eci, data in segments:
        if eci is not None:
            _put_eci(buffer, eci)
        if isinstance(data, str):
            _put_kanji(buffer, data, version)
        elif data:
            buffer.put(qrcode.util.MODE_8BIT_BYTE, 4)
            buffer.put(len(data), qrcode.util.length_in_bits(qrcode.util.MODE_8BIT_BYTE, version))
            for byte in data:
                buffer.put(byte, 8)
    blocks = rs_blocks(version, level)
    capacity = sum(block.data_count * 8 for block in blocks)
    if len(buffer) > capacity:
        raise ValueError(f"{len(buffer)} bits do not fit version {version}")
    for _ in range(min(capacity - len(buffer), 4)):  # terminator
        buffer.put_bit(False)
    while len(buffer) % 8:
        buffer.put_bit(False)
    for i in range((capacity - len(buffer)) // 8):
        buffer.put(qrcode.util.PAD0 if i % 2 == 0 else qrcode.util.PAD1, 8)
    return list(qrcode.util.create_bytes(buffer, blocks))


def eci_qr(
    segments: Sequence[Segment],
    *,
    version: int = 6,
    box: int = 6,
    border: int = 4,
    part: tuple[int, int, int] | None = None,
) -> NDArray[np.uint8]:
    """A black-on-white greyscale image of one QR symbol (level M) carrying `segments`."""
    level = qrcode.constants.ERROR_CORRECT_M
    code = qrcode.QRCode(version=version, error_correction=level, box_size=box, border=border)
    code.data_cache = codewords(segments, version, level, part)
    code.make(fit=False)
    matrix = np.array(code.get_matrix(), dtype=bool)
    pixels = np.where(matrix, 0, 255).astype(np.uint8)
    return np.kron(pixels, np.ones((box, box), dtype=np.uint8))
