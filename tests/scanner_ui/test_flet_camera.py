"""The flet-camera path on the fake client: a phone's frame stream with torch, and a browser's picture loop.

The fake client answers the Camera control's method calls the way the Flutter plugin does (a list of
cameras, initialise, stream or take a picture) and fires `stream_image` events with JPEG frames, so the
screen's own code for phones and browsers runs unchanged.
"""

from __future__ import annotations

import asyncio
from typing import Any

from tests.scanner_ui.conftest import CameraClient, encode, letter_frame, use_scanner, wait_for
from tests.support.flet_fake import FakeFletClient
from tests.support.view import has

from leipzig_app.app import AppRuntime

GIRO_FREE = ["https://www.leipzig.de/service", "Süd 7"]
BACK_CAMERA = {"name": "0", "lens_direction": "back", "sensor_orientation": 90, "lens_type": "wide"}


def camera_handlers(client: FakeFletClient, *, stream: bool, picture: bytes | None = None) -> list[str]:
    """Answer the Camera control like the plugin; returns the log of calls (flash modes included)."""
    calls: list[str] = []

    def answer(name: str, result: Any = None) -> None:
        def handler(_: object, args: dict[str, Any] | None) -> Any:
            mode = (args or {}).get("mode")
            calls.append(f"{name}:{mode}" if mode is not None else name)
            return result

        client.method_handlers[("Camera", name)] = handler

    answer("get_available_cameras", [BACK_CAMERA])
    answer("initialize")
    answer("supports_image_streaming", stream)
    answer("start_image_stream")
    answer("stop_image_stream")
    answer("pause_preview")
    answer("set_flash_mode")
    answer("take_picture", picture)
    return calls


async def test_a_phone_streams_frames_and_offers_the_torch(runtime: AppRuntime) -> None:
    use_scanner(runtime)
    jpeg = encode(letter_frame(GIRO_FREE), ".jpg")
    client = CameraClient(runtime.create_main(), platform="android", route="/scanner")
    calls = camera_handlers(client, stream=True)  # in place before the screen asks the camera anything
    async with client:
        await wait_for(client, lambda: "start_image_stream" in calls)
        # 1080p: a letter's notice code is too small in a 720p frame of the whole page.
        initialize = next(c for c in client.method_calls if c.method == "initialize")
        assert (initialize.args or {}).get("resolution_preset") == "veryHigh"
        camera = client.find("scanner.camera.preview")
        assert has(client, "scanner.torch")
        await client.click("scanner.torch")
        assert "set_flash_mode:torch" in calls
        assert client.find("scanner.torch").get("content") == "Licht ausschalten"
        # The camera streams on (frames that arrive while one is decoded are dropped) until the codes
        # of the letter have stayed the same for a few decoded frames.
        for _ in range(60):
            if has(client, "scanner.results"):
                break
            await client.trigger(
                camera,
                "stream_image",
                {"width": 960, "height": 720, "format": "jpeg", "encoded_format": "jpeg", "bytes": jpeg},
            )
            await asyncio.sleep(0.05)
        await wait_for(client, lambda: has(client, "scanner.results"))
        assert client.find("scanner.code.1.domain").get("value") == "Link zu: www.leipzig.de"
        assert client.find("scanner.code.2.text").get("value") == "Süd 7"
        await wait_for(client, lambda: "stop_image_stream" in calls)


async def test_a_browser_takes_pictures_in_a_loop(runtime: AppRuntime) -> None:
    use_scanner(runtime)
    jpeg = encode(letter_frame(GIRO_FREE), ".jpg")
    client = CameraClient(runtime.create_main(), platform="web", route="/scanner")
    calls = camera_handlers(client, stream=True, picture=jpeg)
    async with client:
        await wait_for(client, lambda: has(client, "scanner.results"))
        # Browsers have no frame stream in flet-camera: pictures, several of them, and no torch.
        assert "start_image_stream" not in calls
        assert calls.count("take_picture") >= 4
        assert not has(client, "scanner.torch")
        assert client.find("scanner.code.2.text").get("value") == "Süd 7"


async def test_a_refused_camera_leaves_file_and_manual_entry(runtime: AppRuntime) -> None:
    use_scanner(runtime)
    client = CameraClient(runtime.create_main(), platform="ios", route="/scanner")
    client.method_handlers[("Camera", "get_available_cameras")] = lambda _, a: []
    async with client:
        await wait_for(client, lambda: "Kamera" in (client.find("scanner.camera.status").get("value") or ""))
        assert client.find("scanner.camera.status").get("value").startswith("Die Kamera konnte nicht")
        assert has(client, "scanner.pick")
        assert has(client, "scanner.manual")


class HeldAnswerClient(CameraClient):
    """Keeps the answer to "which cameras are there?" back until the test sends it (`answer_now`)."""

    held: list[dict[str, Any]]

    async def _answer_method(self, body: dict[str, Any]) -> None:
        if body.get("name") == "get_available_cameras":
            self.held.append(body)
            return
        await super()._answer_method(body)

    async def answer_now(self) -> None:
        for body in self.held:
            await super()._answer_method(body)
        self.held.clear()


async def test_leaving_while_the_camera_is_still_asked_keeps_the_connection(runtime: AppRuntime) -> None:
    """The camera's answer arrives after the screen (and with it the Camera control) is gone: Flet 1.0.5
    would raise on it in the loop that reads the client's messages and drop the connection; the app drops
    the answer instead and wakes the call that waited for it."""
    use_scanner(runtime)
    client = HeldAnswerClient(runtime.create_main(), platform="android", route="/scanner")
    client.held = []
    camera_handlers(client, stream=True)
    async with client:
        await wait_for(client, lambda: bool(client.held))
        camera_id = client.find("scanner.camera.preview").id
        await client.navigate("/")
        await wait_for(client, lambda: camera_id not in client.session.index)
        pending: dict[str, Any] = client.session._Session__method_calls  # type: ignore[attr-defined]
        assert len(pending) == 1  # the question is still out
        await client.answer_now()
        await wait_for(client, lambda: not pending)  # answered: the waiting call is woken, not left hanging
        assert not client.errors
        # The page goes on as before: another section opens.
        await client.navigate("/news")
        await wait_for(client, lambda: has(client, "news.heading") or has(client, "news.not_available"))
