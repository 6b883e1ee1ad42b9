"""Library cards: which barcode symbologies the app can show, and whether a card number fits one.

Self-service terminals in German public libraries read one-dimensional barcodes; which one depends on the
library (Codabar and Code 39 are common on older cards, Code 128 on newer ones, EAN-13 on some). The city
profile names the symbology; the resident types the number printed on the card. A number is checked twice:
against the profile's pattern (what this library's numbers look like) and against what the symbology can
encode at all, so the app never draws a barcode the terminal cannot read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from leipzig_app.domain.errors import AppError


@dataclass(frozen=True)
class Symbology:
    id: str
    #: What a number must look like to be encodable (also the default `number_pattern`).
    pattern: str
    #: The name zxing-cpp and most scanner documentation use.
    label: str


SYMBOLOGIES: dict[str, Symbology] = {
    "codabar": Symbology("codabar", r"^[A-Da-d]?[0-9$:/.+-]{4,30}[A-Da-d]?$", "Codabar"),
    "code39": Symbology("code39", r"^[0-9A-Z .$/+%-]{1,40}$", "Code 39"),
    "code128": Symbology("code128", r"^[\x20-\x7e]{1,48}$", "Code 128"),
    "ean13": Symbology("ean13", r"^[0-9]{12,13}$", "EAN-13"),
    "ean8": Symbology("ean8", r"^[0-9]{7,8}$", "EAN-8"),
    "itf": Symbology("itf", r"^(?:[0-9]{2}){2,20}$", "ITF"),
}


class CardNumberError(AppError):
    """The card number does not fit this library's cards; `params["hint"]` says what fits."""

    key = "hub.library.invalid"


def normalise_card_number(raw: str) -> str:
    """Spaces and line breaks are typing aids, never part of a card number."""
    return "".join(raw.split())


def gtin_check_digit(digits: str) -> int:
    """The GS1 check digit (EAN-8, EAN-13): weights 3 and 1 from the right."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return (10 - total % 10) % 10


def check_card_number(raw: str, symbology: str, number_pattern: str, hint: str = "") -> str:
    """The number as it will be encoded, or `CardNumberError` saying why it cannot be."""
    number = normalise_card_number(raw)
    if symbology == "code39":
        number = number.upper()
    spec = SYMBOLOGIES.get(symbology)
    if spec is None:
        raise CardNumberError(f"unknown symbology {symbology}", params={"hint": hint})
    if not number:
        raise CardNumberError("no card number given", key="hub.library.empty", params={"hint": hint})
    if not re.fullmatch(number_pattern, number) or not re.fullmatch(spec.pattern, number):
        raise CardNumberError(f"'{number}' does not fit {spec.label}", params={"hint": hint})
    length = {"ean13": 13, "ean8": 8}.get(symbology)
    if length is not None and len(number) == length and int(number[-1]) != gtin_check_digit(number[:-1]):
        raise CardNumberError(
            f"check digit of '{number}' is wrong", key="hub.library.check_digit", params={"hint": hint}
        )
    return number


class CardStore(Protocol):
    """Where the card number is kept: the platform's secure storage on phones, a 0600 file elsewhere."""

    async def get(self, name: str) -> str | None: ...

    async def set(self, name: str, value: str) -> None: ...

    async def delete(self, name: str) -> None: ...


class BarcodeRenderer(Protocol):
    def render(self, number: str, symbology: str, image_format: str = "png") -> bytes: ...
