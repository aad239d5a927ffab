"""Property-based: any metadata and any body, through the loader and the catalog, give well-formed feeds.

hypothesis writes pages whose JSON-LD carries arbitrary titles, authors, tags
and summaries (control characters, lone surrogates, markup, bidi controls,
thousands of characters), loads them as the service does (``parse_article``,
then ``prepare_source``), renders the Atom, RSS and JSON Feed documents, and
checks that lxml parses them, feedparser reads them without its bozo flag,
and that every text field came out as plain one-line text.
"""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from feedsvc.catalog.prepare import prepare_source
from feedsvc.content.loader import ArticleFiles, parse_article
from feedsvc.feeds.atom_rss import build_atom, build_rss
from feedsvc.feeds.json_feed import build_json
from feedsvc.model import FeedSpec
from feedsvc.text import XML_UNSAFE
from support.factories import make_site
from support.hostile_vectors import dangers, text_dangers
from support.strategies import HTMLISH, TEXT

SETTINGS = settings(
    max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow], database=None
)
SITE = make_site()
SPEC = FeedSpec("/feed.atom", "feed", SITE.title)
PATH = Path("/content/articles/story.html")
STRICT_XML = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
LONG_TEXT = st.one_of(TEXT, TEXT.map(lambda text: (text + " word") * 200))


def jsonld(data: dict[str, object]) -> str:
    # every character escaped, so any string (a lone surrogate, "</script>") reaches the metadata
    return json.dumps(data, ensure_ascii=True).replace("<", "\\u003c").replace(">", "\\u003e")


@st.composite
def article_page(draw: st.DrawFn) -> tuple[bytes, bytes | None]:
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": draw(LONG_TEXT),
        "description": draw(st.one_of(st.none(), LONG_TEXT)),
        "author": [{"@type": "Person", "name": name} for name in draw(st.lists(TEXT, max_size=4))],
        "keywords": draw(st.lists(TEXT, max_size=8)),
        "datePublished": "2024-03-05T09:30:00+04:00",
    }
    body = draw(HTMLISH)
    title = draw(TEXT).replace("<", "").replace("&", "")
    page = (
        f'<html><head><title>{title}</title><script type="application/ld+json">{jsonld(data)}</script></head>'
        f"<body><article><p>An opening paragraph that always has some words in it.</p>{body}</article></body></html>"
    )
    sidecar = draw(st.sampled_from([None, 'status = "published"\n', 'tags = ["a <b>bold</b> tag", "x\\u0001y"]\n']))
    encoding = draw(st.sampled_from(["utf-8", "utf-16", "cp1252"]))
    raw = page.encode(encoding, errors="surrogatepass" if encoding.startswith("utf") else "replace")
    return raw, sidecar.encode() if sidecar else None


@SETTINGS
@given(article_page())
def test_any_article_gives_well_formed_feeds_with_plain_text_fields(case: tuple[bytes, bytes | None]) -> None:
    data, sidecar = case
    source = parse_article(PATH, ArticleFiles(data, sidecar), SITE)
    article = prepare_source(source, SITE).article
    if article is None:  # nothing left of the body: reported, never published
        return
    texts = [article.title, article.summary, *article.authors, *article.tags]
    for text in texts:
        assert text_dangers(text) == [] and XML_UNSAFE.search(text) is None, repr(text)
    assert len(article.title) <= 300 and article.title
    assert dangers(article.content_html) == []

    for body in (build_atom([article], SITE, SPEC), build_rss([article], SITE, SPEC)):
        etree.fromstring(body, STRICT_XML)
        parsed = feedparser.parse(body)
        assert parsed.bozo == 0, parsed.get("bozo_exception")
        (entry,) = parsed.entries
        assert entry.title == article.title
    item = json.loads(build_json([article], SITE, SPEC))["items"][0]
    assert item["title"] == article.title and item["content_html"] == article.content_html
