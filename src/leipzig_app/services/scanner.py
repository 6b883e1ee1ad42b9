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

from leipzig_app.domain.scanning import (
    CodeDecoder,
    DecodedCode,
    Quad,
    ScanError,
    ScanOutcome,
    merge_codes,
    quad_side,
)

#: Budget for one live frame: decoding must keep pace with the viewfinder.
LIVE_BUDGET_MS = 60.0
#: Wall-clock budget of the thorough look at a frame before a set of codes counts as complete. A clean
#: frame is done in well under 100 ms; the budget is spent only on regions that look like codes but
#: were not read (measured: a slightly blurred second code beside a sharp one is read after 130-450 ms).
THOROUGH_BUDGET_MS = 1500.0
#: While nothing has been read (or a located symbol is still unread), a thorough look starts at most this
#: long after the previous one ended: a phone without zxing-cpp reads a whole letter in a live frame
#: rarely, but a thorough look reads it in 0.3-1.5 s. Bounds the extra work to one look at a time with
#: this pause between looks.
IDLE_LOOK_INTERVAL_MS = 1000.0
#: A symbol that a thorough look located but could not read, or a look that ran out of time before every
#: decoder had seen the frame, holds back completion for this many further looks (on newer frames, the
#: resident sees "Näher heran" for a located symbol meanwhile); a symbol that stays unread (or was no
#: symbol) then lets the set complete with what was read. Counted in looks, not seconds, so that a slow
#: phone gets the same number of chances as a fast one.
UNREAD_RETRIES = 2

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

    def live_session(
        self,
        *,
        budget_ms: float = LIVE_BUDGET_MS,
        stable_frames: int = 3,
        thorough_budget_ms: float = THOROUGH_BUDGET_MS,
        idle_look_interval_ms: float = IDLE_LOOK_INTERVAL_MS,
        unread_retries: int = UNREAD_RETRIES,
    ) -> LiveScanSession:
        return LiveScanSession(
            self._decoder,
            budget_ms=budget_ms,
            stable_frames=stable_frames,
            thorough_budget_ms=thorough_budget_ms,
            idle_look_interval_ms=idle_look_interval_ms,
            unread_retries=unread_retries,
        )


@dataclass(frozen=True)
class LiveUpdate:
    """What the viewfinder shows after one frame.

    `codes` are all codes collected so far (newest position of each); `new_codes` were first seen in this
    frame or by the thorough look (announce them); `complete` turns true once the set is complete (see
    `LiveScanSession`); `hint` is a message key for the guidance line.
    """

    codes: tuple[DecodedCode, ...]
    new_codes: tuple[DecodedCode, ...]
    complete: bool
    hint: str
    outcome: ScanOutcome
    #: Symbols located but not read, in the frame's pixels: the live frame's, and those of the last
    #: thorough look that no collected code accounts for (the live pass on a phone locates none itself).
    unread: tuple[Quad, ...] = ()


class LiveScanSession:
    """Collects the codes of one letter across camera frames.

    Frames arrive faster than they can be decoded; a frame offered while another is being decoded is
    dropped at once (`offer` returns None), so the viewfinder never lags behind a queue. Safe to call from
    several threads (camera callbacks) and from asyncio (`offer_async`).

    A live frame gets a short budget and stops at the first codes it reads, so a second code that is
    slightly blurred or small can stay unread frame after frame. The set is therefore complete only when
    both hold:

    - it has stayed the same for `stable_frames` decoded frames, and
    - a thorough look (the still-photo strategy with preprocessing and rescue steps, within
      `thorough_budget_ms` of wall-clock time) at a frame showing codes has found nothing beyond it.

    The thorough look starts as soon as a frame shows codes the last look did not cover, and runs in its
    own thread beside the live frames, which keep their pace; what it finds is reported with the next
    frame's update. While nothing has been read yet, or a look located a symbol it could not read, a look
    starts again `idle_look_interval_ms` after the previous one ended: the live pass on a phone (no
    zxing-cpp) rarely reads a whole letter, the still strategy does. A symbol located by a look but not
    read holds back completion for `unread_retries` further looks (the guidance says "Näher heran"
    meanwhile), so a letter is not declared complete with its second code in view but unread; so does a
    look that ran out of time before every decoder had seen the frame.
    """

    def __init__(
        self,
        decoder: CodeDecoder,
        *,
        budget_ms: float = LIVE_BUDGET_MS,
        stable_frames: int = 3,
        thorough_budget_ms: float = THOROUGH_BUDGET_MS,
        idle_look_interval_ms: float = IDLE_LOOK_INTERVAL_MS,
        unread_retries: int = UNREAD_RETRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if stable_frames < 1:
            raise ValueError("stable_frames must be at least 1")
        if idle_look_interval_ms < 0 or unread_retries < 0:
            raise ValueError("the look interval and the retries must not be negative")
        self._decoder = decoder
        self._budget_ms = budget_ms
        self._stable_frames = stable_frames
        self._thorough_ms = thorough_budget_ms
        self._clock = clock
        self._idle_interval = idle_look_interval_ms / 1000.0
        self._retries = unread_retries
        self._busy = threading.Lock()
        self._state = threading.Lock()
        self._codes: dict[str, DecodedCode] = {}
        self._unchanged = 0
        # The thorough look: the texts the last finished look covered, the thread of a running one, what
        # it found but no update has reported yet, and a generation that `reset` advances so that a look
        # started before it is ignored.
        self._covered: frozenset[str] | None = None
        self._look: threading.Thread | None = None
        self._look_found: list[DecodedCode] = []
        # When the last look ended (or the session began), the symbols it located but could not read,
        # whether it ran out of time, and how many looks in a row ended in such doubt.
        self._look_ended = clock()
        self._look_unread: tuple[Quad, ...] = ()
        self._look_exhausted = False
        self._doubtful_looks = 0
        self._generation = 0
        self.frames_decoded = 0
        self.frames_dropped = 0
        self.thorough_looks = 0

    @property
    def codes(self) -> tuple[DecodedCode, ...]:
        with self._state:
            return tuple(self._codes.values())

    @property
    def complete(self) -> bool:
        with self._state:
            return self._is_complete()

    @property
    def looking(self) -> bool:
        """A thorough look is running."""
        with self._state:
            return self._look is not None

    def reset(self) -> None:
        """Start over (the resident pressed "scan again")."""
        with self._state:
            self._codes.clear()
            self._unchanged = 0
            self._covered = None
            self._look = None
            self._look_found.clear()
            self._look_ended = self._clock()
            self._look_unread = ()
            self._look_exhausted = False
            self._doubtful_looks = 0
            self._generation += 1

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
        return self._record(outcome, frame)

    async def offer_async(self, frame: object) -> LiveUpdate | None:
        """`offer` in a worker thread; concurrent calls while one runs are dropped, not awaited."""
        if self._busy.locked():
            with self._state:
                self.frames_dropped += 1
            return None
        return await asyncio.to_thread(self.offer, frame)

    def wait_for_look(self, timeout: float | None = None) -> bool:
        """Wait until no thorough look is running (for tools and tests); False on timeout."""
        with self._state:
            look = self._look
        if look is not None:
            look.join(timeout)
        return not self.looking

    # ----------------------------------------------------------------------------------------------------

    def _is_complete(self) -> bool:
        return (
            bool(self._codes)
            and self._unchanged >= self._stable_frames
            and self._look is None
            and self._covered is not None
            and set(self._codes) <= self._covered
            and not self._waiting_for_unread()
        )

    def _open_unread(self) -> tuple[Quad, ...]:
        """The last look's located but unread symbols that no collected code accounts for."""
        return tuple(
            q for q in self._look_unread if not any(_inside(q, c.corners) for c in self._codes.values())
        )

    def _doubtful(self) -> bool:
        """The last look may have missed a code: it located one it could not read, or ran out of time."""
        return self._look_exhausted or bool(self._open_unread())

    def _waiting_for_unread(self) -> bool:
        return self._doubtful() and 0 < self._doubtful_looks <= self._retries

    def _should_look_again(self) -> bool:
        """Nothing read yet, or a located symbol still unread: look again once the pause has passed."""
        if self._codes and not self._waiting_for_unread():
            return False
        return self._clock() - self._look_ended >= self._idle_interval

    def _record(self, outcome: ScanOutcome, frame: object) -> LiveUpdate:
        with self._state:
            self.frames_decoded += 1
            found = merge_codes([*self._look_found, *outcome.codes])
            self._look_found.clear()
            new: list[DecodedCode] = []
            for code in found:
                if self._read_with_charset(code):
                    continue
                if code.text not in self._codes:
                    new.append(code)
                    self._drop_unread_charset(code)
                self._codes[code.text] = code
            if new:
                self._unchanged = 0
            elif self._codes:
                self._unchanged += 1
            collected = tuple(self._codes.values())
            covered = self._covered is not None and set(self._codes) <= self._covered
            if self._look is None and ((outcome.codes and not covered) or self._should_look_again()):
                self._begin_look(frame)
            complete = self._is_complete()
            stubborn = () if complete else self._open_unread()
        return LiveUpdate(
            codes=collected,
            new_codes=tuple(new),
            complete=complete,
            hint=guidance(outcome, collected=bool(collected), complete=complete, stubborn=stubborn),
            outcome=outcome,
            unread=tuple(outcome.candidates) + stubborn,
        )

    def _read_with_charset(self, code: DecodedCode) -> bool:
        """The same bytes were already collected as text decoded with the symbol's declared ECI, and this
        finding is from a decoder that could not see the ECI (the rule `merge_codes` applies within one
        frame; across frames the bytes, not the place, identify the symbol)."""
        return code.eci is None and any(
            other.eci is not None and other.raw == code.raw for other in self._codes.values()
        )

    def _drop_unread_charset(self, code: DecodedCode) -> None:
        """Text decoded with the declared ECI replaces text of the same bytes from a decoder blind to it."""
        if code.eci is None:
            return
        for text, other in list(self._codes.items()):
            if other.eci is None and other.raw == code.raw:
                del self._codes[text]

    def _begin_look(self, frame: object) -> None:
        """Start a thorough look at `frame` in its own thread (called with the state lock held)."""
        generation = self._generation
        before = frozenset(self._codes)
        thread = threading.Thread(
            target=self._thorough_look, args=(frame, before, generation), name="scan-thorough", daemon=True
        )
        self._look = thread
        thread.start()

    def _thorough_look(self, frame: object, before: frozenset[str], generation: int) -> None:
        found: tuple[DecodedCode, ...] = ()
        unread: tuple[Quad, ...] = ()
        exhausted = False
        try:
            outcome = self._decoder.decode_frame(frame, budget_ms=self._thorough_ms, thorough=True)
            found, unread, exhausted = outcome.codes, outcome.candidates, outcome.exhausted
        except ScanError:
            pass  # a frame the live pass could read but this one cannot: the look found nothing
        finally:
            with self._state:
                if generation == self._generation:
                    self._look_found.extend(found)
                    self._covered = before | {code.text for code in found}
                    self._look = None
                    self._look_ended = self._clock()
                    self._look_unread = tuple(
                        q for q in unread if not any(_inside(q, code.corners) for code in found)
                    )
                    self._look_exhausted = exhausted
                    self._doubtful_looks = self._doubtful_looks + 1 if self._doubtful() else 0
                    self.thorough_looks += 1


def guidance(
    outcome: ScanOutcome,
    *,
    collected: bool = False,
    complete: bool = False,
    stubborn: tuple[Quad, ...] = (),
) -> str:
    """The hint key for the guidance line after a frame.

    A symbol that was located but not read and is small on screen means "move closer", and so does one
    that even a thorough look could not read (`stubborn`: its modules are too small in the picture); a
    dark frame without codes means "more light"; codes seen but the set not yet stable means "hold still".
    """
    if complete:
        return HINT_DONE
    if stubborn:
        return HINT_MOVE_CLOSER
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


def _inside(quad: Quad, code: Quad) -> bool:
    """Whether a read code accounts for a located symbol: the symbol's centre lies within the code."""
    cx = sum(p[0] for p in quad) / 4.0
    cy = sum(p[1] for p in quad) / 4.0
    xs = [p[0] for p in code]
    ys = [p[1] for p in code]
    return min(xs) <= cx <= max(xs) and min(ys) <= cy <= max(ys)
