"""When a live session may move on: every code in view collected, checked by a thorough look.

A live frame gets a short budget and stops at the first codes it reads, so a second code that is slightly
blurred stays unread frame after frame. The session completes only after a thorough look (the still-photo
strategy) at a frame found nothing more; that look runs beside the live frames, which keep their pace.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np
import pytest
import qrcode
from numpy.typing import NDArray

from leipzig_app.adapters.decoding import QrDecoder
from leipzig_app.domain.scanning import DecodedCode, DecoderPath, ScanOutcome, UnsupportedFrameError
from leipzig_app.services import scanner
from leipzig_app.services.scanner import LiveScanSession, LiveUpdate, ScannerService

GIRO = "BCD\n002\n1\nSCT\n\nStadtkasse Leipzig\nDE20860555921090000004\nEUR35.00\n\n\nKZ 1"
NOTICE = "LZ1:" + "A1B2C3D4E5" * 40


def _qr(text: str, box: int) -> NDArray[np.uint8]:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box, border=4)
    code.add_data(text.encode("utf-8"))
    code.make(fit=True)
    return np.array(code.make_image().get_image().convert("L"), dtype=np.uint8)


def sharp_and_blurred_frame(sigma: float) -> NDArray[np.uint8]:
    """A 1280x960 camera frame of a letter: a sharp GiroCode and, beside it, a notice code with small
    modules, slightly out of focus (Gaussian blur of `sigma` pixels)."""
    frame = np.full((960, 1280), 230, dtype=np.uint8)
    giro = _qr(GIRO, 6)
    notice = cv2.GaussianBlur(_qr(NOTICE, 3), (0, 0), sigma)
    frame[100 : 100 + giro.shape[0], 100 : 100 + giro.shape[1]] = giro
    frame[100 : 100 + notice.shape[0], 650 : 650 + notice.shape[1]] = notice
    return frame


def _run_until_complete(session: LiveScanSession, frame: object, seconds: float = 20.0) -> list[int]:
    """Offer the same frame like a camera on a still letter; the number of codes after each frame."""
    counts: list[int] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        update = session.offer(frame)
        assert update is not None
        counts.append(len(update.codes))
        if update.complete:
            return counts
        time.sleep(0.02)
    raise AssertionError(f"no completion within {seconds} s: {counts}")


@pytest.mark.parametrize("sigma", [1.5, 1.7])
def test_sharp_girocode_and_blurred_notice_complete_with_both(full_decoder: QrDecoder, sigma: float) -> None:
    frame = sharp_and_blurred_frame(sigma)
    # The live budget alone reads only the sharp code: the situation the thorough look is for.
    assert full_decoder.decode_frame(frame, budget_ms=60).texts == (GIRO,)
    session = ScannerService(full_decoder).live_session()
    counts = _run_until_complete(session, frame)
    assert sorted(c.text for c in session.codes) == sorted([GIRO, NOTICE])
    assert counts[-1] == 2
    assert session.thorough_looks >= 1


def test_thorough_frame_decoding_reads_the_blurred_code(full_decoder: QrDecoder) -> None:
    frame = sharp_and_blurred_frame(1.6)
    outcome = full_decoder.decode_frame(frame, budget_ms=scanner.THOROUGH_BUDGET_MS, thorough=True)
    assert sorted(outcome.texts) == sorted([GIRO, NOTICE])
    giro = next(c for c in outcome.codes if c.text == GIRO)
    notice = next(c for c in outcome.codes if c.text == NOTICE)
    # Each code where it is in the frame, whichever variant read it.
    assert giro.center[0] < 640 < notice.center[0]


# --------------------------------------------------------------------------------------------------------
# The rule, with a scripted decoder (what the live pass and the thorough look find, and when)


def _found(text: str, x: float, *, eci: int | None = None, raw: bytes | None = None) -> DecodedCode:
    corners = ((x, 10.0), (x + 100, 10.0), (x + 100, 110.0), (x, 110.0))
    data = text.encode() if raw is None else raw
    return DecodedCode(text=text, format="QRCode", corners=corners, raw=data, decoder="scripted", eci=eci)


@dataclass
class ScriptedDecoder:
    """Live frames return `live` (or the next of `frames`); the thorough look returns `thorough` once
    `release` is set. Records the calls."""

    live: Sequence[DecodedCode] = ()
    thorough: Sequence[DecodedCode] = ()
    frames: list[Sequence[DecodedCode]] = field(default_factory=list)
    fail_thorough: bool = False
    release: threading.Event = field(default_factory=threading.Event)
    looks: list[float] = field(default_factory=list)
    live_calls: int = 0
    path: DecoderPath = DecoderPath.FULL

    def decode_image(self, source: str | bytes, *, budget_ms: float | None = None) -> ScanOutcome:
        raise NotImplementedError

    def decode_frame(self, frame: object, *, budget_ms: float, thorough: bool = False) -> ScanOutcome:
        if thorough:
            self.looks.append(budget_ms)
            assert self.release.wait(10)
            if self.fail_thorough:
                raise UnsupportedFrameError("not a frame")
            return _outcome(self.thorough)
        self.live_calls += 1
        return _outcome(self.frames.pop(0) if self.frames else self.live)


def _offer(session: LiveScanSession) -> LiveUpdate:
    update = session.offer("frame")
    assert update is not None  # one caller at a time: never dropped
    return update


def _outcome(codes: Sequence[DecodedCode]) -> ScanOutcome:
    return ScanOutcome(codes=tuple(codes), elapsed_ms=1.0, width=1000, height=800, brightness=180.0)


def test_completion_waits_for_the_look_which_adds_the_missed_code() -> None:
    decoder = ScriptedDecoder(live=[_found("A", 0)], thorough=[_found("A", 0), _found("B", 500)])
    session = LiveScanSession(decoder, stable_frames=2, thorough_budget_ms=900)
    updates = [session.offer("frame") for _ in range(6)]
    # The live pass keeps its pace while the look runs: every frame is decoded, none completes.
    assert all(u is not None and not u.complete for u in updates)
    assert decoder.live_calls == 6
    assert updates[-1] is not None
    assert updates[-1].hint == scanner.HINT_HOLD_STILL
    assert session.looking
    assert decoder.looks == [900]
    decoder.release.set()
    assert session.wait_for_look(5)
    found = _offer(session)
    assert [c.text for c in found.new_codes] == ["B"]  # announced like any new code
    assert not found.complete  # a changed set has to stay the same again
    first = _offer(session)
    last = _offer(session)
    assert not first.complete
    assert last.complete
    assert last.hint == scanner.HINT_DONE
    assert sorted(c.text for c in last.codes) == ["A", "B"]
    assert decoder.looks == [900]  # the look covered everything since: no second one


def test_a_look_that_finds_nothing_more_lets_the_set_complete() -> None:
    decoder = ScriptedDecoder(live=[_found("A", 0)], thorough=[_found("A", 0)])
    decoder.release.set()
    session = LiveScanSession(decoder, stable_frames=2)
    assert session.offer("frame") is not None
    assert session.wait_for_look(5)
    second = _offer(session)
    third = _offer(session)
    assert not second.complete
    assert third.complete
    assert len(decoder.looks) == 1


def test_a_code_that_comes_into_view_later_gets_its_own_look() -> None:
    decoder = ScriptedDecoder(
        frames=[[_found("A", 0)], [], [_found("A", 0), _found("B", 500)]],
        live=[_found("A", 0), _found("B", 500)],
        thorough=[_found("A", 0)],
    )
    decoder.release.set()
    session = LiveScanSession(decoder, stable_frames=1)
    session.offer("frame")
    assert session.wait_for_look(5)
    empty = _offer(session)  # nothing in view (no look is started on such a frame) ...
    assert empty.complete  # ... but {A} stayed, and the look at a frame with A found nothing more
    session.reset()
    decoder.frames = [[_found("A", 0)], [_found("A", 0), _found("B", 500)]]
    session.offer("frame")
    assert session.wait_for_look(5)
    both = _offer(session)
    assert not both.complete  # B is new: a look has to cover it first
    assert session.wait_for_look(5)
    assert len(decoder.looks) == 3
    done = _offer(session)
    assert done.complete


class Clock:
    """A clock the test moves by hand (the pause between looks is measured with it)."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _candidate(x: float) -> tuple[tuple[float, float], ...]:
    return ((x, 10.0), (x + 100, 10.0), (x + 100, 110.0), (x, 110.0))


def test_frames_without_codes_start_a_look_once_the_pause_has_passed() -> None:
    # A phone without zxing-cpp rarely reads a letter in a live frame; the thorough look does.
    clock = Clock()
    decoder = ScriptedDecoder(live=[], thorough=[_found("A", 0), _found("B", 500)])
    decoder.release.set()
    session = LiveScanSession(decoder, idle_look_interval_ms=1000, clock=clock)
    for _ in range(4):
        assert not _offer(session).complete
    assert decoder.looks == []  # not before the pause
    clock.now += 1.0
    _offer(session)
    assert session.wait_for_look(5)
    assert len(decoder.looks) == 1
    found = _offer(session)
    assert sorted(c.text for c in found.new_codes) == ["A", "B"]
    for _ in range(3):
        last = _offer(session)
    assert last.complete
    assert len(decoder.looks) == 1  # the look covered both codes: no further look


def test_looks_at_frames_without_codes_keep_a_pause_between_them() -> None:
    clock = Clock()
    decoder = ScriptedDecoder(live=[], thorough=[])
    decoder.release.set()
    session = LiveScanSession(decoder, idle_look_interval_ms=1000, clock=clock)
    clock.now += 1.0
    _offer(session)
    assert session.wait_for_look(5)
    for _ in range(5):
        _offer(session)  # the look just ended: no new one yet
    assert len(decoder.looks) == 1
    clock.now += 1.0
    _offer(session)
    assert session.wait_for_look(5)
    assert len(decoder.looks) == 2


@dataclass
class LocatingDecoder(ScriptedDecoder):
    """A scripted decoder whose thorough look also reports symbols it located but could not read."""

    located: Sequence[tuple[tuple[float, float], ...]] = ()
    look_runs_out: bool = False

    def decode_frame(self, frame: object, *, budget_ms: float, thorough: bool = False) -> ScanOutcome:
        outcome = super().decode_frame(frame, budget_ms=budget_ms, thorough=thorough)
        if not thorough:
            return outcome
        return ScanOutcome(
            codes=outcome.codes,
            elapsed_ms=1.0,
            width=1000,
            height=800,
            brightness=180.0,
            candidates=tuple(self.located),  # type: ignore[arg-type]
            exhausted=self.look_runs_out,
        )


def _looks_until_complete(session: LiveScanSession, clock: Clock, frames: int = 40) -> tuple[int, list[str]]:
    """Offer frames (the clock moves 0.5 s each) until complete; the looks it took and the hints seen."""
    hints: list[str] = []
    for _ in range(frames):
        update = _offer(session)
        hints.append(update.hint)
        if update.complete:
            return session.thorough_looks, hints
        session.wait_for_look(5)
        clock.now += 0.5
    raise AssertionError(f"never complete: {hints}")


def test_a_located_but_unread_symbol_holds_back_completion_and_asks_to_move_closer() -> None:
    clock = Clock()
    decoder = LocatingDecoder(
        live=[_found("A", 0)], thorough=[_found("A", 0)], located=[_candidate(0), _candidate(500)]
    )
    decoder.release.set()
    session = LiveScanSession(decoder, stable_frames=2, unread_retries=2, clock=clock)
    _offer(session)
    assert session.wait_for_look(5)
    held = _offer(session)
    # The symbol at A's place is A; the one at x=500 is unread: shown, and "Näher heran".
    assert held.unread == (_candidate(500),)
    assert held.hint == scanner.HINT_MOVE_CLOSER
    assert not held.complete
    looks, hints = _looks_until_complete(session, clock)
    # The first look and two more on newer frames, then the set completes with what was read.
    assert looks == 3
    assert hints[-1] == scanner.HINT_DONE
    assert scanner.HINT_MOVE_CLOSER in hints[:-1]


def test_the_second_code_read_by_a_later_look_completes_the_letter() -> None:
    clock = Clock()
    decoder = LocatingDecoder(live=[_found("A", 0)], thorough=[_found("A", 0)], located=[_candidate(500)])
    decoder.release.set()
    session = LiveScanSession(decoder, stable_frames=1, clock=clock)
    _offer(session)
    assert session.wait_for_look(5)
    assert not _offer(session).complete
    # The resident moved closer: the next look reads the symbol it had only located before.
    decoder.thorough, decoder.located = [_found("A", 0), _found("B", 500)], []
    clock.now += 1.0
    _offer(session)
    assert session.wait_for_look(5)
    update = _offer(session)
    assert [c.text for c in update.new_codes] == ["B"]
    while not update.complete:
        update = _offer(session)
    assert sorted(c.text for c in update.codes) == ["A", "B"]


def test_a_look_that_ran_out_of_time_is_no_proof_that_nothing_is_missing() -> None:
    clock = Clock()
    decoder = LocatingDecoder(live=[_found("A", 0)], thorough=[_found("A", 0)], look_runs_out=True)
    decoder.release.set()
    session = LiveScanSession(decoder, stable_frames=1, unread_retries=1, clock=clock)
    looks, _ = _looks_until_complete(session, clock)
    assert looks == 2
    # A look that finished in time proves it at once.
    decoder.look_runs_out = False
    session.reset()
    looks, _ = _looks_until_complete(session, clock)
    assert looks == 3  # counted over the session: one more


def test_a_look_that_fails_counts_as_finding_nothing() -> None:
    decoder = ScriptedDecoder(live=[_found("A", 0)], fail_thorough=True)
    decoder.release.set()
    session = LiveScanSession(decoder, stable_frames=1)
    session.offer("frame")
    assert session.wait_for_look(5)
    update = _offer(session)
    assert update.complete


def test_reset_forgets_a_running_look() -> None:
    decoder = ScriptedDecoder(live=[_found("A", 0)], thorough=[_found("A", 0), _found("B", 500)])
    session = LiveScanSession(decoder, stable_frames=1)
    session.offer("frame")
    session.reset()
    decoder.live = [_found("C", 0)]
    decoder.release.set()
    time.sleep(0.1)
    update = _offer(session)
    assert [c.text for c in update.codes] == ["C"]  # B from the look before the reset is not reported


def test_text_decoded_with_the_eci_replaces_a_blind_reading_across_frames() -> None:
    raw = "Привет".encode("cp1251")
    blind = _found(raw.decode("iso-8859-1"), 0, raw=raw)
    declared = _found("Привет", 30, eci=22, raw=raw)
    decoder = ScriptedDecoder(frames=[[blind], [declared], [blind]], live=[declared], thorough=[declared])
    decoder.release.set()
    session = LiveScanSession(decoder, stable_frames=2)
    first = _offer(session)
    assert [c.text for c in first.codes] == [blind.text]
    session.wait_for_look(5)
    second = _offer(session)
    assert [c.text for c in second.codes] == ["Привет"]
    third = _offer(session)  # the blind reading again: not a second code
    assert [c.text for c in third.codes] == ["Привет"]
    assert not third.new_codes
