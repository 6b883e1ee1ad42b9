"""Hand-written feeds of every format through the real parser: text, dates, links, images, encodings."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from tests.news.conftest import feed_bytes

from leipzig_app.adapters.feed_html import is_tracker, to_safe_content
from leipzig_app.adapters.feeds import parse_feed
from leipzig_app.domain.errors import InvalidResponseError
from leipzig_app.domain.profile import Feed

FEED = Feed(id="test", title="", url="")


def parse(name: str, url: str = "https://www.leipzig.de/feeds/test.xml", **kwargs: object):  # type: ignore[no-untyped-def]
    return parse_feed(feed_bytes(name), feed=FEED, url=url, **kwargs)  # type: ignore[arg-type]


def test_rss_091_with_umlauts_and_no_dates() -> None:
    result = parse("rss091.xml")
    assert result.title == "Amtsblatt Leipzig (Test)"
    titles = [i.title for i in result.items]
    assert titles == [
        "Öffentliche Bekanntmachung: Straßenumbenennung in Möckern",
        "Sitzung des Jugendhilfeausschusses",
    ]
    assert all(i.published is None for i in result.items)
    assert result.items[0].source == "Amtsblatt Leipzig (Test)"


def test_rss_10_rdf_dates_to_utc_and_content_encoded() -> None:
    result = parse("rss10.rdf")
    first, second = result.items
    assert first.title == "Vorlage: Radweg an der Jahnallee"
    assert first.published == datetime(2026, 11, 21, 13, 0, tzinfo=UTC)
    assert second.published == datetime(2026, 11, 20, 8, 30, tzinfo=UTC)
    assert (
        second.text
        == "Die Grundschule Gohlis-Süd wird für 4,2 Mio. € energetisch saniert.\n\nBaubeginn: Frühjahr 2027."
    )
    assert second.category == "Schule"


def test_rss_20_cdata_is_made_safe_and_links_absolute() -> None:
    result = parse("rss20.xml")
    fernwaerme, wasser, kundenzentrum = result.items
    assert fernwaerme.published == datetime(2026, 11, 23, 8, 15, tzinfo=UTC)
    assert fernwaerme.link == "https://www.leipzig.de/stadtwerke/presse/fernwaerme-lindenau"
    assert fernwaerme.image == "https://www.leipzig.de/bilder/fernwaerme.jpg"
    assert (
        fernwaerme.text
        == "Ab Montag wird in der Georg-Schwarz-Straße gebaut.\n\nDetails auf unserer Bauseite."
    )
    assert "alert" not in fernwaerme.text
    assert "steal" not in fernwaerme.text
    assert [(link.text, link.domain) for link in fernwaerme.links] == [("unserer Bauseite", "leipzig.de")]
    assert fernwaerme.category == "Energie"
    # The duplicate entry (same guid) is gone; entities are decoded once.
    assert wasser.text == "Die Leipziger Wasserwerke halten die Preise & Gebühren stabil."
    assert wasser.image == "https://www.l.de/bilder/wasser.jpg"
    assert kundenzentrum.published is None
    assert kundenzentrum.image == "https://www.l.de/bilder/thumb-kz.jpg"


def test_atom_with_xml_base_html_title_and_xhtml_content() -> None:
    result = parse("atom.xml", url="https://stadtbibliothek.leipzig.de/feed.atom")
    lesung, gruenau = result.items
    assert lesung.title == "Lesung „Leipziger Nächte“"
    assert lesung.link == "https://stadtbibliothek.leipzig.de/veranstaltungen/lesung-42"
    assert lesung.image == "https://stadtbibliothek.leipzig.de/bilder/lesung.jpg"
    assert lesung.published == datetime(2026, 11, 22, 16, 30, tzinfo=UTC)
    assert lesung.links[0].url == "https://stadtbibliothek.leipzig.de/zentralbibliothek"
    assert "evil" not in lesung.text
    assert gruenau.text == "Die Stadtteilbibliothek Grünau öffnet jetzt auch samstags."
    assert gruenau.published == datetime(2026, 11, 21, 10, 0, tzinfo=UTC)  # updated, when no published


@pytest.mark.parametrize("name", ["latin1.xml", "latin1_declared_utf8.xml"])
def test_latin1_feeds_read_correctly(name: str) -> None:
    (only,) = parse(name).items
    assert only.title == "Straßenfest in der Südvorstadt - Grüße aus Connewitz"
    assert only.text.startswith("Für Groß und Klein")


def test_latin1_declared_only_in_the_http_header() -> None:
    data = feed_bytes("latin1.xml").replace(b' encoding="ISO-8859-1"', b"")
    result = parse_feed(
        data,
        feed=FEED,
        url="https://www.leipzig.de/x",
        content_type="application/rss+xml; charset=ISO-8859-1",
    )
    assert result.items[0].title.startswith("Straßenfest")


def test_items_without_dates_keep_feed_order_and_get_a_title() -> None:
    result = parse("nodates.xml")
    assert [i.title for i in result.items] == [
        "Erster Hinweis ohne Datum",
        "Zweiter Hinweis",
        "Ein Eintrag ganz ohne Titel, aber mit Text über den Auensee.",
    ]
    assert result.items[1].link is None
    assert len({i.id for i in result.items}) == 3


def test_an_entry_with_nothing_to_read_is_left_out() -> None:
    # No title, no text, no link (a picture alone gives a card no one can name): nothing to show or open.
    data = (
        b'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>T</title>'
        b'<item><guid isPermaLink="false">leer-1</guid></item>'
        b'<item><guid isPermaLink="false">leer-2</guid><description>  </description>'
        b'<enclosure url="https://www.leipzig.de/b.jpg" type="image/jpeg" length="1"/></item>'
        b"<item><guid>voll</guid><title>Baustelle am Ring</title></item>"
        b"</channel></rss>"
    )
    result = parse_feed(data, feed=FEED, url="https://www.leipzig.de/feeds/test.xml")
    assert [i.title for i in result.items] == ["Baustelle am Ring"]


def test_item_limit_keeps_the_newest() -> None:
    result = parse("rss20.xml", max_items=1)
    assert [i.title for i in result.items] == ["Fernwärme: Neue Leitung in Lindenau"]


def test_profile_title_names_the_source() -> None:
    result = parse_feed(
        feed_bytes("rss20.xml"), feed=Feed("swl", "Stadtwerke", ""), url="https://www.l.de/rss"
    )
    assert {i.source for i in result.items} == {"Stadtwerke"}
    assert {i.feed_id for i in result.items} == {"swl"}


@pytest.mark.parametrize(
    "body", [b"<html><body><h1>Wartung", b"", b"\x00\x01\x02 not xml", b'{"json": true}']
)
def test_not_a_feed_is_a_clear_error(body: bytes) -> None:
    with pytest.raises(InvalidResponseError) as caught:
        parse_feed(body, feed=Feed("x", "Stadt", ""), url="https://www.leipzig.de/x")
    assert caught.value.key == "news.error.not_a_feed"
    assert caught.value.params["what"] == "Stadt"


def test_sanitiser_removes_scripts_handlers_and_tracking_pixels() -> None:
    html = (
        "<p>Hallo <b>Leipzig</b><script>steal()</script></p>"
        '<img src="x.png" onerror="steal()">'
        '<img src="https://www.leipzig.de/pixel.gif" width="1" height="1">'
        '<img src="https://met.vgwort.de/na/abc">'
        '<img src="https://ssl.google-analytics.com/collect?x=1" width="100">'
        '<a href="javascript:steal()">böse</a> <a href="https://www.leipzig.de/a" onclick="steal()">gut</a>'
        '<style>body{display:none}</style><iframe src="https://evil.example"></iframe>'
    )
    content = to_safe_content(html, "https://www.leipzig.de/news/1")
    assert "steal" not in content.text
    assert "display" not in content.text
    assert content.text == "Hallo Leipzig\n\nböse gut"
    assert content.images == ["https://www.leipzig.de/news/x.png"]
    assert [(link.text, link.url) for link in content.links] == [("gut", "https://www.leipzig.de/a")]


def test_tracker_rule() -> None:
    assert is_tracker("https://www.leipzig.de/p.gif", "1", "1")
    assert is_tracker("https://www.leipzig.de/p.gif", "1px", None)
    assert is_tracker("https://stats.wp.com/x.gif")
    assert not is_tracker("https://www.leipzig.de/bild.jpg", "640", "360")


RELATIVE_RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Stadt</title><link>https://www.leipzig.de/</link>
<item><title>Weihnachtsmarkt</title><link>artikel/markt</link><guid isPermaLink="false">m-1</guid>
<description><![CDATA[<p>Siehe <a href="../verkehr/sperrungen.html">Sperrungen</a>.</p>
<img src="bilder/markt.png" width="640" height="360">]]></description></item>
</channel></rss>"""


def test_relative_addresses_in_the_text_resolve_against_the_feed_not_the_item_link() -> None:
    (markt,) = parse_feed(RELATIVE_RSS, feed=FEED, url="https://www.leipzig.de/feeds/stadt.rss").items
    assert markt.link == "https://www.leipzig.de/feeds/artikel/markt"
    # Not .../feeds/artikel/bilder/markt.png (the item link) nor .../bilder/markt.png (the channel link).
    assert markt.image == "https://www.leipzig.de/feeds/bilder/markt.png"
    assert [link.url for link in markt.links] == ["https://www.leipzig.de/verkehr/sperrungen.html"]


XML_BASE_ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://kultur.leipzig.de/aktuell/">
  <title>Kultur</title><id>tag:kultur.leipzig.de,2026:feed</id><updated>2026-11-23T08:00:00Z</updated>
  <entry>
    <title>Feed-Basis</title><id>tag:kultur.leipzig.de,2026:1</id><updated>2026-11-23T08:00:00Z</updated>
    <link href="veranstaltungen/lesung"/>
    <content type="html">&lt;img src="bilder/lesung.png"&gt;
      &lt;a href="../karten/"&gt;Karten&lt;/a&gt;</content>
  </entry>
  <entry xml:base="https://museum.leipzig.de/ausstellungen/2026/">
    <title>Eintrags-Basis</title><id>tag:kultur.leipzig.de,2026:2</id><updated>2026-11-22T08:00:00Z</updated>
    <link href="nacht"/>
    <content type="html" xml:base="texte/">&lt;img src="bilder/nacht.png"&gt;
      &lt;a href="../plan.html"&gt;Plan&lt;/a&gt;</content>
  </entry>
</feed>"""


def test_xml_base_decides_where_relative_addresses_lead() -> None:
    feed_level, entry_level = parse_feed(
        XML_BASE_ATOM, feed=FEED, url="https://www.leipzig.de/feeds/kultur.atom"
    ).items
    assert feed_level.link == "https://kultur.leipzig.de/aktuell/veranstaltungen/lesung"
    assert feed_level.image == "https://kultur.leipzig.de/aktuell/bilder/lesung.png"
    assert [link.url for link in feed_level.links] == ["https://kultur.leipzig.de/karten/"]
    assert entry_level.link == "https://museum.leipzig.de/ausstellungen/2026/nacht"
    # The content's own xml:base is relative: it builds on the entry's.
    assert entry_level.image == "https://museum.leipzig.de/ausstellungen/2026/texte/bilder/nacht.png"
    assert [link.url for link in entry_level.links] == [
        "https://museum.leipzig.de/ausstellungen/2026/plan.html"
    ]


def test_a_cut_off_feed_is_refused_as_a_whole() -> None:
    whole = feed_bytes("rss20.xml")
    assert len(parse_feed(whole, feed=FEED, url="https://www.l.de/rss").items) == 3
    for cut in (1500, len(whole) - 20, len(whole) // 3):
        with pytest.raises(InvalidResponseError) as caught:
            parse_feed(whole[:cut], feed=Feed("swl", "Stadtwerke", ""), url="https://www.l.de/rss")
        assert caught.value.key == "news.error.malformed"
        assert caught.value.params == {"what": "Stadtwerke"}
        assert "cut off or not well-formed" in str(caught.value)


def test_broken_markup_is_refused_and_names_the_place() -> None:
    broken = RELATIVE_RSS.replace(b"</title><link>artikel", b"</titel><link>artikel")
    with pytest.raises(InvalidResponseError) as caught:
        parse_feed(broken, feed=FEED, url="https://www.leipzig.de/feeds/stadt.rss")
    assert caught.value.key == "news.error.malformed"
    assert "line 3" in str(caught.value)
    assert "mismatched tag" in str(caught.value)


def test_harmless_flaws_are_still_read() -> None:
    # XML served as text/plain or text/html, and without any content type.
    for content_type in ("text/plain", "text/html; charset=utf-8", ""):
        result = parse_feed(
            RELATIVE_RSS, feed=FEED, url="https://www.leipzig.de/f.rss", content_type=content_type
        )
        assert [i.title for i in result.items] == ["Weihnachtsmarkt"]
    # HTML entities XML does not know (&nbsp;, &auml;) in an otherwise complete document, also when
    # the declared encoding is wrong (a Latin-1 feed that claims UTF-8).
    with_entities = RELATIVE_RSS.replace(
        b"<title>Weihnachtsmarkt", b"<title>Weihnachts&shy;markt&nbsp;&auml;"
    )
    (only,) = parse_feed(with_entities, feed=FEED, url="https://www.leipzig.de/f.rss").items
    assert only.title == "Weihnachts\xadmarkt ä"
    mislabelled = feed_bytes("latin1_declared_utf8.xml").replace(b"</title>", b"&nbsp;</title>", 1)
    assert parse_feed(mislabelled, feed=FEED, url="https://www.leipzig.de/f.rss").items


def test_html_entities_do_not_hide_a_cut() -> None:
    with_entity = RELATIVE_RSS.replace(b"<title>Weihnachtsmarkt", b"<title>Weihnachts&nbsp;markt")
    with pytest.raises(InvalidResponseError) as caught:
        parse_feed(with_entity[:-40], feed=FEED, url="https://www.leipzig.de/f.rss")
    assert caught.value.key == "news.error.malformed"


@pytest.mark.parametrize(
    ("stamp", "utc"),
    [
        ("Mon, 07 Dec 2026 10:00:00 CET", datetime(2026, 12, 7, 9, tzinfo=UTC)),
        ("Mon, 07 Dec 2026 10:00:00 MEZ", datetime(2026, 12, 7, 9, tzinfo=UTC)),
        ("Tue, 07 Jul 2026 10:00:00 CEST", datetime(2026, 7, 7, 8, tzinfo=UTC)),
        ("Tue, 07 Jul 2026 10:00:00 MESZ", datetime(2026, 7, 7, 8, tzinfo=UTC)),
        ("Mon, 07 Dec 2026 00:30:00 CET", datetime(2026, 12, 6, 23, 30, tzinfo=UTC)),
        ("7 Dec 2026 10:00 EET", datetime(2026, 12, 7, 8, tzinfo=UTC)),
        ("Mon, 07 Dec 2026 10:00:00 +0100", datetime(2026, 12, 7, 9, tzinfo=UTC)),
        ("Mon, 07 Dec 2026 10:00:00 GMT", datetime(2026, 12, 7, 10, tzinfo=UTC)),
        # German day and month names, which some content systems write into pubDate
        ("Mo, 07 Dez 2026 10:00:00 +0100", datetime(2026, 12, 7, 9, tzinfo=UTC)),
        ("Di, 03 Mär 2026 10:00:00 MEZ", datetime(2026, 3, 3, 9, tzinfo=UTC)),
        ("Di., 03 Mrz. 2026 10:00:00 GMT", datetime(2026, 3, 3, 10, tzinfo=UTC)),
        ("Fr, 01 Mai 2026 08:15:00 MESZ", datetime(2026, 5, 1, 6, 15, tzinfo=UTC)),
        ("Donnerstag, 15 Okt 2026 12:00:00 +0200", datetime(2026, 10, 15, 10, tzinfo=UTC)),
        ("So, 27 Dez 2026 18:00:00", datetime(2026, 12, 27, 18, tzinfo=UTC)),
    ],
)
def test_european_zone_names_and_german_dates_are_read_right(stamp: str, utc: datetime) -> None:
    # German servers often write the zone by name; feedparser knows only GMT and the American ones and
    # would read "10:00 CET" as 10:00 UTC: an hour off in "vor 2 Stunden" and in the order.
    body = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Zonen</title>'
        "<link>https://www.leipzig.de/</link><description>d</description><item><title>Termin</title>"
        f"<link>https://www.leipzig.de/t</link><pubDate>{stamp}</pubDate></item></channel></rss>"
    ).encode()
    (item,) = parse_feed(body, feed=FEED, url="https://www.leipzig.de/feeds/test.xml").items
    assert item.published == utc
