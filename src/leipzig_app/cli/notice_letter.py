"""Rendering a demo notice as an A4 letter page (PNG) with its signed notice code and its GiroCode.

The page imitates a municipal notice: letterhead, address window, subject, amount and due date, the
instructions on remedies, and the two codes side by side with captions. Every page says DEMO in large
letters, so a printed demo letter can never be taken for a real one. 150 dpi keeps the file small while
the codes get at least 5 pixels per module, enough for the scanner to read a photo of the print.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from leipzig_app.domain.notices.code import Notice, Remedy

if TYPE_CHECKING:
    from PIL import Image

DPI = 150
A4 = (round(8.27 * DPI), round(11.69 * DPI))
MARGIN = round(0.8 * DPI)
_TYPES_DE = {
    "parking": "Verwarnungsgeldangebot (Parken)",
    "fine": "Bußgeldbescheid",
    "fee": "Gebührenbescheid",
    "tax": "Steuerbescheid",
    "other": "Bescheid",
}


def _font(size: int, bold: bool = False) -> Any:
    from PIL import ImageFont

    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    try:
        return ImageFont.truetype(name, size)
    except OSError:
        return ImageFont.load_default(size)


def _qr(text: str, box: int) -> Image.Image:
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box, border=4)
    code.add_data(text)
    code.make(fit=True)
    image: Image.Image = code.make_image(fill_color="black", back_color="white").get_image()
    return image.convert("RGB")


def _de(day: date) -> str:
    return f"{day:%d.%m.%Y}"


def _euro(notice: Notice) -> str:
    whole, cents = notice.amount_text.split(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    return f"{grouped},{cents} €"


def remedy_text(notice: Notice) -> list[str]:
    """The instructions on remedies as printed (Rechtsbehelfsbelehrung), shortened for the demo."""
    authority = notice.authority.name if notice.authority else notice.issuer
    if notice.remedy is Remedy.WIDERSPRUCH and notice.instructions_given:
        return [
            "Rechtsbehelfsbelehrung: Gegen diesen Bescheid kann innerhalb eines Monats nach Bekanntgabe",
            f"Widerspruch erhoben werden, schriftlich oder zur Niederschrift bei: {authority}.",
            "Elektronisch nur über das Online-Formular der Behörde mit eID/BundID (§ 3a VwVfG).",
            "Der Widerspruch hat keine aufschiebende Wirkung (§ 80 Abs. 2 VwGO):",
            "der Betrag ist trotzdem fristgerecht zu zahlen.",
        ]
    if notice.remedy is Remedy.EINSPRUCH:
        return [
            "Rechtsbehelfsbelehrung: Gegen diesen Bußgeldbescheid kann innerhalb von zwei Wochen nach",
            "Zustellung Einspruch eingelegt werden (§ 67 OWiG),",
            f"schriftlich oder zur Niederschrift bei: {authority}.",
        ]
    if notice.remedy is Remedy.WIDERSPRUCH:
        return ["(Dieser Demo-Bescheid enthält absichtlich keine Rechtsbehelfsbelehrung.)"]
    return ["Dies ist ein Angebot. Wenn Sie nicht zahlen, kann ein Bußgeldverfahren folgen."]


def render_letter(notice: Notice, notice_code: str, girocode: str | None, out: Path) -> Path:
    """Draw the letter page and save it as PNG at `out` (the folder must exist)."""
    from PIL import Image, ImageDraw

    page = Image.new("RGB", A4, "white")
    draw = ImageDraw.Draw(page)
    x, width = MARGIN, A4[0] - 2 * MARGIN
    draw.text((x, MARGIN), notice.issuer, font=_font(30, bold=True), fill="black")
    draw.text((x + width, MARGIN), "DEMO", font=_font(60, bold=True), fill=(200, 0, 0), anchor="ra")
    draw.text((x, MARGIN + 45), "Demodaten – kein echter Bescheid", font=_font(18), fill=(200, 0, 0))
    body, small = _font(19), _font(15)
    y = MARGIN + 150
    draw.text(
        (x, y),
        f"{notice.issuer} · {notice.authority.address if notice.authority else ''}",
        font=small,
        fill="gray",
    )
    for line in ("Frau / Herrn", "Erika Mustermann", "Musterstraße 1", "04109 Leipzig"):
        y += 28
        draw.text((x, y), line, font=body, fill="black")
    info = [
        ("Datum", _de(notice.notice_date)),
        ("Zur Post gegeben", _de(notice.posted_date)),
        ("Aktenzeichen", notice.case_number),
        ("Kassenzeichen", notice.cash_reference),
    ]
    for i, (label, value) in enumerate(info):
        draw.text((x + width - 430, MARGIN + 180 + i * 28), f"{label}: {value}", font=body, fill="black")
    y += 90
    draw.text((x, y), _TYPES_DE.get(notice.notice_type, "Bescheid"), font=_font(26, bold=True), fill="black")
    y += 55
    lines = [
        f"Festgesetzter Betrag: {_euro(notice)}",
        f"Zahlbar bis: {_de(notice.due_date)}",
        f"Empfänger: {notice.payee or notice.issuer}",
        f"IBAN: {notice.iban}" + (f"   BIC: {notice.bic}" if notice.bic else ""),
        f"Verwendungszweck: {notice.rf_reference or 'Kassenzeichen ' + notice.cash_reference}",
    ]
    for line in lines:
        draw.text((x, y), line, font=body, fill="black")
        y += 32
    y += 20
    for line in remedy_text(notice):
        draw.text((x, y), line, font=small, fill="black")
        y += 24
    y += 30
    code_img = _qr(notice_code, 5)
    page.paste(code_img, (x, y))
    draw.text(
        (x, y + code_img.height + 8),
        "Bescheid-Code (signiert): mit der Leipzig App prüfen",
        font=small,
        fill="black",
    )
    if girocode:
        giro_img = _qr(girocode, 5)
        gx = x + width - giro_img.width
        page.paste(giro_img, (gx, y))
        draw.text(
            (x + width, y + giro_img.height + 8),
            "GiroCode: Überweisung mit der Banking-App",
            font=small,
            fill="black",
            anchor="ra",
        )
    footer = "Demo-Stadt Leipzig · Alle Angaben sind Demodaten · Erstellt mit leipzig-app notice issue"
    draw.text((x, A4[1] - MARGIN), footer, font=small, fill="gray", anchor="ls")
    page.save(out, format="PNG", dpi=(DPI, DPI))
    return out
