"""The scanner service: files and bytes, the live-frame budget, dropped frames, collection and hints."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import cv2
import numpy as np
import pytest

from leipzig_app.adapters.decoding import QrDecoder
from leipzig_app.domain.scanning import DecoderPath, ScanOutcome
from leipzig_app.services import scanner
from leipzig_app.services.scanner import LiveScanSession, ScannerService, guidance

from .conftest import encode, on_page, qr_array

GIRO = "BCD\n002\n1\nSCT\n\nStadtkasse Süd\nDE12500105170648489890\nEUR5.00"
NOTICE = "LZ1:" + "ABCDEFGHIJ0123456789 $%*+-./:" * 4


@pytest.fixture(scope="module")
def letter() -> np.ndarray:
    return on_page([qr_array(GIRO, box=4), qr_array(NOTICE, box=4)], size=(800, 600))


def test_scan_file_and_bytes(full_decoder: QrDecoder, tmp_path: Path, letter: np.ndarray) -> None:
    service = ScannerService(full_decoder)
    path = tmp_path / "letter.png"
    path.write_bytes(encode(letter))
    assert sorted(service.scan_file(str(path)).texts) == sorted([GIRO, NOTICE])
    assert sorted(service.scan_bytes(encode(letter, ".jpg")).texts) == sorted([GIRO, NOTICE])
    assert service.decoder_path == "full"


async def test_async_scans_run_off_the_event_loop(
    full_decoder: QrDecoder, letter: np.ndarray, tmp_path: Path
) -> None:
    service = ScannerService(full_decoder)
    path = tmp_path / "letter.webp"
    path.write_bytes(encode(letter, ".webp"))
    from_file, from_bytes = await asyncio.gather(
        service.scan_file_async(str(path)), service.scan_bytes_async(encode(letter))
    )
    assert sorted(from_file.texts) == sorted(from_bytes.texts) == sorted([GIRO, NOTICE])


@pytest.mark.parametrize("use_zxing", [True, False], ids=["full", "portable"])
def test_live_frame_stays_within_its_budget(use_zxing: bool) -> None:
    decoder = QrDecoder(use_zxing=use_zxing)
    # A 1080p frame of fine texture (a carpet, a sweater): nothing to find, only the budget ends the search.
    noise = np.random.default_rng(7).integers(0, 255, (1080, 1920), dtype=np.uint8)
    frame = cv2.GaussianBlur(noise, (0, 0), 2)
    first_only = decoder.decode_frame(frame, budget_ms=0.001)  # only the first step, which always runs
    assert len(first_only.decoders_tried) == 1
    outcome = decoder.decode_frame(frame, budget_ms=60)
    assert outcome.codes == ()
    assert outcome.exhausted
    assert (outcome.width, outcome.height) == (1920, 1080)
    # The first step cannot be interrupted (the portable path starts with zbar, slow on texture); after
    # it, no step starts unless it is expected to fit. Slack for a busy test machine: one more step.
    assert outcome.elapsed_ms < max(60.0, first_only.elapsed_ms) + 2 * first_only.elapsed_ms + 20
    longer = decoder.decode_frame(frame, budget_ms=1000)
    assert len(longer.decoders_tried) > len(outcome.decoders_tried)


def test_live_frame_accepts_colour_arrays_and_jpeg_bytes(full_decoder: QrDecoder, letter: np.ndarray) -> None:
    bgr = cv2.cvtColor(letter, cv2.COLOR_GRAY2BGR)
    bgra = cv2.cvtColor(letter, cv2.COLOR_GRAY2BGRA)
    for frame in (bgr, bgra, encode(letter, ".jpg"), letter.astype(np.float32)):
        assert sorted(full_decoder.decode_frame(frame, budget_ms=200).texts) == sorted([GIRO, NOTICE])


def test_session_collects_codes_across_frames_until_stable(full_decoder: QrDecoder) -> None:
    giro_only = on_page([qr_array(GIRO, box=4)], size=(800, 600))
    both = on_page([qr_array(GIRO, box=4), qr_array(NOTICE, box=4)], size=(800, 600))
    empty = np.full((600, 800), 230, dtype=np.uint8)
    session = ScannerService(full_decoder).live_session(stable_frames=2)

    first = session.offer(giro_only)
    assert first is not None
    assert [c.text for c in first.new_codes] == [GIRO]
    assert not first.complete
    assert first.hint == scanner.HINT_HOLD_STILL
    second = session.offer(empty)  # the code left the frame for a moment: it stays collected
    assert second is not None
    assert [c.text for c in second.codes] == [GIRO]
    assert not second.new_codes
    third = session.offer(both)
    assert third is not None
    assert [c.text for c in third.new_codes] == [NOTICE]
    assert not third.complete
    # The set is complete once it has stayed the same and a thorough look at a frame showing both codes
    # found nothing more. The look at the first frame may still run when the second code appears; the
    # next one starts once it is done, and the camera keeps delivering frames meanwhile.
    last = third
    for _ in range(10):
        assert session.wait_for_look(10)
        update = session.offer(both)
        assert update is not None
        last = update
        if last.complete:
            break
    assert last.complete
    assert 1 <= session.thorough_looks <= 3
    assert last.hint == scanner.HINT_DONE
    assert sorted(c.text for c in session.codes) == sorted([GIRO, NOTICE])
    assert session.complete
    session.reset()
    assert session.codes == ()
    assert not session.complete


class _SlowDecoder:
    """A decoder that blocks until released, to observe frame dropping deterministically."""

    path = DecoderPath.PORTABLE

    def __init__(self) -> None:
        self.started = threading.Event()
        self.release = threading.Event()
        self.calls = 0

    def decode_image(self, source: str | bytes, *, budget_ms: float | None = None) -> ScanOutcome:
        raise NotImplementedError

    def decode_frame(self, frame: object, *, budget_ms: float, thorough: bool = False) -> ScanOutcome:
        self.calls += 1
        self.started.set()
        assert self.release.wait(5)
        return ScanOutcome(codes=(), elapsed_ms=1.0, width=10, height=10, brightness=200.0)


def test_frames_arriving_while_busy_are_dropped_not_queued() -> None:
    slow = _SlowDecoder()
    session = LiveScanSession(slow)
    worker = threading.Thread(target=session.offer, args=("frame-1",))
    worker.start()
    assert slow.started.wait(5)
    assert session.offer("frame-2") is None
    assert session.offer("frame-3") is None
    slow.release.set()
    worker.join(5)
    assert (slow.calls, session.frames_decoded, session.frames_dropped) == (1, 1, 2)
    assert session.offer("frame-4") is not None


async def test_async_offers_while_busy_are_dropped() -> None:
    slow = _SlowDecoder()
    session = LiveScanSession(slow)
    running = asyncio.create_task(session.offer_async("frame-1"))
    await asyncio.to_thread(slow.started.wait, 5)
    assert await session.offer_async("frame-2") is None
    slow.release.set()
    assert await running is not None
    assert session.frames_dropped == 1


def _outcome(**kwargs: object) -> ScanOutcome:
    base: dict[str, object] = {
        "codes": (),
        "elapsed_ms": 1.0,
        "width": 1000,
        "height": 800,
        "brightness": 150.0,
    }
    base.update(kwargs)
    return ScanOutcome(**base)  # type: ignore[arg-type]


def test_hints() -> None:
    small = ((10.0, 10.0), (60.0, 10.0), (60.0, 60.0), (10.0, 60.0))
    large = ((10.0, 10.0), (400.0, 10.0), (400.0, 400.0), (10.0, 400.0))
    assert guidance(_outcome()) == scanner.HINT_HOLD_IN_FRAME
    assert guidance(_outcome(brightness=30.0)) == scanner.HINT_MORE_LIGHT
    assert guidance(_outcome(candidates=(small,))) == scanner.HINT_MOVE_CLOSER
    assert guidance(_outcome(candidates=(large,))) == scanner.HINT_HOLD_IN_FRAME
    assert guidance(_outcome(), collected=True) == scanner.HINT_HOLD_STILL
    assert guidance(_outcome(), collected=True, complete=True) == scanner.HINT_DONE


def _far_frame(width: int) -> np.ndarray:
    """A frame with the notice code far away: the page (800 px wide) shown `width` px wide."""
    far = cv2.resize(
        on_page([qr_array(NOTICE, box=4)], size=(800, 600)),
        (width, width * 3 // 4),
        interpolation=cv2.INTER_AREA,
    )
    frame = np.full((1080, 1440), 255, dtype=np.uint8)
    frame[400 : 400 + far.shape[0], 600 : 600 + far.shape[1]] = far
    return frame


def test_hints_from_real_frames(full_decoder: QrDecoder) -> None:
    session = ScannerService(full_decoder).live_session()
    rng = np.random.default_rng(1)
    dark = cv2.GaussianBlur(rng.integers(0, 40, (480, 640), dtype=np.uint8), (0, 0), 3)
    update = session.offer(dark)
    assert update is not None
    assert update.hint == scanner.HINT_MORE_LIGHT
    update = session.offer(_far_frame(240))  # located, but its modules are too small to read
    assert update is not None
    assert update.hint == scanner.HINT_MOVE_CLOSER, (update.outcome.candidates, update.outcome.texts)


def test_a_small_located_code_is_read_from_a_sharpened_crop(full_decoder: QrDecoder) -> None:
    # A little larger (about 1.3 px per module in the frame): located but unread in the frame itself, read
    # from the crop around it once sharpened, within a live frame's steps.
    outcome = full_decoder.decode_frame(_far_frame(260), budget_ms=500)
    assert outcome.texts == (NOTICE,)
    assert outcome.codes[0].decoder == "zxing+crop480+sharpen"


def test_invalid_session_settings() -> None:
    with pytest.raises(ValueError, match="stable_frames"):
        LiveScanSession(_SlowDecoder(), stable_frames=0)
