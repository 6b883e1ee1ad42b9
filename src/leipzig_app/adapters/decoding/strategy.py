"""The decoding strategy: which decoder looks at which variant of the image, in what order.

1. First look: the strongest decoder on the image (zxing-cpp on the full path, zbar on the portable one).
2. Second look: the other decoders, and another scale (half size for large photos, double for small
   ones). A letter has two codes and one decoder often reads only one, so stills always get this look.
3. Stills only: regions that look like a code where no decoder located one (`locate.py`: blur and tiny
   modules hide a symbol's finder patterns from the decoders, not its texture), each tried in a crop,
   sharpened and, for a smeared photo, deconvolved. These steps run even when everything located was
   read, since such a code was never located.
4. Rescue, only while something is unread: crops around symbols that were located but not read (also
   deconvolved), a flattened copy of bent paper, a preprocessing ladder (median, smoothing, sharpening,
   CLAHE, local thresholds), and OpenCV's curved-surface decoder on crops and perspective-rectified copies.

zbar and OpenCV slow down steeply with size, so on large photos they only see reduced copies. The engine
(`engine.py`) runs these steps within the time it has.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from leipzig_app.adapters.decoding import backends, grid, locate, variants, zbar
from leipzig_app.adapters.decoding.variants import Variant
from leipzig_app.domain.scanning import DecodedCode, Quad, same_place

if TYPE_CHECKING:
    from numpy.typing import NDArray

# A decoder: variant image in, (codes read, quads located but unread) out.
Reader = Callable[["NDArray[Any]"], tuple[list[DecodedCode], list[Quad]]]


FIRST_LOOK, SECOND_LOOK, RESCUE = 1, 2, 3
#: zbar and OpenCV slow down steeply with size; above this they only see reduced copies.
SLOW_DECODER_MAX_PIXELS = 4_000_000
SLOW_DECODERS = frozenset({"zbar", "opencv", "opencv-curved"})


@dataclass(frozen=True)
class Step:
    """One decoder on one image variant; `phase` decides whether it runs once codes have been read.

    `finds_hints`: what the step locates are regions that only look like codes (hints), not symbols a
    decoder located. `region`: the hint region the step works on; it is skipped once a code read there
    accounts for it, and runs even when every located symbol has been read.
    """

    phase: int
    name: str
    variant: Callable[[], Variant | None]
    reader: Reader
    finds_hints: bool = False
    region: Quad | None = None


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
        label = second.label if first.label == "plain" else f"{first.label}+{second.label}"
        if first.warp is not None or second.warp is not None:
            outer, inner = first, second
            return Variant(
                second.gray, label, warp=lambda x, y: outer.point_to_original(*inner.point_to_original(x, y))
            )
        scale = first.scale * second.scale
        offset = (
            second.offset[0] / first.scale + first.offset[0],
            second.offset[1] / first.scale + first.offset[1],
        )
        return Variant(second.gray, label, scale=scale, offset=offset)

    return build


class Lazy:
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


def distinct(candidates: list[Quad]) -> list[Quad]:
    """One region per located symbol, in the order found: the first look on the unaltered image locates
    a symbol most faithfully; later variants add regions it missed."""
    kept: list[Quad] = []
    for quad in candidates:
        if not any(covers(k, quad) or covers(quad, k) for k in kept):
            kept.append(quad)
    return kept


def _tiler(index: int) -> Callable[[NDArray[Any]], Variant | None]:
    return lambda gray: variants.tile(gray, index)


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


def _locate(gray: NDArray[Any]) -> tuple[list[DecodedCode], list[Quad]]:
    return [], locate.code_like_regions(gray)


#: Motion-blur vectors tried per region (the cepstrum's strongest candidates).
SMEAR_GUESSES = 2


def _deblur_steps(
    quad: Quad, gray: NDArray[Any], readers: list[tuple[str, Reader]], region: Quad | None
) -> Iterator[Step]:
    """The region deconvolved with each likely motion-blur vector (estimated once, on first use)."""

    @cache
    def analysis() -> tuple[Variant, list[tuple[float, float]]] | None:
        crop = variants.native_crop(gray, quad)
        return None if crop is None else (crop, variants.smears(crop.gray, SMEAR_GUESSES))

    def maker(index: int) -> Callable[[NDArray[Any]], Variant | None]:
        def make(_gray: NDArray[Any]) -> Variant | None:
            found = analysis()
            if found is None or index >= len(found[1]):
                return None
            return variants.deblurred(found[0], found[1][index])

        return make

    for index in range(SMEAR_GUESSES):
        restored = Lazy(maker(index), gray)
        for name, reader in readers:
            yield Step(RESCUE, name, restored.get, reader, region=region)


def _region_steps(
    quad: Quad, gray: NDArray[Any], readers: list[tuple[str, Reader]], region: Quad | None
) -> Iterator[Step]:
    """A located but unread symbol (`region` None) or a hint region (`region` = `quad`): a crop enlarged
    to a fixed size, OpenCV's curved-surface decoder on it (located symbols only: it is slow), the crop
    sharpened (defocus), the crop deconvolved where it is smeared (motion), and the symbol read module by
    module with the hidden parts as erasures (a thumb, a sticker)."""
    crop = Lazy(_crop_maker(quad, variants.CROP_SIDE, None), gray)
    for name, reader in readers:
        yield Step(RESCUE, name, crop.get, reader, region=region)
    if region is None:
        yield Step(RESCUE, "opencv-curved", crop.get, _curved)
    sharpened = Lazy(_crop_maker(quad, variants.CROP_SIDE, variants.sharpen), gray)
    for name, reader in readers:
        yield Step(RESCUE, name, sharpened.get, reader, region=region)
    yield from _deblur_steps(quad, gray, readers, region)
    native = Lazy(lambda image: variants.native_crop(image, quad), gray)
    yield Step(RESCUE, "modules", native.get, _module_reader(readers[0][1]), region=region)


def _module_reader(decode: Reader) -> Reader:
    """The symbol read module by module with hidden parts as erasures (`grid.py`); `decode` (the
    strongest decoder) reads the symbol redrawn from the corrected codewords."""

    def read(gray: NDArray[Any]) -> tuple[list[DecodedCode], list[Quad]]:
        return grid.read(gray, lambda image: decode(image)[0]), []

    return read


def covers(code: Quad, candidate: Quad) -> bool:
    """Whether a read code accounts for a located region (same place, or the region lies inside the code)."""
    if same_place(code, candidate):
        return True
    cx = sum(p[0] for p in candidate) / 4.0
    cy = sum(p[1] for p in candidate) / 4.0
    xs = [p[0] for p in code]
    ys = [p[1] for p in code]
    return min(xs) <= cx <= max(xs) and min(ys) <= cy <= max(ys)


def plan(
    gray: NDArray[Any],
    open_candidates: Callable[[], list[Quad]],
    readers: list[tuple[str, Reader]],
    zxing: bool,
    open_hints: Callable[[], list[Quad]] | None = None,
) -> Iterator[Step]:
    """The steps for one image, lazily, so that crops see the regions located by earlier steps.

    `open_hints` (stills): the code-like regions found so far that no code read accounts for; without it
    no such regions are looked for.
    """
    whole = variants.plain(gray)
    large = gray.size > SLOW_DECODER_MAX_PIXELS
    # Large photos are searched again at half size: blur and sensor noise average out, and the
    # preprocessing ladder runs four times faster there.
    base = Lazy(variants.halve, gray) if large else Lazy(variants.plain, gray)

    # 1. First look.
    first_name, first_reader = readers[0]
    first_on_base = large and first_name in SLOW_DECODERS
    yield Step(FIRST_LOOK, first_name, base.get if first_on_base else _fixed(whole), first_reader)
    # 2. Second look with other decoders and scales: a letter has two codes, and the first decoder may
    #    have read only one. Stills always get it; frames only while nothing is read.
    for name, reader in readers[1:]:
        yield Step(SECOND_LOOK, name, _fixed(whole), reader)
    if large:
        for name, reader in readers:
            yield Step(SECOND_LOOK, name, base.get, reader)
        yield from _hints(gray, readers, open_hints)
        # Small modules in a large photo vanish at half size, and zbar and OpenCV cannot take the whole
        # photo: they read it in overlapping tiles at full resolution. With zxing-cpp this is a rescue.
        phase = RESCUE if zxing else SECOND_LOOK
        for index in range(4):
            tile = Lazy(_tiler(index), gray)
            for name, reader in readers:
                if name in SLOW_DECODERS:
                    yield Step(phase, name, tile.get, reader)
    else:
        upscaled = Lazy(variants.upscale, gray)
        yield Step(SECOND_LOOK, readers[0][0], upscaled.get, readers[0][1])
    if zxing:
        yield Step(SECOND_LOOK, "zxing-global", base.get, _zxing_global)
    if not large:
        yield from _hints(gray, readers, open_hints)
    # 4. Crops around located but unread symbols.
    for quad in distinct(open_candidates())[:3]:
        yield from _region_steps(quad, gray, readers, None)
    # Paper bent along a curve: flatten the sheet the symbol is printed on along its outline.
    for quad in distinct(open_candidates())[:2]:
        flat = Lazy(_flattener(quad, 300), gray)
        for name, reader in readers:
            yield Step(RESCUE, name, flat.get, reader)
    # The preprocessing ladder.
    makers: tuple[Callable[[NDArray[Any]], Variant | None], ...] = (
        variants.median,
        variants.smooth,
        variants.sharpen,
        variants.clahe,
        lambda g: variants.local_threshold(g, 25),
        lambda g: variants.local_threshold(g, 41),
    )
    for make in makers:
        derived = Lazy(_derive(base.get, make), gray)
        for name, reader in readers:
            yield Step(RESCUE, name, derived.get, reader)
        if zxing:
            yield Step(RESCUE, "zxing-global", derived.get, _zxing_global)
    if not large:
        upscaled = Lazy(variants.upscale, gray)
        for name, reader in readers[1:]:
            yield Step(RESCUE, name, upscaled.get, reader)
    # OpenCV's decoder for bent paper, and OpenCV's multi-code detector last on the full path.
    for make in (variants.plain, variants.clahe):
        yield Step(RESCUE, "opencv-curved", Lazy(_derive(base.get, make), gray).get, _curved)
    # Paper bent around a curve defeats grid sampling; OpenCV's curved decoder is the only one that
    # models it, and it is sensitive to scale and binarisation, so unread regions get a small sweep.
    for quad in distinct(open_candidates())[:2]:
        for side in (200, 300):
            rectified = Lazy(_rectifier(quad, side), gray)
            yield Step(RESCUE, "opencv-curved", rectified.get, _curved)
            yield Step(RESCUE, readers[0][0], rectified.get, readers[0][1])
            binarized = Lazy(_derive(rectified.get, variants.otsu), gray)
            yield Step(RESCUE, "opencv-curved", binarized.get, _curved)
        for side in (360, 640):
            for finish in (None, variants.otsu, variants.median):
                make_crop = _crop_maker(quad, side, finish)
                yield Step(RESCUE, "opencv-curved", Lazy(make_crop, gray).get, _curved)
    if zxing:
        yield Step(RESCUE, "opencv", base.get, _opencv)


def warm_up_steps(gray: NDArray[Any]) -> tuple[list[DecodedCode], list[Quad]]:
    """Runs the region search and a deconvolution once, so that their first use costs no loading."""
    _locate(gray)
    side = min(gray.shape[:2])
    corner = (float(side - 1), float(side - 1))
    crop = variants.native_crop(gray, ((0.0, 0.0), (corner[0], 0.0), corner, (0.0, corner[1])))
    if crop is not None:
        for smear in variants.smears(crop.gray, 1):
            variants.deblurred(crop, smear)
    return [], []


def _hints(
    gray: NDArray[Any], readers: list[tuple[str, Reader]], open_hints: Callable[[], list[Quad]] | None
) -> Iterator[Step]:
    """3. Regions that look like codes (stills only), and the steps for those no code accounts for."""
    if open_hints is None:
        return
    yield Step(SECOND_LOOK, "locate", _fixed(variants.plain(gray)), _locate, finds_hints=True)
    for quad in open_hints():
        yield from _region_steps(quad, gray, readers, quad)


def readers_for(*, zxing: bool, use_zbar: bool) -> list[tuple[str, Reader]]:
    """The decoders for the whole-image looks, strongest first."""
    readers: list[tuple[str, Reader]] = []
    if zxing:
        readers.append(("zxing", _zxing_local))
    if use_zbar:
        readers.append(("zbar", _zbar))
    if not zxing:
        # Without zxing-cpp, OpenCV is the only decoder that also reports unread symbols.
        readers.append(("opencv", _opencv))
    return readers
