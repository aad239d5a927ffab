"""feeds/json_feed.py: JSON Feed 1.1 fields, and the same entries, ids and dates as Atom."""

from __future__ import annotations

import json

import feedparser
import jsonschema
import pytest
from lxml import etree

from feedsvc.feeds.atom_rss import build_atom
from feedsvc.feeds.json_feed import JSON_FEED_TYPE, build_json
from feedsvc.model import Article, FeedSpec, Image, Site, SiteImage
from support.factories import make_article, make_site
from support.paths import FIXTURES as FIXTURES_DIR

ATOM = "{http://www.w3.org/2005/Atom}"
SCHEMA = json.loads((FIXTURES_DIR / "jsonfeed" / "jsonfeed-1.1.schema.json").read_text())
SPEC = FeedSpec("/feed.json", "feed", "Test Site")


@pytest.fixture
def site() -> Site:
    return make_site()


@pytest.fixture
def articles() -> list[Article]:
    return [make_article("newer", 23, image=Image("https://news.example.org/lead.jpg")), make_article("older", 20)]


def test_document_validates_against_the_json_feed_1_1_fields(site: Site, articles: list[Article]) -> None:
    feed = json.loads(build_json(articles, site, SPEC))
    jsonschema.validate(feed, SCHEMA)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["feed_url"] == "https://news.example.org/feed.json"
    assert feed["home_page_url"] == "https://news.example.org/"
    assert feed["language"] == "en"
    item = feed["items"][0]
    assert item["url"] == "https://news.example.org/articles/newer"
    assert item["external_url"] == "https://origin.example.com/newer/"
    assert item["content_html"].startswith("<p>Body of newer")
    assert item["summary"] == "Summary of newer."
    assert item["authors"] == [{"name": "Ada Lovelace"}, {"name": "Grace Hopper"}]
    assert item["tags"] == ["Politics", "South Caucasus"]
    assert item["image"] == "https://news.example.org/lead.jpg"


def test_same_entries_ids_and_dates_as_the_atom_feed(site: Site, articles: list[Article]) -> None:
    items = json.loads(build_json(articles, site, SPEC))["items"]
    atom = etree.fromstring(build_atom(articles, site, FeedSpec("/feed.atom", "feed", "Test Site")))
    entries = atom.findall(f"{ATOM}entry")
    assert [i["id"] for i in items] == [e.findtext(f"{ATOM}id") for e in entries]
    assert [i["date_published"] for i in items] == [e.findtext(f"{ATOM}published") for e in entries]
    assert [i["date_modified"] for i in items] == [e.findtext(f"{ATOM}updated") for e in entries]


def test_hub_is_announced_only_when_configured(articles: list[Article]) -> None:
    assert "hubs" not in json.loads(build_json(articles, make_site(), SPEC))
    with_hub = json.loads(build_json(articles, make_site(websub_hub="https://hub.example.net/"), SPEC))
    assert with_hub["hubs"] == [{"type": "WebSub", "url": "https://hub.example.net/"}]
    jsonschema.validate(with_hub, SCHEMA)


def _feedparser_reads_json() -> bool:
    try:
        import feedparser.parsers.json  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.skipif(
    not _feedparser_reads_json(),
    reason="the installed feedparser (6.0.x, its newest release) has no JSON Feed parser; its main branch has one",
)
def test_feedparser_reads_it(site: Site, articles: list[Article]) -> None:
    parsed = feedparser.parse(build_json(articles, site, SPEC), response_headers={"content-type": JSON_FEED_TYPE})
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "json11"
    assert [e.id for e in parsed.entries] == [a.entry_id for a in articles]
    assert [e.title for e in parsed.entries] == [a.title for a in articles]
    assert all(e.published_parsed for e in parsed.entries)


def test_same_content_gives_identical_bytes_and_empty_is_valid(site: Site, articles: list[Article]) -> None:
    assert build_json(articles, site, SPEC) == build_json(list(articles), site, SPEC)
    empty = json.loads(build_json([], site, SPEC))
    jsonschema.validate(empty, SCHEMA)
    assert empty["items"] == []


def test_text_is_utf8_not_escaped(site: Site) -> None:
    body = build_json([make_article("x", 1, title="Пашинян — Алиев")], site, SPEC)
    assert "Пашинян — Алиев".encode() in body


def test_the_site_icon_is_the_feeds_icon_and_favicon(articles: list[Article]) -> None:
    icon = SiteImage("icon.png", "/icon.png", "image/png", 128, 128, "d1")
    logo = SiteImage("logo.png", "/logo.png", "image/png", 144, 48, "d2")
    feed = json.loads(build_json(articles, make_site(icon=icon, logo=logo), SPEC))
    jsonschema.validate(feed, SCHEMA)
    assert feed["icon"] == feed["favicon"] == "https://news.example.org/icon.png"
    bare = json.loads(build_json(articles, make_site(logo=logo), SPEC))
    assert "icon" not in bare and "favicon" not in bare  # a wide logo is not the square icon JSON Feed asks for
