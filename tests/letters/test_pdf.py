"""The objection letter PDF: umlauts come out right with DejaVu Sans and with the core-font fallback.

Without a PDF text extractor in the pinned dependencies, the tests read fpdf2's uncompressed output: with
the core font the text is Latin-1 in the content stream; with an embedded TrueType font the text is glyph
ids, which the font's ToUnicode map (also in the file) turns back into characters.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from leipzig_app.adapters.objection_pdf import DEJAVU_DIR, ObjectionLetterPdf, transliterate_latin1
from leipzig_app.domain.letters import PrintedLetter

LETTER = PrintedLetter(
    title="Widerspruch",
    sender=("Jörg Müller", "Große Fleischergasse 4", "04109 Leipzig"),
    recipient=("Stadt Leipzig, Ordnungsamt", "Otto-Schill-Straße 2", "04109 Leipzig"),
    place_date=f"Leipzig, {date(2026, 11, 23):%d.%m.%Y}",
    subject="Widerspruch gegen den Bescheid vom 10.11.2026 – Aktenzeichen 32.21-2026-0481516",
    paragraphs=(
        "Sehr geehrte Damen und Herren,",
        "die Gebühr für die Straßenreinigung wurde doppelt erhoben.",
    ),
    signature_label="Unterschrift",
    notes_title="Für Sie: nicht mitschicken",
    notes=(
        "Geben Sie den Brief spätestens am 10.12.2026 zur Post. "
        "Ein Widerspruch schiebt die Zahlung nicht auf (§ 80 Abs. 2 VwGO).",
    ),
)


def _unescape(literal: bytes) -> bytes:
    out, i = bytearray(), 0
    escapes = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
    while i < len(literal):
        char = literal[i : i + 1]
        if char == b"\\":
            following = literal[i + 1 : i + 2]
            octal = re.match(rb"[0-7]{1,3}", literal[i + 1 : i + 4])
            if octal:
                out.append(int(octal.group(0), 8))
                i += 1 + len(octal.group(0))
                continue
            out += escapes.get(following, following)
            i += 2
            continue
        out += char
        i += 1
    return bytes(out)


def unicode_text(pdf: bytes) -> str:
    """The text of every `(...) Tj` string, decoded with each ToUnicode map of the file (glyph ids)."""
    maps = []
    for block in re.findall(rb"beginbfchar\n(.*?)endbfchar", pdf, re.S):
        pairs = re.findall(rb"<([0-9A-F]{4})> <([0-9A-F]{4,})>", block)
        maps.append({int(a, 16): bytes.fromhex(b.decode()).decode("utf-16-be") for a, b in pairs})
    strings = [_unescape(m) for m in re.findall(rb"\((.*?)(?<!\\)\) Tj", pdf, re.S)]
    found = []
    for glyph_map in maps:
        for raw in strings:
            ids = [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw) - 1, 2)]
            if all(i in glyph_map for i in ids):
                found.append("".join(glyph_map[i] for i in ids))
    return "\n".join(found)


@pytest.mark.skipif(not (DEJAVU_DIR / "DejaVuSans.ttf").is_file(), reason="fonts-dejavu-core not installed")
def test_dejavu_keeps_every_character() -> None:
    pdf = ObjectionLetterPdf(compress=False).render(LETTER)
    assert pdf.startswith(b"%PDF-")
    assert b"/FontName /" in pdf
    assert b"DejaVuSans" in pdf
    text = unicode_text(pdf)
    for expected in (
        "Jörg Müller",
        "Otto-Schill-Straße 2",
        "Straßenreinigung",
        "– Aktenzeichen",
        "§ 80 Abs. 2 VwGO",
    ):
        assert expected in text, expected
    assert b"/Count 2" in pdf  # the letter and the page of notes


def test_the_core_font_fallback_keeps_umlauts_and_transliterates_the_rest() -> None:
    pdf = ObjectionLetterPdf(None, compress=False).render(LETTER)
    assert b"/BaseFont /Helvetica" in pdf
    for expected in ("Jörg Müller", "Otto-Schill-Straße 2", "Straßenreinigung", "§ 80 Abs. 2 VwGO"):
        assert expected.encode("latin-1") in pdf, expected
    assert "vom 10.11.2026 - Aktenzeichen".encode("latin-1") in pdf


def test_transliteration() -> None:
    assert transliterate_latin1("„Gebühr“ – 12 € … Łódź") == '"Gebühr" - 12 EUR ... Lódz'
