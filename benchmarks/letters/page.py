"""An A4 letter from the city with a GiroCode and a signed notice code, rendered as a greyscale image.

The texts are made up but shaped like the real thing: the GiroCode follows EPC069-12 (version 002, UTF-8,
a payee with umlauts and ß), the notice code is ~420 characters of the Base45 alphabet behind a short
prefix, as a CBOR/COSE payload in Base45 would be. Both use error correction level M, as GiroCodes must.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
import qrcode
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFont

BASE45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
#: Rendering resolution of the page (dots per inch) and A4 in millimetres.
DPI = 200
A4_MM = (210.0, 297.0)
PAYEES = [
    "Stadt Leipzig – Amt für Straßenverkehr Süd",
    "Stadtkasse Leipzig, Bußgeldstelle Grünau",
    "Stadt Leipzig – Ordnungsamt Gohlis-Süd",
    "Stadtkasse Leipzig – Gebühren Möckern/Wahren",
]


@dataclass(frozen=True)
class Letter:
    image: NDArray[np.uint8]
    giro_text: str
    notice_text: str
    #: Boxes (x0, y0, x1, y1) of the two codes in page pixels, for occlusion effects.
    giro_box: tuple[int, int, int, int]
    notice_box: tuple[int, int, int, int]


def mm(value: float) -> int:
    return round(value / 25.4 * DPI)


def giro_payload(rng: random.Random) -> str:
    iban_digits = "".join(rng.choice("0123456789") for _ in range(18))
    cents = rng.randrange(500, 50_000)
    reference = "".join(rng.choice("0123456789") for _ in range(12))
    return "\n".join(
        [
            "BCD",
            "002",
            "1",
            "SCT",
            "",
            rng.choice(PAYEES),
            f"DE{rng.randrange(10, 99)}{iban_digits}",
            f"EUR{cents // 100}.{cents % 100:02d}",
            "",
            "",
            f"Kassenzeichen {reference} Verwarngeld",
        ]
    )


def notice_payload(rng: random.Random, length: int = 420) -> str:
    return "LZ1:" + "".join(rng.choice(BASE45) for _ in range(length))


def qr_image(text: str, module_px: int) -> NDArray[np.uint8]:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=module_px, border=4)
    code.add_data(text.encode("utf-8"))
    code.make(fit=True)
    return np.array(code.make_image().get_image().convert("L"), dtype=np.uint8)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in ("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",):
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def render_letter(seed: int, *, giro_mm: float = 32.0, notice_mm: float = 38.0) -> Letter:
    """A letter page with both codes side by side near the bottom, as the notice layout prints them."""
    rng = random.Random(seed)
    width, height = mm(A4_MM[0]), mm(A4_MM[1])
    page = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(page)
    body, small = _font(mm(3.6)), _font(mm(2.8))
    draw.text((mm(25), mm(20)), "Stadt Leipzig · Der Oberbürgermeister", font=body, fill=0)
    draw.text((mm(25), mm(27)), "Ordnungsamt · 04092 Leipzig", font=small, fill=60)
    draw.text(
        (mm(25), mm(50)), "Frau Jana Müller\nKarl-Liebknecht-Straße 12\n04275 Leipzig", font=body, fill=0
    )
    draw.text((mm(25), mm(85)), "Anhörung im Verwarnungsgeldverfahren", font=body, fill=0)
    words = [
        "Sehr",
        "geehrte",
        "Frau",
        "Müller,",
        "Ihnen",
        "wird",
        "vorgeworfen",
        "am",
        "Tag",
        "der",
        "Feststellung",
        "die",
        "zulässige",
    ]
    y = mm(95)
    for _ in range(16):
        line = " ".join(rng.choice(words) for _ in range(rng.randrange(9, 13)))
        draw.text((mm(25), y), line, font=body, fill=0)
        y += mm(6)
    draw.text((mm(25), mm(200)), "Bezahlen mit Banking-App:          Bescheid prüfen:", font=small, fill=0)
    giro_text, notice_text = giro_payload(rng), notice_payload(rng)
    array = np.array(page, dtype=np.uint8)
    giro_box = _paste_code(array, giro_text, x=mm(25), y=mm(206), side_mm=giro_mm)
    notice_box = _paste_code(array, notice_text, x=mm(95), y=mm(206), side_mm=notice_mm)
    return Letter(array, giro_text, notice_text, giro_box, notice_box)


def _paste_code(
    page: NDArray[np.uint8], text: str, *, x: int, y: int, side_mm: float
) -> tuple[int, int, int, int]:
    """Print a code of `side_mm` (quiet zone included) at (x, y), resampled as a printer would."""
    import cv2

    code = qr_image(text, module_px=1)
    side = mm(side_mm)
    printed = cv2.resize(code, (side, side), interpolation=cv2.INTER_AREA)
    page[y : y + side, x : x + side] = printed
    return (x, y, x + side, y + side)
