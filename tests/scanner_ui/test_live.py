"""The live viewfinder on the fake client, fed by a fake camera that delivers generated frames."""

from __future__ import annotations

from flet.messaging.protocol import MessageAction
from tests.scanner_ui.conftest import (
    FakeCameras,
    FakeFeed,
    blank_frame,
    focus_frame,
    letter_frame,
    notice_screen_exists,
    use_scanner,
    wait_for,
)
from tests.support.flet_fake import FakeFletClient
from tests.support.view import has

from leipzig_app.adapters.decoding import QrDecoder
from leipzig_app.app import AppRuntime

URL = "https://example.org/anmeldung?x=1"
PLAIN = "Grüße aus Süd, Straße 7"


def invoked(client: FakeFletClient, method: str) -> bool:
    return any(
        m.action == MessageAction.INVOKE_METHOD and m.body.get("name") == method for m in client.messages
    )


async def test_both_codes_are_collected_marked_announced_and_shown(runtime: AppRuntime) -> None:
    feed = FakeFeed([blank_frame(), letter_frame([URL, PLAIN])])
    use_scanner(runtime, FakeCameras(feed))
    async with FakeFletClient(
        runtime.create_main(), platform="linux", route="/scanner", width=1000
    ) as client:
        await wait_for(client, lambda: has(client, "scanner.results"))
        # Both codes of the frame, in one result, and the camera released afterwards.
        assert client.find("scanner.code.1.text").get("value") == URL
        assert client.find("scanner.code.2.text").get("value") == PLAIN
        await wait_for(client, feed.closed.is_set)
        # Marked on the last picture: two outlines (edge + colour) and four corner dots per code.
        shapes = client.find("scanner.overlay").get("shapes")
        assert len(shapes) == 2 * (2 + 4)
        assert client.find("scanner.preview").get("src")
        assert client.find("scanner.hint").get("value") == "Alle Codes erfasst"
        # Announced in the status line (a live region) and through the platform; haptic feedback sent.
        assert client.find("shell.status").get("value") == "2 Codes gefunden"
        assert invoked(client, "announce_message")
        assert invoked(client, "medium_impact")
        # A link is shown by its domain first and is never opened on its own.
        assert client.find("scanner.code.1.domain").get("value") == "Link zu: example.org"
        assert has(client, "scanner.code.1.not_allowed")
        assert not has(client, "scanner.code.1.open")
        assert client.state.launched_urls == []


async def test_guidance_follows_the_picture(runtime: AppRuntime) -> None:
    dark = FakeFeed([blank_frame(level=20)])
    use_scanner(runtime, FakeCameras(dark))
    async with FakeFletClient(runtime.create_main(), platform="linux", route="/scanner") as client:
        await wait_for(client, lambda: client.find("scanner.hint").get("value") == "Mehr Licht")
        await client.click("scanner.camera")  # off again before the test ends
        await wait_for(client, dark.closed.is_set)

    light = FakeFeed([blank_frame()])
    use_scanner(runtime, FakeCameras(light))
    async with FakeFletClient(runtime.create_main(), platform="linux", route="/scanner") as client:
        await wait_for(client, lambda: light.reads >= 3)  # the loop keeps reading while nothing is found
        assert client.find("scanner.hint").get("value") == "Code ins Feld halten"
        await client.click("scanner.camera")


async def test_torch_is_offered_only_where_the_camera_has_one(runtime: AppRuntime) -> None:
    feed = FakeFeed([blank_frame(level=20)], has_torch=True)
    use_scanner(runtime, FakeCameras(feed))
    async with FakeFletClient(runtime.create_main(), platform="linux", route="/scanner") as client:
        await wait_for(client, lambda: has(client, "scanner.torch"))
        assert client.find("scanner.torch").get("content") == "Licht einschalten"
        await client.click("scanner.torch")
        await wait_for(client, lambda: client.find("scanner.torch").get("content") == "Licht ausschalten")
        assert feed.torch_calls == [True]
        await client.click("scanner.camera")

    without = FakeFeed([blank_frame()])
    use_scanner(runtime, FakeCameras(without))
    async with FakeFletClient(runtime.create_main(), platform="linux", route="/scanner") as client:
        await wait_for(client, lambda: client.find("scanner.hint").get("value") == "Code ins Feld halten")
        assert not has(client, "scanner.torch")
        await client.click("scanner.camera")


async def test_without_a_camera_file_and_manual_entry_remain(runtime: AppRuntime) -> None:
    cameras = FakeCameras(None)
    use_scanner(runtime, cameras)
    async with FakeFletClient(runtime.create_main(), platform="linux", route="/scanner", width=360) as client:
        assert "Keine Kamera gefunden." in client.find("scanner.camera.status").get("value")
        assert not has(client, "scanner.viewfinder")
        assert client.find("scanner.pick").get("content") == "Foto oder Datei wählen"
        assert client.find("scanner.manual").get("content") == "Bescheid von Hand eingeben"


async def test_the_camera_switch_and_leaving_the_screen_release_the_camera(runtime: AppRuntime) -> None:
    feed = FakeFeed([blank_frame()])
    use_scanner(runtime, FakeCameras(feed))
    async with FakeFletClient(runtime.create_main(), platform="linux", route="/scanner") as client:
        await wait_for(client, lambda: feed.reads >= 2)
        await client.click("scanner.camera")
        await wait_for(client, lambda: feed.closed.is_set())
        assert client.find("scanner.camera.status").get("value") == "Die Kamera ist aus."
        assert client.find("scanner.camera").get("content") == "Kamera einschalten"

        second = FakeFeed([blank_frame()])
        use_scanner(runtime, FakeCameras(second))
        await client.navigate("/more")
        await client.navigate("/scanner")
        await wait_for(client, lambda: second.reads >= 2)
        await client.navigate("/more")  # leaving the screen stops the camera
        await wait_for(client, lambda: second.closed.is_set())
        reads = second.reads
        await client.settle()
        assert second.reads <= reads + 1


async def test_a_letter_goes_to_the_notice_screen(full_runtime: AppRuntime) -> None:
    runtime = full_runtime
    girocode = "BCD\n002\n1\nSCT\n\nStadt Leipzig\nDE12500105170648489890\nEUR12.50\n\n\nKZ 1234\n"
    notice = "LZ1:NOT-A-REAL-SIGNATURE"
    feed = FakeFeed([letter_frame([notice, girocode])])
    use_scanner(runtime, FakeCameras(feed))
    async with FakeFletClient(
        runtime.create_main(), platform="linux", route="/scanner", width=1000
    ) as client:
        if notice_screen_exists():
            # The notice screen replaced the scanner screen (its own keys start with "notices.").
            await wait_for(client, lambda: not has(client, "scanner.screen"))
            assert client.find_all(lambda c: (c.key or "").startswith("notices."))
        else:
            await wait_for(client, lambda: has(client, "scanner.results"))
            note = client.find("scanner.results.note").get("value")
            assert note.startswith("Die Anzeige von Bescheiden ist in dieser Version noch nicht verfügbar")
            assert client.find("scanner.code.1.text").get("value") == notice
        await wait_for(client, feed.closed.is_set)


async def test_scan_again_starts_over(runtime: AppRuntime) -> None:
    feed = FakeFeed([letter_frame([PLAIN])])
    cameras = FakeCameras(feed)
    use_scanner(runtime, cameras)
    async with FakeFletClient(runtime.create_main(), platform="linux", route="/scanner") as client:
        await wait_for(client, lambda: has(client, "scanner.results"))
        await wait_for(client, feed.closed.is_set)
        await client.click("scanner.again")
        assert not has(client, "scanner.results")
        assert not has(client, "scanner.again")
        await wait_for(client, lambda: has(client, "scanner.results"))
        assert cameras.opened == 2
        assert client.find("scanner.code.1.text").get("value") == PLAIN


async def test_a_blurred_second_code_is_collected_before_moving_on(runtime: AppRuntime) -> None:
    blurred = "Aktenzeichen " + "A1B2C3D4E5" * 40
    frame = focus_frame(PLAIN, blurred)
    # A live frame alone reads only the sharp code; the thorough look before moving on reads the other.
    assert QrDecoder().decode_frame(frame, budget_ms=60).texts == (PLAIN,)
    feed = FakeFeed([frame])
    use_scanner(runtime, FakeCameras(feed))
    async with FakeFletClient(
        runtime.create_main(), platform="linux", route="/scanner", width=1000
    ) as client:
        await wait_for(client, lambda: has(client, "scanner.results"), timeout=20)
        texts = {client.find(f"scanner.code.{i}.text").get("value") for i in (1, 2)}
        assert texts == {PLAIN, blurred}
        assert client.find("scanner.hint").get("value") == "Alle Codes erfasst"
        await wait_for(client, feed.closed.is_set)
