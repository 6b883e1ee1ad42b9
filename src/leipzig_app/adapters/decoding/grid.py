"""Reading a symbol module by module, with the modules a thumb or a sticker hides as erasures.

A decoder decides every module dark or light and lets Reed-Solomon correct what it got wrong: at most
(n - k) / 2 wrong codewords in a block of n codewords with n - k for correction. Part of a symbol hidden
under a thumb that holds the letter (or a sticker, or a stain) is neither dark nor light; half of its
modules come out wrong, and at error correction level M a hidden tenth of the symbol is already too much.
Reed-Solomon corrects twice as many codewords when it knows which ones are unreliable (erasures: up to
n - k), and a hidden area shows itself: a patch of modules of one middling grey, without the contrast
between neighbouring modules that every printed part of a symbol has.

So this reader, given a crop around a symbol that was located but not read:

1. finds the three finder patterns (nested dark-light-dark squares after a local threshold between the
   nearby darkest and lightest pixel, which keeps the one-module light ring of a slightly blurred
   pattern) and tries the versions their distance allows;
2. fits the module grid: an affine map through the finder patterns' centres, refined to a perspective
   map by each alignment pattern found near where the map expects it (ISO/IEC 18004 places them
   by version);
3. samples every module's centre, marks the middling-grey modules without contrast around them as
   erased, and reads format (and for version 7 and up, version) information, which must match a valid
   BCH codeword within three bits;
4. corrects each block with Reed-Solomon (reedsolo), erasures and errors together
   (2 errors + erasures <= n - k), and gives up if any block cannot be corrected or does not check out
   afterwards;
5. draws the corrected symbol anew, clean, and has it read by the decoders, so that its text goes
   through the same rules as every other (character sets, ECI).

Pure Python (reedsolo) and OpenCV: it runs on the portable path as well.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

from leipzig_app.domain.scanning import DecodedCode, Point, with_corners

if TYPE_CHECKING:
    from numpy.typing import NDArray

#: Pixels per module of the redrawn symbol, and its quiet zone in modules.
RENDER_MODULE_PX = 6
RENDER_BORDER = 4
#: A finder pattern must have a contrast of at least this share of the crop's range.
MIN_CONTRAST_SHARE = 0.25
#: Alignment patterns are looked for within this many modules of where the grid expects them.
ALIGNMENT_SEARCH = 1.5
#: Correlation with the ideal alignment pattern needed to trust a found one.
ALIGNMENT_MIN_SCORE = 0.6
#: Format and version information: at most this many bits wrong in the better of the two copies.
MAX_INFO_BITS_WRONG = 3
#: Erased modules: a value between these shares of the symbol's dark-to-light range ...
GREY_BAND = (0.3, 0.75)
#: ... with less spread than this share of the range among the 3 x 3 modules around it.
FLAT_SPREAD = 0.25

# ----------------------------------------------------------------------------------------------------
# Reed-Solomon with erasures: reedsolo, with the QR code's field (polynomial x^8 + x^4 + x^3 + x^2 + 1,
# generator 2, first consecutive root alpha^0).


class Uncorrectable(Exception):
    """More damage in a block than its error correction can repair."""


@cache
def _codec(nsym: int) -> Any:
    import reedsolo

    return reedsolo.RSCodec(nsym, fcr=0, prim=0x11D, generator=2, c_exp=8)


def rs_correct(block: list[int], nsym: int, erasures: list[int], spare: int = 0) -> list[int]:
    """The block (data then error correction codewords) corrected, given the positions of erased ones.

    Raises `Uncorrectable` when 2 * errors + erasures exceed `nsym - spare` or the result does not check
    out. `spare` codewords of redundancy are kept for detection only: a block damaged beyond its capacity
    is then taken for another, valid one (a misread) far more rarely. Measured on 20,000 random blocks
    (10 to 28 correction codewords) damaged one to four errors beyond their capacity: 1,280 were taken for
    another block without spare codewords, 3 with one, none with two.
    """
    import reedsolo

    codec = _codec(nsym)
    word = bytearray(block)
    if codec.check(word)[0]:
        return list(word)
    if len(erasures) > nsym - spare:
        raise Uncorrectable("too many erasures")
    try:
        _message, corrected, errata = codec.decode(word, erase_pos=list(erasures))
    except reedsolo.ReedSolomonError as error:
        raise Uncorrectable(str(error)) from error
    errors = len(set(errata) - set(erasures))
    if 2 * errors + len(erasures) > nsym - spare:
        raise Uncorrectable("too many errors")
    if not codec.check(corrected)[0]:
        raise Uncorrectable("correction does not check out")
    return list(corrected)


# ----------------------------------------------------------------------------------------------------
# The layout of a symbol (ISO/IEC 18004), taken from the qrcode package, which draws the app's own codes.


def _format_positions(size: int) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(row, column) of format bit i in both copies, as the qrcode package places them."""
    first = [(i, 8) if i < 6 else (i + 1, 8) if i < 8 else (size - 15 + i, 8) for i in range(15)]
    second = [(8, size - i - 1) if i < 8 else (8, 15 - i) if i < 9 else (8, 15 - i - 1) for i in range(15)]
    return first, second


def _version_positions(size: int) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    first = [(i // 3, i % 3 + size - 11) for i in range(18)]
    second = [(i % 3 + size - 11, i // 3) for i in range(18)]
    return first, second


@lru_cache(maxsize=48)
def _layout(version: int) -> tuple[tuple[tuple[int, int], ...], tuple[tuple[int, int], ...]]:
    """The data modules in placement order, and the centres of the alignment patterns (row, column)."""
    import qrcode

    size = 4 * version + 17
    blank = qrcode.QRCode(version=version)
    blank.modules_count = size
    blank.modules = [[None] * size for _ in range(size)]
    blank.setup_position_probe_pattern(0, 0)
    blank.setup_position_probe_pattern(size - 7, 0)
    blank.setup_position_probe_pattern(0, size - 7)
    blank.setup_position_adjust_pattern()
    blank.setup_timing_pattern()
    blank.setup_type_info(False, 0)
    if version >= 7:
        blank.setup_type_number(False)
    order: list[tuple[int, int]] = []
    row, step = size - 1, -1
    column = size - 1
    while column > 0:
        if column == 6:
            column -= 1  # the vertical timing pattern
        while 0 <= row < size:
            for c in (column, column - 1):
                if blank.modules[row][c] is None:
                    order.append((row, c))
            row += step
        row -= step
        step = -step
        column -= 2
    from qrcode import util

    centres = util.pattern_position(version)
    last = centres[-1] if centres else 0
    alignment = tuple(
        (r, c)
        for r in centres
        for c in centres
        if not ((r == 6 and c == 6) or (r == 6 and c == last) or (r == last and c == 6))
    )
    return tuple(order), alignment


# ----------------------------------------------------------------------------------------------------
# Finding the finder patterns in a crop.


def _finder_patterns(gray: NDArray[Any]) -> list[tuple[float, float, float]]:
    """(x, y, module size) of nested dark-light-dark squares with the finder pattern's proportions."""
    import cv2
    import numpy as np

    found: list[tuple[float, float, float]] = []
    for factor in (1, 2):
        work = gray if factor == 1 else cv2.resize(gray, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
        if min(work.shape[:2]) < 60:
            break
        smooth = cv2.GaussianBlur(work, (0, 0), 1.0).astype(np.int16)
        window = cv2.getStructuringElement(cv2.MORPH_RECT, (9, 9))
        high = cv2.dilate(smooth, window)
        low = cv2.erode(smooth, window)
        p5, p95 = np.percentile(smooth[::2, ::2], (5, 95))
        contrast = max(8.0, MIN_CONTRAST_SHARE * float(p95 - p5))
        dark = (2 * smooth < high + low) & (high - low > contrast)
        contours, hierarchy = cv2.findContours(
            dark.astype(np.uint8) * 255, cv2.RETR_TREE, cv2.CHAIN_APPROX_SIMPLE
        )
        if hierarchy is None:
            continue
        links = hierarchy[0]
        for outer in np.nonzero(links[:, 2] >= 0)[0]:
            hole = int(links[outer, 2])
            inner = int(links[hole, 2])
            if inner < 0:
                continue
            found_one = _finder_shape(contours[int(outer)], contours[hole], contours[inner])
            if found_one is None:
                continue
            x, y, module = found_one
            x, y, module = (x + 0.5) * factor - 0.5, (y + 0.5) * factor - 0.5, module * factor
            if not any(math.hypot(x - fx, y - fy) < 2 * fm for fx, fy, fm in found):
                found.append((x, y, module))
    return found


def _finder_shape(outer: Any, hole: Any, inner: Any) -> tuple[float, float, float] | None:
    import cv2

    outer_area, hole_area, inner_area = (cv2.contourArea(c) for c in (outer, hole, inner))
    if outer_area < 40 or inner_area <= 0 or hole_area <= 0:
        return None
    # 7 x 7, 5 x 5 and 3 x 3 modules: 49 / 9 and 25 / 9, with room for blur and perspective.
    if not (2.5 <= outer_area / inner_area <= 14 and 1.3 <= hole_area / inner_area <= 7):
        return None
    _x, _y, width, height = cv2.boundingRect(outer)
    if max(width, height) > 2.5 * min(width, height):
        return None
    if outer_area < 0.8 * cv2.contourArea(cv2.convexHull(outer)):
        return None
    m_outer, m_inner = cv2.moments(outer), cv2.moments(inner)
    if m_outer["m00"] == 0 or m_inner["m00"] == 0:
        return None
    x, y = m_outer["m10"] / m_outer["m00"], m_outer["m01"] / m_outer["m00"]
    ix, iy = m_inner["m10"] / m_inner["m00"], m_inner["m01"] / m_inner["m00"]
    side = math.sqrt(outer_area)
    if math.hypot(x - ix, y - iy) > 0.2 * side:
        return None
    return x, y, side / 7.0


def _corner_triples(
    finders: list[tuple[float, float, float]],
) -> Iterator[tuple[Point, Point, Point, float]]:
    """(top-left, top-right, bottom-left, module) for three finder patterns of one symbol, best first."""
    scored: list[tuple[float, tuple[Point, Point, Point, float]]] = []
    for b, (bx, by, bm) in enumerate(finders):
        for a, (ax, ay, am) in enumerate(finders):
            for c, (cx, cy, cm) in enumerate(finders):
                if len({a, b, c}) < 3 or a > c:
                    continue
                sizes = (am, bm, cm)
                if max(sizes) > 1.6 * min(sizes):
                    continue
                ux, uy, vx, vy = ax - bx, ay - by, cx - bx, cy - by
                lu, lv = math.hypot(ux, uy), math.hypot(vx, vy)
                if min(lu, lv) == 0 or max(lu, lv) > 1.4 * min(lu, lv):
                    continue
                cosine = (ux * vx + uy * vy) / (lu * lv)
                if abs(cosine) > 0.35:
                    continue
                module = sum(sizes) / 3
                if not 10 <= (lu + lv) / 2 / module <= 190:
                    continue
                # Clockwise on screen (y down) from the corner: top-right, then bottom-left.
                right, below = ((ax, ay), (cx, cy)) if ux * vy - uy * vx > 0 else ((cx, cy), (ax, ay))
                score = abs(cosine) + max(lu, lv) / min(lu, lv) - 1
                scored.append((score, ((bx, by), right, below, module)))
    scored.sort(key=lambda item: item[0])
    for _score, triple in scored[:3]:
        yield triple


# ----------------------------------------------------------------------------------------------------
# The module grid.


def _map(matrix: NDArray[Any], points: NDArray[Any]) -> NDArray[Any]:
    """Module coordinates (..., 2) to image pixels through a 3 x 3 perspective matrix."""
    import numpy as np

    flat = points.reshape(-1, 2)
    mapped = np.c_[flat, np.ones(len(flat))] @ matrix.T
    result: NDArray[Any] = (mapped[:, :2] / mapped[:, 2:3]).reshape(points.shape)
    return result


#: The alignment pattern, +1 light and -1 dark, 5 x 5 modules.
_ALIGNMENT = [[-1 if max(abs(r), abs(c)) != 1 else 1 for c in range(-2, 3)] for r in range(-2, 3)]


def _fit_grid(smooth: NDArray[Any], corners: tuple[Point, Point, Point], version: int) -> NDArray[Any] | None:
    """The perspective map from module coordinates (x = column, y = row) to crop pixels."""
    import cv2
    import numpy as np

    size = 4 * version + 17
    source = np.array([[3.5, 3.5], [size - 3.5, 3.5], [3.5, size - 3.5]], dtype=np.float64)
    target = np.array(corners, dtype=np.float64)
    affine = cv2.getAffineTransform(source.astype(np.float32), target.astype(np.float32))
    matrix: NDArray[Any] = np.vstack([affine, [0.0, 0.0, 1.0]])
    _order, alignment = _layout(version)
    template = np.array(_ALIGNMENT, dtype=np.float64).ravel()
    template -= template.mean()
    steps = np.arange(-ALIGNMENT_SEARCH, ALIGNMENT_SEARCH + 1e-9, 0.25)
    offsets = np.array([(dx, dy) for dy in steps for dx in steps])
    cells = np.array([(c, r) for r in range(-2, 3) for c in range(-2, 3)], dtype=np.float64)
    sources, targets = list(source), list(target)
    for row, column in sorted(alignment, key=lambda rc: rc[0] + rc[1]):
        centre = np.array([column + 0.5, row + 0.5])
        # Every candidate centre's 5 x 5 module centres, sampled at once.
        points = centre + offsets[:, None, :] + cells[None, :, :]
        pixels = _map(matrix, points).astype(np.float32)
        values = cv2.remap(smooth, pixels[..., 0], pixels[..., 1], cv2.INTER_LINEAR).astype(np.float64)
        values -= values.mean(axis=1, keepdims=True)
        norms = np.linalg.norm(values, axis=1) * np.linalg.norm(template)
        scores = np.where(norms > 0, values @ template / np.maximum(norms, 1e-9), -1.0)
        best = int(np.argmax(scores))
        if scores[best] < ALIGNMENT_MIN_SCORE:
            continue
        sources.append(centre)
        targets.append(_map(matrix, (centre + offsets[best])[None, :])[0])
        if len(sources) >= 4:
            fitted, _mask = cv2.findHomography(np.array(sources), np.array(targets), 0)
            if fitted is not None:
                matrix = fitted
    return matrix


def _sample(smooth: NDArray[Any], matrix: NDArray[Any], size: int) -> NDArray[Any]:
    import cv2
    import numpy as np

    centres = np.stack(np.meshgrid(np.arange(size) + 0.5, np.arange(size) + 0.5), axis=-1)
    pixels = _map(matrix, centres).astype(np.float32)
    height, width = smooth.shape[:2]
    inside = (
        (pixels[..., 0] >= 0)
        & (pixels[..., 0] <= width - 1)
        & (pixels[..., 1] >= 0)
        & (pixels[..., 1] <= height - 1)
    )
    values = cv2.remap(smooth, pixels[..., 0], pixels[..., 1], cv2.INTER_LINEAR).astype(np.float32)
    return np.where(inside, values, np.nan)


def _classify(values: NDArray[Any]) -> tuple[NDArray[Any], NDArray[Any]] | None:
    """(dark, erased) per module: dark against the mean of the modules around it; erased where the value
    is a middling grey and the 3 x 3 modules around it have hardly any contrast."""
    import cv2
    import numpy as np

    known = ~np.isnan(values)
    if known.mean() < 0.9:
        return None
    filled = np.where(known, values, np.nanmean(values)).astype(np.float32)
    low, high = np.percentile(filled[known], (5, 95))
    span = float(high - low)
    if span < 10:
        return None
    mean3 = cv2.blur(filled, (3, 3))
    spread = np.sqrt(np.maximum(cv2.blur(filled * filled, (3, 3)) - mean3 * mean3, 0.0))
    grey = (filled > low + GREY_BAND[0] * span) & (filled < low + GREY_BAND[1] * span)
    erased = (grey & (spread < FLAT_SPREAD * span)) | ~known
    weights = (~erased).astype(np.float32)
    local = cv2.blur(filled * weights, (9, 9)) / np.maximum(cv2.blur(weights, (9, 9)), 1e-3)
    return filled < local, erased


def _info(
    dark: NDArray[Any],
    erased: NDArray[Any],
    positions: tuple[list[tuple[int, int]], ...],
    value: int,
    bits: int,
) -> int:
    """Bits of `value` that disagree with the better copy (an erased module counts half)."""
    best = 2 * bits
    for copy in positions:
        wrong = 0
        for i, (row, column) in enumerate(copy):
            if erased[row, column]:
                wrong += 1
            elif bool(dark[row, column]) != bool((value >> i) & 1):
                wrong += 2
        best = min(best, wrong)
    return best


def _format(dark: NDArray[Any], erased: NDArray[Any]) -> tuple[int, int] | None:
    """(error correction level as the format encodes it, mask) from the format information."""
    from qrcode import util

    positions = _format_positions(dark.shape[0])
    scored = sorted(
        (_info(dark, erased, positions, util.BCH_type_info(data), 15), data) for data in range(32)
    )
    if scored[0][0] > 2 * MAX_INFO_BITS_WRONG or scored[1][0] == scored[0][0]:
        return None
    return scored[0][1] >> 3, scored[0][1] & 7


def _version_matches(dark: NDArray[Any], erased: NDArray[Any], version: int) -> bool:
    if version < 7:
        return True
    from qrcode import util

    positions = _version_positions(dark.shape[0])
    return _info(dark, erased, positions, util.BCH_type_number(version), 18) <= 2 * MAX_INFO_BITS_WRONG


def _corrected_codewords(
    dark: NDArray[Any], erased: NDArray[Any], version: int, level: int, mask: int
) -> list[int] | None:
    """All codewords, interleaved as in the symbol, after Reed-Solomon; None if a block cannot be read."""
    from qrcode import base, util

    order, _alignment = _layout(version)
    blocks = base.rs_blocks(version, level)
    total = sum(block.total_count for block in blocks)
    flip = util.mask_func(mask)
    words = [0] * total
    lost = [False] * total
    for index, (row, column) in enumerate(order[: 8 * total]):
        word = index // 8
        bit = bool(dark[row, column]) != bool(flip(row, column))
        words[word] = (words[word] << 1) | int(bit)
        lost[word] = lost[word] or bool(erased[row, column])
    # De-interleave: data codewords block by block in turn, then the error correction codewords.
    slots: list[list[int]] = [[] for _ in blocks]
    most_data = max(block.data_count for block in blocks)
    most_ecc = max(block.total_count - block.data_count for block in blocks)
    position = 0
    for i in range(most_data):
        for number, block in enumerate(blocks):
            if i < block.data_count:
                slots[number].append(position)
                position += 1
    for i in range(most_ecc):
        for number, block in enumerate(blocks):
            if i < block.total_count - block.data_count:
                slots[number].append(position)
                position += 1
    corrected = list(words)
    for number, block in enumerate(blocks):
        slot = slots[number]
        erasures = [i for i, p in enumerate(slot) if lost[p]]
        try:
            fixed = rs_correct(
                [words[p] for p in slot],
                block.total_count - block.data_count,
                erasures,
                spare=SPARE_CODEWORDS,
            )
        except Uncorrectable:
            return None
        for i, p in enumerate(slot):
            corrected[p] = fixed[i]
    return corrected


#: Codewords of each block kept for detecting a block damaged beyond repair (see `rs_correct`).
SPARE_CODEWORDS = 2


def _render(version: int, level: int, mask: int, codewords: list[int]) -> NDArray[Any]:
    """The symbol drawn anew from its codewords, with a quiet zone."""
    import numpy as np
    import qrcode

    symbol = qrcode.QRCode(version=version, error_correction=level)
    symbol.data_cache = codewords
    symbol.makeImpl(False, mask)
    modules = np.array(symbol.modules, dtype=bool)
    framed = np.pad(modules, RENDER_BORDER, constant_values=False)
    image: NDArray[Any] = np.where(framed, 0, 255).astype(np.uint8)
    return np.kron(image, np.ones((RENDER_MODULE_PX, RENDER_MODULE_PX), dtype=np.uint8))


# ----------------------------------------------------------------------------------------------------


def read(gray: NDArray[Any], decode: Callable[[NDArray[Any]], list[DecodedCode]]) -> list[DecodedCode]:
    """The symbol in `gray` (a crop around it), read module by module with erasures; `decode` reads the
    redrawn symbol. Corners are those of the symbol in `gray`."""
    import cv2
    import numpy as np

    from leipzig_app.adapters.decoding.backends import order_clockwise

    finders = _finder_patterns(gray)
    if len(finders) < 3:
        return []
    for top_left, top_right, bottom_left, module in _corner_triples(finders):
        smooth = cv2.GaussianBlur(gray, (0, 0), max(0.7, 0.2 * module)).astype(np.float32)
        span = math.hypot(top_right[0] - top_left[0], top_right[1] - top_left[1]) / module + 7
        estimate = round((span - 17) / 4)
        for version in sorted(
            range(max(1, estimate - 1), min(40, estimate + 1) + 1), key=lambda v: abs(v - estimate)
        ):
            size = 4 * version + 17
            matrix = _fit_grid(smooth, (top_left, top_right, bottom_left), version)
            if matrix is None:
                continue
            classified = _classify(_sample(smooth, matrix, size))
            if classified is None:
                continue
            dark, erased = classified
            info = _format(dark, erased)
            if info is None or not _version_matches(dark, erased, version):
                continue
            level, mask = info
            codewords = _corrected_codewords(dark, erased, version, level, mask)
            if codewords is None:
                continue
            codes = decode(_render(version, level, mask, codewords))
            if not codes:
                continue
            outline = _map(matrix, np.array([[0.0, 0.0], [size, 0.0], [size, size], [0.0, size]]))
            quad = order_clockwise([(float(x), float(y)) for x, y in outline])
            return [with_corners(code, quad, f"{code.decoder}+modules") for code in codes[:1]]
    return []
