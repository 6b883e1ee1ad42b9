"""Turn a rendered letter into a phone photo: projection onto a table, optics, light, sensor, JPEG.

Every photo gets the ordinary imperfections of a hand-held shot (slight tilt and turn, soft focus, sensor
noise, JPEG at quality 90); one named degradation is then pushed to a severity of 1 (mild) to 3 (harsh).
All randomness comes from the seed, so a run is repeatable.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from letters.page import Letter

#: Frame of a 12-MP phone camera (4:3).
FRAME = (4000, 3000)
DEGRADATIONS = (
    "clean",
    "perspective",
    "rotation",
    "blur",
    "motion_blur",
    "glare",
    "shadow",
    "low_light",
    "noise",
    "jpeg",
    "small_modules",
    "creases",
    "occlusion",
)


@dataclass
class Shot:
    """The parameters of one photo; the defaults are an ordinary careful hand-held shot."""

    page_height_share: float = 0.85  # page height / frame height
    turn_deg: float = 0.0
    tilt: float = 0.02  # corner jitter as a share of the page size
    blur_sigma: float = 0.8
    motion_px: int = 0
    gain: float = 1.0
    noise_sigma: float = 2.5
    jpeg_quality: int = 90


def photograph(letter: Letter, degradation: str, severity: int, seed: int) -> bytes:
    """A JPEG photo of `letter` with one degradation at `severity` (1-3); 'clean' ignores the severity."""
    if degradation not in DEGRADATIONS:
        raise ValueError(f"unknown degradation {degradation!r}; choose from {', '.join(DEGRADATIONS)}")
    rng = np.random.default_rng(seed)
    shot = Shot(turn_deg=float(rng.uniform(-4, 4)))
    page = letter.image.astype(np.float32) / 255.0
    level = severity - 1
    if degradation == "perspective":
        shot.tilt = (0.07, 0.12, 0.17)[level]
    elif degradation == "rotation":
        shot.turn_deg = float(rng.choice([-1, 1])) * (20.0, 45.0, 135.0)[level] + float(rng.uniform(-5, 5))
    elif degradation == "blur":
        # Relative to the notice code's ~3.8-px modules: a quarter, a third and half a module.
        shot.blur_sigma = (1.0, 1.4, 1.9)[level]
    elif degradation == "motion_blur":
        # A smear over 1, 1.5 and 2 modules of the notice code.
        shot.motion_px = (4, 6, 8)[level]
    elif degradation == "low_light":
        shot.gain = (0.35, 0.2, 0.12)[level]
        shot.noise_sigma = (4.0, 5.0, 6.0)[level]
    elif degradation == "noise":
        shot.noise_sigma = (10.0, 18.0, 26.0)[level]
    elif degradation == "jpeg":
        shot.jpeg_quality = (30, 15, 8)[level]
    elif degradation == "small_modules":
        # The notice code's modules shrink from ~3.8 px to 3.0 / 2.5 / 2.1 px in the frame.
        shot.page_height_share = 0.85 * (3.0, 2.5, 2.1)[level] / 3.8
    page_effects: dict[str, Callable[[NDArray[np.float32], Letter, int, np.random.Generator], None]] = {
        "glare": _glare,
        "shadow": _shadow,
        "creases": _creases,
        "occlusion": _occlusion,
    }
    if degradation in page_effects:
        page_effects[degradation](page, letter, severity, rng)
    return _expose(page, shot, rng)


def _expose(page: NDArray[np.float32], shot: Shot, rng: np.random.Generator) -> bytes:
    width, height = FRAME
    ph, pw = page.shape
    scale = shot.page_height_share * height / ph
    half_w, half_h = pw * scale / 2, ph * scale / 2
    angle = math.radians(shot.turn_deg)
    cos, sin = math.cos(angle), math.sin(angle)
    centre = np.array(
        [width / 2 + rng.uniform(-0.05, 0.05) * width, height / 2 + rng.uniform(-0.04, 0.04) * height]
    )
    corners = []
    for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
        jitter = rng.uniform(-shot.tilt, shot.tilt, 2) * np.array([2 * half_w, 2 * half_h])
        x, y = sx * half_w + jitter[0], sy * half_h + jitter[1]
        corners.append(centre + np.array([x * cos - y * sin, x * sin + y * cos]))
    source = np.float32([[0, 0], [pw, 0], [pw, ph], [0, ph]])
    matrix = cv2.getPerspectiveTransform(source, np.float32(corners))
    table = _table(rng)
    photo = cv2.warpPerspective(page, matrix, (width, height), flags=cv2.INTER_LINEAR, borderValue=-1.0)
    photo = np.where(photo < 0, table, photo)
    photo = cv2.GaussianBlur(photo, (0, 0), shot.blur_sigma)
    if shot.motion_px:
        photo = _motion(photo, shot.motion_px, float(rng.uniform(0, 180)))
    # Uneven room light across the frame, then exposure gain and a darker lens edge.
    xx = np.linspace(0, 1, width, dtype=np.float32)[None, :]
    yy = np.linspace(0, 1, height, dtype=np.float32)[:, None]
    light = 0.92 + 0.08 * xx * rng.uniform(0.5, 1.0)
    vignette = 1.0 - 0.18 * ((xx - 0.5) ** 2 + (yy - 0.5) ** 2)
    photo = photo * (light * vignette * shot.gain)
    signal = np.clip(photo, 0, 1) * 255.0
    shot_noise = rng.normal(0, 1, signal.shape).astype(np.float32) * np.sqrt(np.maximum(signal, 1.0)) * 0.4
    sensor = rng.normal(0, shot.noise_sigma, signal.shape).astype(np.float32)
    pixels = np.clip(signal + shot_noise + sensor, 0, 255).astype(np.uint8)
    ok, jpeg = cv2.imencode(".jpg", pixels, [cv2.IMWRITE_JPEG_QUALITY, shot.jpeg_quality])
    assert ok
    return bytes(jpeg.tobytes())


def _table(rng: np.random.Generator) -> NDArray[np.float32]:
    """A wooden-table-like background: low-frequency tone with streaks."""
    width, height = FRAME
    small = rng.uniform(0.25, 0.45, (height // 100, width // 100)).astype(np.float32)
    base = cv2.resize(small, (width, height), interpolation=cv2.INTER_CUBIC)
    streaks = np.sin(np.linspace(0, 60, width, dtype=np.float32))[None, :] * 0.03
    return np.clip(base + streaks, 0, 1)


def _motion(photo: NDArray[np.float32], length: int, angle_deg: float) -> NDArray[np.float32]:
    kernel = np.zeros((length, length), np.float32)
    kernel[length // 2, :] = 1.0
    rotation = cv2.getRotationMatrix2D((length / 2 - 0.5, length / 2 - 0.5), angle_deg, 1.0)
    kernel = cv2.warpAffine(kernel, rotation, (length, length))
    return cv2.filter2D(photo, -1, kernel / max(float(kernel.sum()), 1e-6))


def _codes_region(letter: Letter) -> tuple[int, int, int, int]:
    gx0, gy0, gx1, gy1 = letter.giro_box
    nx0, ny0, nx1, ny1 = letter.notice_box
    return min(gx0, nx0), min(gy0, ny0), max(gx1, nx1), max(gy1, ny1)


def _glare(page: NDArray[np.float32], letter: Letter, severity: int, rng: np.random.Generator) -> None:
    """A reflection of a lamp on glossy paper: a soft bright spot over part of a code."""
    x0, y0, x1, y1 = letter.giro_box if rng.random() < 0.5 else letter.notice_box
    cx, cy = rng.uniform(x0, x1), rng.uniform(y0, y1)
    radius = (x1 - x0) * rng.uniform(0.25, 0.4)
    yy, xx = np.mgrid[0 : page.shape[0], 0 : page.shape[1]].astype(np.float32)
    spot = np.exp(-(((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * radius**2)))
    strength = (0.55, 0.75, 0.9)[severity - 1]
    page += (1.0 - page) * spot * strength


def _shadow(page: NDArray[np.float32], letter: Letter, severity: int, rng: np.random.Generator) -> None:
    """The shadow of the phone or a hand: a soft-edged dark half-plane crossing the codes."""
    x0, y0, x1, y1 = _codes_region(letter)
    angle = rng.uniform(0, math.pi)
    nx, ny = math.cos(angle), math.sin(angle)
    px, py = rng.uniform(x0, x1), rng.uniform(y0, y1)
    yy, xx = np.mgrid[0 : page.shape[0], 0 : page.shape[1]].astype(np.float32)
    distance = (xx - px) * nx + (yy - py) * ny
    edge = 1.0 / (1.0 + np.exp(-np.clip(distance / 25.0, -50, 50)))
    depth = (0.55, 0.4, 0.28)[severity - 1]
    page *= 1.0 - (1.0 - depth) * edge


def _creases(page: NDArray[np.float32], letter: Letter, severity: int, rng: np.random.Generator) -> None:
    """Fold lines from a letter folded for the envelope: a dark line and a small step in the paper."""
    height, width = page.shape
    x0, y0, x1, y1 = _codes_region(letter)
    for index in range(severity):
        horizontal = index % 2 == 0
        position = int(rng.uniform(y0, y1) if horizontal else rng.uniform(x0, x1))
        step = int(rng.integers(1, 2 + severity))
        if horizontal:
            page[position:, :] = np.roll(page[position:, :], step, axis=1)
            page[max(0, position - 2) : position + 2, :] *= 0.75
            page[position + 2 : position + 14, :] *= 0.93  # the far side of the fold catches less light
        else:
            page[:, position:] = np.roll(page[:, position:], step, axis=0)
            page[:, max(0, position - 2) : position + 2] *= 0.75
            page[:, position + 2 : position + 14] *= 0.93
    del width, height


def _occlusion(page: NDArray[np.float32], letter: Letter, severity: int, rng: np.random.Generator) -> None:
    """A thumb holding the letter: a skin-grey blob over an edge of one code (not its finder patterns)."""
    x0, y0, x1, y1 = letter.giro_box if rng.random() < 0.5 else letter.notice_box
    side = x1 - x0
    share = (0.04, 0.08, 0.12)[severity - 1]  # of the code's area
    radius = side * math.sqrt(share / math.pi) * 1.2
    # The bottom-right corner and the right/bottom edges have no finder pattern.
    cx = rng.uniform(x0 + 0.55 * side, x1)
    cy = rng.uniform(y0 + 0.55 * side, y1) if cx < x1 - 0.2 * side else rng.uniform(y0 + 0.35 * side, y1)
    yy, xx = np.mgrid[0 : page.shape[0], 0 : page.shape[1]].astype(np.float32)
    blob = ((xx - cx) / radius) ** 2 + ((yy - cy) / (radius * 1.4)) ** 2 <= 1.0
    page[blob] = 0.62
