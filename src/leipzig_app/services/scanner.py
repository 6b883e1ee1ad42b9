"""Scanning use cases the scanner screen calls: a file, picked bytes, or a live stream of camera frames.

The service knows nothing about images: it hands opaque frames and files to a `CodeDecoder` (the domain
port, implemented by `adapters.decoding.QrDecoder`) and turns the outcomes into what a screen needs:
all codes on a letter collected across frames, a signal when the set is complete, frames dropped (never
queued) while a decode is running, and one guidance hint per update as a message key.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from leipzig_app.domain.scanning import CodeDecoder, DecodedCode, ScanOutcome, merge_codes, quad_side

#: Budget for one live frame: decoding must keep pace with the viewfinder.
LIVE_BUDGET_MS = 60.0

HINT_HOLD_IN_FRAME = "scan.hint.hold_in_frame"
HINT_MOVE_CLOSER = "scan.hint.move_closer"
HINT_MORE_LIGHT = "scan.hint.more_light"
HINT_HOLD_STILL = "scan.hint.hold_still"
HINT_DONE = "scan.hint.done"

#: Mean grey level below which the frame is too dark to read (0-255).
DARK_BELOW = 60.0
#: A located but unread symbol smaller than this share of the frame's shorter side is too far away.
SMALL_SHARE = 0.2


class ScannerService:
    """One-shot scans of files and bytes, and factory of live sessions, over a `CodeDecoder`."""

    def __init__(self, decoder: CodeDecoder) -> None:
        self._decoder = decoder

    @property
    def decoder_path(self) -> str:
        """ "full" (zxing-cpp installed) or "portable" (OpenCV and zbar only), for the about screen."""
        return str(self._decoder.path)

    def scan_file(self, path: str) -> ScanOutcome:
        """Every code in an image or PDF file, with full effort. Raises `ScanError` for unreadable files."""
        return self._decoder.decode_image(path)

    def scan_bytes(self, data: bytes) -> ScanOutcome:
        """Every code in an encoded image (a picked photo), with full effort."""
        return self._decoder.decode_image(data)

    def scan_frame(self, frame: object, budget_ms: float = LIVE_BUDGET_MS) -> ScanOutcome:
        """Every code found in one camera frame within the budget."""
        return self._decoder.decode_frame(frame, budget_ms=budget_ms)

    async def scan_file_async(self, path: str) -> ScanOutcome:
        """`scan_file` in a worker thread, so the screen stays responsive."""
        return await asyncio.to_thread(self.scan_file, path)

    async def scan_bytes_async(self, data: bytes) -> ScanOutcome:
        return await asyncio.to_thread(self.scan_bytes, data)

    def live_session(self, *, budget_ms: float = LIVE_BUDGET_MS, stable_frames: int = 3) -> LiveScanSession:
        return LiveScanSession(self._decoder, budget_ms=budget_ms, stable_frames=stable_frames)


@dataclass(frozen=True)
class LiveUpdate:
    """What the viewfinder shows after one frame.

    `codes` are all codes collected so far (newest position of each); `new_codes` were first seen in this
    frame (announce them); `complete` turns true once the set has stayed the same for `stable_frames`
    decoded frames; `hint` is a message key for the guidance line.
    """

    codes: tuple[DecodedCode, ...]
    new_codes: tuple[DecodedCode, ...]
    complete: bool
    hint: str
    outcome: ScanOutcome


class LiveScanSession:
    """Collects the codes of one letter across camera frames.

    Frames arrive faster than they can be decoded; a frame offered while another is being decoded is
    dropped at once (`offer` returns None), so the viewfinder never lags behind a queue. Safe to call from
    several threads (camera callbacks) and from asyncio (`offer_async`).
    """

    def __init__(
        self,
        decoder: CodeDecoder,
        *,
        budget_ms: float = LIVE_BUDGET_MS,
        stable_frames: int = 3,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if stable_frames < 1:
            raise ValueError("stable_frames must be at least 1")
        self._decoder = decoder
        self._budget_ms = budget_ms
        self._stable_frames = stable_frames
        self._clock = clock
        self._busy = threading.Lock()
        self._state = threading.Lock()
        self._codes: dict[str, DecodedCode] = {}
        self._unchanged = 0
        self.frames_decoded = 0
        self.frames_dropped = 0

    @property
    def codes(self) -> tuple[DecodedCode, ...]:
        with self._state:
            return tuple(self._codes.values())

    @property
    def complete(self) -> bool:
        with self._state:
            return bool(self._codes) and self._unchanged >= self._stable_frames

    def reset(self) -> None:
        """Start over (the resident pressed "scan again")."""
        with self._state:
            self._codes.clear()
            self._unchanged = 0

    def offer(self, frame: object) -> LiveUpdate | None:
        """Decode `frame` unless a decode is running; None means the frame was dropped.

        A frame that cannot be decoded (an unsupported frame object, a broken JPEG from the camera) counts
        as a frame without codes: the camera will deliver the next one.
        """
        if not self._busy.acquire(blocking=False):
            with self._state:
                self.frames_dropped += 1
            return None
        try:
            outcome = self._decoder.decode_frame(frame, budget_ms=self._budget_ms)
        finally:
            self._busy.release()
        return self._record(outcome)

    async def offer_async(self, frame: object) -> LiveUpdate | None:
        """`offer` in a worker thread; concurrent calls while one runs are dropped, not awaited."""
        if self._busy.locked():
            with self._state:
                self.frames_dropped += 1
            return None
        return await asyncio.to_thread(self.offer, frame)

    def _record(self, outcome: ScanOutcome) -> LiveUpdate:
        with self._state:
            self.frames_decoded += 1
            new: list[DecodedCode] = []
            for code in merge_codes(outcome.codes):
                if code.text not in self._codes:
                    new.append(code)
                self._codes[code.text] = code
            if new:
                self._unchanged = 0
            elif self._codes:
                self._unchanged += 1
            collected = tuple(self._codes.values())
            complete = bool(collected) and self._unchanged >= self._stable_frames
        return LiveUpdate(
            codes=collected,
            new_codes=tuple(new),
            complete=complete,
            hint=guidance(outcome, collected=bool(collected), complete=complete),
            outcome=outcome,
        )


def guidance(outcome: ScanOutcome, *, collected: bool = False, complete: bool = False) -> str:
    """The hint key for the guidance line after a frame.

    A symbol that was located but not read and is small on screen means "move closer"; a dark frame
    without codes means "more light"; codes seen but the set not yet stable means "hold still".
    """
    if complete:
        return HINT_DONE
    short_side = min(outcome.width, outcome.height) if outcome.width and outcome.height else 0
    if outcome.candidates and short_side:
        largest = max(quad_side(q) for q in outcome.candidates)
        if largest < SMALL_SHARE * short_side:
            return HINT_MOVE_CLOSER
    if not outcome.codes and outcome.brightness is not None and outcome.brightness < DARK_BELOW:
        return HINT_MORE_LIGHT
    if collected:
        return HINT_HOLD_STILL
    return HINT_HOLD_IN_FRAME
