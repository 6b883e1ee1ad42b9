"""PDF letters: every page is rendered (pypdfium2) and both codes of a letter are read with exact text."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from fpdf import FPDF

from leipzig_app.adapters.decoding.engine import QrDecoder
from leipzig_app.domain.notices.girocode import is_girocode

EXE = str(Path(sys.executable).with_name("leipzig-app"))


def test_both_codes_of_a_pdf_letter_are_read(tmp_path: Path) -> None:
    png = tmp_path / "letter.png"
    issued = subprocess.run(
        [EXE, "notice", "issue", "--out", str(png)], capture_output=True, text=True, check=True
    )
    payload = json.loads(issued.stdout)["payload"]
    pdf = FPDF()
    pdf.add_page()  # an empty first page: the codes are on page 2
    pdf.add_page()
    pdf.image(str(png), x=0, y=0, w=210)
    path = tmp_path / "letter.pdf"
    pdf.output(str(path))
    for decoder in (QrDecoder(), QrDecoder(use_zxing=False)):
        texts = [code.text for code in decoder.decode_image(str(path)).codes]
        assert payload in texts
        assert any(is_girocode(text) for text in texts)
