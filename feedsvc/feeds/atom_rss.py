"""Atom 1.0 and RSS 2.0 documents from a list of articles (the only feedgen user).

Pure and clock-free: every date comes from the articles and withdrawals, so
the same content gives byte-identical feeds (and ETags) on every run and
instance. Atom documents can carry RFC 5005 archive links and marker and
RFC 6721 tombstones; every document names the WebSub hub when there is one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from feedsvc.model import Article, FeedSpec, Site, Withdrawal, article_path

__all__ = ["ATOM_TYPE", "RSS_TYPE", "FeedSpec", "build_atom", "build_rss", "feed_updated", "site_epoch"]

ATOM_TYPE = "application/atom+xml"
RSS_TYPE = "application/rss+xml"
GENERATOR = "feedsvc"
ATOM_NS = "http://www.w3.org/2005/Atom"
HISTORY_NS = "http://purl.org/syndication/history/1.0"  # RFC 5005
TOMBSTONES_NS = "http://purl.org/atompub/tombstones/1.0"  # RFC 6721
# What feed_updated says of no articles and no tombstones when the caller gives no
# better date; the feeds themselves give site_epoch(site).
EMPTY_FEED_UPDATED = datetime(1970, 1, 1, tzinfo=UTC)


class _AtomEntryLinks(BaseEntryExtension):
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


class _AtomFeedMarkers(BaseExtension):
    """Feed-level elements feedgen has no API for: fh:archive and at:deleted-entry."""

    def __init__(self) -> None:
        self.archive = False
        self.tombstones: list[tuple[str, str]] = []  # (ref, when)

    def extend_ns(self) -> dict[str, str]:
        # Declared only when used, so a plain feed carries no unused namespace.
        return {
            **({"fh": HISTORY_NS} if self.archive else {}),
            **({"at": TOMBSTONES_NS} if self.tombstones else {}),
        }

    def extend_atom(self, feed: etree._Element) -> etree._Element:
        # Called before the entries are appended: extension elements precede atom:entry.
        if self.archive:
            etree.SubElement(feed, f"{{{HISTORY_NS}}}archive")
        for ref, when in self.tombstones:
            etree.SubElement(feed, f"{{{TOMBSTONES_NS}}}deleted-entry", ref=ref, when=when)
        return feed


class _RssHubLink(BaseExtension):
    """The channel's atom:link rel=hub, which feedgen drops from RSS (python-feedgen #122)."""

    def __init__(self) -> None:
        self.hub: str | None = None

    def extend_rss(self, rss: etree._Element) -> etree._Element:
        if self.hub:
            channel = rss.find("channel")
            assert channel is not None, "feedgen's RSS 2.0 always has a <channel>"
            self_link = channel.find(f"{{{ATOM_NS}}}link")
            hub = etree.Element(f"{{{ATOM_NS}}}link", href=self.hub, rel="hub")
            if self_link is not None:
                self_link.addnext(hub)
            else:
                channel.append(hub)
        return rss


def feed_updated(
    articles: Sequence[Article], tombstones: Sequence[Withdrawal] = (), empty: datetime = EMPTY_FEED_UPDATED
) -> datetime:
    """Return the time of the last change among ``articles`` and ``tombstones``; ``empty`` if there are none."""
    return max([a.updated for a in articles] + [t.when for t in tombstones], default=empty)


def site_epoch(site: Site) -> datetime:
    """Return midnight UTC of the date in the site's ``id_authority`` (``example.org,2012-03``).

    Every id the site mints, its feeds' own ``tag:`` ids included, is dated
    there, so a feed with no entries and no tombstones (a new site's) is dated
    there too: a date the publisher declared, the same on every build and
    instance (the clock would change the bytes, and so the ETag, at every start).
    """
    year, month, day = [*site.id_authority.rsplit(",", 1)[1].split("-"), "1", "1"][:3]
    try:
        return datetime(int(year), int(month), int(day), tzinfo=UTC)
    except ValueError:  # a Site made without parse_site (which refuses such a date): the old epoch
        return EMPTY_FEED_UPDATED


def _generator(
    articles: Sequence[Article], site: Site, spec: FeedSpec, media_type: str, tombstones: Sequence[Withdrawal]
) -> FeedGenerator:
    fg = FeedGenerator()
    fg.load_extension("dc", atom=False, rss=True)  # RSS <author> needs an email; dc:creator does not
    fg.register_extension("links", BaseExtension, _AtomEntryLinks, atom=True, rss=False)
    fg.register_extension("markers", _AtomFeedMarkers, BaseEntryExtension, atom=True, rss=False)
    fg.register_extension("rsshub", _RssHubLink, BaseEntryExtension, atom=False, rss=True)
    fg.id(site.tag_uri(spec.id_specific))
    fg.title(spec.title)
    fg.subtitle(spec.subtitle or site.subtitle or site.title)  # RSS requires a description
    # RSS's <link> is the last link given: self first, the page last
    fg.link(href=site.url(spec.path), rel="self", type=media_type)
    if site.websub_hub:
        fg.link(href=site.websub_hub, rel="hub")
        fg.rsshub.hub = site.websub_hub
    for rel, path in spec.links:
        fg.link(href=site.url(path), rel=rel, type=ATOM_TYPE)
    fg.link(href=spec.home or site.url(spec.html_path), rel="alternate", type="text/html")
    fg.language(site.language)
    fg.generator(GENERATOR)
    fg.author({"name": site.default_author})
    updated = spec.updated or feed_updated(articles, tombstones, site_epoch(site))
    fg.updated(updated)
    fg.lastBuildDate(updated)
    fg.markers.archive = spec.archive
    fg.markers.tombstones = [(t.entry_id, t.when.isoformat()) for t in tombstones if t.entry_id]
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


def build_atom(articles: Sequence[Article], site: Site, spec: FeedSpec, tombstones: Sequence[Withdrawal] = ()) -> bytes:
    """Return the Atom 1.0 document for ``articles`` (already in feed order) and ``tombstones``."""
    document: bytes = _generator(articles, site, spec, ATOM_TYPE, tombstones).atom_str(pretty=True, encoding="UTF-8")
    return document  # feedgen has no types: the annotation is what its docs promise


def build_rss(articles: Sequence[Article], site: Site, spec: FeedSpec) -> bytes:
    """Return the RSS 2.0 document for ``articles`` (already in feed order); RSS has no tombstones."""
    document: bytes = _generator(articles, site, spec, RSS_TYPE, ()).rss_str(pretty=True, encoding="UTF-8")
    return document
