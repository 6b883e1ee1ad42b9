"""Peak memory while loading large photos, measured in a fresh process with `ru_maxrss`.

JPEG is reduced while decoding; PNG, WebP and BMP can only be decoded at full size, so each may have only
as many pixels as fit `images.MAX_DECODE_BYTES`. The images are generated here (40 MP, as a current
phone camera takes them), never committed.
"""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from PIL import Image

from leipzig_app.adapters.decoding import images

from .conftest import qr_array

#: 40 MP, the size of a 7728 x 5176 phone photo.
WIDTH, HEIGHT = 7728, 5176
PAYLOAD = "BCD\n002\n1\nSCT\n\nStadtkasse Leipzig Süd\nDE20860555921090000004\nEUR12.00"
BUDGET_MIB = images.MAX_DECODE_BYTES / 2**20

#: Runs in a fresh process: loads one image file and reports how far the peak resident size grew while
#: loading (the libraries and the file's bytes are in memory before the baseline is taken), then, when
#: asked, reads the codes in it.
_MEASURE = """
import json, resource, sys
import cv2, numpy as np
from leipzig_app.adapters.decoding import QrDecoder, images
from leipzig_app.domain.scanning import ScanError

for ext in (".png", ".webp", ".jpg", ".bmp"):  # codec libraries initialised before the baseline
    images.decode_image_bytes(cv2.imencode(ext, np.full((64, 64), 255, np.uint8))[1].tobytes())
data = open(sys.argv[1], "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    loaded = images.decode_image_bytes(data)
    result = {"size": [loaded.width, loaded.height], "work_pixels": int(loaded.gray.size)}
except ScanError as error:
    result = {"error": error.key, "params": error.params}
result["growth_mib"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
if sys.argv[2] == "read" and "error" not in result:
    result["texts"] = list(QrDecoder().decode_image(data).texts)
print(json.dumps(result))
"""


def _photo(width: int, height: int) -> Any:
    """A grey page of the given size with a GiroCode on it, modules about 20 px wide."""
    page = np.full((height, width), 235, dtype=np.uint8)
    code = cv2.resize(qr_array(PAYLOAD, box=1, border=4), None, fx=20, fy=20, interpolation=cv2.INTER_NEAREST)
    page[600 : 600 + code.shape[0], 900 : 900 + code.shape[1]] = code
    return page


def _measure(path: Path, *, read: bool = False) -> dict[str, Any]:
    env = {**os.environ, "OPENCV_FOR_THREADS_NUM": "1"}
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path), "read" if read else "load"],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_a_40_mp_png_is_read_within_the_decoding_budget(tmp_path: Path) -> None:
    path = tmp_path / "photo.png"
    assert cv2.imwrite(str(path), _photo(WIDTH, HEIGHT))
    result = _measure(path, read=True)
    assert result["size"] == [WIDTH, HEIGHT]
    assert result["work_pixels"] <= images.MAX_WORK_PIXELS
    assert result["growth_mib"] <= BUDGET_MIB, result
    assert result["texts"] == [PAYLOAD]


def test_a_40_mp_webp_is_refused_with_a_message_before_it_takes_the_memory(tmp_path: Path) -> None:
    path = tmp_path / "photo.webp"
    assert cv2.imwrite(str(path), _photo(WIDTH, HEIGHT), [cv2.IMWRITE_WEBP_QUALITY, 80])
    result = _measure(path)
    assert result["error"] == "scan.error.too_large_format"
    assert result["params"]["format"] == "WebP"
    assert result["params"]["megapixels"] == 40
    assert result["params"]["limit"] == images.decode_pixel_limit("WEBP") // 1_000_000
    # Only the header was read: growth of a few copies of the 1-MB file at most, not 270 MB of pixels.
    assert result["growth_mib"] <= 32, result


def test_a_webp_just_below_its_limit_is_read_within_the_decoding_budget(tmp_path: Path) -> None:
    limit = images.decode_pixel_limit("WEBP")
    width = 4600
    height = limit // width - 1
    path = tmp_path / "photo.webp"
    assert cv2.imwrite(str(path), _photo(width, height), [cv2.IMWRITE_WEBP_QUALITY, 80])
    result = _measure(path, read=True)
    assert result["size"] == [width, height]
    assert result["growth_mib"] <= BUDGET_MIB, result
    assert result["texts"] == [PAYLOAD]


@pytest.mark.parametrize(("fmt", "ext"), [("PNG", ".png"), ("BMP", ".bmp"), ("WEBP", ".webp")])
def test_each_full_size_format_is_refused_just_above_its_limit(fmt: str, ext: str) -> None:
    limit = images.decode_pixel_limit(fmt)
    assert limit * images.DECODE_BYTES_PER_PIXEL[fmt] <= images.MAX_DECODE_BYTES
    with pytest.raises(images.ImageTooLargeError) as caught:
        images.decode_image_bytes(_header_only(fmt, 10_000, limit // 10_000 + 1))
    assert caught.value.key == "scan.error.too_large_format"


def _header_only(fmt: str, width: int, height: int) -> bytes:
    """An image whose header claims the size; only the header is ever read for a refused image."""
    small = io.BytesIO()
    Image.new("L", (8, 8), 255).save(small, format=fmt)
    data = bytearray(small.getvalue())
    if fmt == "PNG":
        data[16:24] = struct.pack(">II", width, height)
        data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    elif fmt == "BMP":
        data[18:26] = struct.pack("<ii", width, height)
    else:
        return _webp_header(width, height)
    return bytes(data)


def _webp_header(width: int, height: int) -> bytes:
    """A lossless WebP (VP8L) header claiming the size (14 bits each), with no pixel data after it."""
    bits = (width - 1) | ((height - 1) << 14)
    vp8l = b"\x2f" + struct.pack("<I", bits)
    chunk = b"VP8L" + struct.pack("<I", len(vp8l)) + vp8l + b"\x00" * (len(vp8l) % 2)
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk
