"""feeds/atom_rss.py: structure of the Atom and RSS documents, determinism, validity."""

from __future__ import annotations

import html
from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import feedparser
import pytest
from lxml import etree

from feedsvc.feeds.atom_rss import EMPTY_FEED_UPDATED, FeedSpec, build_atom, build_rss, feed_updated, site_epoch
from feedsvc.model import Article, Image, Site, SiteImage
from support.factories import make_article, make_site, make_withdrawal

ATOM = "{http://www.w3.org/2005/Atom}"
NS = {
    "a": "http://www.w3.org/2005/Atom",
    "dc": "http://purl.org/dc/elements/1.1/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "atom": "http://www.w3.org/2005/Atom",
}
TBILISI = ZoneInfo("Asia/Tbilisi")
SPEC = FeedSpec("/feed.atom", "feed", "Test Site")
RSS_SPEC = FeedSpec("/feed.rss", "feed", "Test Site")


@pytest.fixture
def site() -> Site:
    return make_site()


@pytest.fixture
def articles() -> list[Article]:
    return [make_article("newer", 23), make_article("older", 20)]


def test_atom_feed_carries_full_metadata(site: Site, articles: list[Article]) -> None:
    root = etree.fromstring(build_atom(articles, site, SPEC))
    assert root.tag == f"{ATOM}feed"
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert root.findtext(f"{ATOM}id") == "tag:news.example.org,2020:feed"
    assert root.findtext(f"{ATOM}title") == "Test Site"
    assert root.findtext(f"{ATOM}subtitle") == "News for tests"
    # the feed's updated is the newest entry's, not the build time
    assert root.findtext(f"{ATOM}updated") == "2021-11-23T05:00:00+04:00"
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links == {"alternate": "https://news.example.org/", "self": "https://news.example.org/feed.atom"}

    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Title of newer", "Title of older"]
    entry = entries[0]
    assert entry.findtext(f"{ATOM}id") == "tag:news.example.org,2020:2021-11-23:articles/newer"
    assert entry.findtext(f"{ATOM}published") == "2021-11-23T00:00:00+04:00"
    assert entry.findtext(f"{ATOM}updated") == "2021-11-23T05:00:00+04:00"
    assert [a.findtext(f"{ATOM}name") for a in entry.findall(f"{ATOM}author")] == ["Ada Lovelace", "Grace Hopper"]
    summary = entry.find(f"{ATOM}summary")
    assert (summary.get("type"), summary.text) == ("text", "Summary of newer.")
    content = entry.find(f"{ATOM}content")
    assert content.get("type") == "html"
    assert content.text.startswith('<p>Body of newer with <a href="https://example.org/x">')
    assert [c.get("term") for c in entry.findall(f"{ATOM}category")] == ["Politics", "South Caucasus"]
    # RFC 4287 §4.2.7.2: a link without rel is rel="alternate"
    entry_links = {link.get("rel", "alternate"): link.get("href") for link in entry.findall(f"{ATOM}link")}
    assert entry_links == {
        "alternate": "https://news.example.org/articles/newer",
        "via": "https://origin.example.com/newer/",
    }


def test_rss_feed_carries_full_metadata(site: Site, articles: list[Article]) -> None:
    root = etree.fromstring(build_rss(articles, site, RSS_SPEC))
    channel = root.find("channel")
    assert root.get("version") == "2.0"
    assert channel.findtext("title") == "Test Site"
    assert channel.findtext("link") == "https://news.example.org/"
    assert channel.findtext("description") == "News for tests"
    assert channel.findtext("language") == "en"
    assert channel.findtext("lastBuildDate") == "Tue, 23 Nov 2021 05:00:00 +0400"
    self_link = channel.find("atom:link", NS)
    assert (self_link.get("rel"), self_link.get("href")) == ("self", "https://news.example.org/feed.rss")

    item = channel.findall("item")[0]
    guid = item.find("guid")
    assert (guid.text, guid.get("isPermaLink")) == ("tag:news.example.org,2020:2021-11-23:articles/newer", "false")
    assert item.findtext("link") == "https://news.example.org/articles/newer"
    assert item.findtext("pubDate") == "Tue, 23 Nov 2021 00:00:00 +0400"
    assert item.findtext("description") == "Summary of newer."
    assert item.findtext("content:encoded", namespaces=NS).startswith("<p>Body of newer")
    assert [c.text for c in item.findall("dc:creator", NS)] == ["Ada Lovelace", "Grace Hopper"]
    assert [c.text for c in item.findall("category")] == ["Politics", "South Caucasus"]


@pytest.mark.parametrize("build", [build_atom, build_rss])
def test_same_content_gives_byte_identical_feeds(build, site: Site, articles: list[Article]) -> None:
    first = build(articles, site, SPEC)
    second = build([replace(a) for a in articles], site, SPEC)
    assert first == second


def test_feed_updated_follows_content_not_the_clock(site: Site, articles: list[Article]) -> None:
    edited = [replace(articles[1], updated=datetime(2022, 1, 1, tzinfo=UTC)), articles[0]]
    assert feed_updated(edited) == datetime(2022, 1, 1, tzinfo=UTC)
    root = etree.fromstring(build_atom(edited, site, SPEC))
    assert root.findtext(f"{ATOM}updated") == "2022-01-01T00:00:00+00:00"


@pytest.mark.parametrize("build", [build_atom, build_rss])
def test_empty_feed_is_still_valid_and_stable(build, site: Site) -> None:
    body = build([], site, SPEC)
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.entries == []
    assert body == build([], site, SPEC)


@pytest.mark.parametrize(
    ("authority", "epoch"),
    [
        ("news.example.org,2020", datetime(2020, 1, 1, tzinfo=UTC)),
        ("news.example.org,2020-03", datetime(2020, 3, 1, tzinfo=UTC)),
        ("editor@example.org,2020-03-17", datetime(2020, 3, 17, tzinfo=UTC)),
        ("news.example.org,2020-13", EMPTY_FEED_UPDATED),  # shaped like a date, but none
    ],
)
def test_site_epoch_is_the_date_of_the_id_authority(authority: str, epoch: datetime) -> None:
    assert site_epoch(make_site(id_authority=authority)) == epoch


def test_an_empty_feed_is_dated_at_the_site_epoch(site: Site) -> None:
    root = etree.fromstring(build_atom([], site, SPEC))
    assert root.findtext(f"{ATOM}updated") == site_epoch(site).isoformat() == "2020-01-01T00:00:00+00:00"


@pytest.mark.parametrize("build", [build_atom, build_rss])
def test_feedparser_reads_every_entry_with_id_title_and_dates(build, site: Site, articles: list[Article]) -> None:
    parsed = feedparser.parse(build(articles, site, SPEC))
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert [e.id for e in parsed.entries] == [a.entry_id for a in articles]
    assert [e.title for e in parsed.entries] == [a.title for a in articles]
    assert all(e.published_parsed for e in parsed.entries)
    assert parsed.entries[0].content[0].value.startswith("<p>Body of newer")


@pytest.mark.parametrize("build", [build_atom, build_rss])
def test_markup_and_cdata_terminators_in_content_stay_escaped(build, site: Site) -> None:
    tricky = make_article(
        "tricky", 1, title='Less < more & "quotes"', content="<p>Ends a CDATA section: ]]&gt; and ]]> too</p>"
    )
    body = build([tricky], site, SPEC)
    etree.fromstring(body)  # well-formed
    parsed = feedparser.parse(body)
    assert not parsed.bozo
    assert parsed.entries[0].title == 'Less < more & "quotes"'
    assert "]]>" in parsed.entries[0].content[0].value


def test_an_ampersand_in_a_summary_reaches_rss_readers_as_written(site: Site) -> None:
    text = "R&D at S&P: write &amp; for & and &copy for the sign"
    item = make_article("ampersands", 1, summary=text)
    description = etree.fromstring(build_rss([item], site, SPEC)).find("channel/item").findtext("description")
    # a reader takes RSS's description for HTML: read as HTML, it is the summary as written
    assert html.unescape(description) == text


HISTORY = "{http://purl.org/syndication/history/1.0}"
TOMBSTONES = "{http://purl.org/atompub/tombstones/1.0}"
WITHDRAWN_AT = datetime(2021, 11, 25, 8, 0, tzinfo=TBILISI)


def test_atom_tombstone_names_the_withdrawn_entry_and_when(site: Site, articles: list[Article]) -> None:
    gone = make_withdrawal("gone", WITHDRAWN_AT)
    root = etree.fromstring(build_atom(articles, site, SPEC, [gone]))
    (tombstone,) = root.findall(f"{TOMBSTONES}deleted-entry")
    assert tombstone.get("ref") == gone.entry_id
    assert tombstone.get("when") == "2021-11-25T08:00:00+04:00"
    # a withdrawal is a change: the feed's updated (and Last-Modified) moves with it
    assert root.findtext(f"{ATOM}updated") == "2021-11-25T08:00:00+04:00"
    assert feed_updated(articles, [gone]) == WITHDRAWN_AT
    # extension elements come before the entries (RFC 4287's schema)
    children = [child.tag for child in root]
    assert children.index(f"{TOMBSTONES}deleted-entry") < children.index(f"{ATOM}entry")


def test_plain_feed_declares_no_unused_namespace(site: Site, articles: list[Article]) -> None:
    body = build_atom(articles, site, SPEC)
    assert b"tombstones" not in body and b"history" not in body


def test_archive_document_is_marked_and_linked(site: Site, articles: list[Article]) -> None:
    spec = FeedSpec(
        "/archive/2021-11.atom",
        "feed",
        "Test Site: archive of November 2021",
        links=(("current", "/feed.atom"), ("prev-archive", "/archive/2021-10.atom")),
        archive=True,
    )
    root = etree.fromstring(build_atom(articles, site, spec))
    assert root.find(f"{HISTORY}archive") is not None
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links["current"] == "https://news.example.org/feed.atom"
    assert links["prev-archive"] == "https://news.example.org/archive/2021-10.atom"
    assert links["self"] == "https://news.example.org/archive/2021-11.atom"


def test_empty_archive_month_takes_its_updated_from_the_spec(site: Site) -> None:
    start = datetime(2021, 12, 1, tzinfo=TBILISI)
    spec = FeedSpec("/archive/2021-12.atom", "feed", "Test Site", archive=True, updated=start)
    root = etree.fromstring(build_atom([], site, spec))
    assert root.findtext(f"{ATOM}updated") == "2021-12-01T00:00:00+04:00"


def test_every_format_names_the_websub_hub(articles: list[Article]) -> None:
    site = make_site(websub_hub="https://hub.example.net/")
    atom = etree.fromstring(build_atom(articles, site, SPEC))
    assert [link.get("href") for link in atom.findall(f"{ATOM}link[@rel='hub']")] == ["https://hub.example.net/"]
    # feedgen drops rel=hub from RSS (python-feedgen #122); we add it back next to rel=self
    channel = etree.fromstring(build_rss(articles, site, RSS_SPEC)).find("channel")
    rels = [(link.get("rel"), link.get("href")) for link in channel.findall("atom:link", NS)]
    assert rels == [("self", "https://news.example.org/feed.rss"), ("hub", "https://hub.example.net/")]


def test_without_a_hub_no_document_names_one(site: Site, articles: list[Article]) -> None:
    assert b'rel="hub"' not in build_atom(articles, site, SPEC)
    assert b'rel="hub"' not in build_rss(articles, site, RSS_SPEC)


def test_non_ascii_paths_are_published_as_percent_encoded_uris(site: Site) -> None:
    spec = FeedSpec("/tags/პოლიტიკა/feed.atom", "feed/tags/x", "Test Site")
    root = etree.fromstring(build_atom([make_article("ქართული", 1, source_url=None)], site, spec))
    hrefs = [link.get("href") for link in root.iter(f"{ATOM}link")]
    tag = "%E1%83%9E%E1%83%9D%E1%83%9A%E1%83%98%E1%83%A2%E1%83%98%E1%83%99%E1%83%90"
    assert f"https://news.example.org/tags/{tag}/feed.atom" in hrefs
    assert "https://news.example.org/articles/%E1%83%A5%E1%83%90%E1%83%A0%E1%83%97%E1%83%A3%E1%83%9A%E1%83%98" in hrefs
    assert all(href.isascii() for href in hrefs)


ICON = SiteImage("icon.png", "/icon.png", "image/png", 128, 128, "d1")
LOGO = SiteImage("logo.png", "/logo.png", "image/png", 144, 48, "d2")


def test_atom_names_the_icon_and_the_logo(articles: list[Article]) -> None:
    root = etree.fromstring(build_atom(articles, make_site(icon=ICON, logo=LOGO), SPEC))
    assert root.findtext(f"{ATOM}icon") == "https://news.example.org/icon.png"
    assert root.findtext(f"{ATOM}logo") == "https://news.example.org/logo.png"
    bare = etree.fromstring(build_atom(articles, make_site(), SPEC))
    assert bare.find(f"{ATOM}icon") is None and bare.find(f"{ATOM}logo") is None
    parsed = feedparser.parse(build_atom(articles, make_site(icon=ICON, logo=LOGO), SPEC))
    assert (parsed.feed.icon, parsed.feed.logo) == (
        "https://news.example.org/icon.png",
        "https://news.example.org/logo.png",
    )


def _rss_image(site: Site, articles: list[Article]) -> dict[str, str] | None:
    image = etree.fromstring(build_rss(articles, site, RSS_SPEC)).find("channel/image")
    return None if image is None else {child.tag: child.text or "" for child in image}


def test_rss_image_is_the_logo_with_its_size_the_channel_title_and_link(articles: list[Article]) -> None:
    assert _rss_image(make_site(icon=ICON, logo=LOGO), articles) == {
        "url": "https://news.example.org/logo.png",
        "title": "Test Site",
        "link": "https://news.example.org/",
        "width": "144",
        "height": "48",
    }
    assert _rss_image(make_site(), articles) is None


@pytest.mark.parametrize(
    ("logo", "expected_url", "sized"),
    [
        (replace(LOGO, width=300, height=100), "https://news.example.org/logo.png", False),  # wider than 144
        (replace(LOGO, width=100, height=401), "https://news.example.org/logo.png", False),  # higher than 400
        (
            SiteImage("https://cdn.example.org/logo.png", media_type="image/png"),
            "https://cdn.example.org/logo.png",
            False,
        ),
        (SiteImage("logo.svg", "/logo.svg", "image/svg+xml"), "https://news.example.org/icon.png", True),  # not for RSS
        (None, "https://news.example.org/icon.png", True),
    ],
    ids=["too wide", "too high", "elsewhere, size unknown", "an SVG logo: the icon", "no logo: the icon"],
)
def test_rss_image_width_and_height_only_when_known_and_within_rss_limits(
    articles: list[Article], logo: SiteImage | None, expected_url: str, sized: bool
) -> None:
    image = _rss_image(make_site(icon=ICON, logo=logo), articles)
    assert image is not None and image["url"] == expected_url
    assert ("width" in image and "height" in image) is sized
    assert "width" not in image or (int(image["width"]) <= 144 and int(image["height"]) <= 400)


def test_rss_has_no_image_when_neither_picture_is_gif_jpeg_or_png(articles: list[Article]) -> None:
    svg = SiteImage("icon.svg", "/icon.svg", "image/svg+xml")
    assert _rss_image(make_site(icon=svg, logo=None), articles) is None


# --- the lead image: Media RSS and the RSS enclosure -------------------------

MEDIA = "{http://search.yahoo.com/mrss/}"
LEAD = Image(
    "https://news.example.org/uploads/lead.jpg",
    width=1200,
    height=630,
    type="image/jpeg",
    alt="Leaders at the table",
    caption="The leaders in Sochi.",
    length=48213,
    credit="TASS",
    origin="sidecar",
)


def _items(document: bytes) -> list[etree._Element]:
    root = etree.fromstring(document)
    return root.findall(f"{ATOM}entry") or root.findall("channel/item")


@pytest.mark.parametrize("build", [build_atom, build_rss])
def test_the_lead_image_is_media_rss_content_and_thumbnail_with_what_is_known(build, site: Site) -> None:
    document = build([make_article("newer", 23, image=LEAD), make_article("older", 20)], site, SPEC)
    with_image, without = _items(document)
    content = with_image.find(f"{MEDIA}content")
    assert dict(content.attrib) == {"url": LEAD.url, "medium": "image", "type": "image/jpeg", "fileSize": "48213",
                                    "width": "1200", "height": "630"}  # fmt: skip
    description = content.find(f"{MEDIA}description")
    assert (description.get("type"), description.text) == ("plain", "The leaders in Sochi.")
    assert content.findtext(f"{MEDIA}credit") == "TASS"
    assert dict(with_image.find(f"{MEDIA}thumbnail").attrib) == {"url": LEAD.url, "width": "1200", "height": "630"}
    assert without.find(f"{MEDIA}content") is None and without.find(f"{MEDIA}thumbnail") is None
    # the namespace is declared once, on the root, and nowhere else
    assert document.count(b'xmlns:media="http://search.yahoo.com/mrss/"') == 1
    parsed = feedparser.parse(document)
    assert parsed.bozo == 0
    assert parsed.entries[0].media_content[0]["url"] == LEAD.url
    assert parsed.entries[0].media_thumbnail[0]["url"] == LEAD.url
    assert "media_content" not in parsed.entries[1]


@pytest.mark.parametrize("build", [build_atom, build_rss])
def test_an_image_known_only_by_its_url_gives_only_its_url(build, site: Site) -> None:
    bare = Image("https://news.example.org/uploads/lead.jpg", origin="opengraph")
    (entry,) = _items(build([make_article("newer", 23, image=bare)], site, SPEC))
    assert dict(entry.find(f"{MEDIA}content").attrib) == {"url": bare.url, "medium": "image"}
    assert len(entry.find(f"{MEDIA}content")) == 0  # no description, no credit
    assert dict(entry.find(f"{MEDIA}thumbnail").attrib) == {"url": bare.url}
    # the alt text describes the picture when there is no caption
    (entry,) = _items(build([make_article("newer", 23, image=replace(bare, alt="Vines"))], site, SPEC))
    assert entry.find(f"{MEDIA}content").findtext(f"{MEDIA}description") == "Vines"


@pytest.mark.parametrize(
    "image, enclosure",
    [
        (LEAD, {"url": LEAD.url, "length": "48213", "type": "image/jpeg"}),
        (replace(LEAD, length=None), None),  # RSS requires a length: never guessed
        (replace(LEAD, type=None), None),  # nor a type
    ],
)
def test_rss_has_an_enclosure_only_when_length_and_type_are_known(
    site: Site, image: Image, enclosure: dict[str, str] | None
) -> None:
    rss = build_rss([make_article("newer", 23, image=image)], site, RSS_SPEC)
    (item,) = _items(rss)
    found = item.find("enclosure")
    assert (dict(found.attrib) if found is not None else None) == enclosure
    assert [e["href"] for e in feedparser.parse(rss).entries[0].enclosures] == ([LEAD.url] if enclosure else [])
    # Atom carries the picture in Media RSS alone: no enclosure link
    (entry,) = _items(build_atom([make_article("newer", 23, image=image)], site, SPEC))
    assert "enclosure" not in {link.get("rel") for link in entry.findall(f"{ATOM}link")}
