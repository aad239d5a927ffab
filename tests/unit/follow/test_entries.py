"""follow/entries.py: RSS, Atom, JSON Feed and sitemaps read into entries; malformed and huge ones named."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from feedsvc.follow.entries import MAX_ENTRIES, ListingError, parse_feed, parse_listing

UTC_ZONE = ZoneInfo("UTC")
URL = "https://news.example.org/feed"

RSS = b"""<?xml version="1.0"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>River</title><link>/</link>
<item><title>One</title><link>/a/one</link><guid isPermaLink="false">id-1</guid>
<pubDate>Tue, 10 Jun 2025 04:00:00 GMT</pubDate><dc:creator>Ada</dc:creator><description>First.</description></item>
<item><title>Two</title><guid>https://news.example.org/a/two</guid><description>Second.</description></item>
<item><title>No link</title><description>Nothing to fetch.</description></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://news.example.org/"><title>River</title>
<link href="https://news.example.org/"/>
<entry><id>tag:x,2025:1</id><title>One</title><link rel="alternate" href="a/one"/><link rel="edit" href="e/1"/>
<published>2025-06-10T04:00:00Z</published><updated>2025-06-11T04:00:00Z</updated>
<author><name>Ada</name></author><author><name>Grace</name></author></entry>
</feed>"""


def test_rss_items_are_identified_by_guid_else_link_and_links_resolve_against_the_feed() -> None:
    listing = parse_feed(RSS, URL, UTC_ZONE)
    assert (listing.kind, listing.title, listing.link) == ("rss", "River", "https://news.example.org/")
    first, second = listing.entries  # the item without a link or permalink guid has nothing to fetch
    assert (first.key, first.url, first.title, first.authors) == (
        "id-1",
        "https://news.example.org/a/one",
        "One",
        ("Ada",),
    )
    assert first.published == datetime(2025, 6, 10, 4, tzinfo=UTC)
    assert (second.key, second.url) == ("https://news.example.org/a/two", "https://news.example.org/a/two")


def test_atom_entries_take_the_alternate_link_under_xml_base_and_every_author() -> None:
    (entry,) = parse_feed(ATOM, URL, UTC_ZONE).entries
    assert (entry.key, entry.url, entry.authors) == ("tag:x,2025:1", "https://news.example.org/a/one", ("Ada", "Grace"))
    assert entry.updated == datetime(2025, 6, 11, 4, tzinfo=UTC)
    assert entry.version == entry.updated.isoformat()  # the source's updated date says when it changed


def test_json_feed_items_and_numeric_ids() -> None:
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "River",
        "items": [
            {
                "id": 7,
                "url": "https://news.example.org/a/7",
                "title": "Seven",
                "authors": [{"name": "Ada"}],
                "date_published": "2025-06-10T04:00:00Z",
                "content_text": "Seven.",
            },
            {"id": "no-url", "content_text": "Nothing to fetch."},
        ],
    }
    (entry,) = parse_feed(json.dumps(document).encode(), URL, UTC_ZONE).entries
    assert (entry.key, entry.url, entry.title, entry.authors) == (
        "7",
        "https://news.example.org/a/7",
        "Seven",
        ("Ada",),
    )


def test_an_entry_without_an_updated_date_changes_version_when_its_content_changes() -> None:
    before = parse_feed(RSS, URL, UTC_ZONE).entries[0]
    after = parse_feed(RSS.replace(b"First.", b"First, corrected."), URL, UTC_ZONE).entries[0]
    same = parse_feed(RSS, URL, UTC_ZONE).entries[0]
    assert before.version != after.version
    assert before.version == same.version


def test_a_feed_that_is_not_well_formed_is_read_as_far_as_possible_and_says_so() -> None:
    broken = RSS.replace(b"</channel></rss>", b"<item><title>Cut & dried</title>")
    listing = parse_feed(broken, URL, UTC_ZONE)
    assert [e.title for e in listing.entries] == ["One", "Two"]
    assert listing.warning is not None and "not well-formed XML" in listing.warning


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "is empty"),
        (b"\x00\x01garbage", "is not well-formed XML"),
        (b"<html><body>Hello</body></html>", "is an HTML page, not a feed"),
        (b"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'/>", "write `sitemap = ...`"),
        (b"<opml/>", "has root element <opml>: not RSS, Atom or JSON Feed"),
        (b'{"items": []}', "not a JSON Feed"),
        (b'{"version": "https://jsonfeed.org/version/1", "items": 3}', "without an items list"),
        (b"{broken", "is not valid JSON"),
    ],
)
def test_what_is_not_a_feed_is_a_named_error(data: bytes, message: str) -> None:
    with pytest.raises(ListingError, match=message.replace("(", r"\(").replace("[", r"\[")):
        parse_feed(data, URL, UTC_ZONE)


def test_a_feed_of_100000_items_is_read_to_the_cap_with_a_warning() -> None:
    items = b"".join(b"<item><link>https://news.example.org/a/%d</link></item>" % n for n in range(100_000))
    listing = parse_feed(b"<rss><channel><title>Big</title>" + items + b"</channel></rss>", URL, UTC_ZONE)
    assert len(listing.entries) == MAX_ENTRIES
    assert listing.entries[0].url == "https://news.example.org/a/0"
    assert listing.warning == f"lists 100,000 entries; only the newest {MAX_ENTRIES:,} were read"


def test_entities_are_not_expanded() -> None:
    bomb = b'<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>' + RSS.split(b"?>", 1)[
        1
    ].replace(b"First.", b"&b;")
    listing = parse_feed(bomb, URL, UTC_ZONE)
    assert "aaaaaaaaaa" not in repr(listing)


def test_sitemaps_and_news_sitemaps_list_pages_by_url() -> None:
    data = b"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
    <url><loc>https://news.example.org/a/1</loc><lastmod>2025-06-11</lastmod>
    <news:news><news:publication_date>2025-06-10T04:00:00Z</news:publication_date><news:title>One</news:title></news:news></url>
    </urlset>"""
    (entry,) = parse_listing(data, URL, UTC_ZONE, sitemap=True).entries
    assert (entry.key, entry.title, entry.published) == (
        "https://news.example.org/a/1",
        "One",
        datetime(2025, 6, 10, 4, tzinfo=UTC),
    )
    index = parse_listing(
        b"<sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'><sitemap><loc>https://news.example.org/s1.xml</loc></sitemap></sitemapindex>",
        URL,
        UTC_ZONE,
        sitemap=True,
    )
    assert (index.kind, index.sitemaps) == ("sitemapindex", ("https://news.example.org/s1.xml",))
