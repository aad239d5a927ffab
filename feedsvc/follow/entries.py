"""What a source lists: the entries of an RSS, Atom or JSON Feed document, or of a sitemap.

Pure: bytes in, :class:`Listing` out, or :class:`ListingError` saying why
not. The XML parser resolves no entities, loads no DTD and touches no
network. A feed that is not well-formed is read as far as a forgiving parse
gets (the ``warning`` says so); one that yields nothing is an error. At most
:data:`MAX_ENTRIES` entries are read (feeds list the newest first); the
``warning`` names how many were left.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

from lxml import etree

from feedsvc.importer.sitemap import SitemapError, parse_sitemap
from feedsvc.metadata.dates import parse_date
from feedsvc.text import absolute_url, plain

__all__ = ["MAX_ENTRIES", "Entry", "Listing", "ListingError", "parse_feed", "parse_listing", "parse_sitemap_listing"]

MAX_ENTRIES = 1000  # a feed is a window on the newest items; a longer one is cut, not read whole

_ATOM = "http://www.w3.org/2005/Atom"
_DC = "http://purl.org/dc/elements/1.1/"
_CONTENT = "http://purl.org/rss/1.0/modules/content/"


class ListingError(ValueError):
    """Bytes that are not a feed (or sitemap) feedsvc can follow; the message says why and what to do."""


@dataclass(frozen=True)
class Entry:
    """One item of a source: who it is, where its page is, and what the source says of it."""

    key: str  # identity: the guid/id, else the page URL
    url: str  # the page to fetch (absolute http(s))
    title: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    authors: tuple[str, ...] = ()
    version: str = ""  # changes when the source says the item changed: its updated date, else a digest

    @property
    def newest(self) -> datetime | None:
        return self.updated or self.published


@dataclass(frozen=True)
class Listing:
    """A source document as read: its kind, title and link, and its entries in the order given."""

    kind: str  # "rss", "atom", "json", "sitemap", "sitemapindex"
    entries: tuple[Entry, ...]
    title: str | None = None
    link: str | None = None
    warning: str | None = None  # read, but not all of it (not well-formed, too many entries)
    sitemaps: tuple[str, ...] = ()  # a sitemap index: the sitemaps it lists


def parse_listing(data: bytes, url: str, timezone: ZoneInfo, *, sitemap: bool = False) -> Listing:
    """Parse a feed (or, with ``sitemap``, a sitemap or sitemap index) fetched from ``url``."""
    return parse_sitemap_listing(data, timezone) if sitemap else parse_feed(data, url, timezone)


def parse_feed(data: bytes, url: str, timezone: ZoneInfo) -> Listing:
    """Parse RSS (0.9x, 1.0, 2.0), Atom 1.0 or JSON Feed 1.x; relative links resolve against ``url``."""
    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not stripped:
        raise ListingError("is empty")
    if stripped[:1] in (b"{", b"["):
        return _json_feed(stripped, url, timezone)
    root, warning = _xml_root(data)
    kind = etree.QName(root.tag).localname if isinstance(root.tag, str) else ""
    if kind in ("urlset", "sitemapindex"):
        raise ListingError("is a sitemap, not a feed; write `sitemap = ...` instead of `feed = ...` in its [[source]]")
    if kind == "html":
        raise ListingError("is an HTML page, not a feed; use the address its <link rel=alternate> names")
    if kind == "feed":
        return _atom(root, url, timezone, warning)
    if kind == "rss":
        channel = root.find("channel")
        if channel is None:
            raise ListingError("is RSS without a <channel>")
        return _rss(channel, channel.findall("item"), url, timezone, warning)
    if kind == "RDF":  # RSS 1.0: the items are siblings of the channel
        channel = root.find("{http://purl.org/rss/1.0/}channel")
        items = root.findall("{http://purl.org/rss/1.0/}item")
        return _rss(channel if channel is not None else root, items, url, timezone, warning)
    raise ListingError(f"has root element <{kind or '?'}>: not RSS, Atom or JSON Feed")


def parse_sitemap_listing(data: bytes, timezone: ZoneInfo) -> Listing:
    """Parse a sitemap (news sitemaps included) or sitemap index; a page is identified by its URL."""
    try:
        sitemap = parse_sitemap(data, timezone)
    except SitemapError as error:
        raise ListingError(str(error)) from None
    if sitemap.kind == "sitemapindex":
        return Listing("sitemapindex", (), sitemaps=tuple(entry.loc for entry in sitemap.entries))
    entries = tuple(
        Entry(
            key=entry.loc,
            url=entry.loc,
            title=entry.title,
            published=entry.published,
            updated=entry.lastmod,
            version=_version(entry.lastmod or entry.published, entry.loc),
        )
        for entry in sitemap.entries
    )
    return Listing("sitemap", entries)


def _parser(recover: bool) -> etree.XMLParser:
    # a parser per call (lxml's are not thread-safe); no entities, no DTD, no network
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=recover)


def _xml_root(data: bytes) -> tuple[etree._Element, str | None]:
    try:
        root = etree.fromstring(data, parser=_parser(False))
        if root is not None:
            return root, None
        raise ListingError("is empty")
    except etree.XMLSyntaxError as error:
        problem = str(error)
    try:
        recovered: etree._Element | None = etree.fromstring(data, parser=_parser(True))
    except etree.XMLSyntaxError:
        recovered = None
    if recovered is None:
        raise ListingError(f"is not well-formed XML ({problem}); nothing could be read")
    return recovered, f"is not well-formed XML ({problem}); read what a forgiving parse found"


def _text(element: etree._Element | None) -> str | None:
    if element is None:
        return None
    text = plain("".join(element.itertext()))
    return text or None


def _date(value: str | None, timezone: ZoneInfo) -> datetime | None:
    return parse_date(value.strip(), timezone) if value and value.strip() else None


def _link(value: str | None, base: str) -> str | None:
    if not value or not value.strip():
        return None
    try:
        return absolute_url(urljoin(base, value.strip()))
    except ValueError:
        return None


def _item_link(value: str | None, base: str) -> str | None:
    """Return an item's link made absolute; one that is not http(s) is kept, for the follower to refuse by name."""
    if not value or not value.strip():
        return None
    try:
        joined = urljoin(base, value.strip())
    except ValueError:
        return None
    return absolute_url(joined) or joined


def _digest(*parts: object) -> str:
    return hashlib.sha256(json.dumps([str(part) for part in parts]).encode()).hexdigest()[:32]


def _version(updated: datetime | None, *parts: object) -> str:
    return updated.isoformat() if updated is not None else _digest(*parts)


def _capped(entries: list[Entry], total: int, warning: str | None) -> tuple[tuple[Entry, ...], str | None]:
    if total > MAX_ENTRIES:
        note = f"lists {total:,} entries; only the newest {MAX_ENTRIES:,} were read"
        warning = f"{warning}; {note}" if warning else note
    return tuple(entries), warning


def _rss(
    channel: etree._Element, items: list[etree._Element], url: str, timezone: ZoneInfo, warning: str | None
) -> Listing:
    ns = "{http://purl.org/rss/1.0/}" if str(channel.tag).startswith("{http://purl.org/rss/1.0/}") else ""
    entries: list[Entry] = []
    for item in items[:MAX_ENTRIES]:
        link = _item_link(item.findtext(f"{ns}link"), url)
        guid_element = item.find("guid")
        guid = (item.findtext("guid") or "").strip() or (
            item.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about") or ""
        ).strip()
        if link is None and guid_element is not None and guid_element.get("isPermaLink", "true") != "false":
            link = _item_link(guid, url)  # a permalink guid is the item's link
        if link is None:
            continue  # nothing to fetch
        published = _date(item.findtext("pubDate") or item.findtext(f"{{{_DC}}}date"), timezone)
        updated = _date(item.findtext(f"{{{_ATOM}}}updated"), timezone)
        authors = tuple(
            name for name in (_text(e) for e in (*item.findall("author"), *item.findall(f"{{{_DC}}}creator"))) if name
        )
        title = _text(item.find(f"{ns}title"))
        body = item.findtext(f"{{{_CONTENT}}}encoded") or item.findtext(f"{ns}description") or ""
        entries.append(
            Entry(
                guid or link, link, title, published, updated, authors, _version(updated, title, link, published, body)
            )
        )
    found, warning = _capped(entries, len(items), warning)
    return Listing("rss", found, _text(channel.find(f"{ns}title")), _link(channel.findtext(f"{ns}link"), url), warning)


def _atom(root: etree._Element, url: str, timezone: ZoneInfo, warning: str | None) -> Listing:
    base = _link(root.get("{http://www.w3.org/XML/1998/namespace}base"), url) or url
    entries: list[Entry] = []
    items = root.findall(f"{{{_ATOM}}}entry")
    for item in items[:MAX_ENTRIES]:
        item_base = _link(item.get("{http://www.w3.org/XML/1998/namespace}base"), base) or base
        link = _alternate(item, item_base, _item_link)
        entry_id = (item.findtext(f"{{{_ATOM}}}id") or "").strip()
        if link is None:
            continue
        published = _date(item.findtext(f"{{{_ATOM}}}published"), timezone)
        updated = _date(item.findtext(f"{{{_ATOM}}}updated"), timezone)
        authors = tuple(
            name for name in (_text(a.find(f"{{{_ATOM}}}name")) for a in item.findall(f"{{{_ATOM}}}author")) if name
        )
        title = _text(item.find(f"{{{_ATOM}}}title"))
        body = _text(item.find(f"{{{_ATOM}}}content")) or _text(item.find(f"{{{_ATOM}}}summary")) or ""
        version = _version(updated, title, link, published, body)
        entries.append(Entry(entry_id or link, link, title, published, updated, authors, version))
    found, warning = _capped(entries, len(items), warning)
    return Listing("atom", found, _text(root.find(f"{{{_ATOM}}}title")), _alternate(root, base), warning)


def _alternate(
    element: etree._Element, base: str, resolve: Callable[[str | None, str], str | None] = _link
) -> str | None:
    for link in element.findall(f"{{{_ATOM}}}link"):
        if link.get("rel", "alternate") == "alternate":
            return resolve(link.get("href"), base)
    return None


def _json_feed(data: bytes, url: str, timezone: ZoneInfo) -> Listing:
    try:
        document = json.loads(data)
    except (ValueError, RecursionError) as error:
        raise ListingError(f"is not valid JSON ({error})") from None
    if not isinstance(document, dict) or not str(document.get("version", "")).startswith("https://jsonfeed.org/"):
        raise ListingError("is JSON but not a JSON Feed (no jsonfeed.org version)")
    items = document.get("items")
    if not isinstance(items, list):
        raise ListingError("is a JSON Feed without an items list")
    entries: list[Entry] = []
    for item in items[:MAX_ENTRIES]:
        if not isinstance(item, dict):
            continue
        link = _item_link(_string(item.get("url")), url)
        if link is None:
            continue
        people: list[Any] = item["authors"] if isinstance(item.get("authors"), list) else [item.get("author")]
        authors = tuple(plain(a["name"]) for a in people if isinstance(a, dict) and isinstance(a.get("name"), str))
        published = _date(_string(item.get("date_published")), timezone)
        updated = _date(_string(item.get("date_modified")), timezone)
        title = plain(_string(item.get("title")) or "") or None
        body = _string(item.get("content_html")) or _string(item.get("content_text")) or ""
        key = _string(item.get("id")) or link
        entries.append(
            Entry(key, link, title, published, updated, authors, _version(updated, title, link, published, body))
        )
    found, warning = _capped(entries, len(items), None)
    title = plain(_string(document.get("title")) or "") or None
    return Listing("json", found, title, _link(_string(document.get("home_page_url")), url), warning)


def _string(value: object) -> str | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)  # JSON Feed ids are strings, but some feeds write numbers
    return value if isinstance(value, str) else None
