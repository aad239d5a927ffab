"""Every feed document a catalog publishes, rendered once.

Pure. Subscription feeds come in families (the site, each tag, each
author, each followed source), each in Atom, RSS and JSON Feed with the
same entries: the newest ``entries_per_feed`` articles, fewer if that is
what it takes to keep every document of the family under
``feed_max_bytes`` (never fewer than one).
The site's Atom feed links the newest monthly archive (RFC 5005), and the
Atom feeds carry tombstones of recent withdrawals (RFC 6721).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from urllib.parse import quote

from feedsvc.feeds.archive import ArchiveIndex, archive_path, archive_spec, index_archives
from feedsvc.feeds.atom_rss import ATOM_TYPE, RSS_TYPE, atom_head, build_atom, build_rss, feed_updated, site_epoch
from feedsvc.feeds.json_feed import JSON_FEED_TYPE, build_json
from feedsvc.model import Article, Catalog, Facet, FeedSpec, Site, Withdrawal

__all__ = [
    "ATOM_MEDIA_TYPE",
    "FORMATS",
    "Document",
    "Family",
    "archive_head",
    "facet_title",
    "families",
    "fit_budget",
    "render_all",
    "render_archive",
    "render_family",
]

# (extension, media type as served) of each subscription format
FORMATS = (
    ("atom", f"{ATOM_TYPE}; charset=utf-8"),
    ("rss", f"{RSS_TYPE}; charset=utf-8"),
    ("json", JSON_FEED_TYPE),
)
ATOM_MEDIA_TYPE = FORMATS[0][1]


@dataclass(frozen=True)
class Document:
    """One rendered feed document and what its HTTP validators come from."""

    path: str  # site path, e.g. "/tags/transport/feed.json"
    body: bytes
    media_type: str
    last_modified: datetime  # the newest updated (or tombstone) in it
    subscription: bool  # a feed readers subscribe to (WebSub topic), not an archive


@dataclass(frozen=True)
class Family:
    """A subscription feed in every format: the site's, a tag's, an author's or a source's."""

    prefix: str  # "/feed" -> /feed.atom, /feed.rss, /feed.json
    id_specific: str
    title: str
    html_path: str
    articles: Sequence[Article]  # newest first
    tombstones: tuple[Withdrawal, ...] = ()
    atom_links: tuple[tuple[str, str], ...] = ()  # (rel, path): prev-archive on the site feed
    home: str | None = None  # a source's own site: the alternate link instead of html_path
    subtitle: str | None = None  # instead of the site's

    def path(self, extension: str) -> str:
        """The site path of this family's feed in one format."""
        return f"{self.prefix}.{extension}"


def families(catalog: Catalog, archives: ArchiveIndex) -> Iterator[Family]:
    """Yield the site's feed family, then one per tag, one per author and one per followed source."""
    site = catalog.site
    newest = archives.newest
    yield Family(
        "/feed",
        "feed",
        site.title,
        "/",
        catalog.articles,
        catalog.tombstones,
        (("prev-archive", archive_path(newest)),) if newest else (),
    )
    for facets in (catalog.tags, catalog.authors, catalog.sources):
        for facet in facets.values():
            yield _facet_family(facet, site)


def facet_title(facet: Facet, site: Site) -> str:
    """Return the title of a facet's feeds: 'Site: Tag', 'Site: Articles by Name', a source's own title."""
    if facet.kind == "sources":
        return facet.name  # the source's title (site.toml), or its name
    label = facet.name if facet.kind == "tags" else f"Articles by {facet.name}"
    return f"{site.title}: {label}"


def _facet_family(facet: Facet, site: Site) -> Family:
    source = facet.kind == "sources"
    return Family(
        f"{facet.path}/feed",
        f"feed/{facet.kind}/{quote(facet.key, safe='-')}",
        facet_title(facet, site),
        facet.path,
        facet.articles,
        facet.withdrawn,
        home=facet.link if source else None,
        subtitle=f"The articles of {facet.name}, cleaned and in full, from {site.title}" if source else None,
    )


def render_family(family: Family, site: Site) -> list[Document]:
    """Render one family in every format, with the same entries in each, within the byte budget."""

    atom = FeedSpec(
        family.path("atom"),
        family.id_specific,
        family.title,
        family.html_path,
        family.atom_links,
        home=family.home,
        subtitle=family.subtitle,
    )
    rss = replace(atom, path=family.path("rss"), links=())
    json = replace(atom, path=family.path("json"), links=())

    def render(count: int) -> list[bytes]:
        entries = family.articles[:count]
        return [
            build_atom(entries, site, atom, family.tombstones),
            build_rss(entries, site, rss),
            build_json(entries, site, json),
        ]

    most = min(site.entries_per_feed, len(family.articles))
    bodies, count = fit_budget(render, most, site.feed_max_bytes)
    last_modified = feed_updated(family.articles[:count], family.tombstones, site_epoch(site))
    return [
        Document(family.path(extension), body, media_type, last_modified, True)
        for (extension, media_type), body in zip(FORMATS, bodies, strict=True)
    ]


def fit_budget(render: Callable[[int], list[bytes]], most: int, budget: int) -> tuple[list[bytes], int]:
    """Return the documents with the most entries (up to ``most``, at least one) that all fit ``budget``."""
    bodies = render(most)
    if most <= 1 or _fits(bodies, budget):
        return bodies, most
    best, fitting = render(1), 1
    if not _fits(best, budget):
        return best, 1  # one entry over the budget still beats an empty feed
    high = most - 1
    while fitting < high:  # binary search: at most log2(most) renders
        middle = (fitting + high + 1) // 2
        candidate = render(middle)
        if _fits(candidate, budget):
            best, fitting = candidate, middle
        else:
            high = middle - 1
    return best, fitting


def _fits(bodies: Sequence[bytes], budget: int) -> bool:
    return all(len(body) <= budget for body in bodies)


def render_archive(catalog: Catalog, archives: ArchiveIndex, month: str) -> Document:
    """Render the archive document of ``month`` (every article published that month)."""
    spec = archive_spec(archives, month, catalog.site)
    articles = archives.by_month.get(month, ())
    body = build_atom(articles, catalog.site, spec)
    return Document(spec.path, body, ATOM_MEDIA_TYPE, feed_updated(articles), False)


def archive_head(catalog: Catalog, archives: ArchiveIndex, month: str) -> bytes:
    """Return what :func:`render_archive` of ``month`` writes before its first entry (its title, links, markers)."""
    spec = archive_spec(archives, month, catalog.site)
    return atom_head(archives.by_month.get(month, ()), catalog.site, spec)


def render_all(catalog: Catalog) -> tuple[list[Document], ArchiveIndex]:
    """Render every subscription feed and every archive document (one per month with articles)."""
    archives = index_archives(catalog.articles, catalog.site.timezone)
    documents: list[Document] = []
    for family in families(catalog, archives):
        documents.extend(render_family(family, catalog.site))
    documents.extend(render_archive(catalog, archives, month) for month in sorted(archives.by_month))
    return documents, archives
