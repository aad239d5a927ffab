"""The values that travel down the pipeline: plain frozen dataclasses.

No Flask, no BeautifulSoup, no feedgen here: every stage can import this
module without pulling in another stage's library.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from operator import attrgetter
from pathlib import Path
from typing import Protocol
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

from feedsvc.element_budget import MAX_ARTICLE_ELEMENTS

__all__ = [
    "FACET_KINDS",
    "NO_TITLE",
    "UNDATED",
    "Article",
    "ArticleSource",
    "Catalog",
    "ContentError",
    "Facet",
    "FeedSpec",
    "Image",
    "PageMetadata",
    "PictureFile",
    "Prepared",
    "Problem",
    "Revision",
    "Site",
    "SiteImage",
    "Source",
    "StoredBytes",
    "StoredText",
    "Withdrawal",
    "article_path",
    "facet_path",
]

# Characters a site path keeps as they are; anything else (a non-ASCII slug or
# tag) is percent-encoded so every published link is a plain URI.
_PATH_SAFE = "/-._~%!$&'()*+,;=:@"
# The stand-in publication date of an article with none, until the catalog dates it
# from the revisions ledger (``Prepared.undated``); never published as such.
UNDATED = datetime(1970, 1, 1, tzinfo=UTC)
# How the warning about an article whose page gives no title begins: the loader writes it (naming the
# sidecar), and making the article adds its own only where the loader's is not there (a source built by hand).
NO_TITLE = "no title found"
_UTC = ZoneInfo("UTC")  # immutable, and one object per key: a safe dataclass default


def article_path(slug: str) -> str:
    """Return the site path of an article page."""
    return f"/articles/{slug}"


# The kinds of list a catalog indexes its articles by: each a page and narrower feeds per key.
FACET_KINDS = ("tags", "authors", "sources")


def facet_path(kind: str, key: str) -> str:
    """Return the site path of a tag's, an author's or a source's page: ``/tags/<key>``, ``/sources/<name>``."""
    return f"/{kind}/{key}"


def _pickled_by_position(cls: type) -> type:
    """Pickle a slots dataclass as its constructor's arguments.

    Its default pickling calls ``dataclasses.fields()`` for every object:
    sending 10,000 articles from the publisher to the master took three
    times as long.
    """
    values = attrgetter(*(f.name for f in fields(cls)))

    def reduce(self: object) -> tuple[type, tuple[object, ...]]:
        return cls, values(self)

    cls.__reduce__ = reduce  # type: ignore[assignment,method-assign]
    return cls


class StoredText(Protocol):
    """Text kept outside the heap (:class:`feedsvc.build.blobstore.Blob`), read when needed."""

    def text(self) -> str: ...


class StoredBytes(Protocol):
    """Bytes kept outside the heap (:class:`feedsvc.build.blobstore.Blob`), read when sent."""

    def read(self) -> bytes: ...

    def __len__(self) -> int: ...


@dataclass(frozen=True)
class Source:
    """A site this one follows: one ``[[source]]`` table of ``site.toml`` (see :mod:`feedsvc.content.site`).

    Its new and changed items are imported into the content folder on a schedule;
    each imported article names it (sidecar ``source``), and it has feeds of its own
    under ``/sources/<name>/``.
    """

    name: str  # a slug, unique among the sources: /sources/<name>/ and the sidecar's ``source``
    feed: str | None = None  # the RSS, Atom or JSON Feed URL read; exactly one of feed and sitemap
    sitemap: str | None = None  # the sitemap (or sitemap index) URL read
    every: int = 1800  # seconds between polls
    max_new: int = 20  # at most this many new items imported per poll
    since: datetime | None = None  # entries older than this are ignored
    rules: str | None = None  # a site rules file, relative to the content folder, applied to its pages
    status: str = "active"  # "active" or "paused" (not polled; its articles stay published)
    title: str | None = None  # the title of its feeds and page; None: its name
    link: str | None = None  # its home page (the feeds' alternate link); None: scheme://host/ of its URL
    removed: str = "keep"  # an item the source drops: "keep" its article or "withdraw" it
    recheck: int = 86400  # seconds between two revalidations of an item's page (0: its page is never revalidated)

    @property
    def url(self) -> str:
        """The URL polled: the feed or the sitemap."""
        return self.feed or self.sitemap or ""

    @property
    def display_title(self) -> str:
        """The title readers see: ``title``, else the name."""
        return self.title or self.name

    @property
    def home(self) -> str:
        """The source site's home page: ``link``, else the root of the URL polled."""
        if self.link:
            return self.link
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}/"


@dataclass(frozen=True)
class SiteImage:
    """The site's icon or logo as ``site.toml`` names it: a file of the content folder the site serves, or
    an image elsewhere (an absolute URL).

    Width, height and media type are known for a file (read from its header), and are None or "" for an image
    elsewhere, which feedsvc never fetches.
    """

    source: str  # as site.toml writes it: a path in the content folder, or an absolute http(s) URL
    path: str = ""  # the site path it is served at, e.g. "/icon.png"; "" for an image elsewhere
    media_type: str = ""  # "" when not known
    width: int | None = None
    height: int | None = None
    digest: str = ""  # of the file's bytes: a new picture under the same name changes the site's documents


@dataclass(frozen=True)
class PictureFile:
    """The bytes of the icon's or logo's file as the build that published them read them, and the file's time.

    A snapshot serves these bytes at the picture's path for as long as it serves (its ``SiteImage.digest`` is
    their hash, and its ETags were made with it): the file edited, deleted or made unreadable after the build
    changes nothing served until a build reads it again. Kept beside the :class:`Site`, never in it: every
    field of the site keys the rendered feeds, which would change for bytes they do not hold.
    """

    data: bytes | StoredBytes  # the bytes, or a handle on them kept on disk
    modified: float  # the file's modification time when it was read (its Last-Modified)

    @property
    def body(self) -> bytes:
        """The file's bytes."""
        data = self.data
        return data if isinstance(data, bytes) else data.read()


@dataclass(frozen=True)
class Site:
    """Site-wide settings, parsed and validated from ``content/site.toml``.

    The one table of their defaults: :data:`feedsvc.content.site.SETTINGS`
    declares each key with the default given here (a field without one is
    required).
    """

    title: str
    base_url: str  # absolute, no trailing slash; every published URL starts here
    id_authority: str  # RFC 4151 tagging entity, e.g. "oc-media.org,2012"
    default_author: str
    subtitle: str = ""
    language: str = "en"
    timezone: ZoneInfo = _UTC  # dates written without an offset are taken in it
    entries_per_feed: int = 20
    summary_words: int = 60
    feed_max_bytes: int = 1_000_000
    feed_max_age: int = 300
    feed_stale_while_revalidate: int = 3600
    tombstone_days: int = 30
    websub_hub: str | None = None  # None: no hub (site.toml says so with "" or by leaving it out)
    max_article_bytes: int = 5 * 1024 * 1024  # larger article files are reported, not read
    max_article_elements: int = (
        MAX_ARTICLE_ELEMENTS  # pages with more elements are reported, not cleaned (feedsvc.element_budget)
    )
    articles_per_page: int = 25  # on the home page and each tag and author page (see content/site.py)
    canonical: str = "source"  # an imported article's rel=canonical: "source" (where it came from) or "self"
    crawlers: str = "allow"  # robots.txt: "allow" (and name the sitemap) or "deny" (a staging copy, a private site)
    sources: tuple[Source, ...] = ()  # the [[source]] tables: sites followed, in the file's order
    icon: SiteImage | None = None  # a small square picture: favicon, Atom <icon>, JSON Feed icon/favicon
    logo: SiteImage | None = None  # the site's logo: page header, Atom <logo>, RSS <image>, publisher.logo

    def url(self, path: str) -> str:
        """Return the absolute URL of a site path such as ``/feed.atom``."""
        return self.base_url + "/" + quote(path.lstrip("/"), safe=_PATH_SAFE)

    def image_url(self, image: SiteImage) -> str:
        """Return the absolute URL of the icon or logo: where the site serves its file, or the URL given."""
        return self.url(image.path) if image.path else image.source

    def href(self, path: str) -> str:
        """Return a root-relative link to a site path, for links inside pages."""
        return urlsplit(self.base_url).path.rstrip("/") + "/" + quote(path.lstrip("/"), safe=_PATH_SAFE)

    def tag_uri(self, specific: str) -> str:
        """Return a ``tag:`` URI under the site's authority (RFC 4151)."""
        return f"tag:{self.id_authority}:{specific}"


@_pickled_by_position
@dataclass(frozen=True, slots=True)
class Image:
    """An article's lead image and what its publisher says of it.

    ``url`` is an absolute http(s) URL; every other field is ``None`` where
    nothing says it (never guessed): feeds write an attribute only when it is
    known, and an RSS ``<enclosure>`` only with both ``length`` and ``type``.
    """

    url: str
    width: int | None = None  # pixels
    height: int | None = None
    type: str | None = None  # MIME type, e.g. "image/jpeg"
    alt: str | None = None  # the text that stands for the image
    caption: str | None = None  # plain text shown under it
    length: int | None = None  # bytes
    credit: str | None = None  # who made it or holds its rights
    origin: str = ""  # where it was chosen from: "sidecar", "json-ld", "opengraph" or "body"


@_pickled_by_position
@dataclass(frozen=True, slots=True)
class PageMetadata:
    """What one source (sidecar, JSON-LD, OpenGraph, markup) says about a page.

    Every field is optional; ``None`` or an empty tuple means "this source is
    silent". Dates are timezone-aware.
    """

    title: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    authors: tuple[str, ...] = ()
    summary: str | None = None
    tags: tuple[str, ...] = ()
    canonical_url: str | None = None
    language: str | None = None
    image: Image | None = None


@_pickled_by_position
@dataclass(frozen=True, slots=True)
class ArticleSource:
    """One article as loaded from the content folder, before cleaning.

    ``metadata`` is already merged by precedence (sidecar > JSON-LD >
    OpenGraph/meta > visible markup); ``origins`` says which source gave
    each field, for ``feedsvc check``.
    """

    slug: str
    path: Path
    html: str
    metadata: PageMetadata
    pinned_id: str | None = None
    status: str = "published"
    origins: tuple[tuple[str, str], ...] = ()  # (field, source name)
    warnings: tuple[str, ...] = ()
    source: str | None = None  # the sidecar's ``source``: the followed source that brought it
    source_url: str | None = None  # the sidecar's ``source_url``: where an imported page was read, if it says


@_pickled_by_position
@dataclass(frozen=True, slots=True)
class Article:
    """A published article: clean content plus complete metadata."""

    slug: str
    entry_id: str  # never changes once published
    title: str
    published: datetime
    updated: datetime
    authors: tuple[str, ...]
    summary: str | StoredText  # plain text, or a handle on it kept on disk (read with summary_text)
    tags: tuple[str, ...]
    content: str | StoredText  # the cleaned HTML (sanitised, absolute URLs), or a handle on it kept on disk
    language: str
    source_path: Path
    source_url: str | None = None  # where the article first appeared, if elsewhere
    image: Image | None = None  # the lead image (feedsvc.metadata.images says how it is chosen)
    warnings: tuple[str, ...] = ()
    source: str | None = None  # the name of the followed source (site.toml [[source]]) that brought it

    @property
    def content_html(self) -> str:
        """The cleaned, sanitised HTML of the article, with absolute URLs."""
        content = self.content
        return content if isinstance(content, str) else content.text()

    @property
    def summary_text(self) -> str:
        """The summary: plain text, one line."""
        summary = self.summary
        return summary if isinstance(summary, str) else summary.text()


@_pickled_by_position
@dataclass(frozen=True, slots=True)
class Prepared:
    """One article file after loading and cleaning: all the catalog needs, so nothing is re-read.

    ``source`` keeps the metadata without the raw page (None: the file could not be
    loaded); ``article`` is the published form before the revisions ledger dates it
    (None: not published, ``problems`` says why, or a draft or withdrawal).
    """

    slug: str
    path: Path
    source: ArticleSource | None
    article: Article | None = None
    problems: tuple[Problem, ...] = ()  # of this file alone: load and cleaning warnings and errors
    fingerprint: str = ""  # revisions.fingerprint(article): what readers see of it
    digest: str = ""  # hash of every field of ``article`` but ``updated``: keys rendered documents
    cacheable: bool = True  # False after an internal error, which may not happen again
    undated: bool = False  # no date anywhere: ``article.published`` is UNDATED until the ledger dates it
    own_title: bool = False  # the title is its author's (sidecar, front matter): no learned site name comes off it
    text_key: str = ""  # revisions.text_key(article): its words alone, to know it again once renamed and edited
    sketch: str = ""  # revisions.word_sketch of its words: how much text it shares with the ledger's article
    # a hash of the bytes of its file and sidecar (build.files.content_digest, cut to 16): readers see a change of
    # the article that leaves them the same as another version of feedsvc's reading of it, not an edit
    file_digest: str = ""


@_pickled_by_position
@dataclass(frozen=True, slots=True)
class Problem:
    """A file that could not be published, or was published with a caveat."""

    path: Path
    message: str
    # "error": not published; "warning": published; "held": this version is not published, the
    # article's last good version stays published in its place (``served`` says which)
    severity: str = "error"
    since: datetime | None = None  # when the file was saved as it is now (errors and holds), if known
    served: str = ""  # of a hold: the version published instead

    def __str__(self) -> str:
        return f"{self.path}: {self.severity}: {self.message}"


class ContentError(Exception):
    """A content file that cannot be published; the reason says the fix."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(path, reason)
        self.path = path
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@_pickled_by_position
@dataclass(frozen=True, slots=True)
class Revision:
    """What the revisions ledger remembers of one slug between runs."""

    fingerprint: str  # hash of what readers see of the article ("" if never published)
    since: datetime  # when that fingerprint was first seen (first sight: the article's own date)
    withdrawn: datetime | None = None  # when status = "withdrawn" was first seen
    first_seen: datetime | None = None  # when first seen without a date of its own: its date from then on
    # the day ("2024-03-01") in the entry id readers got (tag:…:<day>:articles/<slug>), kept when `published`
    # is corrected later: the id never moves ("" for a pinned id, or a ledger written before it was kept)
    id_day: str = ""
    # the id pinned in its sidecar when readers got that one ("" for a derived id, or a ledger written before it
    # was kept): a pin taken off later is a new entry in every reader, and the warning names the id to pin again
    pinned_id: str = ""
    # what tells the article apart once its file is renamed or edited ("" in a ledger written before they were
    # kept): its own title as readers got it, and a hash of its words alone (revisions.text_key)
    title: str = ""
    text_key: str = ""
    # a sketch of its words (revisions.word_sketch, "" in a ledger written before it was kept): how much text an
    # article saved under its name shares with it, to tell an edit from another article where title and words differ
    sketch: str = ""
    # the slug it was published under before its file was renamed, recorded by the build that published the rename
    # (session 38): after a→b→c the warning names b's id, the last readers got, not a's
    renamed_from: str = ""
    # the number after the slug in the id readers got (tag:…:<day>:articles/<slug>/<n>; 0: none), given to another
    # article saved under the name of one whose id had its day (session 39): a tag names one thing
    id_number: int = 0
    # the entries of the articles readers got under this slug before this one took it (deleted, or replaced whole),
    # oldest first: their ids are never given again, and one that comes back has its own again
    earlier: tuple[Revision, ...] = ()
    # Prepared.file_digest of the file as the article was last published ("" in a ledger written before session 44):
    # what readers see changing while this stays the same is a new version of feedsvc (its cleaner, its loading),
    # not an edit, and does not move ``updated``
    source: str = ""


@_pickled_by_position
@dataclass(frozen=True, slots=True)
class Withdrawal:
    """An article its publisher withdrew: its page answers 410, feeds carry a tombstone for a while."""

    slug: str
    entry_id: str | None  # None: it never had a publication date, so no reader can know it
    title: str
    when: datetime  # when feedsvc first saw it withdrawn
    tags: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    tombstone: bool = True  # still within tombstone_days when the snapshot was built
    source: str | None = None  # the followed source that brought it: its tombstone is in that source's feeds too


@dataclass(frozen=True)
class Facet:
    """The articles that share one tag, one author or one followed source: a page and narrower feeds."""

    kind: str  # one of FACET_KINDS: "tags", "authors" or "sources"
    key: str  # the URL segment, e.g. "south-caucasus"; a source's name
    name: str  # as the articles write it, e.g. "South Caucasus"; a source's display title
    articles: Sequence[Article]  # newest first (a tuple, or the records' array view in a server)
    withdrawn: tuple[Withdrawal, ...] = ()
    link: str | None = None  # a source's home page elsewhere: its feeds' alternate link

    @property
    def path(self) -> str:
        """The site path of this facet's page."""
        return facet_path(self.kind, self.key)


@dataclass(frozen=True)
class FeedSpec:
    """Which feed document to build: its path, permanent id, title and extra links."""

    path: str  # site path of this document, e.g. "/feed.atom"
    id_specific: str  # the part after the site authority in the feed's tag URI
    title: str
    html_path: str = "/"  # the page this feed mirrors (rel=alternate)
    links: tuple[tuple[str, str], ...] = ()  # (rel, site path): prev-archive, next-archive, current
    archive: bool = False  # an RFC 5005 archive document (fh:archive)
    updated: datetime | None = None  # feed-level updated when it has no entries to take it from
    home: str | None = None  # an absolute URL that is the feed's rel=alternate instead of html_path (a source's site)
    subtitle: str | None = None  # the feed's subtitle (RSS description) instead of the site's


@dataclass(frozen=True)
class Catalog:
    """An immutable snapshot of the site: what every request reads."""

    site: Site
    articles: Sequence[Article]  # newest first (a tuple, or the records' array view in a server)
    problems: tuple[Problem, ...] = ()
    by_slug: Mapping[str, Article] = field(default_factory=dict, compare=False)
    version: str = ""
    withdrawn: tuple[Withdrawal, ...] = ()  # most recent withdrawal first
    tags: Mapping[str, Facet] = field(default_factory=dict, compare=False)  # key -> facet
    authors: Mapping[str, Facet] = field(default_factory=dict, compare=False)
    sources: Mapping[str, Facet] = field(default_factory=dict, compare=False)  # every [[source]], articles or not
    revisions: Mapping[str, Revision] = field(default_factory=dict, compare=False)  # the ledger to keep
    gone: Mapping[str, Withdrawal] = field(default_factory=dict, compare=False)  # slug -> withdrawal: 410
    digests: Mapping[str, str] = field(default_factory=dict, compare=False)  # slug -> Prepared.digest
    scheduled: Mapping[str, datetime] = field(default_factory=dict, compare=False)  # slug -> future publication
    # slug -> why its title lost a site name learned from the other titles of its host (feedsvc check says it)
    retitled: Mapping[str, str] = field(default_factory=dict, compare=False)

    def facets(self, kind: str) -> Mapping[str, Facet]:
        """Return the facets of one of :data:`FACET_KINDS` by key (KeyError for another kind)."""
        return {"tags": self.tags, "authors": self.authors, "sources": self.sources}[kind]

    @property
    def next_release(self) -> datetime | None:
        """When the first article dated in the future is due: the snapshot must be rebuilt then."""
        return min(self.scheduled.values(), default=None)

    @property
    def tombstones(self) -> tuple[Withdrawal, ...]:
        """Withdrawals still announced in the feeds."""
        return tuple(w for w in self.withdrawn if w.tombstone and w.entry_id)
