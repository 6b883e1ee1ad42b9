"""The news rules: identity, order, teaser, search, relative dates, new-since-last-visit, openable links."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from leipzig_app.domain.news import (
    AlsoIn,
    NewsItem,
    dedup_key,
    deduplicate,
    is_new,
    item_id,
    link_domain,
    matches,
    merge_feeds,
    newest_first,
    openable_link,
    relative_date,
    teaser,
)

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


def item(key: str, **kwargs: object) -> NewsItem:
    values: dict[str, object] = {"id": key, "feed_id": "stadt", "source": "Stadt Leipzig", "title": key}
    values.update(kwargs)
    return NewsItem(**values)  # type: ignore[arg-type]


def test_dedup_key_prefers_guid_then_link_then_title_and_date() -> None:
    assert dedup_key(" abc ", "https://x.de/1", "T", None) == "guid:abc"
    assert dedup_key("", "https://x.de/1", "T", None) == "link:https://x.de/1"
    assert dedup_key(None, None, "Grüne  Woche", NOW) == "title:grüne woche|" + NOW.isoformat()
    assert item_id("stadt", "guid:abc") == item_id("stadt", "guid:abc")
    assert item_id("stadt", "guid:abc") != item_id("kultur", "guid:abc")


def test_deduplicate_drops_same_id_and_same_link() -> None:
    items = [item("a", link="https://x.de/1"), item("a"), item("b", link="https://x.de/1"), item("c")]
    assert [i.id for i in deduplicate(items)] == ["a", "c"]


def copy(feed: str, name: str, key: str, **kwargs: object) -> NewsItem:
    """One feed's copy of an entry, identified the way the feed parser identifies it."""
    values: dict[str, object] = {
        "id": item_id(feed, key),
        "feed_id": feed,
        "source": name,
        "title": "Weihnachtsmarkt öffnet",
        "identity": key,
    }
    values.update(kwargs)
    return NewsItem(**values)  # type: ignore[arg-type]


def test_merge_feeds_joins_the_same_article_by_link_guid_or_title_and_date() -> None:
    link = "https://www.leipzig.de/news/markt"
    by_link = [
        copy("stadt", "Stadt", "guid:stadt-17", link=link, published=NOW, text="Kurz."),
        copy(
            "kultur",
            "Kultur",
            "link:" + link,
            link=link,
            published=NOW,
            text="Kurz.",
            image="https://x.de/m.png",
        ),
    ]
    (merged,) = merge_feeds(by_link)
    assert merged.id == by_link[1].id  # the copy with a picture is the more complete one
    assert merged.also_in == (AlsoIn("stadt", "Stadt", by_link[0].id),)
    assert merged.feed_ids == ("kultur", "stadt")
    assert merged.sources == "Kultur / Stadt"
    # An Atom id or a permalink guid names the article wherever it appears ...
    tag = "guid:tag:leipzig.de,2026:markt"
    assert len(merge_feeds([copy("a", "A", tag), copy("b", "B", tag, title="Anderer Titel")])) == 1
    permalink = [copy("a", "A", "guid:" + link), copy("b", "B", "link:" + link, link=link)]
    assert len(merge_feeds(permalink)) == 1
    # ... a plain number does not: each feed counts its own.
    assert len(merge_feeds([copy("a", "A", "guid:123"), copy("b", "B", "guid:123")])) == 2
    # Entries with neither guid nor link: the same title and date, but not the same title alone.
    dated = dedup_key(None, None, "Weihnachtsmarkt öffnet", NOW)
    assert len(merge_feeds([copy("a", "A", dated, published=NOW), copy("b", "B", dated, published=NOW)])) == 1
    other_day = dedup_key(None, None, "Weihnachtsmarkt öffnet", NOW - timedelta(days=365))
    assert len(merge_feeds([copy("a", "A", dated), copy("b", "B", other_day)])) == 2


def test_merge_feeds_keeps_the_most_complete_then_newest_then_first_copy() -> None:
    link = "https://www.leipzig.de/news/1"
    bare = copy("a", "A", "link:" + link, link=link, first_seen=NOW)
    dated = copy(
        "b", "B", "link:" + link, link=link, published=NOW, text="Text", first_seen=NOW + timedelta(hours=1)
    )
    newer = replace(dated, id="c1", feed_id="c", source="C", published=NOW + timedelta(hours=2))
    (merged,) = merge_feeds([bare, dated, newer])
    assert merged.id == "c1"
    assert [a.feed_id for a in merged.also_in] == ["a", "b"]
    assert merged.first_seen == NOW  # seen when its first copy was: not "new" again
    same = replace(dated, id="d1", feed_id="d", source="D")
    assert merge_feeds([dated, same])[0].id == dated.id  # equal copies: the first feed's
    # Order of first appearance is kept; unrelated items pass through unchanged.
    lone = item("lone", link="https://www.leipzig.de/news/2")
    assert [i.id for i in merge_feeds([lone, bare, dated])] == ["lone", dated.id]
    assert merge_feeds([lone])[0] is lone


def test_merge_feeds_joins_chains_of_copies() -> None:
    # a and b share a link, b and c share an Atom id: all three are one article.
    a = copy("a", "A", "link:https://l.de/x", link="https://l.de/x")
    b = copy("b", "B", "guid:urn:uuid:1", link="https://l.de/x")
    c = copy("c", "C", "guid:urn:uuid:1", link="https://l.de/y")
    (merged,) = merge_feeds([a, b, c])
    assert set(merged.feed_ids) == {"a", "b", "c"}


def test_newest_first_puts_undated_last_by_first_seen() -> None:
    old = item("old", published=NOW - timedelta(days=2))
    new = item("new", published=NOW - timedelta(hours=1))
    undated_early = item("u1", first_seen=NOW - timedelta(hours=5))
    undated_late = item("u2", first_seen=NOW - timedelta(hours=1))
    result = newest_first([undated_early, old, undated_late, new])
    assert [i.id for i in result] == ["new", "old", "u2", "u1"]


def test_teaser_cuts_at_a_word_with_an_ellipsis() -> None:
    text = "Der Stadtrat hat beschlossen.\n\n" + "Wort " * 100
    cut = teaser(text, limit=60)
    assert cut.endswith("…")
    assert len(cut) <= 61
    assert "\n" not in cut
    assert not cut[:-1].endswith(" ")
    assert teaser("kurz") == "kurz"


def test_search_ignores_case_and_accents_and_needs_every_word() -> None:
    news = item("a", title="Straßenfest in Möckern", text="Musik und Essen", category="Kultur")
    assert matches(news, query="strassenfest")
    assert matches(news, query="MOCKERN musik")
    assert not matches(news, query="möckern theater")
    assert matches(news, category="Kultur")
    assert not matches(news, category="Verkehr")
    assert not matches(news, feed_id="kultur")
    shared = replace(news, also_in=(AlsoIn("kultur", "Kultur", "k1"),))
    assert matches(shared, feed_id="kultur")  # an article both feeds carry is found under both
    assert matches(shared, feed_id="stadt")


def test_new_since_last_visit() -> None:
    seen_now = item("a", first_seen=NOW)
    assert is_new(seen_now, None)
    assert is_new(seen_now, NOW - timedelta(minutes=1))
    assert not is_new(seen_now, NOW)


@pytest.mark.parametrize(
    ("age", "language", "expected"),
    [
        (timedelta(hours=2), "de", "vor 2 Stunden"),
        (timedelta(hours=2), "en", "2 hours ago"),
        (timedelta(seconds=5), "de", "vor 1 Minute"),
        (timedelta(days=3), "de", "vor 3 Tagen"),
        (timedelta(days=10), "de", "13.11.2026"),
        (-timedelta(minutes=3), "de", "vor 1 Minute"),
    ],
)
def test_relative_dates_per_language(age: timedelta, language: str, expected: str) -> None:
    assert relative_date(NOW - age, NOW, language, "Europe/Berlin") == expected


def test_old_dates_show_the_local_calendar_day() -> None:
    # 23:30 UTC on 12 Nov is already 13 Nov in Leipzig.
    when = datetime(2026, 11, 12, 23, 30, tzinfo=UTC)
    assert relative_date(when, NOW, "de", "Europe/Berlin") == "13.11.2026"


def test_only_http_links_open_and_the_domain_is_shown() -> None:
    assert openable_link("https://www.leipzig.de/x") == "https://www.leipzig.de/x"
    assert openable_link("javascript:alert(1)") is None
    assert openable_link("mailto:a@b.de") is None
    assert openable_link("file:///etc/passwd") is None
    assert openable_link("") is None
    assert link_domain("https://www.leipzig.de/x?y=1") == "leipzig.de"
    assert link_domain("https://stadtbibliothek.leipzig.de/") == "stadtbibliothek.leipzig.de"
