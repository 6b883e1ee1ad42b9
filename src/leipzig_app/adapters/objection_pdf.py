"""The pre-filled objection letter as a PDF to print, sign and post (fpdf2).

Layout after DIN 5008 (form B): sender line and recipient in the window of a DL envelope, place and date,
a bold subject, the text, and a signature line; the resident's notes (deadline, latest posting day, how
else to object) follow on a page of their own so they are not sent by mistake.

Umlauts must come out right: with DejaVu Sans (Debian's fonts-dejavu-core) the text is embedded as
Unicode; without it the PDF core font Helvetica is used, which covers Latin-1 (ä ö ü ß §), and anything
beyond that (dashes, quotes, the euro sign) is transliterated rather than dropped.
Text is set ragged right: justified lines with uneven gaps are harder to read.

Arabic (the notes in the resident's language, or a name or reason typed in Arabic script) needs text
shaping: each letter takes its joined form and the line reads right to left. A paragraph with
right-to-left script is therefore shaped with HarfBuzz (fpdf2's text shaping, package uharfbuzz) in Noto
Sans Arabic (assets/fonts); the Unicode bidi algorithm keeps digits, dates and Latin words such as "VwGO"
in their own order, characters Noto Sans Arabic lacks (Latin letters, §, parentheses) come from DejaVu
Sans, and a paragraph that starts right to left is right-aligned (the address lines keep their place).
Noto Sans Arabic has one weight, so an Arabic heading is set regular. Text without right-to-left script
is set without shaping, and the Noto font is embedded only in a letter that uses it.

uharfbuzz has no Android or iOS build and is looked for at run time. Where it, DejaVu Sans or the Noto
font is missing, `supports_rtl` is False and the letters service composes the notes in German: unshaped
Arabic would print as unjoined letters in the wrong order.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from leipzig_app.adapters.paths import assets_dir
from leipzig_app.domain.letters import PrintedLetter

if TYPE_CHECKING:
    from fpdf import FPDF

DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")
ARABIC_FONT_FILE = "NotoSansArabic-Regular.ttf"
_ARABIC_FAMILY = "NotoSansArabic"
_RTL_CLASSES = frozenset({"R", "AL"})  # Unicode bidi classes of right-to-left letters (Hebrew, Arabic)
_REPLACEMENTS = {
    "\u2013": "-", "\u2014": "-", "\u2011": "-", "\u2212": "-", "\u201e": '"', "\u201c": '"',
    "\u201d": '"', "\u201a": "'", "\u2018": "'", "\u2019": "'", "\u2026": "...", "\u20ac": "EUR",
    "\u00a0": " ", "\u202f": " ", "\u2022": "-", "\u2192": "->", "\u0141": "L", "\u0142": "l",
    "\u0110": "D", "\u0111": "d",
}  # fmt: skip


def transliterate_latin1(text: str) -> str:
    """Text the core fonts can show: Latin-1 kept as is, common typography replaced, the rest decomposed."""
    out = []
    for char in text:
        if char in _REPLACEMENTS:
            out.append(_REPLACEMENTS[char])
        elif ord(char) < 256:
            out.append(char)
        else:
            plain = unicodedata.normalize("NFKD", char).encode("latin-1", "ignore").decode("latin-1")
            out.append(plain or "?")
    return "".join(out)


@lru_cache(maxsize=1)
def shaping_available() -> bool:
    """Whether HarfBuzz text shaping (uharfbuzz) is installed; it has no build for phones."""
    try:
        import uharfbuzz  # noqa: F401
    except ImportError:
        return False
    return True


def default_arabic_font() -> Path:
    """Noto Sans Arabic as bundled with the app's assets."""
    return assets_dir() / "fonts" / ARABIC_FONT_FILE


def has_rtl(text: str) -> bool:
    """Whether the text holds any right-to-left letter (Arabic, Hebrew)."""
    return any(unicodedata.bidirectional(char) in _RTL_CLASSES for char in text)


def starts_rtl(text: str) -> bool:
    """Whether the paragraph reads right to left: its first letter with a strong direction is RTL."""
    for char in text:
        direction = unicodedata.bidirectional(char)
        if direction == "L":
            return False
        if direction in _RTL_CLASSES:
            return True
    return False


class ObjectionLetterPdf:
    """Implements the `LetterRenderer` port.

    `font_dir=None` forces the core font; `shaping=False` renders as where uharfbuzz is not installed
    (both used by tests). `arabic_font` defaults to the bundled Noto Sans Arabic.
    """

    def __init__(
        self,
        font_dir: Path | None = DEJAVU_DIR,
        *,
        arabic_font: Path | None = None,
        shaping: bool = True,
        compress: bool = True,
    ):
        self.font_dir = font_dir
        self.arabic_font = default_arabic_font() if arabic_font is None else arabic_font
        self.shaping = shaping
        self.compress = compress

    @property
    def supports_rtl(self) -> bool:
        """Whether right-to-left text comes out shaped and in reading order (else notes stay German)."""
        return (
            self.shaping
            and self._unicode_fonts() is not None
            and self.arabic_font.is_file()
            and shaping_available()
        )

    def _unicode_fonts(self) -> tuple[Path, Path] | None:
        if self.font_dir is None:
            return None
        regular, bold = self.font_dir / "DejaVuSans.ttf", self.font_dir / "DejaVuSans-Bold.ttf"
        return (regular, bold) if regular.is_file() and bold.is_file() else None

    def render(self, letter: PrintedLetter) -> bytes:
        from fpdf import FPDF

        pdf = FPDF(format="A4", unit="mm")
        pdf.set_compression(self.compress)
        pdf.set_margins(25, 20, 20)
        pdf.set_auto_page_break(auto=True, margin=20)
        fonts = self._unicode_fonts()
        text: Callable[[str], str] = transliterate_latin1
        family = "Helvetica"
        if fonts is not None:
            pdf.add_font("DejaVu", "", str(fonts[0]))
            pdf.add_font("DejaVu", "B", str(fonts[1]))
            family, text = "DejaVu", str
        pdf.set_title(text(letter.title))
        pdf.set_creator("Leipzig App")
        pdf.add_page()
        width = pdf.w - pdf.l_margin - pdf.r_margin
        out = _Writer(pdf, family, text, arabic_font=self.arabic_font if self.supports_rtl else None)

        out.font("", 10)
        for line in letter.sender:
            out.line(width, 5, line)
        # The recipient sits in the envelope window (DIN 5008 form B: 45 mm from the top).
        pdf.set_y(max(pdf.get_y() + 6, 50))
        out.font("", 11)
        for line in letter.recipient:
            out.line(width, 5.5, line)
        pdf.set_y(max(pdf.get_y() + 12, 100))
        out.line(width, 6, letter.place_date, align="R")
        pdf.ln(6)
        out.font("B", 12)
        out.paragraph(width, 6.5, letter.subject)
        pdf.ln(4)
        out.font("", 11)
        for paragraph in letter.paragraphs:
            out.paragraph(width, 5.8, paragraph)
            pdf.ln(3)
        pdf.ln(14)
        pdf.cell(80, 0, "", border="T", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
        out.font("", 9)
        out.line(width, 5, letter.signature_label)

        if letter.notes:
            pdf.add_page()
            out.font("B", 13)
            out.paragraph(width, 7, letter.notes_title)
            pdf.ln(3)
            out.font("", 11)
            for note in letter.notes:
                out.paragraph(width, 5.8, note)
                pdf.ln(2)
        return bytes(pdf.output())


class _Writer:
    """Sets lines and paragraphs in the letter's font. Given `arabic_font`, text with right-to-left script
    is shaped in it (DejaVu Sans filling in what it lacks); everything else is set unshaped. The Arabic
    font is embedded only when such text occurs."""

    def __init__(self, pdf: FPDF, family: str, text: Callable[[str], str], *, arabic_font: Path | None):
        self.pdf, self.family, self.text, self.arabic_font = pdf, family, text, arabic_font
        self.style, self.size = "", 11.0
        self._arabic_added = False

    def font(self, style: str, size: float) -> None:
        self.style, self.size = style, size
        self.pdf.set_font(self.family, style, size)

    def line(self, width: float, height: float, line: str, *, align: str = "L") -> None:
        """One line (sender, recipient, date, signature): it keeps its place in the layout."""
        with self._script(line):
            self.pdf.cell(width, height, self.text(line), align=align, new_x="LMARGIN", new_y="NEXT")

    def paragraph(self, width: float, height: float, paragraph: str) -> None:
        """A wrapped paragraph, ragged right, or ragged left when it reads right to left."""
        with self._script(paragraph) as right_to_left:
            align = "R" if right_to_left else "L"
            self.pdf.multi_cell(
                width, height, self.text(paragraph), align=align, new_x="LMARGIN", new_y="NEXT"
            )

    @contextmanager
    def _script(self, text: str) -> Iterator[bool]:
        """Shaping for text with right-to-left script; yields whether the paragraph reads right to left."""
        if self.arabic_font is None or not has_rtl(text):
            yield False
            return
        right_to_left = starts_rtl(text)
        pdf = self.pdf
        if not self._arabic_added:
            pdf.add_font(_ARABIC_FAMILY, "", str(self.arabic_font))
            self._arabic_added = True
        # Noto Sans Arabic has one weight: an Arabic heading is set regular, at its size.
        pdf.set_font(_ARABIC_FAMILY, "", self.size)
        pdf.set_fallback_fonts([self.family], exact_match=False)
        pdf.set_text_shaping(True, direction="rtl" if right_to_left else "ltr")
        try:
            yield right_to_left
        finally:
            pdf.set_text_shaping(False)
            pdf.set_fallback_fonts([])
            pdf.set_font(self.family, self.style, self.size)
