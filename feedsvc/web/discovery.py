"""Discovery documents: the sitemap, robots.txt, and the directory of every feed (a page and OPML).

Pure: each function takes the catalog (or the site) and returns bytes or
plain data; the views send them and the static export writes them. Every
URL is absolute, from ``base_url``, as in the feeds.

- ``/sitemap.xml`` (https://www.sitemaps.org/protocol.html): the home page,
  every article page and every tag, author and source page, each with ``lastmod``
  (an article's ``updated``; a list's newest ``updated``). Past
  ``max_urls`` URLs or ``max_bytes`` bytes in one file it becomes a sitemap
  index of ``/sitemap-1.xml``, ``/sitemap-2.xml``, …, each within both limits.
- ``/robots.txt`` names the sitemap, or keeps every crawler out
  (``crawlers = "deny"`` in site.toml: a staging copy or a private site).
- ``/feeds`` and ``/feeds.opml`` list the same feeds: the site's, each tag's,
  each author's and each followed source's. OPML names one format per feed (Atom), as a reader that
  imports it subscribes to every outline it finds.
- ``/tags`` and ``/authors`` list every tag and author with their number of
  articles, their page and their feed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape

from feedsvc.build.records import ArticleList
from feedsvc.feeds.atom_rss import ATOM_TYPE, RSS_TYPE, site_epoch
from feedsvc.feeds.families import facet_title
from feedsvc.feeds.json_feed import JSON_FEED_TYPE
from feedsvc.model import Catalog, Facet, Site, article_path
from feedsvc.web.paging import list_updated

__all__ = [
    "AUTHOR_INDEX_PATH",
    "FACET_INDEX_PATHS",
    "FEED_FORMATS",
    "FEED_LIST_PATH",
    "OPML_PATH",
    "OPML_TYPE",
    "ROBOTS_PATH",
    "SITEMAP_MAX_BYTES",
    "SITEMAP_MAX_URLS",
    "SITEMAP_PATH",
    "SITEMAP_TYPE",
    "TAG_INDEX_PATH",
    "FacetEntry",
    "FeedGroup",
    "facet_index",
    "feed_directory",
    "feed_links",
    "opml",
    "robots_txt",
    "sitemap_part_path",
    "sitemap_urls",
    "sitemaps",
]

FEED_FORMATS = ((".atom", ATOM_TYPE, "Atom"), (".rss", RSS_TYPE, "RSS"), (".json", JSON_FEED_TYPE, "JSON Feed"))
SITEMAP_PATH = "/sitemap.xml"
ROBOTS_PATH = "/robots.txt"
FEED_LIST_PATH = "/feeds"
OPML_PATH = "/feeds.opml"
TAG_INDEX_PATH = "/tags"
AUTHOR_INDEX_PATH = "/authors"
FACET_INDEX_PATHS = {"tags": TAG_INDEX_PATH, "authors": AUTHOR_INDEX_PATH}  # facet kind -> its index page
SITEMAP_TYPE = "application/xml; charset=utf-8"
OPML_TYPE = "text/x-opml; charset=utf-8"  # no registered type; the one readers and browsers know
# sitemaps.org: at most 50,000 URLs and 50 MB (52,428,800 bytes) uncompressed in one sitemap file
SITEMAP_MAX_URLS = 50_000
SITEMAP_MAX_BYTES = 52_428_800
_SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


def feed_links(prefix: str, name: str) -> tuple[tuple[str, str, str], ...]:
    """Return (path, media type, title) of a feed family, for autodiscovery and the footer."""
    return tuple((f"{prefix}{ext}", media_type, f"{name} ({label})") for ext, media_type, label in FEED_FORMATS)


def _lastmod(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")  # W3C Datetime, with its offset


def sitemap_urls(catalog: Catalog) -> Iterator[tuple[str, datetime]]:
    """Yield (absolute URL, lastmod) of every page a search engine should know: home, articles, tags, authors, sources."""
    site = catalog.site
    epoch = site_epoch(site)
    yield site.url("/"), list_updated(catalog.articles, (), epoch)
    articles = catalog.articles
    listed = (
        articles.slugs_and_updates()  # a server's: read from the records, no article made
        if isinstance(articles, ArticleList)
        else ((article.slug, article.updated) for article in articles)
    )
    for slug, updated in listed:
        yield site.url(article_path(slug)), updated
    for kind, facets in (("tags", catalog.tags), ("authors", catalog.authors), ("sources", catalog.sources)):
        if facets and kind in FACET_INDEX_PATHS:  # sources have no index page: /feeds lists them
            yield site.url(FACET_INDEX_PATHS[kind]), list_updated(catalog.articles, (), epoch)
        for key in sorted(facets):
            facet = facets[key]
            yield site.url(facet.path), list_updated(facet.articles, (), epoch)


def sitemap_part_path(number: int) -> str:
    """Return the site path of the ``number``-th sitemap (from 1) under a sitemap index."""
    return f"/sitemap-{number}.xml"


def sitemaps(
    catalog: Catalog, max_urls: int = SITEMAP_MAX_URLS, max_bytes: int = SITEMAP_MAX_BYTES
) -> dict[str, bytes]:
    """Return site path -> body of every sitemap document: one urlset, or an index and its parts.

    A part holds as many URLs as fit both limits (and at least one).
    """
    head = f'{_XML_DECLARATION}<urlset xmlns="{_SITEMAP_NS}">\n'.encode()
    tail = b"</urlset>\n"
    parts: list[tuple[list[bytes], datetime]] = []
    size = 0
    for url, modified in sitemap_urls(catalog):
        entry = f"<url><loc>{escape(url)}</loc><lastmod>{_lastmod(modified)}</lastmod></url>\n".encode()
        current = parts[-1][0] if parts else None
        if current is None or len(current) >= max_urls or size + len(entry) > max_bytes:
            parts.append(([], modified))
            current, size = parts[-1][0], len(head) + len(tail)
        current.append(entry)
        size += len(entry)
        if modified > parts[-1][1]:
            parts[-1] = (current, modified)
    if len(parts) <= 1:
        return {SITEMAP_PATH: head + b"".join(parts[0][0] if parts else []) + tail}
    documents = {sitemap_part_path(n): head + b"".join(entries) + tail for n, (entries, _) in enumerate(parts, 1)}
    site = catalog.site
    index = "".join(
        f"<sitemap><loc>{escape(site.url(sitemap_part_path(n)))}</loc><lastmod>{_lastmod(newest)}</lastmod></sitemap>\n"
        for n, (_, newest) in enumerate(parts, 1)
    )
    body = f'{_XML_DECLARATION}<sitemapindex xmlns="{_SITEMAP_NS}">\n{index}</sitemapindex>\n'
    return {SITEMAP_PATH: body.encode(), **documents}


def robots_txt(site: Site) -> bytes:
    """Return robots.txt (RFC 9309): every crawler welcome and the sitemap named, or every crawler kept out."""
    if site.crawlers == "deny":
        return b'# crawlers = "deny" in site.toml\nUser-agent: *\nDisallow: /\n'
    return f"User-agent: *\nAllow: /\n\nSitemap: {site.url(SITEMAP_PATH)}\n".encode()


@dataclass(frozen=True)
class FeedGroup:
    """One feed family as the directory lists it: a heading, its page and its three formats."""

    title: str
    page: str  # site path of the HTML page the feed follows
    feeds: tuple[tuple[str, str, str], ...]  # (path, media type, title), Atom first


def feed_directory(catalog: Catalog) -> tuple[tuple[str, tuple[FeedGroup, ...]], ...]:
    """Return the site's feeds in sections: ("Site", …), ("Sources", …), ("Tags", …), ("Authors", …).

    Empty sections are left out. A followed source is listed before its first article
    (its feeds are valid and empty): readers may subscribe before the first poll.
    """
    site = catalog.site

    def groups(facets: Mapping[str, Facet]) -> tuple[FeedGroup, ...]:
        ordered = sorted(facets.values(), key=lambda f: (f.name.casefold(), f.key))
        return tuple(FeedGroup(f.name, f.path, feed_links(f"{f.path}/feed", facet_title(f, site))) for f in ordered)

    sections = (
        ("Site", (FeedGroup(site.title, "/", feed_links("/feed", site.title)),)),
        ("Sources", groups(catalog.sources)),
        ("Tags", groups(catalog.tags)),
        ("Authors", groups(catalog.authors)),
    )
    return tuple((name, found) for name, found in sections if found)


@dataclass(frozen=True)
class FacetEntry:
    """One tag or author as its index page lists it."""

    name: str
    page: str  # site path of its page
    feed: str  # site path of its Atom feed
    count: int  # articles published under it


def facet_index(catalog: Catalog, kind: str) -> tuple[FacetEntry, ...]:
    """Return every tag (``kind`` "tags") or author ("authors") of the site, by name, with its article count."""
    facets: Mapping[str, Facet] = catalog.tags if kind == "tags" else catalog.authors
    ordered = sorted(facets.values(), key=lambda f: (f.name.casefold(), f.key))
    return tuple(FacetEntry(f.name, f.path, f"{f.path}/feed.atom", len(f.articles)) for f in ordered)


def opml(catalog: Catalog) -> bytes:
    """Return an OPML 2.0 subscription list of every feed in :func:`feed_directory`, one outline per feed (Atom)."""
    site = catalog.site
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = f"{site.title}: feeds"
    ET.SubElement(head, "docs").text = "http://opml.org/spec2.opml"
    body = ET.SubElement(root, "body")
    for name, groups in feed_directory(catalog):
        parent = body if name == "Site" else ET.SubElement(body, "outline", text=name, title=name)
        for group in groups:
            path, _, title = group.feeds[0]  # Atom: a reader subscribes to each outline, so one format each
            ET.SubElement(
                parent,
                "outline",
                type="rss",  # OPML 2.0's type of a subscription, whatever the feed's format
                text=title.removesuffix(" (Atom)"),
                title=title.removesuffix(" (Atom)"),
                xmlUrl=site.url(path),
                htmlUrl=site.url(group.page),
            )
    ET.indent(root)
    return _XML_DECLARATION.encode() + ET.tostring(root, encoding="unicode").encode() + b"\n"
