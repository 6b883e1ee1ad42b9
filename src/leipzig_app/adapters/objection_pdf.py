"""The pre-filled objection letter as a PDF to print, sign and post (fpdf2).

Layout after DIN 5008 (form B): sender line and recipient in the window of a DL envelope, place and date,
a bold subject, the text, and a signature line; the resident's notes (deadline, latest posting day, how
else to object) follow on a page of their own so they are not sent by mistake.

Umlauts must come out right: with DejaVu Sans (Debian's fonts-dejavu-core) the text is embedded as
Unicode; without it the PDF core font Helvetica is used, which covers Latin-1 (ä ö ü ß §), and anything
beyond that (dashes, quotes, the euro sign) is transliterated rather than dropped.
Text is set ragged right: justified lines with uneven gaps are harder to read.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from pathlib import Path

from leipzig_app.domain.letters import PrintedLetter

DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")
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


class ObjectionLetterPdf:
    """Implements the `LetterRenderer` port. `font_dir=None` forces the core font (used by tests)."""

    def __init__(self, font_dir: Path | None = DEJAVU_DIR, *, compress: bool = True):
        self.font_dir = font_dir
        self.compress = compress

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

        pdf.set_font(family, "", 10)
        for line in letter.sender:
            pdf.cell(width, 5, text(line), new_x="LMARGIN", new_y="NEXT")
        # The recipient sits in the envelope window (DIN 5008 form B: 45 mm from the top).
        pdf.set_y(max(pdf.get_y() + 6, 50))
        pdf.set_font(family, "", 11)
        for line in letter.recipient:
            pdf.cell(width, 5.5, text(line), new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(max(pdf.get_y() + 12, 100))
        pdf.cell(width, 6, text(letter.place_date), align="R", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(6)
        pdf.set_font(family, "B", 12)
        pdf.multi_cell(width, 6.5, text(letter.subject), align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
        pdf.set_font(family, "", 11)
        for paragraph in letter.paragraphs:
            pdf.multi_cell(width, 5.8, text(paragraph), align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
        pdf.ln(14)
        pdf.cell(80, 0, "", border="T", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
        pdf.set_font(family, "", 9)
        pdf.cell(width, 5, text(letter.signature_label), new_x="LMARGIN", new_y="NEXT")

        if letter.notes:
            pdf.add_page()
            pdf.set_font(family, "B", 13)
            pdf.multi_cell(width, 7, text(letter.notes_title), align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
            pdf.set_font(family, "", 11)
            for note in letter.notes:
                pdf.multi_cell(width, 5.8, text(note), align="L", new_x="LMARGIN", new_y="NEXT")
                pdf.ln(2)
        return bytes(pdf.output())
