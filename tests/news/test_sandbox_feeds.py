"""The demo city's feeds over real HTTP: content, validators and 304, and the demo switches."""

from __future__ import annotations

import time

import httpx

from leipzig_app.sandbox.server import SandboxServer


def test_rss_and_atom_with_validators_and_304(sandbox: SandboxServer) -> None:
    with httpx.Client(base_url=sandbox.base_url) as client:
        rss = client.get("/feeds/stadt.rss")
        assert rss.status_code == 200
        assert rss.headers["content-type"].startswith("application/rss+xml")
        assert "Grünflächen" in rss.text
        assert "<![CDATA[" in rss.text
        assert "<link>artikel/stadt/stadt-001</link>" in rss.text  # relative, as some cities publish them
        etag, modified = rss.headers["etag"], rss.headers["last-modified"]
        assert client.get("/feeds/stadt.rss", headers={"If-None-Match": etag}).status_code == 304
        assert client.get("/feeds/stadt.rss", headers={"If-Modified-Since": modified}).status_code == 304
        atom = client.get("/feeds/kultur.atom")
        assert atom.headers["content-type"].startswith("application/atom+xml")
        assert 'rel="enclosure"' in atom.text
        assert "Gewandhausorchester" in atom.text
        hits = client.get("/demo/feeds/stadt/hits").json()
        assert (hits["full"], hits["not_modified"]) == (1, 2)


def test_a_new_item_changes_the_validators(sandbox: SandboxServer) -> None:
    with httpx.Client(base_url=sandbox.base_url) as client:
        before = client.get("/feeds/kultur.atom")
        added = client.post(
            "/demo/feeds/kultur/items",
            json={"title": "Neu: Orgelnacht in St. Nikolai", "html": "<p>Eintritt frei</p>"},
        )
        assert added.status_code == 201
        after = client.get("/feeds/kultur.atom", headers={"If-None-Match": before.headers["etag"]})
        assert after.status_code == 200
        assert "Orgelnacht" in after.text
        assert after.headers["last-modified"] != before.headers["last-modified"]


def test_demo_modes_fail_break_and_slow_down(sandbox: SandboxServer) -> None:
    with httpx.Client(base_url=sandbox.base_url) as client:
        assert client.post("/demo/feeds/stadt/mode", json={"mode": "fail"}).status_code == 200
        assert client.get("/feeds/stadt.rss").status_code == 500
        client.post("/demo/feeds/stadt/mode", json={"mode": "broken"})
        assert client.get("/feeds/stadt.rss").headers["content-type"].startswith("text/html")
        client.post("/demo/feeds/stadt/mode", json={"mode": "slow", "delay": 0.4})
        started = time.monotonic()
        assert client.get("/feeds/stadt.rss").status_code == 200
        assert time.monotonic() - started >= 0.4
        assert client.post("/demo/feeds/stadt/mode", json={"mode": "explode"}).status_code == 422
        assert client.post("/demo/feeds/nirgends/mode", json={"mode": "ok"}).status_code == 404


def test_pictures_and_article_pages(sandbox: SandboxServer) -> None:
    with httpx.Client(base_url=sandbox.base_url) as client:
        picture = client.get("/feeds/bilder/gruenau.png")
        assert picture.headers["content-type"] == "image/png"
        assert picture.content.startswith(b"\x89PNG\r\n\x1a\n")
        assert client.get("/feeds/bilder/..%2Fsecret.png").status_code == 404
        article = client.get("/feeds/artikel/stadt/stadt-001")
        assert "Grünflächen" in article.text
        assert "Demodaten" in article.text
        assert client.get("/feeds/artikel/stadt/gibt-es-nicht").status_code == 404


def test_demo_mode_truncated_cuts_the_feed_in_half(sandbox: SandboxServer) -> None:
    with httpx.Client(base_url=sandbox.base_url) as client:
        whole = client.get("/feeds/kultur.atom")
        client.post("/demo/feeds/kultur/mode", json={"mode": "truncated"}).raise_for_status()
        # Always a full answer (a cut transfer), also to a request that could have had a 304.
        cut = client.get("/feeds/kultur.atom", headers={"If-None-Match": whole.headers["etag"]})
        assert cut.status_code == 200
        assert cut.content == whole.content[: len(whole.content) // 2]
        assert not cut.text.rstrip().endswith("</feed>")
        client.post("/demo/feeds/kultur/mode", json={"mode": "ok"}).raise_for_status()
        assert client.get("/feeds/kultur.atom").content == whole.content
