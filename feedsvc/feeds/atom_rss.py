"""Atom 1.0 and RSS 2.0 documents from a list of articles (the only feedgen user).

Pure and clock-free: every date comes from the articles and withdrawals, so
the same content gives byte-identical feeds (and ETags) on every run and
instance. Atom documents can carry RFC 5005 archive links and marker and
RFC 6721 tombstones; every document names the WebSub hub when there is one.
An entry's lead image is given as Media RSS (``media:content``,
``media:thumbnail``) in both formats, and as an RSS ``<enclosure>`` when its
length and type are known.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import UTC, datetime

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from feedsvc.model import Article, FeedSpec, Image, Site, Withdrawal, article_path

__all__ = [
    "ATOM_TYPE",
    "MEDIA_NS",
    "RSS_IMAGE_MAX",
    "RSS_IMAGE_TYPES",
    "RSS_TYPE",
    "FeedSpec",
    "atom_head",
    "atom_split",
    "build_atom",
    "build_rss",
    "feed_updated",
    "site_epoch",
]

ATOM_TYPE = "application/atom+xml"
RSS_TYPE = "application/rss+xml"
GENERATOR = "feedsvc"
ATOM_NS = "http://www.w3.org/2005/Atom"
HISTORY_NS = "http://purl.org/syndication/history/1.0"  # RFC 5005
MEDIA_NS = "http://search.yahoo.com/mrss/"  # Media RSS 1.5.1, read in Atom entries as in RSS items
TOMBSTONES_NS = "http://purl.org/atompub/tombstones/1.0"  # RFC 6721
# RSS 2.0 <image>: a GIF, JPEG or PNG, at most 144 pixels wide and 400 high (width and height are left out
# of one larger or of unknown size: readers then scale it themselves)
RSS_IMAGE_TYPES = ("image/gif", "image/jpeg", "image/png")
RSS_IMAGE_MAX = (144, 400)
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


class _MediaNamespace(BaseExtension):
    """Declares the Media RSS namespace once, on the root, when an entry has a picture."""

    def __init__(self) -> None:
        self.used = False

    def extend_ns(self) -> dict[str, str]:
        return {"media": MEDIA_NS} if self.used else {}


class _LeadImage(BaseEntryExtension):
    """An entry's lead image: Media RSS ``media:content`` and ``media:thumbnail``, and an RSS ``<enclosure>``.

    Readers (Feedly, Inoreader, NetNewsWire, Miniflux) take the thumbnail from these. Every
    attribute is written only when known; the enclosure only when both its length and type are,
    as RSS 2.0 requires both and a guessed length misleads podcatchers.
    """

    def __init__(self) -> None:
        self.image: Image | None = None

    def _media(self, parent: etree._Element) -> None:
        image = self.image
        if image is None:
            return
        sizes = [(name, str(value)) for name, value in (("width", image.width), ("height", image.height)) if value]
        known = [("type", image.type), ("fileSize", str(image.length) if image.length else None)]
        content = _element(parent, "content", [("url", image.url), ("medium", "image"), *known, *sizes])
        description = image.caption or image.alt
        if description:
            _element(content, "description", [("type", "plain")]).text = description
        if image.credit:
            _element(content, "credit", []).text = image.credit
        _element(parent, "thumbnail", [("url", image.url), *sizes])

    def extend_atom(self, entry: etree._Element) -> etree._Element:
        self._media(entry)
        return entry

    def extend_rss(self, item: etree._Element) -> etree._Element:
        image = self.image
        if image is not None and image.length and image.type:
            etree.SubElement(item, "enclosure", url=image.url, length=str(image.length), type=image.type)
        self._media(item)
        return item


def _element(parent: etree._Element, name: str, attributes: list[tuple[str, str | None]]) -> etree._Element:
    """Append a Media RSS element with the ``attributes`` that have a value, in their order."""
    element = etree.SubElement(parent, f"{{{MEDIA_NS}}}{name}")
    for key, value in attributes:
        if value:
            element.set(key, value)
    return element


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
    articles: Sequence[Article],
    site: Site,
    spec: FeedSpec,
    media_type: str,
    tombstones: Sequence[Withdrawal],
    entries: bool = True,
) -> FeedGenerator:
    """The feed of ``articles``; without ``entries``, only its own elements (dated and namespaced as with them)."""
    fg = FeedGenerator()
    fg.load_extension("dc", atom=False, rss=True)  # RSS <author> needs an email; dc:creator does not
    fg.register_extension("links", BaseExtension, _AtomEntryLinks, atom=True, rss=False)
    fg.register_extension("markers", _AtomFeedMarkers, BaseEntryExtension, atom=True, rss=False)
    fg.register_extension("rsshub", _RssHubLink, BaseEntryExtension, atom=False, rss=True)
    fg.register_extension("media", _MediaNamespace, _LeadImage, atom=True, rss=True)
    fg.media.used = any(article.image for article in articles)
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
    _pictures(fg, site, spec, media_type)
    fg.generator(GENERATOR)
    fg.author({"name": site.default_author})
    updated = spec.updated or feed_updated(articles, tombstones, site_epoch(site))
    fg.updated(updated)
    fg.lastBuildDate(updated)
    fg.markers.archive = spec.archive
    fg.markers.tombstones = [(t.entry_id, t.when.isoformat()) for t in tombstones if t.entry_id]
    for article in articles if entries else ():
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
        entry.summary(article.summary_text, type="text")
        if media_type == RSS_TYPE and ("<" in article.summary_text or "&" in article.summary_text):
            # RSS's <description> is HTML to readers (RSS 2.0 allows entity-encoded HTML there): a summary
            # holding text that looks like a tag ("Why <div> soup lasted") or an ampersand ("S&P", "write
            # &amp; for &") is escaped as HTML too, so they show it as typed (and the W3C validator sees
            # no broken entity, its NotHtml); Atom's summary says type="text" and JSON Feed's is text
            entry.description(html.escape(article.summary_text, quote=False))
        entry.content(article.content_html, type="html")
        entry.category([{"term": tag, "label": tag} for tag in article.tags])
        entry.media.image = article.image
    return fg


def _pictures(fg: FeedGenerator, site: Site, spec: FeedSpec, media_type: str) -> None:
    """Name the site's icon and logo: Atom's <icon> and <logo>, RSS's <image> (the logo, else the icon)."""
    if media_type == ATOM_TYPE:
        # feedgen's logo() also sets RSS's image: this generator writes Atom only
        if site.icon:
            fg.icon(site.image_url(site.icon))
        if site.logo:
            fg.logo(site.image_url(site.logo))
        return
    picture = next((p for p in (site.logo, site.icon) if p and p.media_type in RSS_IMAGE_TYPES), None)
    if picture is None:
        return
    width, height = picture.width, picture.height
    fits = width is not None and height is not None and width <= RSS_IMAGE_MAX[0] and height <= RSS_IMAGE_MAX[1]
    fg.image(
        site.image_url(picture),
        title=spec.title,  # RSS 2.0: in practice the channel's title and link
        link=site.url(spec.html_path),
        width=str(width) if fits else None,
        height=str(height) if fits else None,
    )


def build_atom(articles: Sequence[Article], site: Site, spec: FeedSpec, tombstones: Sequence[Withdrawal] = ()) -> bytes:
    """Return the Atom 1.0 document for ``articles`` (already in feed order) and ``tombstones``."""
    document: bytes = _generator(articles, site, spec, ATOM_TYPE, tombstones).atom_str(pretty=True, encoding="UTF-8")
    return document  # feedgen has no types: the annotation is what its docs promise


def atom_head(articles: Sequence[Article], site: Site, spec: FeedSpec, tombstones: Sequence[Withdrawal] = ()) -> bytes:
    """Return the bytes :func:`build_atom` of the same arguments writes before its first entry, without
    rendering an entry: a document whose links changed but not its entries is this head and its old entries."""
    document: bytes = _generator(articles, site, spec, ATOM_TYPE, tombstones, entries=False).atom_str(
        pretty=True, encoding="UTF-8"
    )
    return document[: document.rindex(b"</feed>")]


def atom_split(document: bytes) -> int:
    """Return where the first entry of a document :func:`build_atom` wrote begins (its length if it has none)."""
    found = document.find(b"\n  <entry>")  # pretty-printed: every text in the head is escaped, so no "<entry>"
    return found + 1 if found >= 0 else document.rindex(b"</feed>")


def build_rss(articles: Sequence[Article], site: Site, spec: FeedSpec) -> bytes:
    """Return the RSS 2.0 document for ``articles`` (already in feed order); RSS has no tombstones."""
    document: bytes = _generator(articles, site, spec, RSS_TYPE, ()).rss_str(pretty=True, encoding="UTF-8")
    return document
