"""Image variants that rescue hard photos, each with the mapping of its pixels back to the original.

Measured on real phone photos: a 2x upscale helps decoders that need ~3.5 px per module, unsharp masking
helps slightly blurred prints, CLAHE evens out shadows and glare, and local thresholds separate modules on
crumpled or unevenly lit paper. A crop around a region where a symbol was located but not read, enlarged
to a fixed size, gives every decoder a second, cleaner look at exactly that symbol.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from leipzig_app.domain.scanning import DecodedCode, Point, Quad, with_corners

if TYPE_CHECKING:
    from numpy.typing import NDArray

#: Side in pixels a candidate crop is resized to: ~8 px per module for a version-10 symbol.
CROP_SIDE = 480
#: Images whose shorter side is below this are also tried at double size...
UPSCALE_BELOW = 1000
#: ...unless the doubled image would exceed this many pixels (decoders slow down with size, not detail).
UPSCALE_MAX_PIXELS = 3_000_000


#: A point of a warped variant to the original image's pixels.
PointMap = Callable[[float, float], Point]


@dataclass(frozen=True)
class Variant:
    """A transformed image; original = variant_px / scale + offset, or `warp(variant_px)` when warped."""

    gray: NDArray[Any]
    label: str
    scale: float = 1.0
    offset: tuple[float, float] = (0.0, 0.0)
    #: For warped variants (a perspective-rectified symbol, flattened paper): where a pixel of the variant
    #: lies in the original. Every finding is mapped through it, so a second code that happens to be on
    #: the same sheet is reported where it is, not at the region the variant was made for.
    warp: PointMap | None = None

    def point_to_original(self, x: float, y: float) -> Point:
        if self.warp is not None:
            return self.warp(x, y)
        ox, oy = self.offset
        return (x / self.scale + ox, y / self.scale + oy)

    def to_original(self, quad: Quad) -> Quad:
        a, b, c, d = (self.point_to_original(x, y) for x, y in quad)
        return (a, b, c, d)

    def map_code(self, code: DecodedCode, decoder: str) -> DecodedCode:
        name = decoder if self.label == "plain" else f"{decoder}+{self.label}"
        return with_corners(code, self.to_original(code.corners), name)


def plain(gray: NDArray[Any]) -> Variant:
    return Variant(gray, "plain")


def upscale(gray: NDArray[Any], factor: float = 2.0) -> Variant | None:
    import cv2

    if min(gray.shape[:2]) >= UPSCALE_BELOW or gray.size * factor * factor > UPSCALE_MAX_PIXELS:
        return None
    big = cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
    return Variant(big, "upscale", scale=factor)


def halve(gray: NDArray[Any]) -> Variant:
    """Half size: blur and sensor noise average out, and huge modules fit the finder-pattern search."""
    import cv2

    small = cv2.resize(gray, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    return Variant(small, "half", scale=0.5)


def smooth(gray: NDArray[Any]) -> Variant:
    """A Gaussian blur of about a third of a typical module: it dissolves pictures and halftone texture
    printed inside "designer" codes and paper grain, while module edges survive."""
    import cv2

    sigma = max(1.5, min(gray.shape[:2]) / 128.0)
    return Variant(cv2.GaussianBlur(gray, (0, 0), sigma), "smooth")


def rectify(gray: NDArray[Any], quad: Quad, side: int, grow: float = 1.0) -> Variant | None:
    """The located symbol warped to an upright square of `side` px plus a white quiet zone.

    Unlike an axis-aligned crop this removes the perspective, which OpenCV's curved-surface decoder needs
    to fit the remaining bend. Findings are mapped back through the inverse perspective transform.
    """
    import cv2
    import numpy as np

    corners = np.array(quad, dtype=np.float32)
    centre = corners.mean(axis=0)
    corners = (corners - centre) * grow + centre
    if float(np.linalg.norm(corners[0] - corners[2])) < 16:
        return None
    margin = int(side * 0.12)
    low, high = margin, margin + side
    target = np.array([[low, low], [high, low], [high, high], [low, high]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(corners, target)
    warped = cv2.warpPerspective(
        gray, matrix, (side + 2 * margin, side + 2 * margin), flags=cv2.INTER_CUBIC, borderValue=255
    )
    inverse = np.linalg.inv(matrix.astype(np.float64))

    def warp(x: float, y: float) -> Point:
        u, v, w = inverse @ np.array([x, y, 1.0])
        return (float(u / w), float(v / w)) if w else (float(u), float(v))

    return Variant(warped, f"rectified{side}", warp=warp)


def flattened(gray: NDArray[Any], quad: Quad, side: int) -> Variant | None:
    """The paper around a located symbol, flattened along its outline (see `dewarp`)."""
    import cv2

    from leipzig_app.adapters.decoding.dewarp import flatten_with_grid

    flat = flatten_with_grid(gray, quad, side)
    if flat is None:
        return None
    image, grid = flat
    pad = side // 12
    framed = cv2.copyMakeBorder(image, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)

    def warp(x: float, y: float) -> Point:
        col = min(max(round(x) - pad, 0), side - 1)
        row = min(max(round(y) - pad, 0), side - 1)
        return (float(grid[row, col, 0]), float(grid[row, col, 1]))

    return Variant(framed, f"flattened{side}", warp=warp)


def tile(gray: NDArray[Any], index: int, overlap: float = 0.15) -> Variant:
    """Quarter `index` (0-3, row by row) of the image, enlarged by `overlap` so a code on a seam is whole
    in at least one tile."""
    height, width = gray.shape[:2]
    tile_w, tile_h = int(width / 2 * (1 + overlap)), int(height / 2 * (1 + overlap))
    x0 = 0 if index % 2 == 0 else width - tile_w
    y0 = 0 if index < 2 else height - tile_h
    return Variant(gray[y0 : y0 + tile_h, x0 : x0 + tile_w], f"tile{index}", offset=(float(x0), float(y0)))


def sharpen(gray: NDArray[Any]) -> Variant:
    import cv2

    blurred = cv2.GaussianBlur(gray, (0, 0), 2.0)
    return Variant(cv2.addWeighted(gray, 1.8, blurred, -0.8, 0), "sharpen")


def clahe(gray: NDArray[Any]) -> Variant:
    import cv2

    return Variant(cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8)).apply(gray), "clahe")


def median(gray: NDArray[Any]) -> Variant:
    import cv2

    return Variant(cv2.medianBlur(gray, 3), "median")


def local_threshold(gray: NDArray[Any], block: int) -> Variant:
    """Mean-based local threshold; the block is scaled to the image so it spans a few modules."""
    import cv2

    size = max(15, block * min(gray.shape[:2]) // 256) | 1
    binary = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, size, 2)
    return Variant(binary, f"threshold{block}")


def otsu(gray: NDArray[Any]) -> Variant:
    import cv2

    _, binary = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return Variant(binary, "otsu")


def crop_around(
    gray: NDArray[Any], quad: Quad, margin: float = 0.35, side: int = CROP_SIDE
) -> Variant | None:
    """The region of a located symbol plus a quiet-zone margin, resized to `side` pixels (upright box)."""
    import cv2

    height, width = gray.shape[:2]
    xs = [p[0] for p in quad]
    ys = [p[1] for p in quad]
    extent = max(max(xs) - min(xs), max(ys) - min(ys))
    if extent < 8:
        return None
    pad = extent * margin
    x0, y0 = max(0, int(min(xs) - pad)), max(0, int(min(ys) - pad))
    x1, y1 = min(width, int(max(xs) + pad) + 1), min(height, int(max(ys) + pad) + 1)
    if x1 - x0 < 8 or y1 - y0 < 8:
        return None
    crop = gray[y0:y1, x0:x1]
    factor = side / max(x1 - x0, y1 - y0)
    interpolation = cv2.INTER_CUBIC if factor > 1 else cv2.INTER_AREA
    resized = cv2.resize(crop, None, fx=factor, fy=factor, interpolation=interpolation)
    # A white border gives decoders the quiet zone that tight crops or dark backgrounds lack.
    border = int(side * 0.08)
    framed = cv2.copyMakeBorder(resized, border, border, border, border, cv2.BORDER_CONSTANT, value=255)
    return Variant(framed, "crop", scale=factor, offset=(x0 - border / factor, y0 - border / factor))


#: A motion-blurred crop is deconvolved at its own resolution, reduced to at most this side first.
DEBLUR_MAX_SIDE = 640
#: Smears shorter than this (in crop pixels) are left to sharpening.
MIN_SMEAR_PX = 2.5
#: Longest smear looked for: a hand-held phone rarely moves more within one exposure.
MAX_SMEAR_PX = 24.0
#: Ratio of the weak to the strong axis of the gradient's structure tensor above which a crop is taken as
#: not smeared (measured: sharp and defocused codes 0.89-0.98; smeared by 1.5 modules and more, 0.2-0.6).
MAX_SMEAR_ISOTROPY = 0.75


def native_crop(gray: NDArray[Any], quad: Quad, margin: float = 0.3) -> Variant | None:
    """The region of `quad` plus a margin at the image's own resolution (reduced only when large), so that
    blur keeps the length it has in the photo."""
    import cv2

    height, width = gray.shape[:2]
    xs = [p[0] for p in quad]
    ys = [p[1] for p in quad]
    extent = max(max(xs) - min(xs), max(ys) - min(ys))
    if extent < 16:
        return None
    pad = extent * margin
    x0, y0 = max(0, int(min(xs) - pad)), max(0, int(min(ys) - pad))
    x1, y1 = min(width, int(max(xs) + pad) + 1), min(height, int(max(ys) + pad) + 1)
    if x1 - x0 < 32 or y1 - y0 < 32:
        return None
    crop = gray[y0:y1, x0:x1]
    factor = min(1.0, DEBLUR_MAX_SIDE / max(x1 - x0, y1 - y0))
    if factor < 1.0:
        crop = cv2.resize(crop, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    return Variant(crop, "native", scale=factor, offset=(float(x0), float(y0)))


def smears(gray: NDArray[Any], count: int = 2) -> list[Point]:
    """The likely motion-blur vectors (dx, dy) in pixels, most likely first; none for an unsmeared image.

    Direction: a smear removes detail along the motion and keeps it across, so the gradient's structure
    tensor becomes anisotropic with its weak axis along the motion. A code's module grid alone does not
    do that (its square grid has equal energy in both axes), so an image whose tensor is nearly isotropic
    (`MAX_SMEAR_ISOTROPY`) is taken as not smeared. Length: a straight smear of length L multiplies the
    spectrum by a sinc whose zeros repeat every 1/L along the motion, which shows in the cepstrum (the
    spectrum of the log spectrum) as a negative peak at distance L in that direction; it is searched on
    rays within a few degrees of the direction. A second guess takes the next peak at another length
    (a module of a code lying along the motion leaves one too); the decoders decide.
    """
    import math

    import cv2
    import numpy as np

    height, width = gray.shape[:2]
    side = min(height, width, 512)
    if side < 64:
        return []
    y0, x0 = (height - side) // 2, (width - side) // 2
    window = gray[y0 : y0 + side, x0 : x0 + side].astype(np.float32)
    gx = cv2.Sobel(window, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(window, cv2.CV_32F, 0, 1, ksize=3)
    xx, xy, yy = float((gx * gx).sum()), float((gx * gy).sum()), float((gy * gy).sum())
    half_trace = (xx + yy) / 2
    spread = math.sqrt(max(half_trace * half_trace - (xx * yy - xy * xy), 0.0))
    if half_trace <= 0 or (half_trace - spread) / (half_trace + spread) > MAX_SMEAR_ISOTROPY:
        return []
    motion = 0.5 * math.atan2(2 * xy, xx - yy) + math.pi / 2  # across the strongest gradients
    window -= float(window.mean())
    hann = np.hanning(side).astype(np.float32)
    spectrum = np.abs(np.fft.fft2(window * np.outer(hann, hann)))
    log_spectrum = np.log(spectrum + 1e-3 * float(spectrum.max()) + 1e-6)
    cepstrum = np.fft.fftshift(np.real(np.fft.ifft2(log_spectrum))).astype(np.float32)
    radii = np.arange(MIN_SMEAR_PX, MAX_SMEAR_PX + 0.01, 0.25, dtype=np.float32)
    angles = [motion + math.radians(d) for d in range(-6, 7, 2)]
    centre = side // 2
    rays = np.stack(
        [
            cv2.remap(
                cepstrum,
                (centre + radii * math.cos(a)).reshape(1, -1),
                (centre + radii * math.sin(a)).reshape(1, -1),
                cv2.INTER_LINEAR,
            ).ravel()
            for a in angles
        ]
    )
    found: list[Point] = []
    for _ in range(count):
        row, col = np.unravel_index(int(np.argmin(rays)), rays.shape)
        if not np.isfinite(rays[row, col]):
            break
        length, angle = float(radii[col]), angles[row]
        found.append((length * math.cos(angle), length * math.sin(angle)))
        # The next guess is another length, not this one again nor its echo at twice the length.
        for echo in (length, 2 * length):
            rays[:, np.abs(radii - echo) <= 1.5] = np.inf
    return found


def smear_kernel(dx: float, dy: float) -> NDArray[Any]:
    """A straight motion-blur kernel: a line of length |(dx, dy)| through the centre, bilinearly drawn."""
    import math

    import numpy as np

    length = math.hypot(dx, dy)
    size = (math.ceil(length) + 3) | 1
    kernel = np.zeros((size, size), np.float32)
    centre = (size - 1) / 2
    for step in np.linspace(-0.5, 0.5, max(8, int(length * 8))):
        x, y = centre + step * dx, centre + step * dy
        x0, y0 = math.floor(x), math.floor(y)
        fx, fy = x - x0, y - y0
        kernel[y0, x0] += (1 - fx) * (1 - fy)
        kernel[y0, x0 + 1] += fx * (1 - fy)
        kernel[y0 + 1, x0] += (1 - fx) * fy
        kernel[y0 + 1, x0 + 1] += fx * fy
    result: NDArray[Any] = kernel / float(kernel.sum())
    return result


def deblurred(crop: Variant, smear: Point, noise_ratio: float = 0.01) -> Variant:
    """`crop` deconvolved with a straight smear (Wiener filter; `noise_ratio` keeps noise from exploding
    at the frequencies the smear wiped out)."""
    import cv2
    import numpy as np

    kernel = smear_kernel(*smear)
    pad = 2 * kernel.shape[0]
    image = cv2.copyMakeBorder(crop.gray.astype(np.float32) / 255.0, pad, pad, pad, pad, cv2.BORDER_REFLECT)
    transfer = np.zeros_like(image)
    size = kernel.shape[0]
    transfer[:size, :size] = kernel
    transfer = np.roll(transfer, (-(size // 2), -(size // 2)), axis=(0, 1))
    kernel_f = np.fft.rfft2(transfer)
    restored = np.fft.irfft2(
        np.fft.rfft2(image) * np.conj(kernel_f) / (np.abs(kernel_f) ** 2 + noise_ratio), s=image.shape
    )[pad:-pad, pad:-pad]
    out = np.clip(restored * 255.0, 0, 255).astype(np.uint8)
    return Variant(out, "deblur", scale=crop.scale, offset=crop.offset)
