"""Privacy processing of report photos with OpenCV (4.x headless, imported lazily) and Pillow.

Before a photo leaves the device it is decoded and re-encoded as a fresh JPEG, which keeps pixels only:
EXIF (GPS, camera, time), XMP, IPTC and ICC data are gone. The camera's orientation tag is applied first,
so the picture stays upright without it. Faces (`haarcascade_frontalface_default.xml`) and licence plates
(`haarcascade_russian_plate_number.xml`, the plate cascade that ships in the wheel; it also finds many
EU plates, but not all) are detected and blurred; the regions are returned so the resident can see them,
add missing ones and remove wrong ones, and the photo is processed again from the original with exactly
the regions the resident kept. The long side is scaled down to 1,600 px. The photo's own GPS position is
read from EXIF *before* stripping and returned separately; the caller offers it only with consent.
Nothing is downloaded: the cascades come with the pinned `opencv-python-headless` wheel.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import cache
from typing import Any

from leipzig_app.domain.errors import AppError
from leipzig_app.domain.reports import ProcessedPhoto, Region

MAX_SIDE = 1600
JPEG_QUALITY = 85
MAX_INPUT_BYTES = 25 * 1024 * 1024
_GPS_IFD = 0x8825


class PhotoError(AppError):
    """The file is not a photo the app can read (not JPEG/PNG/WebP, damaged or too large)."""

    key = "reports.error.photo"


@cache
def _cascades() -> dict[str, Any]:
    import cv2

    folder = cv2.data.haarcascades  # type: ignore[attr-defined]
    cascades = {
        "face": cv2.CascadeClassifier(folder + "haarcascade_frontalface_default.xml"),
        "plate": cv2.CascadeClassifier(folder + "haarcascade_russian_plate_number.xml"),
    }
    for name, cascade in cascades.items():
        if cascade.empty():
            raise PhotoError(f"the {name} detector could not be loaded from the OpenCV package")
    return cascades


def read_gps(data: bytes) -> tuple[float, float] | None:
    """(lat, long) from the photo's EXIF GPS tags, or None (no tags, damaged tags, not a JPEG)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            gps = image.getexif().get_ifd(_GPS_IFD)
    except (UnidentifiedImageError, OSError, ValueError):
        return None
    try:
        lat = _dms(gps[2], gps.get(1, "N"))
        long = _dms(gps[4], gps.get(3, "E"))
    except (KeyError, TypeError, ValueError, ZeroDivisionError, IndexError):
        return None
    if not (-90 <= lat <= 90 and -180 <= long <= 180) or (lat == 0 and long == 0):
        return None
    return round(lat, 7), round(long, 7)


def _dms(parts: Sequence[Any], ref: Any) -> float:
    degrees, minutes, seconds = (float(p) for p in parts)
    value = degrees + minutes / 60 + seconds / 3600
    ref_text = ref.decode() if isinstance(ref, bytes) else str(ref)
    return -value if ref_text.strip().upper() in ("S", "W") else value


def _decode(data: bytes) -> Any:
    import cv2
    import numpy as np

    if len(data) > MAX_INPUT_BYTES:
        raise PhotoError("the photo is larger than 25 MB", params={"reason": "size"})
    image = None
    if data:
        # IMREAD_COLOR applies the EXIF orientation, so the re-encoded photo stays upright without the tag.
        image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise PhotoError("the file is not a photo the app can read (JPEG, PNG or WebP)")
    return image


def _downscale(image: Any) -> Any:
    import cv2

    height, width = image.shape[:2]
    longest = max(height, width)
    if longest <= MAX_SIDE:
        return image
    scale = MAX_SIDE / longest
    return cv2.resize(image, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)


def detect_regions(image: Any) -> list[Region]:
    """Faces and plates found by the Haar cascades, in pixels of `image`."""
    import cv2

    gray = cv2.equalizeHist(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY))
    height, width = gray.shape[:2]
    smallest = max(24, min(height, width) // 40)
    regions: list[Region] = []
    for kind, cascade in _cascades().items():
        found = cascade.detectMultiScale(gray, scaleFactor=1.1, minNeighbors=5, minSize=(smallest, smallest))
        for x, y, w, h in found if len(found) else []:
            regions.append(Region(int(x), int(y), int(w), int(h), kind))
    return regions


def blur_regions(image: Any, regions: Sequence[Region]) -> Any:
    """A copy with each region (grown by 15 %) pixelated and blurred beyond recognition."""
    import cv2

    out = image.copy()
    height, width = out.shape[:2]
    for region in regions:
        pad_w, pad_h = int(region.w * 0.15), int(region.h * 0.15)
        x0, y0 = max(0, region.x - pad_w), max(0, region.y - pad_h)
        x1, y1 = min(width, region.x + region.w + pad_w), min(height, region.y + region.h + pad_h)
        if x1 <= x0 or y1 <= y0:
            continue
        patch = out[y0:y1, x0:x1]
        # Pixelate first (a blur alone can be partly reversed), then smooth the blocks.
        # About four blocks across: eyes, nose and mouth (or plate characters) never get a block of their own.
        block = max(2, min(x1 - x0, y1 - y0) // 4)
        small = cv2.resize(
            patch, (max(1, (x1 - x0) // block), max(1, (y1 - y0) // block)), interpolation=cv2.INTER_AREA
        )
        blocky = cv2.resize(small, (x1 - x0, y1 - y0), interpolation=cv2.INTER_NEAREST)
        kernel = max(3, ((min(x1 - x0, y1 - y0) // 2) | 1))
        out[y0:y1, x0:x1] = cv2.GaussianBlur(blocky, (kernel, kernel), 0)
    return out


def _encode(image: Any) -> bytes:
    import cv2

    ok, buffer = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise PhotoError("the photo could not be encoded")
    return bytes(buffer.tobytes())


class OpenCvPhotoProcessor:
    """Implements the `PhotoProcessor` port."""

    def __init__(self, *, detect: bool = True):
        self.detect = detect

    def process(self, data: bytes, regions: Sequence[Region] | None = None) -> ProcessedPhoto:
        """Strip, downscale and blur. `regions=None` detects them; a list (maybe empty) is used as given,
        in pixels of the processed (downscaled) image, as returned by an earlier call."""
        gps = read_gps(data)
        image = _downscale(_decode(data))
        chosen = list(regions) if regions is not None else (detect_regions(image) if self.detect else [])
        height, width = image.shape[:2]
        return ProcessedPhoto(
            data=_encode(blur_regions(image, chosen)),
            width=int(width),
            height=int(height),
            regions=tuple(chosen),
            gps=gps,
        )
