"""zbar through pyzbar's ctypes wrapper, asking for the RAW payload bytes.

`pyzbar.decode` lets zbar guess a character set, and zbar guesses Shift-JIS or Big5 for UTF-8 text: "Süd"
comes back as "S羹d". zbar's binary option (`qrcode.binary=1`, zbar >= 0.23) hands over the payload bytes
unchanged; the domain's `payload_text` rule then makes text of them. pyzbar's own enum predates that
option, so its number is asked from zbar itself (`zbar_parse_config`).

ECI: zbar never says whether a symbol declared one. With the binary option it still converts the ECIs it
knows (ISO-8859-1 to -16, Shift-JIS, UTF-8) to UTF-8, which reads right, and passes the bytes of any other
ECI (Windows code pages, Big5, GB 18030, EUC-KR, UTF-16, ...) through unconverted, which the content rule
then reads as UTF-8 or ISO-8859-1. Its findings therefore carry no ECI, and where a decoder that sees the
ECI (zxing-cpp, OpenCV) reads the same symbol, `merge_codes` keeps that decoder's text.

Missing libzbar is not an error: `available()` says so and the engine works with what is left.
"""

from __future__ import annotations

import ctypes
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from leipzig_app.domain.scanning import QR_CODE, DecodedCode, Quad, payload_text

if TYPE_CHECKING:
    from numpy.typing import NDArray

_Y800 = 0x30303859  # FOURCC "Y800": 8-bit greyscale


@lru_cache(maxsize=1)
def _wrapper() -> Any | None:
    """pyzbar's ctypes wrapper, or None when pyzbar or libzbar is not installed."""
    try:
        from pyzbar import wrapper
    except ImportError:
        return None
    try:
        wrapper.load_libzbar()
    except (ImportError, OSError):
        return None
    return wrapper


@lru_cache(maxsize=1)
def _binary_config() -> tuple[int, int] | None:
    """(symbol, config) numbers for `qrcode.binary`, or None on a zbar too old to know it."""
    wrapper = _wrapper()
    if wrapper is None:
        return None
    symbol, config, value = ctypes.c_int(), ctypes.c_int(), ctypes.c_int()
    failed = wrapper.zbar_parse_config(
        b"qrcode.binary=1", ctypes.byref(symbol), ctypes.byref(config), ctypes.byref(value)
    )
    if failed:
        return None
    return symbol.value, config.value


@lru_cache(maxsize=1)
def _components_function() -> Any | None:
    """libzbar's `zbar_symbol_get_components` (pyzbar does not declare it), or None."""
    wrapper = _wrapper()
    if wrapper is None:
        return None
    try:
        return wrapper.zbar_function(
            "zbar_symbol_get_components", ctypes.c_void_p, ctypes.POINTER(wrapper.zbar_symbol)
        )
    except AttributeError:
        return None


def _is_group(symbol: Any) -> bool:
    """Whether zbar reports the symbol as a composite: the parts of a structured-append group."""
    components = _components_function()
    return components is not None and bool(components(symbol))


def available() -> bool:
    """zbar can be used: libzbar loads and supports raw-byte output (otherwise its text would be garbled)."""
    return _binary_config() is not None


def decode(gray: NDArray[Any], *, name: str = "zbar") -> list[DecodedCode]:
    """Every QR code zbar finds in a greyscale image, with text made from the raw bytes."""
    wrapper = _wrapper()
    binary = _binary_config()
    if wrapper is None or binary is None:
        return []
    import numpy as np

    height, width = gray.shape[:2]
    data = np.ascontiguousarray(gray, dtype=np.uint8).tobytes()
    found: list[DecodedCode] = []
    scanner = wrapper.zbar_image_scanner_create()
    if not scanner:
        return []
    try:
        qr_symbol = int(wrapper.ZBarSymbol.QRCODE)
        enable = int(wrapper.ZBarConfig.CFG_ENABLE)
        wrapper.zbar_image_scanner_set_config(scanner, 0, enable, 0)  # symbol 0 = all symbologies: off
        wrapper.zbar_image_scanner_set_config(scanner, qr_symbol, enable, 1)
        wrapper.zbar_image_scanner_set_config(scanner, binary[0], binary[1], 1)
        image = wrapper.zbar_image_create()
        if not image:
            return []
        try:
            wrapper.zbar_image_set_format(image, _Y800)
            wrapper.zbar_image_set_size(image, width, height)
            wrapper.zbar_image_set_data(image, ctypes.c_char_p(data), len(data), None)
            if wrapper.zbar_scan_image(scanner, image) < 0:
                return []
            symbol = wrapper.zbar_image_first_symbol(image)
            while symbol:
                raw = ctypes.string_at(
                    wrapper.zbar_symbol_get_data(symbol), wrapper.zbar_symbol_get_data_length(symbol)
                )
                if _is_group(symbol):
                    # One part of a structured-append group: zbar joins the parts it sees and puts a NUL
                    # byte where parts are missing. Without the missing ones, the parts' data is what
                    # was encoded.
                    raw = raw.strip(b"\x00")
                corners = _corners(wrapper, symbol)
                if corners is not None:
                    found.append(
                        DecodedCode(
                            text=payload_text(raw), format=QR_CODE, corners=corners, raw=raw, decoder=name
                        )
                    )
                symbol = wrapper.zbar_symbol_next(symbol)
        finally:
            wrapper.zbar_image_destroy(image)
    finally:
        wrapper.zbar_image_scanner_destroy(scanner)
    return found


def _corners(wrapper: Any, symbol: Any) -> Quad | None:
    """The symbol's location polygon reduced to four corners (zbar gives them for QR codes)."""
    count = wrapper.zbar_symbol_get_loc_size(symbol)
    points = [
        (float(wrapper.zbar_symbol_get_loc_x(symbol, i)), float(wrapper.zbar_symbol_get_loc_y(symbol, i)))
        for i in range(count)
    ]
    if len(points) < 4:
        return None
    if len(points) > 4:
        xs = [p[0] for p in points]
        ys = [p[1] for p in points]
        points = [(min(xs), min(ys)), (max(xs), min(ys)), (max(xs), max(ys)), (min(xs), max(ys))]
    return (points[0], points[1], points[2], points[3])
