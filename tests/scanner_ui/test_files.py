""" "Foto oder Datei wählen" on the fake client: good, bad and codeless files, links and the copy button."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import pytest
from tests.scanner_ui.conftest import blank_frame, encode, letter_frame, use_scanner, wait_for
from tests.support.flet_fake import FakeFletClient
from tests.support.view import has

from leipzig_app.app import AppRuntime

ALLOWED = "https://www.leipzig.de/buergerservice/termine"
FOREIGN = "https://leipzig.de.example.com/zahlung"
TEXT = "Kassenzeichen 12345, Grüße aus Süd"


def picks(client: FakeFletClient, path: Path | None, *, data: bytes | None = None) -> list[dict[str, Any]]:
    """Make the client's file picker answer with one file (or with a cancelled dialog for None)."""
    calls: list[dict[str, Any]] = []

    def pick(_: object, args: dict[str, Any] | None) -> list[dict[str, Any]]:
        calls.append(args or {})
        if path is None:
            return []
        size = len(data) if data is not None else path.stat().st_size
        chosen = {"id": 1, "name": path.name, "size": size, "path": None if data else str(path)}
        if data is not None:
            chosen["bytes"] = data
        return [chosen]

    client.method_handlers[("FilePicker", "pick_files")] = pick
    return calls


async def dialog_closed(client: FakeFletClient, key: str) -> None:
    """What the Flutter client does once a closed dialog has left the screen: it fires `dismiss`
    (the page then drops the dialog from its stack)."""
    (dialog,) = client.tree.find_all(lambda c: c.key == key, visible_only=False)
    assert dialog.get("open") is False
    await client.trigger(dialog, "dismiss")


@pytest.mark.parametrize("ext", [".png", ".jpg", ".webp"])
async def test_a_photo_with_two_codes_is_read(runtime: AppRuntime, tmp_path: Path, ext: str) -> None:
    photo = tmp_path / f"brief{ext}"
    photo.write_bytes(encode(letter_frame([ALLOWED, TEXT]), ext))
    use_scanner(runtime)
    async with FakeFletClient(
        runtime.create_main(), platform="linux", route="/scanner", width=1000
    ) as client:
        calls = picks(client, photo)
        await client.click("scanner.pick")
        await wait_for(client, lambda: has(client, "scanner.results"))
        assert calls[0]["allowed_extensions"] == ["jpg", "jpeg", "png", "webp", "bmp", "pdf"]
        assert client.find("scanner.code.1.domain").get("value") == "Link zu: www.leipzig.de"
        assert client.find("scanner.code.1.text").get("value") == ALLOWED
        assert client.find("scanner.code.2.text").get("value") == TEXT
        assert client.find("shell.status").get("value") == "2 Codes gefunden"


async def test_a_link_that_could_lead_elsewhere_is_listed_as_text_only(
    runtime: AppRuntime, tmp_path: Path
) -> None:
    # Python's urlsplit reads www.leipzig.de as the host; a browser reads the backslash as a slash and
    # goes to evil.example.
    backslash = "https://evil.example\\@www.leipzig.de/"
    photo = tmp_path / "brief.png"
    photo.write_bytes(encode(letter_frame([backslash, "https://leipzig.de@evil.example/"])))
    use_scanner(runtime)
    async with FakeFletClient(
        runtime.create_main(), platform="linux", route="/scanner", width=1000
    ) as client:
        picks(client, photo)
        await client.click("scanner.pick")
        await wait_for(client, lambda: has(client, "scanner.results"))
        assert client.find("scanner.code.1.text").get("value") == backslash
        assert client.find("scanner.code.2.text").get("value") == "https://leipzig.de@evil.example/"
        for number in (1, 2):
            assert not has(client, f"scanner.code.{number}.domain")
            assert not has(client, f"scanner.code.{number}.open")
        assert "www.leipzig.de" not in " ".join(client.texts()).replace(backslash, "")


async def test_an_allowed_link_opens_only_after_confirmation(runtime: AppRuntime, tmp_path: Path) -> None:
    photo = tmp_path / "brief.png"
    photo.write_bytes(encode(letter_frame([ALLOWED, FOREIGN])))
    use_scanner(runtime)
    async with FakeFletClient(
        runtime.create_main(), platform="linux", route="/scanner", width=1000
    ) as client:
        picks(client, photo)
        await client.click("scanner.pick")
        await wait_for(client, lambda: has(client, "scanner.results"))
        # The look-alike address shows where it really leads and offers no way to open it.
        assert client.find("scanner.code.2.domain").get("value") == "Link zu: leipzig.de.example.com"
        assert not has(client, "scanner.code.2.open")
        await client.click("scanner.code.1.open")
        assert (
            client.find("scanner.confirm.text").get("value")
            == "Die Seite www.leipzig.de wird im Browser geöffnet."
        )
        assert client.state.launched_urls == []
        await client.click("scanner.confirm.cancel")
        await dialog_closed(client, "scanner.confirm")
        assert client.state.launched_urls == []
        await client.click("scanner.code.1.open")
        await client.click("scanner.confirm.open")
        await wait_for(client, lambda: client.state.launched_urls == [ALLOWED])


async def test_the_copy_button_puts_the_text_on_the_clipboard(runtime: AppRuntime, tmp_path: Path) -> None:
    photo = tmp_path / "brief.png"
    photo.write_bytes(encode(letter_frame([FOREIGN, TEXT])))
    use_scanner(runtime)
    async with FakeFletClient(
        runtime.create_main(), platform="linux", route="/scanner", width=1000
    ) as client:
        picks(client, photo)
        await client.click("scanner.pick")
        await wait_for(client, lambda: has(client, "scanner.results"))
        await client.click("scanner.code.2.copy")
        assert client.state.clipboard == TEXT
        assert client.find("shell.status").get("value") == "Code 2 in die Zwischenablage kopiert"
        await client.click("scanner.code.1.copy")
        assert client.state.clipboard == FOREIGN
        assert client.state.launched_urls == []


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("kein-bild.jpg", b"Dies ist ein Brief als Text, kein Foto.\n" * 20, "Diese Datei ist kein Bild."),
        ("abgeschnitten.png", None, "Das Bild ist beschädigt oder unvollständig."),
        ("leer.png", b"", "Die Datei ist leer."),
        ("ohne-code.png", encode(blank_frame()), "In dieser Datei wurde kein Code gefunden."),
    ],
)
async def test_bad_and_codeless_files_get_a_clear_message(
    runtime: AppRuntime, tmp_path: Path, name: str, content: bytes | None, message: str
) -> None:
    if content is None:
        whole = encode(letter_frame([TEXT]))
        content = whole[: len(whole) // 3]
    path = tmp_path / name
    path.write_bytes(content)
    use_scanner(runtime)
    async with FakeFletClient(runtime.create_main(), platform="linux", route="/scanner") as client:
        picks(client, path)
        await client.click("scanner.pick")
        await wait_for(client, lambda: has(client, "scanner.error"))
        banner_texts = [t for t in client.texts() if t.startswith(message)]
        assert banner_texts, client.texts()
        assert client.find("shell.status").get("value").startswith(message)
        assert not has(client, "scanner.results")
        # The screen stays usable: a good file afterwards is read.
        good = tmp_path / "gut.png"
        good.write_bytes(encode(letter_frame([TEXT])))
        picks(client, good)
        await client.click("scanner.pick")
        await wait_for(client, lambda: has(client, "scanner.results"))
        assert not has(client, "scanner.error")


async def test_a_cancelled_choice_changes_nothing(runtime: AppRuntime) -> None:
    use_scanner(runtime)
    async with FakeFletClient(runtime.create_main(), platform="linux", route="/scanner") as client:
        calls = picks(client, None)
        await client.click("scanner.pick")
        assert len(calls) == 1
        assert not has(client, "scanner.error")
        assert not has(client, "scanner.results")
        assert not client.find("scanner.pick").disabled


async def test_on_a_phone_the_picked_bytes_are_read(runtime: AppRuntime, tmp_path: Path) -> None:
    photo = tmp_path / "IMG_0001.jpg"
    data = encode(letter_frame([TEXT]), ".jpg")
    photo.write_bytes(data)
    use_scanner(runtime)
    async with FakeFletClient(runtime.create_main(), platform="android", route="/scanner") as client:
        # No camera answers on this fake phone: the screen says so and the file picker still works.
        await wait_for(client, lambda: "Kamera" in (client.find("scanner.camera.status").get("value") or ""))
        calls = picks(client, photo, data=data)
        await client.click("scanner.pick")
        await wait_for(client, lambda: has(client, "scanner.results"))
        assert calls[0]["with_data"] is True
        assert client.find("scanner.code.1.text").get("value") == TEXT


async def test_a_pdf_is_read_or_refused_clearly(runtime: AppRuntime, tmp_path: Path) -> None:
    pdf = tmp_path / "bescheid.pdf"
    pdf.write_bytes(_pdf_with_image(letter_frame([TEXT])))
    use_scanner(runtime)
    async with FakeFletClient(runtime.create_main(), platform="linux", route="/scanner") as client:
        picks(client, pdf)
        await client.click("scanner.pick")
        await wait_for(client, lambda: has(client, "scanner.results") or has(client, "scanner.error"))
        if _has_pdf_renderer():
            assert client.find("scanner.code.1.text").get("value") == TEXT
        else:
            assert any(t.startswith("PDF-Dateien können hier nicht gelesen werden.") for t in client.texts())


def _has_pdf_renderer() -> bool:
    import importlib.util

    return importlib.util.find_spec("pypdfium2") is not None


def _pdf_with_image(image: Any) -> bytes:
    """A one-page PDF showing the image (Pillow writes it; no PDF library needed)."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(cv2.cvtColor(image, cv2.COLOR_BGR2RGB)).save(buffer, format="PDF", resolution=100)
    return buffer.getvalue()
