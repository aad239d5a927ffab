"""What changed between two snapshots, and the next snapshot rebuilt from the previous one and that change.

Pure. A publish sends :func:`delta` of the snapshot it last sent and the new
one: the articles added, changed or removed, the feed documents (site,
tag, author feeds and archive months) whose bytes or headers changed, the
site's icon and logo when they changed, and
the catalog's small parts (site settings, problems, withdrawals, what is
held back) whole. :func:`apply_delta` turns the previous snapshot and that
delta into the new one: the same articles in the same order, the same
indexes (by slug, tags, authors, archive months), the same feed resources
and ETags, the same version, so that a worker that applies it answers every
request as one that loaded the whole snapshot would. The previous snapshot
is not changed (a snapshot is immutable per version); what did not change is
shared between the two.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from feedsvc.build.records import compact_views, is_compact, month_index, reindex_compact_facets
from feedsvc.build.representation import Resource
from feedsvc.build.snapshot import Snapshot
from feedsvc.catalog.assembly import index_facets, index_sources, reindex_facets, reorder_articles
from feedsvc.feeds.archive import index_archives, reindex_archives
from feedsvc.model import Article, Catalog, PictureFile, Problem, Site, Withdrawal

__all__ = ["Delta", "DeltaMismatch", "apply_delta", "delta"]


class DeltaMismatch(ValueError):
    """A delta was applied to a snapshot other than the one it was made from: load the whole snapshot instead."""


@dataclass(frozen=True, slots=True)
class Delta:
    """The change from the snapshot of version ``base`` to the one of version ``version``."""

    base: str
    version: str
    site: Site
    problems: tuple[Problem, ...]
    withdrawn: tuple[Withdrawal, ...]
    scheduled: Mapping[str, datetime]
    articles: tuple[Article, ...]  # added or changed
    removed: tuple[str, ...]  # slugs no longer published
    feeds: Mapping[str, Resource]  # added or changed, by site path
    dropped: tuple[str, ...]  # feed paths no longer there
    page_budget: int
    fresh: int
    pictures: Mapping[str, PictureFile] | None = None  # the icon's and logo's bytes, when not those of ``base``

    @property
    def size(self) -> int:
        """How many articles and documents it carries (what a publish costs to send and apply)."""
        return len(self.articles) + len(self.removed) + len(self.feeds) + len(self.dropped)


def delta(old: Snapshot, new: Snapshot, digests: Mapping[str, str] | None = None) -> Delta:
    """Return what changed from ``old`` to ``new``.

    An article is sent when it is new, or when what a reader can get of it
    (its digest, or the article itself where no digest is known), its
    ``updated``, its source path or its warnings changed. ``digests``: those
    of ``old`` (the new catalog's are its own); a feed document is sent when
    it is not the very object ``old`` has at its path.
    """
    before, after = old.catalog, new.catalog
    old_digests = digests if digests is not None else before.digests
    known = new.changed
    if known is not None and known[0] == id(old) and known[1] == before.version:
        # found by build_snapshot when it built ``new`` from ``old``: not looked for again among every article
        candidates: Iterable[Article] = known[3]
        removed = tuple(article.slug for article in known[2] if article.slug not in after.by_slug)
    else:
        candidates = after.by_slug.values()
        removed = tuple(slug for slug in before.by_slug if slug not in after.by_slug)
    changed = []
    for article in candidates:
        slug = article.slug
        previous = before.by_slug.get(slug)
        if previous is article:
            continue
        if previous is not None and _same(previous, article, old_digests.get(slug), after.digests.get(slug)):
            continue
        changed.append(article)
    feeds = {path: r for path, r in new.feeds.items() if old.feeds.get(path) is not r}
    dropped = tuple(path for path in old.feeds if path not in new.feeds)
    return Delta(
        before.version,
        after.version,
        after.site,
        after.problems,
        after.withdrawn,
        dict(after.scheduled),
        tuple(changed),
        removed,
        feeds,
        dropped,
        new.page_budget,
        new.fresh,
        # by digest: the same keys are the same bytes (most publishes: none sent)
        dict(new.pictures) if new.pictures.keys() != old.pictures.keys() else None,
    )


def _same(old: Article, new: Article, old_digest: str | None, new_digest: str | None) -> bool:
    if old.updated != new.updated or old.source_path != new.source_path or old.warnings != new.warnings:
        return False
    if old_digest and new_digest:
        return old_digest == new_digest
    return old == new


def apply_delta(old: Snapshot, change: Delta) -> Snapshot:
    """Return the snapshot ``change`` leads to from ``old`` (left as it is).

    Costs what changed: the articles it carries are taken out of and put into
    the order by binary search, and only the tags, authors, sources and
    archive months they were or are in are indexed again (all of them when the
    site settings or the withdrawals changed, which is rare).

    :raise DeltaMismatch: ``old`` is not the version ``change`` was made from.
    """
    catalog = old.catalog
    if catalog.version != change.base:
        raise DeltaMismatch(
            f"a delta from version {change.base} cannot be applied to version {catalog.version}; "
            "load the whole snapshot"
        )
    if is_compact(catalog):
        return _apply_to_records(old, change)
    touched = {article.slug for article in change.articles} | set(change.removed)
    before = [catalog.by_slug[slug] for slug in touched if slug in catalog.by_slug]
    articles = reorder_articles(catalog.articles, before, change.articles)
    site = change.site
    if site != catalog.site or change.withdrawn != catalog.withdrawn:
        tags = index_facets("tags", articles, change.withdrawn)
        authors = index_facets("authors", articles, change.withdrawn)
        sources = index_sources(site.sources, articles, change.withdrawn)
        archives = index_archives(articles, site.timezone)
    else:
        tags = reindex_facets("tags", catalog.tags, before, change.articles, touched)
        authors = reindex_facets("authors", catalog.authors, before, change.articles, touched)
        sources = reindex_facets("sources", catalog.sources, before, change.articles, touched)
        archives = reindex_archives(old.archives, before, change.articles, site.timezone)
    new_catalog = Catalog(
        site=site,
        articles=articles,
        problems=change.problems,
        by_slug={a.slug: a for a in articles},
        version=change.version,
        withdrawn=change.withdrawn,
        tags=tags,
        authors=authors,
        sources=sources,
        gone={w.slug: w for w in change.withdrawn},
        scheduled=dict(change.scheduled),
    )
    return Snapshot(
        new_catalog, _feeds(old, change), archives, None, change.page_budget, change.fresh, _pictures(old, change)
    )


def _apply_to_records(old: Snapshot, change: Delta) -> Snapshot:
    """:func:`apply_delta` of a compact catalog (the master's, a worker's: see :mod:`feedsvc.build.records`).

    The changed articles are recorded in this process's memory; the order,
    the slug index and the facets they were or are in are copied as arrays
    with them taken out and put in. No article object is made but those
    the delta changes (and, when the site's ``[[source]]`` list changed,
    each once, to group them by source again).
    """
    catalog = old.catalog
    order, slugs = compact_views(catalog)
    gone: list[tuple[int, Article]] = []
    for slug in {article.slug for article in change.articles} | set(change.removed):
        ref = slugs.ref(slug)
        if ref is not None:
            gone.append((ref, order.records.article(ref)))
    added = list(zip(order.records.add(change.articles), change.articles, strict=True))
    order = order.changed(gone, added)
    slugs = slugs.changed((article.slug for _, article in gone), ((ref, a.slug) for ref, a in added))
    site = change.site
    bare = Catalog(
        site=site,
        articles=(),
        problems=change.problems,
        version=change.version,
        withdrawn=change.withdrawn,
        tags=catalog.tags,
        authors=catalog.authors,
        sources=catalog.sources,
        gone={w.slug: w for w in change.withdrawn},
        scheduled=dict(change.scheduled),
    )
    new_catalog = reindex_compact_facets(catalog, bare, order, slugs, gone, added)
    archives = month_index(order, site.timezone)
    return Snapshot(
        new_catalog, _feeds(old, change), archives, None, change.page_budget, change.fresh, _pictures(old, change)
    )


def _pictures(old: Snapshot, change: Delta) -> Mapping[str, PictureFile]:
    return old.pictures if change.pictures is None else change.pictures


def _feeds(old: Snapshot, change: Delta) -> dict[str, Resource]:
    feeds = {path: r for path, r in old.feeds.items() if path not in change.dropped}
    feeds.update(change.feeds)
    return {path: feeds[path] for path in sorted(feeds, key=_feed_order(old.feeds, change.feeds))}


def _feed_order(old: Mapping[str, Resource], new: Mapping[str, Resource]) -> Callable[[str], tuple[bool, int, str]]:
    """Keep the feeds' order stable: the old ones where they were, new ones after (subscriptions before archives)."""
    position = {path: index for index, path in enumerate(old)}

    def key(path: str) -> tuple[bool, int, str]:
        return (path.startswith("/archive/"), position.get(path, len(position)), path)

    return key
