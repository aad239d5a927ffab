"""A source site that changes over time, served by :class:`~support.http_fixture.FixtureServer`.

A test adds, edits and deletes items; the site's feed (RSS, Atom or JSON
Feed) and sitemap list them as they are at each request, with an ETag and
a Last-Modified date (so a conditional request is answered 304 while
nothing changed), and each item has a full article page. The feeds are
*partial*: they carry only the first sentence, as many sites' do.
"""

from __future__ import annotations

import hashlib
import html
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from support.http_fixture import FixtureServer, Reply

BASE_DATE = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
PARAGRAPHS = 6


@dataclass
class Item:
    key: str  # guid / id
    slug: str  # the page is at <prefix>/articles/<slug>
    title: str
    body: str  # the first paragraph; more follow on the page
    published: datetime
    updated: datetime | None = None
    author: str = "Nino Beridze"
    page_title: bool = True  # the page has its own <title> and byline (False: only the feed says them)
    link: str | None = None  # the link the feed gives, if not the page
    note: str = ""  # a last paragraph on the page only: an edit the feed does not show (edit_page)
    validators: bool = True  # the page is served with an ETag (False: none, so it is always sent whole)


@dataclass
class SourceSite:
    server: FixtureServer
    prefix: str = "/news"
    kind: str = "rss"  # rss, atom, json, sitemap
    items: list[Item] = field(default_factory=list)
    changed: datetime = BASE_DATE

    def __post_init__(self) -> None:
        for path, kind in (
            ("/feed.xml", "rss"),
            ("/feed.atom", "atom"),
            ("/feed.json", "json"),
            ("/sitemap.xml", "sitemap"),
        ):
            self.server.routes[self.prefix + path] = lambda kind=kind: self._listing(kind)

    @property
    def feed_url(self) -> str:
        path = {"rss": "/feed.xml", "atom": "/feed.atom", "json": "/feed.json", "sitemap": "/sitemap.xml"}[self.kind]
        return self.server.url(self.prefix + path)

    def page_path(self, item: Item) -> str:
        return f"{self.prefix}/articles/{item.slug}"

    def page_url(self, item: Item) -> str:
        return self.server.url(self.page_path(item))

    # --- changing the site -----------------------------------------------------------------------

    def add(self, number: int, **changes: object) -> Item:
        """Publish item ``number`` (its date ``number`` hours after BASE_DATE), newest first in the feed."""
        values: dict[str, object] = {
            "key": f"urn:example:item-{number}",
            "slug": f"story-{number}",
            "title": f"Story number {number} about the river",
            "body": f"Story {number} begins with the river rising over the old stone bridge at dawn.",
            "published": BASE_DATE + timedelta(hours=number),
        }
        values.update(changes)
        item = Item(**values)  # type: ignore[arg-type]
        self.items.insert(0, item)
        self.server.routes[self.page_path(item)] = lambda item=item: self._page(item)
        self._touch()
        return item

    def edit(self, item: Item, body: str, updated: datetime | None = None) -> None:
        item.body = body
        item.updated = updated or item.published + timedelta(days=1)
        self._touch()

    def edit_page(self, item: Item, note: str) -> None:
        """Change the item's page only, as a site does that fixes an article without touching its feed entry."""
        item.note = note

    def delete(self, item: Item, *, page_too: bool = False) -> None:
        self.items.remove(item)
        if page_too:
            self.server.routes.pop(self.page_path(item), None)
        self._touch()

    def _touch(self) -> None:
        self.changed = self.changed + timedelta(minutes=1)

    # --- what it serves ---------------------------------------------------------------------------

    def _page(self, item: Item) -> Reply:
        more = "".join(
            f"<p>Paragraph {n} of {html.escape(item.title)}: the water kept rising through the morning, "
            f"and the people of the valley moved their animals to the higher pastures above the village.</p>"
            for n in range(2, PARAGRAPHS + 2)
        )
        head = (
            f"<title>{html.escape(item.title)}</title><meta name='author' content='{html.escape(item.author)}'>"
            f"<meta property='article:published_time' content='{item.published.isoformat()}'>"
            if item.page_title
            else ""
        )
        heading = f"<h1>{html.escape(item.title)}</h1>" if item.page_title else ""
        page = (
            f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>{head}"
            f"<link rel='canonical' href='{self.page_url(item)}'></head><body>"
            "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
            f"<article>{heading}<p>{html.escape(item.body)}</p>{more}"
            + (f"<p>{html.escape(item.note)}</p>" if item.note else "")
            + "</article>"
            "<footer>Copyright the river times</footer></body></html>"
        ).encode()
        etag = '"' + hashlib.sha256(page).hexdigest()[:16] + '"'
        return Reply(page, headers={"ETag": etag} if item.validators else {})

    def _listing(self, kind: str) -> Reply:
        render, content_type = {
            "rss": (self._rss, "application/rss+xml"),
            "atom": (self._atom, "application/atom+xml"),
            "json": (self._json, "application/feed+json"),
            "sitemap": (self._sitemap, "application/xml"),
        }[kind]
        body = render()
        data = body.encode()
        etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
        return Reply(
            data,
            content_type=content_type,
            headers={"ETag": etag, "Last-Modified": format_datetime(self.changed, usegmt=True)},
        )

    def _link(self, item: Item) -> str:
        return item.link or self.page_url(item)

    def _rss(self) -> str:
        entries = "".join(
            f"<item><title>{html.escape(i.title)}</title><link>{html.escape(self._link(i))}</link>"
            f"<guid isPermaLink='false'>{html.escape(i.key)}</guid>"
            f"<pubDate>{format_datetime(i.published, usegmt=True)}</pubDate>"
            + (f"<atom:updated>{i.updated.isoformat()}</atom:updated>" if i.updated else "")
            + f"<dc:creator>{html.escape(i.author)}</dc:creator>"
            f"<description>{html.escape(i.body.split('.')[0])}.</description></item>"
            for i in self.items
        )
        return (
            "<?xml version='1.0' encoding='utf-8'?><rss version='2.0' xmlns:dc='http://purl.org/dc/elements/1.1/' "
            "xmlns:atom='http://www.w3.org/2005/Atom'><channel><title>The River Times</title>"
            f"<link>{self.server.url(self.prefix)}</link><description>News</description>{entries}</channel></rss>"
        )

    def _atom(self) -> str:
        entries = "".join(
            f"<entry><id>{html.escape(i.key)}</id><title>{html.escape(i.title)}</title>"
            f"<link rel='alternate' href='{html.escape(self._link(i))}'/>"
            f"<published>{i.published.isoformat()}</published><updated>{(i.updated or i.published).isoformat()}</updated>"
            f"<author><name>{html.escape(i.author)}</name></author>"
            f"<summary>{html.escape(i.body.split('.')[0])}.</summary></entry>"
            for i in self.items
        )
        return (
            "<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
            f"<title>The River Times</title><id>urn:example:feed</id><updated>{self.changed.isoformat()}</updated>"
            f"<link rel='alternate' href='{self.server.url(self.prefix)}'/>{entries}</feed>"
        )

    def _json(self) -> str:
        items = [
            {
                "id": i.key,
                "url": self._link(i),
                "title": i.title,
                "summary": i.body.split(".")[0],
                "date_published": i.published.isoformat(),
                **({"date_modified": i.updated.isoformat()} if i.updated else {}),
                "authors": [{"name": i.author}],
            }
            for i in self.items
        ]
        return json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "The River Times", "items": items})

    def _sitemap(self) -> str:
        urls = "".join(
            f"<url><loc>{html.escape(self._link(i))}</loc><lastmod>{(i.updated or i.published).isoformat()}</lastmod></url>"
            for i in self.items
        )
        return f"<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>{urls}</urlset>"
