"""`leipzig-app news`: JSON lines newest first, failing and slow feeds, bad input, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import httpx
import pytest
from tests.news.conftest import feed_bytes
from tests.news.feed_server import FeedServer, Route

from leipzig_app.cli.main import main
from leipzig_app.sandbox.server import SandboxServer

KEYS = ["title", "link", "published", "summary", "image", "source"]


def lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_items_of_several_feeds_newest_first(
    sandbox: SandboxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    url = sandbox.base_url
    code = main(["news", "--feed", f"{url}/feeds/stadt.rss", "--feed", f"{url}/feeds/kultur.atom"])
    out = capsys.readouterr()
    assert code == 0, out.err
    items = lines(out.out)
    assert len(items) == 10
    assert all(list(item) == KEYS for item in items)
    dated = [str(i["published"]) for i in items if i["published"]]
    assert dated == sorted(dated, reverse=True)
    assert items[-1]["published"] is None  # the undated item comes last
    first = items[0]
    assert first["title"] == "Stadtrat beschließt neue Grünflächen für Grünau"
    assert first["source"] == "Stadt Leipzig (Demo)"
    assert first["link"] == f"{url}/feeds/artikel/stadt/stadt-001"
    assert first["image"] == f"{url}/feeds/bilder/gruenau.png"
    assert "<" not in str(first["summary"])
    assert "vgwort" not in out.out
    assert str(first["published"]).endswith("+00:00")


def test_a_failing_feed_gives_the_others_and_an_error_entry(
    feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    feed_server.routes["/ok.rss"] = Route(feed_bytes("rss20.xml"))
    feed_server.routes["/fail.rss"] = Route(b"", status=500)
    feed_server.routes["/slow.rss"] = Route(feed_bytes("rss20.xml"), delay=5)
    started = time.monotonic()
    code = main(
        ["news", "--timeout", "0.5"]
        + [
            arg
            for path in ("/ok.rss", "/fail.rss", "/slow.rss")
            for arg in ("--feed", feed_server.url + path)
        ]
    )
    out = capsys.readouterr()
    assert time.monotonic() - started < 3
    assert code == 1
    entries = lines(out.out)
    items = [e for e in entries if "title" in e]
    errors = [e for e in entries if "error" in e]
    assert len(items) == 3
    assert {e["feed"] for e in errors} == {feed_server.url + "/fail.rss", feed_server.url + "/slow.rss"}
    assert "500" in out.err
    assert "/fail.rss" in out.err
    assert "did not answer within 0.5 s" in out.err
    assert "Traceback" not in out.err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--feed", "http://example.org/feed"], "HTTPS"),
        (["--feed", "ftp://x/feed"], "http(s) URL"),
        (["--feed", "https://www.leipzig.de/feed", "--timeout", "30"], "at most 10"),
        (["--feed", "https://www.leipzig.de/feed", "--timeout", "0"], "more than 0"),
    ],
)
def test_bad_input_is_one_clear_line(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["news", *args]) == 1
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_as_a_command_not_a_feed_exits_1_without_traceback(feed_server: FeedServer) -> None:
    feed_server.routes["/html"] = Route(b"<html><body>Wartung</body></html>", content_type="text/html")
    result = subprocess.run(
        [sys.executable, "-m", "leipzig_app.cli.main", "news", "--feed", feed_server.url + "/html"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "not an RSS or Atom feed" in result.stderr
    assert "Traceback" not in result.stderr
    assert lines(result.stdout) == [
        {
            "error": "feed failed",
            "feed": feed_server.url + "/html",
            "reason": "127.0.0.1: the answer is not an RSS or Atom feed",
        }
    ]


def test_a_cut_off_feed_is_reported_not_printed_half(
    sandbox: SandboxServer, feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    whole = httpx.get(sandbox.base_url + "/feeds/stadt.rss", timeout=5).content
    feed_server.routes["/stadt.rss"] = Route(whole[:1500])
    feed_server.routes["/kultur.atom"] = Route(
        httpx.get(sandbox.base_url + "/feeds/kultur.atom", timeout=5).content,
        content_type="application/atom+xml",
    )
    cut, good = feed_server.url + "/stadt.rss", feed_server.url + "/kultur.atom"
    code = main(["news", "--feed", cut, "--feed", good])
    out = capsys.readouterr()
    assert code == 1
    entries = lines(out.out)
    assert {e["source"] for e in entries if "title" in e} == {"Kultur in Leipzig (Demo)"}
    assert all(e["published"] and e["summary"] for e in entries if "title" in e)
    (error,) = [e for e in entries if "error" in e]
    assert error["feed"] == cut
    assert "cut off or not well-formed XML" in str(error["reason"])
    assert f"leipzig-app: error: feed {cut}: 127.0.0.1: the feed is cut off" in out.err
    assert "Traceback" not in out.err


def test_demo_pictures_in_the_text_resolve_against_the_feed(
    sandbox: SandboxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    url = sandbox.base_url
    assert main(["news", "--feed", f"{url}/feeds/stadt.rss"]) == 0
    markt = next(i for i in lines(capsys.readouterr().out) if str(i["title"]).startswith("Weihnachtsmarkt"))
    assert markt["image"] == f"{url}/feeds/bilder/markt.png"
    assert httpx.get(str(markt["image"]), timeout=5).status_code == 200


def test_an_article_in_two_feeds_is_printed_once(
    feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    rss = feed_bytes("rss20.xml")
    # The same three articles under other guids in a second feed: the links make them the same.
    feed_server.routes["/a.rss"] = Route(rss.replace(b"<title>Stadtwerke Leipzig (Test)", b"<title>Netz A"))
    feed_server.routes["/b.rss"] = Route(
        rss.replace(b"<title>Stadtwerke Leipzig (Test)", b"<title>Netz B").replace(b"swl-2026-117", b"b-1")
    )
    code = main(["news", "--feed", feed_server.url + "/a.rss", "--feed", feed_server.url + "/b.rss"])
    out = capsys.readouterr()
    assert code == 0, out.err
    items = lines(out.out)
    assert [i["title"] for i in items] == [
        "Fernwärme: Neue Leitung in Lindenau",
        "Wasserpreise bleiben 2027 stabil",
        "Kundenzentrum: neue Öffnungszeiten",
    ]
    assert {i["source"] for i in items} == {"Netz A / Netz B"}
