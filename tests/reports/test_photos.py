"""Privacy processing: metadata removed, GPS read before stripping, faces and plates found and blurred,
downscaled.

The plate is rendered with Pillow (its own bundled font, no system fonts): a white EU plate with a black
rim, the blue strip with "D" and "L AB 1234", on the bumper of a drawn car; the plate cascade shipped with
opencv-python-headless 4.14 (`haarcascade_russian_plate_number.xml`) finds it at plate widths from 160 to
320 px, and not the same car without its plate, which was checked when this test was written.

The face is drawn (skin-coloured oval, dark brows and eyes, a lighter nose bridge, a mouth): the frontal
face Haar cascade shipped with opencv-python-headless 4.14 finds it reliably at several sizes and blurs,
which was checked when this test was written. Nothing is downloaded.
"""

from __future__ import annotations

import io

import cv2
import numpy as np
import pytest
from PIL import Image

from leipzig_app.adapters.photos import (
    OpenCvPhotoProcessor,
    PhotoError,
    blur_regions,
    detect_regions,
    read_gps,
)
from leipzig_app.domain.reports import Region


def _jpeg_with_gps(width: int = 3000, height: int = 2000) -> bytes:
    image = Image.new("RGB", (width, height), (120, 160, 200))
    exif = Image.Exif()
    exif[0x010F] = "DemoCam"  # Make
    exif[0x0132] = "2026:11:20 08:15:00"  # DateTime
    exif[0x8825] = {1: "N", 2: (51.0, 20.0, 24.0), 3: "E", 4: (12.0, 22.0, 30.0)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def _drawn_face(size: int = 400) -> np.ndarray:
    image = np.full((size, size, 3), 90, np.uint8)
    c = size // 2
    cv2.ellipse(image, (c, c), (int(size * 0.22), int(size * 0.3)), 0, 0, 360, (150, 175, 215), -1)
    for side in (-1, 1):
        x, y = c + side * int(size * 0.09), c - int(size * 0.06)
        cv2.ellipse(
            image,
            (x, y - int(size * 0.05)),
            (int(size * 0.06), int(size * 0.012)),
            0,
            0,
            360,
            (40, 40, 60),
            -1,
        )
        cv2.ellipse(image, (x, y), (int(size * 0.045), int(size * 0.022)), 0, 0, 360, (30, 30, 40), -1)
    cv2.ellipse(
        image, (c, c + int(size * 0.05)), (int(size * 0.02), int(size * 0.05)), 0, 0, 360, (170, 195, 235), -1
    )
    cv2.ellipse(
        image, (c, c + int(size * 0.15)), (int(size * 0.08), int(size * 0.02)), 0, 0, 360, (60, 60, 140), -1
    )
    return cv2.GaussianBlur(image, (9, 9), 0)


def _eu_plate(width: int) -> np.ndarray:
    from PIL import ImageDraw, ImageFont

    height = width * 110 // 520  # 520 x 110 mm
    plate = Image.new("RGB", (width, height), (245, 245, 240))
    draw = ImageDraw.Draw(plate)
    draw.rectangle([0, 0, width - 1, height - 1], outline=(20, 20, 20), width=max(2, width // 100))
    strip = int(width * 0.08)
    draw.rectangle([3, 3, strip, height - 4], fill=(0, 51, 153))
    small, big = (
        ImageFont.load_default(size=int(height * 0.3)),
        ImageFont.load_default(size=int(height * 0.65)),
    )
    draw.text((strip // 2 + 2, height * 0.72), "D", font=small, fill=(255, 255, 255), anchor="mm")
    draw.text(((width + strip) / 2, height / 2), "L AB 1234", font=big, fill=(15, 15, 15), anchor="mm")
    return np.array(plate)[:, :, ::-1].copy()  # RGB -> BGR, as OpenCV keeps it


def _car(plate_width: int | None) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """The back of a red car on a grey road, with the plate on the bumper; the plate's box (x, y, w, h)."""
    scene = np.full((600, 800, 3), (70, 75, 80), np.uint8)
    cv2.rectangle(scene, (100, 150), (700, 520), (40, 40, 150), -1)  # body
    cv2.rectangle(scene, (170, 180), (630, 300), (60, 50, 40), -1)  # rear window
    cv2.rectangle(scene, (100, 400), (700, 470), (30, 30, 30), -1)  # bumper
    for x in (140, 660):
        cv2.circle(scene, (x, 240), 25, (30, 140, 230), -1)  # rear lights
    box = (0, 0, 0, 0)
    if plate_width:
        plate = _eu_plate(plate_width)
        h, w = plate.shape[:2]
        box = ((800 - w) // 2, 400 + (70 - h) // 2, w, h)
        scene[box[1] : box[1] + h, box[0] : box[0] + w] = plate
    return cv2.GaussianBlur(scene, (3, 3), 0), box


@pytest.mark.parametrize("plate_width", [160, 240, 320])
def test_rendered_eu_plate_is_detected_and_only_it_is_blurred(plate_width: int) -> None:
    car, (x, y, w, h) = _car(plate_width)
    assert detect_regions(_car(None)[0]) == []  # the car alone is no plate
    regions = detect_regions(car)
    assert [r.kind for r in regions] == ["plate"]
    found = regions[0]
    # the region covers the plate
    assert found.x <= x + w * 0.1
    assert found.x + found.w >= x + w * 0.9
    assert found.y <= y + h * 0.1
    assert found.y + found.h >= y + h * 0.9

    ok, encoded = cv2.imencode(".png", car)
    assert ok
    processed = OpenCvPhotoProcessor().process(encoded.tobytes())
    assert processed.regions == tuple(regions)
    out = cv2.imdecode(np.frombuffer(processed.data, np.uint8), cv2.IMREAD_COLOR)
    plate = (slice(y, y + h), slice(x, x + w))
    assert out[plate].std() < car[plate].std() * 0.6  # the characters are gone
    assert detect_regions(out) == []
    # Outside the grown region (15 %) nothing but JPEG noise changed.
    outside = np.ones(car.shape[:2], bool)
    pad_w, pad_h = int(found.w * 0.15) + 2, int(found.h * 0.15) + 2
    outside[
        max(0, found.y - pad_h) : found.y + found.h + pad_h,
        max(0, found.x - pad_w) : found.x + found.w + pad_w,
    ] = False
    difference = np.abs(out.astype(int) - car.astype(int))[outside]
    assert difference.mean() < 2
    assert abs(out[outside].std() - car[outside].std()) < 1


def test_gps_is_offered_and_every_metadata_removed() -> None:
    original = _jpeg_with_gps()
    assert read_gps(original) == (51.34, 12.375)
    processed = OpenCvPhotoProcessor().process(original)
    assert processed.gps == (51.34, 12.375)
    with Image.open(io.BytesIO(processed.data)) as out:
        assert out.format == "JPEG"
        assert dict(out.getexif()) == {}
        assert not {"exif", "icc_profile", "xmp"} & set(out.info)
        assert max(out.size) == 1600  # downscaled from 3000 px
    assert read_gps(processed.data) is None
    assert b"DemoCam" not in processed.data


def test_drawn_face_is_detected_and_blurred() -> None:
    face = _drawn_face()
    regions = detect_regions(face)
    assert [r.kind for r in regions] == ["face"]
    ok, encoded = cv2.imencode(".png", face)
    assert ok
    processed = OpenCvPhotoProcessor().process(encoded.tobytes())
    assert processed.regions == tuple(regions)
    out = cv2.imdecode(np.frombuffer(processed.data, np.uint8), cv2.IMREAD_COLOR)
    assert detect_regions(out) == []  # the blurred face is no longer a face
    region = regions[0]
    inside = (slice(region.y, region.y + region.h), slice(region.x, region.x + region.w))
    assert out[inside].std() < face[inside].std() * 0.6


def test_resident_adjusts_regions() -> None:
    ok, encoded = cv2.imencode(".png", _drawn_face())
    assert ok
    none_kept = OpenCvPhotoProcessor().process(encoded.tobytes(), regions=[])
    assert none_kept.regions == ()
    out = cv2.imdecode(np.frombuffer(none_kept.data, np.uint8), cv2.IMREAD_COLOR)
    assert detect_regions(out)  # the resident removed the blur: the face stays
    manual = Region(0, 0, 50, 50, "manual")
    assert OpenCvPhotoProcessor().process(encoded.tobytes(), regions=[manual]).regions == (manual,)


def test_blur_changes_only_the_region() -> None:
    rng = np.random.default_rng(3)
    image = rng.integers(0, 255, (200, 300, 3), dtype=np.uint8)
    out = blur_regions(image, [Region(100, 50, 60, 60)])
    assert np.array_equal(out[:, :80], image[:, :80])
    assert not np.array_equal(out[60:100, 110:150], image[60:100, 110:150])


def test_plain_scene_has_no_false_regions() -> None:
    assert detect_regions(np.full((600, 800, 3), 128, np.uint8)) == []


@pytest.mark.parametrize("data", [b"", b"not an image", b"\xff\xd8\xff\xe0broken"])
def test_bad_files_give_a_clear_error(data: bytes) -> None:
    with pytest.raises(PhotoError):
        OpenCvPhotoProcessor().process(data)
    assert read_gps(data) is None
