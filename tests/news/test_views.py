"""The news list and detail views on the in-process Flet client, against the app's own demo city."""

from __future__ import annotations

import httpx
import pytest
from tests.support.flet_fake import FakeFletClient
from tests.support.view import has

from leipzig_app.app import AppRuntime
from leipzig_app.ui.news import list_view


def item_keys(client: FakeFletClient) -> list[str]:
    return [
        c.key
        for c in client.find_all(lambda c: (c.key or "").startswith("news.item.") and c.type == "Card")
        if c.key
    ]


def demo(runtime: AppRuntime, path: str, payload: dict[str, object]) -> None:
    assert runtime.sandbox is not None
    response = httpx.post(runtime.sandbox.base_url + path, json=payload, timeout=5)
    response.raise_for_status()


async def open_news(runtime: AppRuntime, count: int = 10) -> FakeFletClient:
    client = FakeFletClient(runtime.create_main(), platform="android", width=360, height=800)
    await client.connect()
    await client.navigate("/news")
    await client.wait_until(lambda: len(item_keys(client)) == count)
    return client


async def test_list_shows_news_newest_first_with_markers_filters_and_search(runtime: AppRuntime) -> None:
    client = await open_news(runtime)
    try:
        texts = client.texts()
        assert texts.index("Stadtrat beschließt neue Grünflächen für Grünau") < texts.index(
            "Gewandhausorchester spielt Bachs Weihnachtsoratorium"
        )
        assert "Stadt Leipzig · vor 2 Stunden" in texts
        assert any(t.startswith("Stand: ") for t in texts)
        assert texts.count("neu") == 10  # first visit: everything is new
        assert not any("vgwort" in t or "alert" in t for t in texts)
        # Pictures come from the image cache once loaded.
        await client.wait_until(lambda: bool(client.find_all(lambda c: c.type == "Image")))

        await client.trigger("news.filter.source.kultur", "select", True)
        assert len(item_keys(client)) == 4
        assert client.find("news.count").get("value") == "4 Nachrichten"
        await client.trigger("news.filter.all", "select", True)
        assert len(item_keys(client)) == 10

        await client.trigger("news.filter.category.Verkehr", "select", True)
        assert len(item_keys(client)) == 2
        await client.trigger("news.filter.category.Verkehr", "select", False)  # tapping again clears it
        assert len(item_keys(client)) == 10

        await client.type("news.search", "grünau", submit=True)
        assert len(item_keys(client)) == 1
        assert client.find("shell.status").get("value") == "1 Nachricht"
        await client.type("news.search", "gibt es nicht")
        assert has(client, "news.no_match")
    finally:
        await client.close()


async def test_a_failing_feed_shows_its_own_banner_and_the_rest_stays(runtime: AppRuntime) -> None:
    client = await open_news(runtime)
    try:
        demo(runtime, "/demo/feeds/kultur/mode", {"mode": "fail"})
        demo(
            runtime,
            "/demo/feeds/stadt/items",
            {"title": "Neue Meldung: Eisbahn am Augustusplatz", "html": "<p>Ab Freitag.</p>"},
        )
        await client.click("news.refresh")
        await client.wait_until(lambda: has(client, "news.error.kultur"))
        texts = client.texts()
        assert any(t.startswith("Kultur in Leipzig: Der Server meldet einen Fehler (500)") for t in texts)
        assert not has(client, "news.error.stadt")
        assert "Neue Meldung: Eisbahn am Augustusplatz" in texts
        assert len(item_keys(client)) == 11  # the failing feed's cached items stay
        assert "Nachrichten aktualisiert: 11 Meldungen. 1 Quelle(n) konnten nicht geladen werden." in texts
    finally:
        await client.close()


async def test_offline_the_cache_is_there_at_once_and_marked(runtime: AppRuntime) -> None:
    client = await open_news(runtime)
    await client.close()
    runtime.close()  # the demo city is gone: no network for the news any more
    client = FakeFletClient(runtime.create_main(), platform="android", width=360, height=800)
    await client.connect()
    try:
        await client.navigate("/news")
        assert len(item_keys(client)) == 10  # from the cache, before any network answer
        await client.wait_until(lambda: has(client, "news.offline"))
        assert "Offline: Sie sehen den zuletzt geladenen Stand." in client.texts()
        assert any(t.startswith("Stand: ") for t in client.texts())
        assert client.texts().count("neu") == 0  # seen on the previous visit
        assert len(item_keys(client)) == 10
    finally:
        await client.close()


async def test_detail_shows_safe_text_links_with_domains_and_opens_after_confirmation(
    runtime: AppRuntime,
) -> None:
    client = await open_news(runtime)
    try:
        first = item_keys(client)[0]
        await client.trigger(first, "click") if client.find(first).has_handler("click") else None
        inner = client.find_all(lambda c: c.type == "Container" and c.has_handler("click") and c.visible)[0]
        await client.click(inner)
        await client.wait_until(lambda: has(client, "news.detail.title"))
        texts = client.texts()
        assert "Stadtrat beschließt neue Grünflächen für Grünau" in texts
        assert any("zwölf neue Grünflächen" in t for t in texts)
        assert not any("vgwort" in t for t in texts)
        assert "online einreichen" in texts
        assert "127.0.0.1" in texts
        open_button = client.find("news.open")
        assert open_button.get("content") == "Im Browser öffnen (127.0.0.1)"
        await client.click("news.open")
        await client.wait_until(lambda: has(client, "news.confirm.domain"))
        assert client.find("news.confirm.domain").get("value") == "127.0.0.1"
        await client.click("news.confirm.open")
        assert runtime.sandbox is not None
        await client.wait_until(lambda: bool(client.state.launched_urls))
        assert client.state.launched_urls == [runtime.sandbox.base_url + "/feeds/artikel/stadt/stadt-001"]

        # No share sheet in this client: the link goes to the clipboard instead.
        await client.click("news.share")
        await client.wait_until(lambda: client.state.clipboard is not None)
        assert client.state.clipboard == runtime.sandbox.base_url + "/feeds/artikel/stadt/stadt-001"
        assert client.find("shell.status").get("value") == "Link in die Zwischenablage kopiert."

        await client.click("news.back")
        await client.wait_until(lambda: has(client, "news.list"))
    finally:
        await client.close()


async def test_links_outside_the_city_are_only_offered_to_copy(runtime: AppRuntime) -> None:
    demo(
        runtime,
        "/demo/feeds/stadt/items",
        {"title": "Fremder Link", "html": '<p>Siehe <a href="https://evil.example/login">hier</a>.</p>'},
    )
    client = await open_news(runtime, count=11)
    try:
        await client.wait_until(lambda: "Fremder Link" in client.texts())
        service = runtime.services.news
        item = next(i for i in service.cached().items if i.title == "Fremder Link")
        await client.navigate(f"/news/{item.id}")
        assert "evil.example" in client.texts()
        await client.click("news.detail.link.0")
        await client.wait_until(lambda: has(client, "news.confirm.copy"))
        assert not has(client, "news.confirm.open")
        await client.click("news.confirm.copy")
        await client.wait_until(lambda: client.state.clipboard == "https://evil.example/login")
        assert client.state.launched_urls == []
    finally:
        await client.close()


async def test_unknown_item_and_home_card(runtime: AppRuntime) -> None:
    client = FakeFletClient(runtime.create_main(), platform="android", width=360, height=800)
    await client.connect()
    try:
        await client.wait_until(lambda: has(client, "home.news.item.2"))
        texts = client.texts()
        assert "Stadtrat beschließt neue Grünflächen für Grünau" in texts
        assert not has(client, "home.news.item.3")
        await client.navigate("/news/gibt-es-nicht")
        assert has(client, "news.not_found")
    finally:
        await client.close()


async def test_long_lists_show_thirty_at_a_time(runtime: AppRuntime) -> None:
    for n in range(25):
        demo(
            runtime, "/demo/feeds/stadt/items", {"title": f"Kurzmeldung {n + 1} aus dem Rathaus", "html": ""}
        )
    client = await open_news(runtime, count=30)
    try:
        assert client.find("news.count").get("value") == "35 Nachrichten"
        await client.click("news.more")
        assert len(item_keys(client)) == 35
        assert not has(client, "news.more")
    finally:
        await client.close()


async def test_share_sheet_where_the_platform_has_one(runtime: AppRuntime) -> None:
    client = await open_news(runtime)
    try:
        shared: list[object] = []

        def share(_: object, args: dict[str, object] | None) -> dict[str, str]:
            shared.append((args or {}).get("uri"))
            return {"status": "success", "raw": "com.example.messenger"}

        client.method_handlers[("Share", "share_uri")] = share
        service = runtime.services.news
        item = next(i for i in service.cached().items if i.title.startswith("Gewandhausorchester"))
        await client.navigate(f"/news/{item.id}")
        await client.wait_until(lambda: has(client, "news.detail.image"))  # the picture, from the cache
        await client.click("news.share")
        await client.wait_until(lambda: client.find("shell.status").get("value") == "Link geteilt.")
        assert shared == [item.link]
        assert client.state.clipboard is None
    finally:
        await client.close()


async def test_the_list_speaks_english(runtime: AppRuntime) -> None:
    runtime.services.settings.update(language="en")
    client = await open_news(runtime)
    try:
        texts = client.texts()
        assert "Kultur in Leipzig · 3 hours ago" in texts
        assert "10 items" in texts
        assert any(t.startswith("As of ") for t in texts)
        assert "new" in texts
    finally:
        await client.close()


async def test_on_an_arabic_screen_german_news_runs_left_to_right(runtime: AppRuntime) -> None:
    # Without the isolate the German teaser would take the screen's direction and show its full stop on
    # the left ("...beschlossen" / ".einreichen"); the screen's own texts stay as they are.
    runtime.services.settings.update(language="ar")
    client = await open_news(runtime)
    try:
        texts = [str(c.get("value")) for c in client.find_all(lambda c: c.type == "Text" and c.get("value"))]
        title = "Stadtrat beschließt neue Grünflächen für Grünau"
        assert f"\u2068{title}\u2069" in texts
        teasers = [t for t in texts if "zwölf neue Grünflächen" in t]
        assert teasers
        assert all(t.startswith("\u2068") and t.endswith("\u2069") for t in teasers)
        assert "عدد الأخبار: 10" in texts  # the screen's own text, unmarked
        inner = client.find_all(lambda c: c.type == "Container" and c.has_handler("click") and c.visible)[0]
        await client.click(inner)
        await client.wait_until(lambda: has(client, "news.detail.title"))
        paragraphs = [str(c.get("value")) for c in client.find("news.detail.body").props["controls"]]
        assert any("online einreichen." in p for p in paragraphs)
        assert all(p.startswith("\u2068") and p.endswith("\u2069") for p in paragraphs)
    finally:
        await client.close()


async def test_more_news_bring_their_own_pictures(
    runtime: AppRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small pages over the demo city's ten items: pages of 4, pictures for the first 2 of each.
    monkeypatch.setattr(list_view, "PAGE_SIZE", 4)
    monkeypatch.setattr(list_view, "IMAGES_IN_LIST", 2)
    client = await open_news(runtime, count=4)
    try:
        items = runtime.services.news.cached().items
        assert len(items) == 10

        def pictured() -> list[str]:
            """The items whose card shows a picture, in list order (one walk over the screen)."""
            shown = {c.key for c in client.find_all(lambda c: (c.key or "").endswith(".image"))}
            return [i.id for i in items if f"news.item.{i.id}.image" in shown]

        def first_of_page(page: int) -> list[str]:
            return [i.id for i in items[page * 4 : page * 4 + 2] if i.image]

        first = first_of_page(0)
        assert len(first) == 2
        await client.wait_until(lambda: pictured() == first)
        # A card is one button named by its title: its picture is decorative and stays out of the
        # screen reader's way instead of repeating the title as a second stop.
        pictures = client.find_all(lambda c: c.type == "Image")
        assert pictures
        assert all(p.get("exclude_from_semantics") is True for p in pictures)
        assert not any(p.get("semantics_label") for p in pictures)
        await client.click("news.more")
        # The items "more" reveals get their pictures too, again only the first ones of the page.
        second = first + first_of_page(1)
        assert len(second) > len(first)
        await client.wait_until(lambda: pictured() == second)
        await client.click("news.more")
        third = second + first_of_page(2)
        await client.wait_until(lambda: pictured() == third)
        assert len(item_keys(client)) == 10
    finally:
        await client.close()


async def test_a_cut_off_feed_shows_its_banner_and_keeps_its_items(runtime: AppRuntime) -> None:
    client = await open_news(runtime)
    try:
        before = runtime.services.news.cached().items
        demo(runtime, "/demo/feeds/stadt/mode", {"mode": "truncated"})
        await client.click("news.refresh")
        await client.wait_until(lambda: has(client, "news.error.stadt"))
        assert (
            "Stadt Leipzig: Der Feed kam unvollständig oder fehlerhaft an. "
            "Die zuletzt geladenen Nachrichten bleiben stehen."
        ) in client.texts()
        assert not has(client, "news.error.kultur")
        assert len(item_keys(client)) == 10
        assert runtime.services.news.cached().items == before  # dates, texts and pictures all kept
    finally:
        await client.close()


async def open_first_item_and_come_back(client: FakeFletClient) -> None:
    card = client.find_all(lambda c: c.type == "Container" and c.has_handler("click") and c.visible)[0]
    await client.click(card)
    await client.wait_until(lambda: has(client, "news.detail.title"))
    await client.click("news.back")
    await client.wait_until(
        lambda: has(client, "news.list") and not client.find("news.refresh").get("disabled")
    )


async def test_new_markers_stay_for_the_whole_visit_of_the_news_section(runtime: AppRuntime) -> None:
    client = await open_news(runtime)
    try:
        await client.wait_until(lambda: not client.find("news.refresh").get("disabled"))
        assert client.texts().count("neu") == 10  # first visit: everything is new
        # Reading an item and coming back is the same visit: what was new stays marked.
        await open_first_item_and_come_back(client)
        assert len(item_keys(client)) == 10
        assert client.texts().count("neu") == 10

        # Leaving the section ends the visit; the next one marks only what came since.
        await client.navigate("/")
        await client.wait_until(lambda: not has(client, "news.list"))
        demo(runtime, "/demo/feeds/stadt/items", {"title": "Neu seit dem letzten Besuch", "html": "<p>x</p>"})
        await client.navigate("/news")
        await client.wait_until(lambda: len(item_keys(client)) == 11)
        await client.wait_until(lambda: not client.find("news.refresh").get("disabled"))
        assert client.texts().count("neu") == 1
        await open_first_item_and_come_back(client)
        assert len(item_keys(client)) == 11
        assert client.texts().count("neu") == 1
    finally:
        await client.close()


async def test_pulling_the_list_down_at_its_top_refreshes_it(runtime: AppRuntime) -> None:
    client = await open_news(runtime)
    try:
        await client.wait_until(lambda: not client.find("news.refresh").get("disabled"))
        demo(runtime, "/demo/feeds/stadt/items", {"title": "Frisch gezogen", "html": "<p>x</p>"})
        listing = client.find("news.list")
        assert listing.has_handler("scroll")
        metrics = {"pixels": 0.0, "min_scroll_extent": 0.0, "max_scroll_extent": 2400.0}
        metrics["viewport_dimension"] = 700.0

        async def scroll(kind: str, **more: float) -> None:
            await client.trigger(listing, "scroll", {"event_type": kind, **metrics, **more})

        await scroll("start")
        for _ in range(4):
            await scroll("overscroll", overscroll=-30.0, velocity=0.0)
        assert client.find("news.pull").visible  # "Loslassen zum Aktualisieren"
        assert "Loslassen zum Aktualisieren" in client.texts()
        assert len(item_keys(client)) == 10  # nothing yet: the finger is still down
        await scroll("end")
        await client.wait_until(lambda: len(item_keys(client)) == 11)
        assert not has(client, "news.pull")
        await client.wait_until(lambda: not client.find("news.refresh").get("disabled"))
        assert not has(client, "news.progress")
        assert client.find("shell.status").get("value") == "Nachrichten aktualisiert: 11 Meldungen."
    finally:
        await client.close()
