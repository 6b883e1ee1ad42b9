"""Library-card barcodes drawn with python-barcode: PNG (through Pillow) for the screen, SVG for export.

The number has already been checked against the symbology (`domain.library.check_card_number`). Code 39
is drawn without the optional check character and Codabar gets the start/stop characters A...B when the
number has none, because that is what library self-service terminals expect.
"""

from __future__ import annotations

import io

from leipzig_app.domain.errors import AppError

_NAMES = {"codabar": "codabar", "code39": "code39", "code128": "code128", "ean13": "ean13", "ean8": "ean8",
          "itf": "itf"}  # fmt: skip
#: Wide enough bars for phone screens read by red-light scanners (module width in mm at 300 dpi).
_OPTIONS = {"module_width": 0.4, "module_height": 18.0, "quiet_zone": 6.5, "font_size": 12,
            "text_distance": 4.0, "dpi": 300}  # fmt: skip


class BarcodeError(AppError):
    key = "hub.library.render_failed"


def _encodable(number: str, symbology: str) -> str:
    if symbology == "codabar" and not (number[:1].upper() in "ABCD" and number[-1:].upper() in "ABCD"):
        return f"A{number}B"
    return number


class PythonBarcodeRenderer:
    """Implements the `BarcodeRenderer` port."""

    def render(self, number: str, symbology: str, image_format: str = "png") -> bytes:
        import barcode
        from barcode.errors import BarcodeError as LibraryError
        from barcode.writer import ImageWriter, SVGWriter

        if symbology not in _NAMES:
            raise BarcodeError(f"symbology {symbology} is not supported")
        writer = ImageWriter(format="PNG") if image_format == "png" else SVGWriter()
        cls = barcode.get_barcode_class(_NAMES[symbology])
        try:
            code = (
                cls(_encodable(number, symbology), writer=writer, add_checksum=False)
                if symbology == "code39"
                else cls(_encodable(number, symbology), writer=writer)
            )
            out = io.BytesIO()
            code.write(out, options=dict(_OPTIONS))
        except (LibraryError, ValueError) as error:
            raise BarcodeError(f"cannot draw {number!r} as {symbology}: {error}") from None
        return out.getvalue()
