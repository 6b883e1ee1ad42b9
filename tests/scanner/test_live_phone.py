"""Live scanning of a letter at phone resolutions, on the real decoders, through the real session.

A phone's camera stream delivers 720p or 1080p frames; a letter held in front of it fills most of the
frame's width. Phones have no zxing-cpp (the portable path): there the live pass alone rarely reads a
whole letter, and the session's thorough looks, which start also while nothing has been read yet, must
collect both codes. Frames are generated from the project's own demo letter (`leipzig-app notice issue`)
with a hand-held tilt, optics, noise and JPEG (`phone_letter.py`).
"""

from __future__ import annotations

import time

import pytest
from benchmarks.letters.phone import phone_frame

from leipzig_app.adapters.decoding import QrDecoder
from leipzig_app.services import scanner
from leipzig_app.services.scanner import LiveScanSession, LiveUpdate, ScannerService

from .phone_letter import PrintedLetter, issue_letter

PORTRAIT_720P = (720, 1280)
PORTRAIT_1080P = (1080, 1920)


@pytest.fixture(scope="module")
def letter(tmp_path_factory: pytest.TempPathFactory) -> PrintedLetter:
    return issue_letter(tmp_path_factory.mktemp("phone-letter"))


def scan_until_complete(session: LiveScanSession, frames: list[bytes], seconds: float = 90.0) -> LiveUpdate:
    """Offer the frames in turn like a camera on a letter held by hand, until the session completes (the
    limit only ends a test that would otherwise never end)."""
    deadline = time.monotonic() + seconds
    count = 0
    while time.monotonic() < deadline:
        update = session.offer(frames[count % len(frames)])
        assert update is not None  # one caller at a time: never dropped
        count += 1
        if update.complete:
            return update
        time.sleep(0.03)
    raise AssertionError(f"not complete after {count} frames: {[c.text[:12] for c in session.codes]}")


@pytest.mark.parametrize("share", [0.95, 0.8])
def test_a_phone_without_zxing_collects_both_codes_of_a_letter(
    portable_decoder: QrDecoder, letter: PrintedLetter, share: float
) -> None:
    frames = [phone_frame(letter.page, PORTRAIT_1080P, share, seed) for seed in range(3)]
    session = ScannerService(portable_decoder).live_session()
    done = scan_until_complete(session, frames)
    assert {code.text for code in done.codes} == letter.texts
    assert done.hint == scanner.HINT_DONE


@pytest.mark.parametrize(
    ("size", "share"), [(PORTRAIT_720P, 0.95), (PORTRAIT_720P, 0.65), (PORTRAIT_1080P, 0.65)]
)
def test_the_full_path_collects_both_codes_of_a_letter(
    full_decoder: QrDecoder, letter: PrintedLetter, size: tuple[int, int], share: float
) -> None:
    frames = [phone_frame(letter.page, size, share, seed) for seed in range(3)]
    session = ScannerService(full_decoder).live_session()
    done = scan_until_complete(session, frames)
    assert {code.text for code in done.codes} == letter.texts


def test_a_letter_too_far_away_on_a_phone_asks_to_move_closer(
    portable_decoder: QrDecoder, letter: PrintedLetter
) -> None:
    # At 55 % of a 720p frame's width the notice code has under 2 px per module: OpenCV locates it, no
    # decoder reads it. The live pass on the portable path locates nothing itself; the thorough look does.
    # Its budget is generous here so that a loaded test machine still lets every decoder run.
    frame = phone_frame(letter.page, PORTRAIT_720P, 0.55, 0)
    now = [0.0]  # a clock moved by hand: one look, started by the first frame, and no second one
    session = LiveScanSession(portable_decoder, thorough_budget_ms=8000, clock=lambda: now[0])
    now[0] += scanner.IDLE_LOOK_INTERVAL_MS / 1000.0
    first = session.offer(frame)
    assert first is not None
    assert first.codes == ()
    assert session.wait_for_look(60)
    update = session.offer(frame)
    assert update is not None
    assert update.unread  # the outline of the located symbol is drawn
    assert update.hint == scanner.HINT_MOVE_CLOSER
    assert not update.complete
    assert not session.looking  # nothing left running behind the test
