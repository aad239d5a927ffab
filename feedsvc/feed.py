"""Feed building: a list of articles -> Atom 1.0 or RSS 2.0 bytes (feedgen).

Pure and clock-free: every date comes from the articles, so the same
content gives byte-identical feeds (and ETags) on every run and instance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from .model import Article, Site, article_path

ATOM_TYPE = "application/atom+xml"
RSS_TYPE = "application/rss+xml"
GENERATOR = "feedsvc"
# An empty feed still needs an <updated>; the epoch is stable, unlike now().
EMPTY_FEED_UPDATED = datetime(1970, 1, 1, tzinfo=timezone.utc)


class _AtomEntryLinks(BaseEntryExtension):  # type: ignore[misc]
    """Extra Atom entry links (rel=via, …) with their attributes.

    feedgen 1.0's own entry links lose ``rel`` and ``type`` in Atom output,
    so every entry link but the plain alternate is written here.
    """

    def __init__(self) -> None:
        self.links: list[dict[str, str]] = []

    def extend_atom(self, entry: etree._Element) -> etree._Element:
        for attributes in self.links:
            # feedgen builds Atom as un-namespaced elements under an xmlns attribute
            etree.SubElement(entry, "link", attributes)
        return entry


@dataclass(frozen=True)
class FeedSpec:
    """Which feed to build: its path, its permanent id and its title."""

    path: str  # site path of this feed, e.g. "/feed.atom"
    id_specific: str  # the part after the site authority in the feed's tag URI
    title: str
    html_path: str = "/"  # the page this feed mirrors (rel=alternate)


def feed_updated(articles: Sequence[Article]) -> datetime:
    """Return the time of the last content change among ``articles``."""
    return max((a.updated for a in articles), default=EMPTY_FEED_UPDATED)


def _generator(articles: Sequence[Article], site: Site, spec: FeedSpec, media_type: str) -> FeedGenerator:
    fg = FeedGenerator()
    fg.load_extension("dc", atom=False, rss=True)  # RSS <author> needs an email; dc:creator does not
    fg.register_extension("links", BaseExtension, _AtomEntryLinks, atom=True, rss=False)
    fg.id(site.tag_uri(spec.id_specific))
    fg.title(spec.title)
    fg.subtitle(site.subtitle or site.title)  # RSS requires a description
    # RSS's <link> is the last link given: self first, then the page
    fg.link(href=site.url(spec.path), rel="self", type=media_type)
    fg.link(href=site.url(spec.html_path), rel="alternate", type="text/html")
    fg.language(site.language)
    fg.generator(GENERATOR)
    fg.author({"name": site.default_author})
    updated = feed_updated(articles)
    fg.updated(updated)
    fg.lastBuildDate(updated)
    for article in articles:
        entry = fg.add_entry(order="append")  # we sort; feedgen would prepend
        entry.id(article.entry_id)
        entry.title(article.title)
        entry.link(href=site.url(article_path(article.slug)), rel="alternate")
        if article.source_url:
            entry.links.links.append({"rel": "via", "type": "text/html", "href": article.source_url})
        entry.published(article.published)
        entry.updated(article.updated)
        entry.author([{"name": name} for name in article.authors])
        entry.dc.dc_creator(list(article.authors))
        entry.summary(article.summary, type="text")
        entry.content(article.content_html, type="html")
        entry.category([{"term": tag, "label": tag} for tag in article.tags])
    return fg


def build_atom(articles: Sequence[Article], site: Site, spec: FeedSpec) -> bytes:
    """Return the Atom 1.0 document for ``articles`` (already in feed order)."""
    return _generator(articles, site, spec, ATOM_TYPE).atom_str(pretty=True, encoding="UTF-8")


def build_rss(articles: Sequence[Article], site: Site, spec: FeedSpec) -> bytes:
    """Return the RSS 2.0 document for ``articles`` (already in feed order)."""
    return _generator(articles, site, spec, RSS_TYPE).rss_str(pretty=True, encoding="UTF-8")
