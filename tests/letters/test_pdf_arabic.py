"""Arabic notes in the objection letter PDF: shaped, right to left and right-aligned in Noto Sans Arabic
where text shaping (uharfbuzz) is available, German notes where it is not.

The PDF is read back with pypdfium2: the text in reading order, the box of every character and the font
it is drawn with; the embedded Noto Sans Arabic subset is opened with fontTools. Shaped Arabic uses the
font's joined letter forms (initial, medial, final: glyphs named after the Arabic presentation forms),
which text set without shaping never does.
"""

from __future__ import annotations

import ctypes
import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from fontTools.ttLib import TTFont
from tests.letters.conftest import demo_notice, sign
from tests.letters.test_pdf import LETTER

from leipzig_app.adapters import objection_pdf
from leipzig_app.adapters.objection_pdf import ObjectionLetterPdf
from leipzig_app.domain.letters import PrintedLetter
from leipzig_app.i18n import Translator
from leipzig_app.services.notice_letters import format_day
from leipzig_app.services.notices import NoticesService

# scripts/setup installs all three; only a hand-made environment may lack them (never CI).
needs_shaping = pytest.mark.skipif(
    not ObjectionLetterPdf().supports_rtl and not os.environ.get("CI"),
    reason="uharfbuzz, DejaVu Sans or Noto Sans Arabic missing",
)

MM = 72 / 25.4
RIGHT_EDGE = (210 - 20 - 1) * MM  # A4, right margin 20 mm, cell padding 1 mm, in PDF points


def arabic_notes(letter: PrintedLetter = LETTER) -> PrintedLetter:
    """The German test letter with the notes of the Arabic catalog."""
    t = Translator("ar")
    day, deadline = format_day(date(2026, 12, 10), "ar"), format_day(date(2026, 12, 14), "ar")
    return replace(
        letter,
        notes_title=t("notices.pdf.notes_title"),
        notes=(
            t("notices.pdf.note_sign"),
            t("notices.pdf.note_post_by", day=day, deadline=deadline),
            t("notices.pdf.note_in_person"),
            t("notices.pdf.note_payment"),
            t("notices.pdf.note_copy"),
        ),
    )


@dataclass(frozen=True)
class Glyph:
    char: str
    left: float
    right: float
    bottom: float
    font: str


@dataclass(frozen=True)
class Page:
    text: str
    glyphs: tuple[Glyph, ...]
    arabic_glyph_names: frozenset[str]

    def word(self, word: str) -> tuple[Glyph, ...]:
        """The glyphs of the first occurrence of `word` in reading order."""
        chars = "".join(g.char for g in self.glyphs)
        start = chars.find(word)
        assert start >= 0, f"{word!r} not on the page"
        return self.glyphs[start : start + len(word)]


@contextmanager
def _opened(pdf: bytes) -> Iterator[Any]:
    document = pdfium.PdfDocument(pdf)
    try:
        yield document
    finally:
        document.close()


def _font_name(textpage: Any, index: int) -> str:
    size = pdfium_c.FPDFText_GetFontInfo(textpage, index, None, 0, None)
    buffer = ctypes.create_string_buffer(size)
    pdfium_c.FPDFText_GetFontInfo(textpage, index, buffer, size, None)
    return buffer.value.decode("ascii").split("+")[-1]  # without the subset tag ("MPDFAA+")


def _glyph_names(textpage: Any, index: int) -> frozenset[str]:
    """The glyph names of the embedded font the character at `index` is drawn with."""
    font = pdfium_c.FPDFTextObj_GetFont(pdfium_c.FPDFText_GetTextObject(textpage, index))
    size = ctypes.c_size_t()
    pdfium_c.FPDFFont_GetFontData(font, None, 0, ctypes.byref(size))
    data = (ctypes.c_uint8 * size.value)()
    assert pdfium_c.FPDFFont_GetFontData(font, data, size.value, ctypes.byref(size))
    return frozenset(TTFont(io.BytesIO(bytes(data))).getGlyphOrder())


def read_page(pdf: bytes, number: int) -> Page:
    with _opened(pdf) as document:
        page = document[number]
        textpage = page.get_textpage()
        try:
            glyphs, names = [], frozenset[str]()
            for index in range(textpage.count_chars()):
                left, bottom, right, _top = textpage.get_charbox(index)
                font = _font_name(textpage.raw, index)
                glyphs.append(
                    Glyph(chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, index)), left, right, bottom, font)
                )
                if not names and font == "NotoSansArabic":
                    names = _glyph_names(textpage.raw, index)
            return Page(textpage.get_text_range(), tuple(glyphs), names)
        finally:
            textpage.close()
            page.close()


def page_count(pdf: bytes) -> int:
    with _opened(pdf) as document:
        return len(document)


def is_arabic_letter(char: str) -> bool:
    return "\u0621" <= char <= "\u064a"


@needs_shaping
def test_arabic_notes_are_set_in_noto_sans_arabic_and_read_right_to_left() -> None:
    pdf = ObjectionLetterPdf(compress=False).render(arabic_notes())
    assert page_count(pdf) == 2
    notes = read_page(pdf, 1)
    # Text extraction gives the logical Arabic words back (words without lam-alef ligatures).
    for words in ("اطبع الصفحة", "أرسل الرسالة بالبريد", "احتفظ بنسخة", "VwGO", "80"):
        assert words in notes.text, words
    arabic = [g for g in notes.glyphs if is_arabic_letter(g.char)]
    assert len(arabic) > 200
    assert {g.font for g in arabic} == {"NotoSansArabic"}
    # Noto Sans Arabic has no Latin letters and no §: DejaVu Sans sets them, left to right.
    latin = notes.word("VwGO")
    assert {g.font for g in (*latin, *notes.word("§"))} == {"DejaVuSansBook"}
    assert [g.left for g in latin] == sorted(g.left for g in latin)
    # Each Arabic word runs from right to left.
    for word in ("الرسالة", "بالبريد", "بنسخة"):
        lefts = [g.left for g in notes.word(word)]
        assert lefts == sorted(lefts, reverse=True), word


@needs_shaping
def test_arabic_paragraphs_are_right_aligned() -> None:
    notes = read_page(ObjectionLetterPdf(compress=False).render(arabic_notes()), 1)
    title = notes.word(Translator("ar")("notices.pdf.notes_title").split(":")[0])
    assert max(g.right for g in title) == pytest.approx(RIGHT_EDGE, abs=1.5)
    assert min(g.left for g in title) > 105 * MM  # a short title stays in the right half
    for note in ("اطبع", "أرسل", "يمكنك", "احتفظ"):  # the first words of notes 1, 2, 3 and 5
        first = notes.word(note)[0]  # its first letter: right of it only the number of the note
        assert first.right > RIGHT_EDGE - 30, note


@needs_shaping
def test_shaped_arabic_uses_the_joined_letter_forms() -> None:
    notes = read_page(ObjectionLetterPdf(compress=False).render(arabic_notes()), 1)
    # Glyphs Noto Sans Arabic names after the presentation forms U+FE70-U+FEFC: joined letter shapes.
    joined = {n for n in notes.arabic_glyph_names if n.startswith("uniFE") and "uniFE70" <= n <= "uniFEFC"}
    assert len(joined) > 20
    assert "uniFE91" in joined  # beh, initial form: the first letter of بالبريد
    assert "uniFEDF" in joined  # lam, initial form: the first letter of لك
    assert "uniFEFB" in joined  # the lam-alef ligature of لا


@needs_shaping
def test_the_german_letter_stays_in_dejavu_sans_next_to_arabic_notes() -> None:
    pdf = ObjectionLetterPdf(compress=False).render(arabic_notes())
    letter = read_page(pdf, 0)
    for expected in ("Jörg Müller", "Otto-Schill-Straße 2", "Straßenreinigung", "– Aktenzeichen"):
        assert expected in letter.text, expected
    fonts = {g.font for g in letter.glyphs if g.char.strip()}
    assert fonts == {"DejaVuSansBook", "DejaVuSansBold"}


@needs_shaping
def test_a_letter_without_arabic_embeds_no_arabic_font() -> None:
    pdf = ObjectionLetterPdf(compress=False).render(LETTER)
    assert b"DejaVuSans" in pdf
    assert b"NotoSansArabic" not in pdf


@needs_shaping
def test_a_name_in_arabic_script_on_the_letter_is_shaped_and_keeps_its_place() -> None:
    letter = replace(LETTER, sender=("محمد علي", "Große Fleischergasse 4", "04109 Leipzig"))
    page = read_page(ObjectionLetterPdf(compress=False).render(letter), 0)
    assert "محمد علي" in page.text
    name = page.word("محمد")
    assert {g.font for g in name} == {"NotoSansArabic"}
    assert [g.left for g in name] == sorted((g.left for g in name), reverse=True)
    assert min(g.left for g in page.word("علي")) < 40 * MM  # the sender block stays at the left margin


def test_right_to_left_text_needs_shaping_and_both_fonts(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert not ObjectionLetterPdf(None).supports_rtl
    assert not ObjectionLetterPdf(shaping=False).supports_rtl
    assert not ObjectionLetterPdf(arabic_font=tmp_path / "missing.ttf").supports_rtl
    monkeypatch.setattr(objection_pdf, "shaping_available", lambda: False)
    assert not ObjectionLetterPdf().supports_rtl


def test_the_bundled_arabic_font_is_found() -> None:
    font = objection_pdf.default_arabic_font()
    assert font.name == "NotoSansArabic-Regular.ttf"
    assert font.is_file()


async def test_without_shaping_the_service_gives_german_notes(service: NoticesService) -> None:
    service.renderer = ObjectionLetterPdf(shaping=False, compress=False)
    letter = await service.open_letter([sign(demo_notice())])
    _name, pdf = service.objection_pdf(letter.id, "ar")
    notes = read_page(pdf, 1)
    assert "Für Sie: nicht mitschicken" in notes.text
    assert "Geben Sie den Brief spätestens am" in notes.text
    assert not any(is_arabic_letter(g.char) for g in notes.glyphs)
    assert "Widerspruch gegen den Bescheid vom 10.11.2026" in read_page(pdf, 0).text
    # Left-to-right languages do not depend on shaping.
    _name, pdf = service.objection_pdf(letter.id, "en")
    assert "For you: do not send this page" in read_page(pdf, 1).text


def test_the_service_says_in_which_language_the_notes_come(service: NoticesService) -> None:
    service.renderer = ObjectionLetterPdf(shaping=False, compress=False)
    assert service.objection_notes_language("ar") == "de"  # the screen tells the resident so
    assert service.objection_notes_language("uk") == "uk"
    assert service.objection_notes_language("en") == "en"


async def test_without_uharfbuzz_the_service_gives_german_notes(
    service: NoticesService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(objection_pdf, "shaping_available", lambda: False)
    letter = await service.open_letter([sign(demo_notice())])
    _name, pdf = service.objection_pdf(letter.id, "ar")
    notes = read_page(pdf, 1)
    assert "Für Sie: nicht mitschicken" in notes.text
    assert not any(is_arabic_letter(g.char) for g in notes.glyphs)


@needs_shaping
async def test_with_shaping_the_service_gives_arabic_notes(service: NoticesService) -> None:
    letter = await service.open_letter([sign(demo_notice())])
    _name, pdf = service.objection_pdf(letter.id, "ar")
    assert "Widerspruch gegen den Bescheid vom 10.11.2026" in read_page(pdf, 0).text
    notes = read_page(pdf, 1)
    assert "اطبع الصفحة" in notes.text
    assert "أرسل الرسالة بالبريد" in notes.text
    assert "Für Sie" not in notes.text
