"""The gallery script's pure parts: stable file names for screens, and the size reduction of screenshots."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from PIL import Image, ImageDraw

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "gallery.py"


def load_gallery() -> ModuleType:
    if "gallery_script" in sys.modules:
        return sys.modules["gallery_script"]
    spec = importlib.util.spec_from_file_location("gallery_script", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module


def test_screens_get_names_without_record_ids() -> None:
    slug_of = load_gallery().slug_of
    assert slug_of("/") == "home"
    assert slug_of("/more/settings") == "more-settings"
    assert slug_of("/news/4f2a9c") == "news-item"
    assert slug_of("/scanner/notice/nf870615a577bd9d") == "notice"
    assert slug_of("/scanner/notice/nf870615a577bd9d/transfer") == "notice-transfer"
    assert slug_of("/scanner/notice") == "scanner-notice"


def test_screenshots_shrink_to_a_palette_and_keep_their_size(tmp_path: Path) -> None:
    shot = tmp_path / "shot.png"
    image = Image.new("RGB", (390, 844), "#F7F9FC")
    draw = ImageDraw.Draw(image)
    for y in range(0, 844, 6):  # a gradient and many lines of "text": what makes real screenshots large
        draw.line([(0, y), (390, y)], fill=(y % 256, 84, 159))
        draw.text((16, y), "Willkommen in Leipzig", fill="#1B1F24")
    image.save(shot)
    before = shot.stat().st_size
    after = load_gallery().optimise(shot)
    assert after < before
    with Image.open(shot) as result:
        assert result.size == (390, 844)
        assert result.mode == "P"
