"""The library card: keep the resident's card number and show it as the barcode the terminals read.

The number is validated against the profile (pattern, symbology, check digit) before it is stored, and it
is stored only in a `CardStore` (secure storage on phones, a private file elsewhere), never in the
database or logs. The barcode is drawn fresh each time it is shown.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from leipzig_app.domain.hub_settings import LibrarySettings
from leipzig_app.domain.library import (
    SYMBOLOGIES,
    BarcodeRenderer,
    CardStore,
    check_card_number,
)
from leipzig_app.domain.profile import local_text

CARD_KEY = "library.card_number"


@dataclass(frozen=True)
class CardImage:
    number: str
    symbology_label: str
    png_base64: str


class LibraryCardService:
    def __init__(self, settings: LibrarySettings, store: CardStore, renderer: BarcodeRenderer, city: str):
        self.settings = settings
        self.store = store
        self.renderer = renderer
        self.city = city

    def using(self, store: CardStore) -> LibraryCardService:
        """The same card for another store (the page's secure storage on phones)."""
        return LibraryCardService(self.settings, store, self.renderer, self.city)

    @property
    def _key(self) -> str:
        return f"{CARD_KEY}.{self.city}"

    def hint(self, language: str) -> str:
        return local_text(self.settings.number_hint, language)

    def check(self, raw: str, language: str = "de") -> str:
        """The number as stored and encoded, or `CardNumberError` with the profile's hint."""
        s = self.settings
        return check_card_number(raw, s.symbology, s.number_pattern, self.hint(language))

    async def card_number(self) -> str | None:
        return await self.store.get(self._key)

    async def save(self, raw: str, language: str = "de") -> str:
        number = self.check(raw, language)
        await self.store.set(self._key, number)
        return number

    async def remove(self) -> None:
        await self.store.delete(self._key)

    def image(self, number: str) -> CardImage:
        png = self.renderer.render(number, self.settings.symbology, "png")
        return CardImage(
            number=number,
            symbology_label=SYMBOLOGIES[self.settings.symbology].label,
            png_base64=base64.b64encode(png).decode("ascii"),
        )

    def svg(self, number: str) -> bytes:
        return self.renderer.render(number, self.settings.symbology, "svg")
