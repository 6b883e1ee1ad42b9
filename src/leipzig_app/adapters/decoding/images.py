"""Loading images for the code scanner: bytes or a path in, a bounded greyscale array out.

The header is read first (Pillow reads only the header on open) so that a 40-megapixel JPEG is decoded at
reduced size, and an image too large to decode within MAX_DECODE_BYTES (formats that cannot be reduced
while decoding) or a decompression bomb is refused before a single pixel is allocated. Every failure becomes
a `ScanError` with a message key; no OpenCV or Pillow exception leaves this module.
"""

from __future__ import annotations

import io
import os
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from leipzig_app.domain.scanning import (
    CorruptImageError,
    EmptyFileError,
    FileAccessError,
    ImageTooLargeError,
    NotAnImageError,
    UnsupportedFrameError,
)

if TYPE_CHECKING:
    from numpy.typing import NDArray

#: Files larger than this are refused before reading (a phone photo is 2-15 MB).
MAX_FILE_BYTES = 64 * 1024 * 1024
#: Images with more pixels than this are refused from the header alone (a decompression bomb).
MAX_PIXELS = 150_000_000
#: Memory one image may take while it is decoded, beyond its file's bytes. JPEG is reduced while decoding
#: (libjpeg scales by 1/2, 1/4, 1/8) and stays far below it; PNG, WebP and BMP can only be decoded at full
#: size (Pillow's `draft` and OpenCV's reduced reading scale only JPEG; OpenCV decodes the others whole
#: and shrinks afterwards), so each has a pixel limit from this budget (`decode_pixel_limit`).
MAX_DECODE_BYTES = 100 * 1024 * 1024
#: Peak bytes per pixel while decoding to greyscale here, measured with `ru_maxrss` on 40-MP images
#: (OpenCV 4.14): PNG and BMP go to a full-size grey plane and one copy (about 1.9); WebP through
#: libwebp's full-size colour output and OpenCV's conversions (3.9 to 6.7). A 40-MP PNG is read (about
#: 77 MB); a WebP above about 15 MP is refused with a message instead of taking 270 MB and more.
DECODE_BYTES_PER_PIXEL = {"PNG": 2.0, "BMP": 2.0, "WEBP": 7.0}
#: Pixels the decoders work on; larger images are reduced (JPEG while decoding, others afterwards).
#: 12 MP keeps a QR module of a code filling 1/10 of a 48-MP photo above the ~3 px decoders need.
MAX_WORK_PIXELS = 12_000_000
#: Pages of a PDF that are rendered (letters put their codes on the first pages).
MAX_PDF_PAGES = 4
PDF_DPI = 200

_FORMATS = {"JPEG", "PNG", "WEBP", "BMP"}
_FORMAT_NAMES = {"WEBP": "WebP"}


@dataclass(frozen=True)
class LoadedImage:
    """A greyscale image ready for decoding; original pixel = working pixel * `scale`."""

    gray: NDArray[Any]
    scale: float
    width: int
    height: int


def read_source(source: str | os.PathLike[str] | bytes) -> bytes:
    """The bytes of a path or of in-memory data, with clear errors for missing, directory and huge files."""
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    else:
        path = os.fspath(source)
        if os.path.isdir(path):
            raise FileAccessError(f"{path} is a directory, not an image", params={"file": path})
        try:
            size = os.path.getsize(path)
            if size > MAX_FILE_BYTES:
                raise ImageTooLargeError(
                    f"{path} has {size} bytes; at most {MAX_FILE_BYTES} are accepted",
                    params={"file": path, "bytes": size},
                )
            with open(path, "rb") as handle:
                data = handle.read(MAX_FILE_BYTES + 1)
        except FileNotFoundError:
            raise FileAccessError(f"{path} does not exist", params={"file": path}) from None
        except PermissionError:
            raise FileAccessError(
                f"{path} cannot be read (permission denied)", params={"file": path}
            ) from None
        except OSError as error:
            raise FileAccessError(f"{path} cannot be read: {error.strerror}", params={"file": path}) from None
    if not data:
        raise EmptyFileError("the file is empty")
    if len(data) > MAX_FILE_BYTES:
        raise ImageTooLargeError(
            f"the file has more than {MAX_FILE_BYTES} bytes", params={"bytes": len(data)}
        )
    return data


def load_pages(source: str | os.PathLike[str] | bytes) -> list[LoadedImage]:
    """All images in a file: one for an image file, one per rendered page for a PDF."""
    data = read_source(source)
    if data.startswith(b"%PDF"):
        return _render_pdf(data)
    return [decode_image_bytes(data)]


def decode_image_bytes(data: bytes) -> LoadedImage:
    """Decode JPEG/PNG/WebP/BMP bytes to greyscale, reduced to at most MAX_WORK_PIXELS."""
    import numpy as np

    width, height, fmt = _header(data)
    pixels = width * height
    if pixels > MAX_PIXELS:
        raise ImageTooLargeError(
            f"the image has {width}x{height} pixels; at most {MAX_PIXELS // 1_000_000} MP are allowed",
            params={"width": width, "height": height},
        )
    limit = decode_pixel_limit(fmt)
    if pixels > limit:
        shown = _FORMAT_NAMES.get(fmt, fmt)
        raise ImageTooLargeError(
            f"the {shown} image has {width}x{height} pixels; {shown} images are decoded at full size, so at"
            f" most {limit // 1_000_000} MP are read (JPEG up to {MAX_PIXELS // 1_000_000} MP)",
            key="scan.error.too_large_format",
            params={
                "width": width,
                "height": height,
                "format": shown,
                "megapixels": round(pixels / 1_000_000),
                "limit": limit // 1_000_000,
            },
        )
    import cv2

    flag = cv2.IMREAD_GRAYSCALE
    reduced = 1
    if fmt == "JPEG":
        # libjpeg scales while decoding: a 40-MP photo never exists at full size in memory.
        for factor, reduced_flag in (
            (2, cv2.IMREAD_REDUCED_GRAYSCALE_2),
            (4, cv2.IMREAD_REDUCED_GRAYSCALE_4),
            (8, cv2.IMREAD_REDUCED_GRAYSCALE_8),
        ):
            if pixels <= MAX_WORK_PIXELS * reduced * reduced:
                break
            flag, reduced = reduced_flag, factor
    buffer = np.frombuffer(data, dtype=np.uint8)
    try:
        gray = cv2.imdecode(buffer, flag)
    except cv2.error as error:
        raise CorruptImageError(f"the {fmt} image cannot be decoded: {error.err}") from None
    if gray is None or gray.size == 0:
        raise CorruptImageError(f"the {fmt} image is damaged or incomplete", params={"format": fmt})
    scale = width / gray.shape[1]
    gray, extra = fit_work_size(gray)
    return LoadedImage(gray=gray, scale=scale * extra, width=width, height=height)


def decode_pixel_limit(fmt: str) -> int:
    """The most pixels an image of this format (Pillow's name: "JPEG", "PNG", ...) may have: MAX_PIXELS
    for JPEG, which is reduced while decoding, else what fits MAX_DECODE_BYTES at full size."""
    per_pixel = DECODE_BYTES_PER_PIXEL.get(fmt)
    if per_pixel is None:
        return MAX_PIXELS
    return min(MAX_PIXELS, int(MAX_DECODE_BYTES / per_pixel))


def fit_work_size(gray: NDArray[Any], max_pixels: int = MAX_WORK_PIXELS) -> tuple[NDArray[Any], float]:
    """Shrink an array above `max_pixels` (area averaging keeps module edges); returns the factor used."""
    import cv2

    h, w = gray.shape[:2]
    if h * w <= max_pixels:
        return gray, 1.0
    factor = (h * w / max_pixels) ** 0.5
    size = (max(1, int(w / factor)), max(1, int(h / factor)))
    return cv2.resize(gray, size, interpolation=cv2.INTER_AREA), w / size[0]


def frame_to_gray(frame: object, max_pixels: int = MAX_WORK_PIXELS) -> LoadedImage:
    """A camera frame (greyscale/BGR/BGRA array, or encoded image bytes) as a bounded greyscale image."""
    import numpy as np

    if isinstance(frame, bytes | bytearray | memoryview):
        loaded = decode_image_bytes(bytes(frame))
        gray, extra = fit_work_size(loaded.gray, max_pixels)
        return LoadedImage(gray=gray, scale=loaded.scale * extra, width=loaded.width, height=loaded.height)
    if not isinstance(frame, np.ndarray) or frame.ndim not in (2, 3) or frame.size == 0:
        raise UnsupportedFrameError(
            "a frame must be an image array (grey, BGR or BGRA) or encoded image bytes"
        )
    import cv2

    array = frame if frame.dtype == np.uint8 else np.clip(frame, 0, 255).astype(np.uint8)
    if array.ndim == 3:
        channels = array.shape[2]
        if channels == 1:
            array = array[:, :, 0]
        elif channels == 3:
            array = cv2.cvtColor(array, cv2.COLOR_BGR2GRAY)
        elif channels == 4:
            array = cv2.cvtColor(array, cv2.COLOR_BGRA2GRAY)
        else:
            raise UnsupportedFrameError(f"a frame with {channels} channels is not an image")
    height, width = array.shape[:2]
    gray, scale = fit_work_size(np.ascontiguousarray(array), max_pixels)
    return LoadedImage(gray=gray, scale=scale, width=width, height=height)


def _header(data: bytes) -> tuple[int, int, str]:
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            # The pixel limit is checked right after from the header; Pillow's own warning is redundant.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                fmt = str(image.format)
    except Image.DecompressionBombError:
        raise ImageTooLargeError(
            f"the image has too many pixels; at most {MAX_PIXELS // 1_000_000} megapixels are accepted"
        ) from None
    except UnidentifiedImageError:
        raise NotAnImageError("the file is not an image (JPEG, PNG, WebP, BMP or PDF expected)") from None
    except (OSError, ValueError, SyntaxError) as error:
        raise CorruptImageError(f"the image header is damaged: {error}") from None
    if fmt not in _FORMATS:
        raise NotAnImageError(
            f"{fmt} images are not supported (JPEG, PNG, WebP, BMP or PDF expected)", params={"format": fmt}
        )
    if width <= 0 or height <= 0:
        raise CorruptImageError("the image header gives no size")
    return width, height, fmt


def _render_pdf(data: bytes) -> list[LoadedImage]:
    try:
        import pypdfium2  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        raise NotAnImageError(
            "PDF files need a PDF renderer (pypdfium2), which is not installed; export the page as an image",
            key="scan.error.pdf_unsupported",
        ) from None
    import numpy as np

    try:
        document = pypdfium2.PdfDocument(data)
    except Exception as error:  # noqa: BLE001  (pypdfium2's PdfiumError has no importable common base)
        raise CorruptImageError(f"the PDF cannot be opened: {error}") from None
    pages: list[LoadedImage] = []
    try:
        for index in range(min(len(document), MAX_PDF_PAGES)):
            page = document[index]
            width_pt, height_pt = page.get_size()
            scale = PDF_DPI / 72.0
            if width_pt * height_pt * scale * scale > MAX_WORK_PIXELS:
                scale = (MAX_WORK_PIXELS / (width_pt * height_pt)) ** 0.5
            bitmap = page.render(scale=scale, grayscale=True)
            gray = np.ascontiguousarray(bitmap.to_numpy().reshape(bitmap.height, bitmap.width, -1)[:, :, 0])
            pages.append(LoadedImage(gray=gray, scale=1.0, width=gray.shape[1], height=gray.shape[0]))
    finally:
        document.close()
    if not pages:
        raise CorruptImageError("the PDF has no pages")
    return pages
