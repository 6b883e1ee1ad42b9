"""Decoding QR codes from image files and camera frames (zxing-cpp, zbar and OpenCV behind one engine).

`QrDecoder` is the adapter for the domain's `CodeDecoder` port. Heavy libraries are imported on first use,
so importing this package costs nothing.
"""

from __future__ import annotations

from leipzig_app.adapters.decoding.engine import QrDecoder

__all__ = ["QrDecoder"]
