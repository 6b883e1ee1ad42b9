"""The QR decoding engine: which decoder runs on which image variant, in what order, within what time.

Strategy, cheapest and strongest first; a still image gets every step, a live frame only what fits its
budget:

1. zxing-cpp on the image (the "full" path; skipped on the "portable" path where it is absent).
2. zbar (raw bytes) and zxing-cpp's second binarizer on the image.
3. Crops around symbols that were located but not read, enlarged, with a quiet zone.
4. Preprocessing variants (upscale, sharpen, CLAHE, median, local thresholds) through zxing-cpp and zbar.
5. OpenCV's curved-surface decoder and its multi-code detector.

The engine stops early once it has read codes and no located symbol is left unread. Codes found by
several steps are merged by text and place. Corner points are given in the pixels of the original image.
"""

from __future__ import annotations

import ctypes
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from leipzig_app.adapters.decoding import backends, images, variants, zbar
from leipzig_app.adapters.decoding.variants import Variant
from leipzig_app.domain.scanning import (
    DecodedCode,
    DecoderPath,
    Quad,
    ScanOutcome,
    merge_codes,
    same_place,
)

if TYPE_CHECKING:
    from numpy.typing import NDArray

#: Upper bound for "full effort" on a still image or file.
STILL_LIMIT_MS = 3000.0
#: Live frames are decoded at most at this size (1280x960 passes unchanged; 1080p is reduced slightly).
LIVE_WORK_PIXELS = 1_300_000
#: Without zxing-cpp, zbar decodes first; at this size it keeps close to a live budget on phones.
LIVE_WORK_PIXELS_PORTABLE = 600_000

# A decoder: variant image in, (codes read, quads located but unread) out.
Reader = Callable[["NDArray[Any]"], tuple[list[DecodedCode], list[Quad]]]


@dataclass
class _Run:
    """The state of one decoding call."""

    deadline: float | None
    clock: Callable[[], float] = time.perf_counter
    codes: list[DecodedCode] = field(default_factory=list)
    candidates: list[Quad] = field(default_factory=list)
    tried: list[str] = field(default_factory=list)
    exhausted: bool = False

    def fits(self, expected_ms: float) -> bool:
        if self.deadline is None:
            return True
        if self.clock() + expected_ms / 1000.0 <= self.deadline:
            return True
        self.exhausted = True
        return False

    def out_of_time(self) -> bool:
        if self.deadline is not None and self.clock() >= self.deadline:
            self.exhausted = True
            return True
        return False

    def open_candidates(self) -> list[Quad]:
        return [c for c in self.candidates if not any(_covers(code.corners, c) for code in self.codes)]

    def done(self) -> bool:
        """Codes were read and nothing else that looks like a code is left unread."""
        return bool(self.codes) and not self.open_candidates()


class _CostModel:
    """Milliseconds per megapixel of each decoder, learned from the calls made (starting pessimistic).

    The starting values are the slow end measured on 2-MP camera frames: zbar and OpenCV take far longer
    on textured or noisy images than on clean ones.
    """

    _START: ClassVar[dict[str, float]] = {"zxing": 50.0, "zxing-global": 50.0, "zbar": 250.0}
    _DEFAULT = 400.0

    def __init__(self) -> None:
        self._ms_per_mp: dict[str, float] = {}
        self._lock = threading.Lock()

    def expected_ms(self, decoder: str, megapixels: float) -> float:
        with self._lock:
            rate = self._ms_per_mp.get(decoder, self._START.get(decoder, self._DEFAULT))
        return rate * megapixels

    def learn(self, decoder: str, megapixels: float, elapsed_ms: float) -> None:
        if megapixels <= 0:
            return
        rate = elapsed_ms / megapixels
        with self._lock:
            old = self._ms_per_mp.get(decoder)
            # Lean towards the slower observation: overrunning a live budget is worse than skipping a step.
            self._ms_per_mp[decoder] = rate if old is None else max(rate, 0.7 * old + 0.3 * rate)


def _covers(code: Quad, candidate: Quad) -> bool:
    """Whether a read code accounts for a located region (same place, or the region lies inside the code)."""
    if same_place(code, candidate):
        return True
    cx = sum(p[0] for p in candidate) / 4.0
    cy = sum(p[1] for p in candidate) / 4.0
    xs = [p[0] for p in code]
    ys = [p[1] for p in code]
    return min(xs) <= cx <= max(xs) and min(ys) <= cy <= max(ys)


class QrDecoder:
    """Finds every QR code in an image or camera frame. Implements the domain's `CodeDecoder` port.

    `use_zxing=False` (or LEIPZIG_APP_NO_ZXING=1) hides zxing-cpp to exercise the portable path that
    phones run; `use_zbar=False` hides zbar likewise. The path is chosen once, at construction.
    """

    def __init__(self, *, use_zxing: bool | None = None, use_zbar: bool = True) -> None:
        if use_zxing is None:
            use_zxing = not backends.zxing_hidden_by_env()
        self._zxing = use_zxing and backends.zxing_available()
        self._zbar = use_zbar and zbar.available()
        self._costs = _CostModel()

    @property
    def path(self) -> DecoderPath:
        return DecoderPath.FULL if self._zxing else DecoderPath.PORTABLE

    @property
    def decoders(self) -> tuple[str, ...]:
        """The libraries in use, strongest first."""
        names = ["zxing"] if self._zxing else []
        if self._zbar:
            names.append("zbar")
        names.append("opencv")
        return tuple(names)

    def decode_image(self, source: str | bytes, *, budget_ms: float | None = None) -> ScanOutcome:
        """All codes in an image file (path or bytes), with full effort unless a budget is given.

        Full effort still ends after STILL_LIMIT_MS of this thread's processor time, so a large textured
        photo without any code cannot keep the screen waiting; every code read before then is returned.
        Processor time rather than wall time makes the amount of effort independent of machine load.
        """
        started = time.perf_counter()
        pages = images.load_pages(source)
        found: list[DecodedCode] = []
        candidates: list[Quad] = []
        tried: list[str] = []
        exhausted = False
        for page in pages:
            run = self._decode(page.gray, started, budget_ms, still=True)
            found.extend(_rescale(code, page.scale) for code in run.codes)
            candidates.extend(_scale_quad(q, page.scale) for q in run.open_candidates())
            tried.extend(t for t in run.tried if t not in tried)
            exhausted = exhausted or run.exhausted
        first = pages[0]
        return ScanOutcome(
            codes=merge_codes(found),
            elapsed_ms=(time.perf_counter() - started) * 1000.0,
            width=first.width,
            height=first.height,
            candidates=tuple(candidates),
            exhausted=exhausted,
            brightness=_brightness(first.gray),
            decoders_tried=tuple(tried),
        )

    def decode_frame(self, frame: object, *, budget_ms: float) -> ScanOutcome:
        """All codes in one camera frame that can be found within `budget_ms` (at least one step runs)."""
        started = time.perf_counter()
        limit = LIVE_WORK_PIXELS if self._zxing else LIVE_WORK_PIXELS_PORTABLE
        image = images.frame_to_gray(frame, max_pixels=limit)
        run = self._decode(image.gray, started, budget_ms, still=False)
        return ScanOutcome(
            codes=merge_codes([_rescale(code, image.scale) for code in run.codes]),
            elapsed_ms=(time.perf_counter() - started) * 1000.0,
            width=image.width,
            height=image.height,
            candidates=tuple(_scale_quad(q, image.scale) for q in run.open_candidates()),
            exhausted=run.exhausted,
            brightness=_brightness(image.gray),
            decoders_tried=tuple(run.tried),
        )

    # ----------------------------------------------------------------------------------------------------

    def _decode(self, gray: NDArray[Any], started: float, budget_ms: float | None, *, still: bool) -> _Run:
        if budget_ms is None:
            run = _Run(deadline=time.thread_time() + STILL_LIMIT_MS / 1000.0, clock=time.thread_time)
        else:
            run = _Run(deadline=started + budget_ms / 1000.0)
        ran_any = False
        for step in self._steps(gray, run):
            if ran_any and run.out_of_time():
                break
            if run.done() and (step.phase == RESCUE or not still):
                break
            variant = step.variant()
            if variant is None:
                continue
            if step.name in _SLOW_DECODERS and variant.gray.size > SLOW_DECODER_MAX_PIXELS:
                continue
            megapixels = variant.gray.size / 1e6
            # A decoder call cannot be interrupted, so a step starts only if it is expected to finish in
            # time; cheaper steps further down may still fit.
            if ran_any and not run.fits(self._costs.expected_ms(step.name, megapixels)):
                continue
            ran_any = True
            run.tried.append(step.name if variant.label == "plain" else f"{step.name}+{variant.label}")
            step_started = time.perf_counter()
            codes, located = _safely(step.reader, variant.gray)
            self._costs.learn(step.name, megapixels, (time.perf_counter() - step_started) * 1000.0)
            run.codes.extend(variant.map_code(code, code.decoder) for code in codes)
            run.candidates.extend(variant.to_original(quad) for quad in located)
            run.codes = list(merge_codes(run.codes))
        return run

    def _steps(self, gray: NDArray[Any], run: _Run) -> Iterator[_Step]:
        """The strategy as a lazy sequence, so that crops see the candidates found by earlier steps."""
        readers = self._readers()
        whole = variants.plain(gray)
        large = gray.size > SLOW_DECODER_MAX_PIXELS
        # Large photos are searched again at half size: blur and sensor noise average out, and the
        # preprocessing ladder runs four times faster there.
        base = _Lazy(variants.halve, gray) if large else _Lazy(variants.plain, gray)

        # 1. First look.
        first_name, first_reader = readers[0]
        first_on_base = large and first_name in _SLOW_DECODERS
        yield _Step(FIRST_LOOK, first_name, base.get if first_on_base else _fixed(whole), first_reader)
        # 2. Second look with other decoders and scales: a letter has two codes, and the first decoder may
        #    have read only one. Stills always get it; frames only while nothing is read.
        for name, reader in readers[1:]:
            yield _Step(SECOND_LOOK, name, _fixed(whole), reader)
        if large:
            for name, reader in readers:
                yield _Step(SECOND_LOOK, name, base.get, reader)
        else:
            upscaled = _Lazy(variants.upscale, gray)
            yield _Step(SECOND_LOOK, readers[0][0], upscaled.get, readers[0][1])
        if self._zxing:
            yield _Step(SECOND_LOOK, "zxing-global", base.get, _zxing_global)
        # 3. Crops around located but unread symbols.
        for quad in _distinct(run.open_candidates())[:3]:
            crop = _Lazy(_crop_maker(quad, variants.CROP_SIDE, None), gray)
            for name, reader in readers:
                yield _Step(RESCUE, name, crop.get, reader)
            yield _Step(RESCUE, "opencv-curved", crop.get, _curved)
        # Paper bent along a curve: flatten the sheet the symbol is printed on along its outline.
        for quad in _distinct(run.open_candidates())[:2]:
            flat = _Lazy(_flattener(quad, 300), gray)
            for name, reader in readers:
                yield _Step(RESCUE, name, flat.get, reader)
        # 4. The preprocessing ladder.
        makers: tuple[Callable[[NDArray[Any]], Variant | None], ...] = (
            variants.median,
            variants.smooth,
            variants.sharpen,
            variants.clahe,
            lambda g: variants.local_threshold(g, 25),
            lambda g: variants.local_threshold(g, 41),
        )
        for make in makers:
            derived = _Lazy(_derive(base.get, make), gray)
            for name, reader in readers:
                yield _Step(RESCUE, name, derived.get, reader)
            if self._zxing:
                yield _Step(RESCUE, "zxing-global", derived.get, _zxing_global)
        if not large:
            upscaled = _Lazy(variants.upscale, gray)
            for name, reader in readers[1:]:
                yield _Step(RESCUE, name, upscaled.get, reader)
        # 5. OpenCV's decoder for bent paper, and OpenCV's multi-code detector last on the full path.
        for make in (variants.plain, variants.clahe):
            yield _Step(RESCUE, "opencv-curved", _Lazy(_derive(base.get, make), gray).get, _curved)
        # Paper bent around a curve defeats grid sampling; OpenCV's curved decoder is the only one that
        # models it, and it is sensitive to scale and binarisation, so unread regions get a small sweep.
        for quad in _distinct(run.open_candidates())[:2]:
            for side in (200, 300):
                rectified = _Lazy(_rectifier(quad, side), gray)
                yield _Step(RESCUE, "opencv-curved", rectified.get, _curved)
                yield _Step(RESCUE, readers[0][0], rectified.get, readers[0][1])
                binarized = _Lazy(_derive(rectified.get, variants.otsu), gray)
                yield _Step(RESCUE, "opencv-curved", binarized.get, _curved)
            for side in (360, 640):
                for finish in (None, variants.otsu, variants.median):
                    make_crop = _crop_maker(quad, side, finish)
                    yield _Step(RESCUE, "opencv-curved", _Lazy(make_crop, gray).get, _curved)
        if self._zxing:
            yield _Step(RESCUE, "opencv", base.get, _opencv)

    def _readers(self) -> list[tuple[str, Reader]]:
        readers: list[tuple[str, Reader]] = []
        if self._zxing:
            readers.append(("zxing", _zxing_local))
        if self._zbar:
            readers.append(("zbar", _zbar))
        if not self._zxing:
            # Without zxing-cpp, OpenCV is the only decoder that also reports unread symbols.
            readers.append(("opencv", _opencv))
        return readers


FIRST_LOOK, SECOND_LOOK, RESCUE = 1, 2, 3
#: zbar and OpenCV slow down steeply with size; above this they only see reduced copies.
SLOW_DECODER_MAX_PIXELS = 4_000_000
_SLOW_DECODERS = frozenset({"zbar", "opencv", "opencv-curved"})


@dataclass(frozen=True)
class _Step:
    """One decoder on one image variant; `phase` decides whether it runs once codes have been read."""

    phase: int
    name: str
    variant: Callable[[], Variant | None]
    reader: Reader


def _fixed(variant: Variant | None) -> Callable[[], Variant | None]:
    return lambda: variant


def _derive(
    base: Callable[[], Variant | None], make: Callable[[NDArray[Any]], Variant | None]
) -> Callable[[NDArray[Any]], Variant | None]:
    """A variant of a variant, with the pixel mappings of both composed."""

    def build(_gray: NDArray[Any]) -> Variant | None:
        first = base()
        if first is None:
            return None
        second = make(first.gray)
        if second is None:
            return None
        scale = first.scale * second.scale
        offset = (
            second.offset[0] / first.scale + first.offset[0],
            second.offset[1] / first.scale + first.offset[1],
        )
        label = second.label if first.label == "plain" else f"{first.label}+{second.label}"
        return Variant(second.gray, label, scale=scale, offset=offset, corners=first.corners)

    return build


class _Lazy:
    """Builds a variant on first use and shares it between the decoders that try it."""

    def __init__(self, make: Callable[[NDArray[Any]], Variant | None], gray: NDArray[Any]) -> None:
        self._make = make
        self._gray = gray
        self._built = False
        self._variant: Variant | None = None

    def get(self) -> Variant | None:
        if not self._built:
            self._variant = self._make(self._gray)
            self._built = True
        return self._variant


def _distinct(candidates: list[Quad]) -> list[Quad]:
    """One region per located symbol, in the order found: the first look on the unaltered image locates
    a symbol most faithfully; later variants add regions it missed."""
    kept: list[Quad] = []
    for quad in candidates:
        if not any(_covers(k, quad) or _covers(quad, k) for k in kept):
            kept.append(quad)
    return kept


def _flattener(quad: Quad, side: int) -> Callable[[NDArray[Any]], Variant | None]:
    return lambda gray: variants.flattened(gray, quad, side)


def _rectifier(quad: Quad, side: int) -> Callable[[NDArray[Any]], Variant | None]:
    return lambda gray: variants.rectify(gray, quad, side)


def _crop_maker(
    quad: Quad, side: int, finish: Callable[[NDArray[Any]], Variant] | None
) -> Callable[[NDArray[Any]], Variant | None]:
    def make(gray: NDArray[Any]) -> Variant | None:
        crop = variants.crop_around(gray, quad, side=side)
        if crop is None or finish is None:
            return crop
        done = finish(crop.gray)
        return Variant(done.gray, f"crop{side}+{done.label}", scale=crop.scale, offset=crop.offset)

    return make


def _zxing_local(gray: NDArray[Any]) -> tuple[list[DecodedCode], list[Quad]]:
    return backends.zxing_read(gray)


def _zxing_global(gray: NDArray[Any]) -> tuple[list[DecodedCode], list[Quad]]:
    return backends.zxing_read(gray, binarizer="GlobalHistogram", name="zxing-global")


def _zbar(gray: NDArray[Any]) -> tuple[list[DecodedCode], list[Quad]]:
    return zbar.decode(gray), []


def _opencv(gray: NDArray[Any]) -> tuple[list[DecodedCode], list[Quad]]:
    return backends.opencv_read(gray)


def _curved(gray: NDArray[Any]) -> tuple[list[DecodedCode], list[Quad]]:
    return backends.opencv_read_curved(gray), []


def _safely(reader: Reader, gray: NDArray[Any]) -> tuple[list[DecodedCode], list[Quad]]:
    """One decoder's failure on one variant must not end the scan: zbar's wrapper raises ValueError on some
    images, ctypes raises ArgumentError, OpenCV raises cv2.error (a subclass of Exception)."""
    try:
        return reader(gray)
    except (ValueError, ctypes.ArgumentError, RuntimeError, MemoryError):
        return [], []
    except Exception as error:  # cv2.error and zxingcpp's errors have no common base besides Exception
        if type(error).__module__.split(".")[0] in {"cv2", "zxingcpp"}:
            return [], []
        raise


def _rescale(code: DecodedCode, scale: float) -> DecodedCode:
    if scale == 1.0:
        return code
    return DecodedCode(
        text=code.text,
        format=code.format,
        corners=_scale_quad(code.corners, scale),
        raw=code.raw,
        decoder=code.decoder,
    )


def _scale_quad(quad: Quad, scale: float) -> Quad:
    if scale == 1.0:
        return quad
    a, b, c, d = ((x * scale, y * scale) for x, y in quad)
    return (a, b, c, d)


def _brightness(gray: NDArray[Any]) -> float:
    return float(gray[::4, ::4].mean())
