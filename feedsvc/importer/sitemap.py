"""Sitemaps (sitemaps.org 0.9): a ``<urlset>`` of pages or a ``<sitemapindex>`` of sitemaps.

Pure: bytes in, :class:`Sitemap` out, or :class:`SitemapError`. The XML
parser resolves no entities, loads no DTD and touches no network, so a
hostile sitemap cannot read files or expand into gigabytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from lxml import etree

from feedsvc.metadata.dates import parse_date
from feedsvc.text import absolute_url, plain

__all__ = ["MAX_ENTRIES", "NEWS_NS", "Sitemap", "SitemapEntry", "SitemapError", "parse_sitemap"]

# sitemaps.org: at most 50,000 URLs per sitemap and per index.
MAX_ENTRIES = 50_000
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"


class SitemapError(ValueError):
    """Bytes that are not a usable sitemap; the message says why."""


@dataclass(frozen=True)
class SitemapEntry:
    """One ``<url>`` (or ``<sitemap>``): where it is and what the sitemap says about it."""

    loc: str
    lastmod: datetime | None = None
    # Google News extension: the article's own publication date and title
    published: datetime | None = None
    title: str | None = None


@dataclass(frozen=True)
class Sitemap:
    kind: str  # "urlset" (pages) or "sitemapindex" (more sitemaps)
    entries: tuple[SitemapEntry, ...]
    ignored: int = 0  # <loc> values that are not absolute http(s) URLs


def _parser() -> etree.XMLParser:
    # A parser per call: lxml parsers are not thread-safe.
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
    )


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def parse_sitemap(data: bytes, timezone: ZoneInfo) -> Sitemap:
    """Parse a sitemap or sitemap index; dates without an offset are taken in ``timezone``."""
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as error:
        raise SitemapError(f"is not well-formed XML ({error})") from None
    if root is None:
        raise SitemapError("is empty")
    kind = _local(root.tag)
    if kind not in ("urlset", "sitemapindex"):
        raise SitemapError(f"has root element <{kind}>, not <urlset> or <sitemapindex>; is it a sitemap?")
    item_tag = "url" if kind == "urlset" else "sitemap"
    entries: list[SitemapEntry] = []
    ignored = 0
    seen: set[str] = set()
    for item in root:
        if _local(item.tag) != item_tag:
            continue
        fields = {_local(child.tag): child for child in item}
        loc = absolute_url((fields["loc"].text or "") if "loc" in fields else "")
        if loc is None:
            ignored += 1
            continue
        if loc in seen:
            continue
        seen.add(loc)
        if len(entries) >= MAX_ENTRIES:
            raise SitemapError(f"lists more than {MAX_ENTRIES:,} entries, the sitemaps.org limit; split it")
        news = item.find(f"{{{NEWS_NS}}}news")
        published = title = None
        if news is not None:
            published = _date(news.findtext(f"{{{NEWS_NS}}}publication_date"), timezone)
            title = plain(news.findtext(f"{{{NEWS_NS}}}title") or "") or None
        lastmod = _date(fields["lastmod"].text if "lastmod" in fields else None, timezone)
        entries.append(SitemapEntry(loc, lastmod, published, title))
    return Sitemap(kind, tuple(entries), ignored)


def _date(text: str | None, timezone: ZoneInfo) -> datetime | None:
    return parse_date(text.strip(), timezone) if text and text.strip() else None
