"""The QR decoding engine: runs the strategy's steps on an image or camera frame within its time.

A still image gets full effort, capped by a wall-clock limit; a live frame gets a wall-clock budget, and
a step starts only if a learned cost model expects it to finish in time (a decoder call cannot be
interrupted). Wall-clock time covers everything a resident waits for, including the curved-surface
decoder's worker process. Codes found by several steps are merged by text and place; corner points are
given in the pixels of the original image. The order of the steps is in `strategy.py`.
"""

from __future__ import annotations

import ctypes
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from leipzig_app.adapters.decoding import backends, images, strategy, zbar
from leipzig_app.domain.scanning import (
    DecodedCode,
    DecoderPath,
    Quad,
    ScanOutcome,
    merge_codes,
    with_corners,
)

if TYPE_CHECKING:
    from numpy.typing import NDArray

#: Upper bound for "full effort" on a still image or file, in wall-clock milliseconds from the call
#: (loading and the worker process included).
STILL_LIMIT_MS = 3000.0
#: Live frames are decoded at most at this size (1280x960 passes unchanged; 1080p is reduced slightly).
LIVE_WORK_PIXELS = 1_300_000
#: Without zxing-cpp, zbar decodes first. A phone's 1080p frame passes unchanged: zbar needs about 3 px
#: per module, which a letter's notice code (version 12) has in a 1080p frame filled by the page and no
#: longer once the frame is halved (measured: at 0.6 MP zbar read neither code of such frames, at full
#: size both). zbar takes longer on the larger frame, so the live pass runs fewer frames a second.
LIVE_WORK_PIXELS_PORTABLE = 2_100_000


@dataclass
class _Run:
    """The state of one decoding call."""

    deadline: float | None
    clock: Callable[[], float] = time.perf_counter
    codes: list[DecodedCode] = field(default_factory=list)
    candidates: list[Quad] = field(default_factory=list)
    #: Regions that only look like codes (`locate.py`); never reported, only searched.
    hints: list[Quad] = field(default_factory=list)
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
        return [
            c for c in self.candidates if not any(strategy.covers(code.corners, c) for code in self.codes)
        ]

    def open_hints(self) -> list[Quad]:
        """Hints that neither a code read nor a symbol a decoder located accounts for (a located symbol
        gets its own rescue steps)."""
        return [
            h
            for h in self.hints
            if not self.accounted_for(h)
            and not any(strategy.covers(c, h) or strategy.covers(h, c) for c in self.candidates)
        ]

    def accounted_for(self, region: Quad) -> bool:
        return any(strategy.covers(code.corners, region) for code in self.codes)

    def done(self) -> bool:
        """Codes were read and nothing else that looks like a code is left unread."""
        return bool(self.codes) and not self.open_candidates()


class _CostModel:
    """Milliseconds per megapixel of each decoder, learned from the calls made (starting pessimistic).

    The starting values are the slow end measured on 2-MP camera frames: zbar and OpenCV take far longer
    on textured or noisy images than on clean ones.
    """

    _START: ClassVar[dict[str, float]] = {
        "zxing": 50.0,
        "zxing-global": 50.0,
        "zbar": 250.0,
        "locate": 10.0,
        "modules": 150.0,
    }
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
        self._readers = strategy.readers_for(zxing=self._zxing, use_zbar=self._zbar)

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

    def warm_up(self) -> None:
        """Load the decoding libraries and run each decoder once on a small image (which also starts the
        curved-surface decoder's worker process where one can run), so that the first real image is not
        charged with start-up costs."""
        import cv2
        import numpy as np

        blank = np.full((64, 64), 255, dtype=np.uint8)
        images.load_pages(bytes(cv2.imencode(".png", blank)[1].tobytes()))  # the header reader (PIL)
        for _name, reader in self._readers:
            _safely(reader, blank)
        _safely(backends.opencv_read, blank)
        _safely(strategy.warm_up_steps, blank)  # the region search and the deconvolution (numpy's FFT)
        backends.opencv_read_curved(blank)  # starts the worker process, where one can run

    def decode_image(self, source: str | bytes, *, budget_ms: float | None = None) -> ScanOutcome:
        """All codes in an image file (path or bytes), with full effort unless a budget is given.

        Full effort still ends STILL_LIMIT_MS after the call began (wall clock), so a large textured photo
        without any code cannot keep the screen waiting; every code read before then is returned.
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

    def decode_frame(self, frame: object, *, budget_ms: float, thorough: bool = False) -> ScanOutcome:
        """All codes in one camera frame that can be found within `budget_ms` (at least one step runs).

        `thorough` looks at the frame like at a still photo (full resolution, every decoder, rescue
        steps), within the same wall-clock budget.
        """
        started = time.perf_counter()
        if thorough:
            limit = images.MAX_WORK_PIXELS
        else:
            limit = LIVE_WORK_PIXELS if self._zxing else LIVE_WORK_PIXELS_PORTABLE
        image = images.frame_to_gray(frame, max_pixels=limit)
        run = self._decode(image.gray, started, budget_ms, still=thorough)
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
        limit_ms = STILL_LIMIT_MS if budget_ms is None else budget_ms
        run = _Run(deadline=started + limit_ms / 1000.0)
        ran_any = False
        hints = run.open_hints if still else None
        for step in strategy.plan(gray, run.open_candidates, self._readers, self._zxing, hints):
            if ran_any and run.out_of_time():
                break
            if step.region is not None:
                # A hint region's steps run until a code read there accounts for it.
                if run.accounted_for(step.region):
                    continue
            elif run.done() and (step.phase == strategy.RESCUE or not still):
                break
            variant = step.variant()
            if variant is None:
                continue
            if step.name in strategy.SLOW_DECODERS and variant.gray.size > strategy.SLOW_DECODER_MAX_PIXELS:
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
            found = run.hints if step.finds_hints else run.candidates
            found.extend(variant.to_original(quad) for quad in located)
            run.codes = list(merge_codes(run.codes))
        return run


def _safely(reader: strategy.Reader, gray: NDArray[Any]) -> tuple[list[DecodedCode], list[Quad]]:
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
    return with_corners(code, _scale_quad(code.corners, scale))


def _scale_quad(quad: Quad, scale: float) -> Quad:
    if scale == 1.0:
        return quad
    a, b, c, d = ((x * scale, y * scale) for x, y in quad)
    return (a, b, c, d)


def _brightness(gray: NDArray[Any]) -> float:
    return float(gray[::4, ::4].mean())
