"""A servable snapshot: a catalog with every feed document rendered and encoded once.

Pure but for a lock. :func:`build_snapshot` renders each document family
(the site's, each tag's and author's feeds, each archive month) from its
inputs, and reuses the bytes of a family whose inputs hash the same as in
the previous snapshot or in the build cache, so an edit re-renders only the
feeds it shows in. An archive month whose articles are the same but whose
links changed (the newest month gains ``next-archive`` when a later month
gets its first article) gets a new head on its old entries, compressed
alone: the first article of a month costs what any other does. Given a
store to spill to (the builder's :class:`~feedsvc.build.blobstore.BlobStore`),
every document but the site's own feeds is moved out of the heap once
cached, and read when sent. Pages are
rendered on first request and kept in a bounded cache. Reading a content
folder is :mod:`feedsvc.build.builder`'s job.
"""

from __future__ import annotations

import functools
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict
from typing import Any, Literal, Protocol

from feedsvc.build.representation import BytesStore, Resource, make_parted_resource, make_resource, reheaded, stored
from feedsvc.catalog.prepare import article_digest
from feedsvc.feeds.archive import ArchiveIndex, archive_spec, index_archives, reindex_archives
from feedsvc.feeds.atom_rss import atom_split
from feedsvc.feeds.families import Document, Family, archive_head, families, render_archive, render_family
from feedsvc.model import Article, Catalog, PictureFile, Site

__all__ = [
    "CHANGED_KEPT",
    "HOT_FEED_PREFIX",
    "PAGE_CACHE_BYTES",
    "STREAM_BYTES",
    "DocumentStore",
    "LedgerMode",
    "Rendered",
    "Snapshot",
    "build_snapshot",
    "feed_cache_control",
    "feed_resource",
]


# Bytes of rendered pages (every coding) one snapshot keeps per process; the least
# recently used go first. Feeds are not counted: they are always kept.
PAGE_CACHE_BYTES = 16 * 1024 * 1024
LABELS_SLACK = 256  # labels of articles gone kept before they are pruned (build_snapshot)
# Articles changed from the previous snapshot a snapshot remembers for build.delta (past that, a change of
# the whole site, it would keep the old articles alive as long as itself: delta looks for them again then).
CHANGED_KEPT = 1024
# Bytes of freshly rendered documents (every coding) a build holds before it puts them in the
# build cache and moves them to disk: a cold build of a large site renders hundreds of megabytes.
STREAM_BYTES = 32 * 1024 * 1024
# Feeds kept in memory even when the others live on disk: the site's own, which
# most readers poll. Every other document (tag, author, archive) is read when sent.
HOT_FEED_PREFIX = "/feed."
Rendered = tuple[tuple[str, Resource], ...]  # (site path, resource) of one document family
# "update": read the ledger and write it back (serving); "read": write nothing but the
# first-seen date of an undated article, so a report such as `feedsvc check` shows the
# date serving will keep (revisions.first_seen); "ignore": as on a fresh checkout (golden files).
LedgerMode = Literal["update", "read", "ignore"]


def feed_cache_control(site: Site) -> str:
    """Return the Cache-Control of every feed document, from ``site.toml``."""
    directives = ["public", f"max-age={site.feed_max_age}"]
    if site.feed_stale_while_revalidate:
        directives.append(f"stale-while-revalidate={site.feed_stale_while_revalidate}")
    return ", ".join(directives)


def feed_resource(document: Document, site: Site, head: bytes | None = None) -> Resource:
    """Encode a rendered feed document with its headers (WebSub discovery on subscription feeds).

    With ``head`` (what the document holds before its first entry: an archive month's), it is made in
    two parts (:func:`~feedsvc.build.representation.make_parted_resource`), so a change of its links
    alone recompresses only the head.
    """
    headers = [("X-Content-Type-Options", "nosniff")]
    if site.websub_hub and document.subscription:
        # WebSub §4: the hub and the topic's own URL, as Link headers
        headers.append(("Link", f'<{site.websub_hub}>; rel="hub", <{site.url(document.path)}>; rel="self"'))
    body, cache_control = document.body, feed_cache_control(site)
    if head is not None and body.startswith(head):
        rest = body[len(head) :]
        return make_parted_resource(
            head, rest, document.media_type, document.last_modified, cache_control, tuple(headers)
        )
    return make_resource(body, document.media_type, document.last_modified, cache_control, tuple(headers))


class DocumentStore(Protocol):
    """Where rendered document families outlive the process (the build cache)."""

    def each_document(self, keys: Iterable[str]) -> Iterator[tuple[str, Any]]: ...

    def put_documents(self, rows: Mapping[str, object]) -> None: ...


class Snapshot:
    """One content version, with its feeds rendered and encoded; pages are kept once rendered, up to a budget."""

    def __init__(
        self,
        catalog: Catalog,
        feeds: Mapping[str, Resource],
        archives: ArchiveIndex,
        rendered: Mapping[str, Rendered] | None = None,
        page_budget: int = PAGE_CACHE_BYTES,
        fresh: int = 0,
        pictures: Mapping[str, PictureFile] | None = None,
    ) -> None:
        self.catalog = catalog
        # the icon's and logo's bytes as the build read them, by SiteImage.digest: served for as long as this is
        self.pictures: Mapping[str, PictureFile] = dict(pictures or {})
        self.feeds = dict(feeds)  # site path -> feed document, precomputed
        self.archives = archives
        self.subscriptions = tuple(p for p in self.feeds if not p.startswith("/archive/"))
        self.rendered = dict(rendered or {})  # input key -> documents: what the next build may reuse
        self.page_budget = page_budget
        self.fresh = fresh  # document families rendered for it (the others were reused, or relinked)
        self.relinked = 0  # archive months given a new head on the entries they had (build_snapshot)
        # the articles of the snapshot it was built from (its id and version) that are not the very objects of
        # this one, and this one's that are not its: found once by build_snapshot, read by build.delta
        self.changed: tuple[int, str, tuple[Article, ...], tuple[Article, ...]] | None = None
        # what the next build reuses to skip hashing what did not change (build_snapshot; never sent to the master)
        self.salt = ""
        self.month_keys: dict[str, tuple[str, Sequence[Article], str]] = {}  # month -> (spec, articles, key)
        self.labels: dict[str, tuple[Article, str]] = {}  # slug -> (article, its entries' label)
        self._lazy: OrderedDict[str, Resource] = OrderedDict()
        self._lazy_bytes = 0
        self._lock = threading.Lock()

    def feed(self, path: str) -> Resource | None:
        """Return the feed document at ``path`` (a subscription feed or an archive month), or None."""
        return self.feeds.get(path)

    def cached(self, key: str, render: Callable[[], Resource]) -> Resource:
        """Return the resource ``key`` of this snapshot, rendering it on first use (and after eviction)."""
        with self._lock:
            found = self._lazy.get(key)
            if found is not None:
                self._lazy.move_to_end(key)
                return found
        made = render()  # rendering twice in a race gives equal bytes: no lock held meanwhile
        with self._lock:
            found = self._lazy.setdefault(key, made)
            if found is made:
                self._lazy_bytes += _size(made)
                while self._lazy_bytes > self.page_budget and len(self._lazy) > 1:
                    _, oldest = self._lazy.popitem(last=False)
                    self._lazy_bytes -= _size(oldest)
        return found

    def held_bytes(self) -> int:
        """Return the bytes of every body this snapshot holds in memory, in every coding (feeds and kept pages)."""
        with self._lock:
            pages = self._lazy_bytes
        return pages + sum(_size(resource) for resource in self.feeds.values())

    def stored_bytes(self) -> int:
        """Return the bytes of every feed body this snapshot keeps on disk, in every coding."""
        return sum(v.size for r in self.feeds.values() for v in r.variants.values() if not v.held)

    def topics(self) -> dict[str, str]:
        """Return the absolute URL -> ETag of every subscription feed (what WebSub announces)."""
        site = self.catalog.site
        return {site.url(path): self.feeds[path].etag for path in self.subscriptions}


def _size(resource: Resource) -> int:
    return sum(variant.size for variant in resource.variants.values() if variant.held)


def build_snapshot(
    catalog: Catalog,
    previous: Snapshot | None = None,
    store: DocumentStore | None = None,
    *,
    version: str = "",
    page_budget: int = PAGE_CACHE_BYTES,
    progress: Callable[[int], Callable[[int], object]] | None = None,
    spill: BytesStore | None = None,
    changes: tuple[tuple[Article, ...], tuple[Article, ...]] | None = None,
    pictures: Mapping[str, PictureFile] | None = None,
) -> Snapshot:
    """Render and encode every feed document of ``catalog``, reusing those whose inputs are unchanged.

    A family's key hashes all its bytes depend on: ``version`` (the renderer's
    code), the site settings, the family's own fields and, per entry, the
    article's digest and ``updated``. Found in ``previous`` or in ``store``, its
    documents are reused; otherwise rendered and put in ``store``. With
    ``spill``, every document but the site's own feeds is moved there (out
    of the heap) once it is cached. Documents go to ``store`` and ``spill``
    as they are made (every :data:`STREAM_BYTES`) and as they are read back,
    so a build holds a few families' bytes at a time, not a large site's.

    ``changes``: the articles of ``previous``'s catalog that are not the very objects
    of ``catalog`` and those of ``catalog`` not in ``previous``'s, when the caller knows
    them (:attr:`~feedsvc.catalog.assembly.Assembled.changes`): not looked for among every article.
    ``pictures``: the bytes of the site's icon and logo files as read with its settings
    (:func:`~feedsvc.content.loader.load_site_and_pictures`), what the snapshot serves at their paths.
    """
    site = catalog.site
    changed = changes if changes is not None and previous is not None else _changed(catalog, previous)
    archives = _archives(catalog, previous, changed)
    salt = version + json.dumps({k: str(v) for k, v in asdict(site).items()}, sort_keys=True)
    before = previous.labels if previous is not None else {}
    labels: dict[str, tuple[Article, str]] = {}

    def entries(articles: Iterable[Article]) -> list[str]:
        found = []
        for article in articles:
            known = labels.get(article.slug) or before.get(article.slug)
            if known is None or known[0] is not article:  # once per article changed: most are in several families
                digest = catalog.digests.get(article.slug) or article_digest(article)
                known = (article, f"{digest} {article.updated.isoformat()}")
            labels[article.slug] = known
            found.append(known[1])
        return found

    jobs: dict[str, Callable[[], Rendered]] = {}
    for family in families(catalog, archives):
        fields = [family.prefix, family.id_specific, family.title, family.html_path, family.atom_links]
        fields += [repr(family.home), repr(family.subtitle)]
        parts = [*fields, repr(family.tombstones), *entries(family.articles[: site.entries_per_feed])]
        jobs[_key(salt, "family", parts)] = functools.partial(_render_family, family, site)
    old = previous.rendered if previous is not None else {}
    reused = previous.month_keys if previous is not None and previous.salt == salt else {}
    relinks: set[str] = set()  # the keys of months whose entries are as they were, not their links
    month_keys: dict[str, tuple[str, Sequence[Article], str]] = {}
    for month in sorted(archives.by_month):
        spec = repr(archive_spec(archives, month, site))
        members = archives.by_month[month]
        known_month = reused.get(month)
        if known_month is not None and known_month[0] == spec and known_month[1] is members:
            key = known_month[2]  # the very articles and links as before: the same key, without hashing them
        else:
            key = _key(salt, "archive", [spec, *entries(members)])
        month_keys[month] = (spec, members, key)
        if known_month is not None and known_month[1] is members and known_month[2] in old and key not in old:
            relinks.add(key)  # only its links changed: a new head on the entries it has
            jobs[key] = functools.partial(_relinked_archive, old[known_month[2]], catalog, archives, month)
        else:
            jobs[key] = functools.partial(_render_archive_family, catalog, archives, month)

    rendered: dict[str, Rendered] = {key: old[key] for key in jobs if key in old}
    if store is not None and len(rendered) < len(jobs):
        # one family at a time, each spilled as read: a large site's archive months are never all in memory
        for key, value in store.each_document(key for key in jobs if key not in rendered):
            if _is_rendered(value):
                rendered[key] = _spilled(value, spill) if spill is not None else value
    fresh: dict[str, Rendered] = {}  # rendered now, not yet in the store
    held = 0  # their bytes in memory
    made = relinked = 0
    advance = progress(len(jobs) - len(rendered)) if progress and len(rendered) < len(jobs) else None
    for key, render in jobs.items():
        if key not in rendered:
            rendered[key] = fresh[key] = render()
            held += sum(_size(resource) for _, resource in fresh[key])
            if key in relinks:
                relinked += 1
            else:
                made += 1
            if held >= STREAM_BYTES:  # to the store and the spill file, so memory holds a few families at most
                _flush(fresh, rendered, store, spill)
                held = 0
            if advance:
                advance(1)
    _flush(fresh, rendered, store, spill)  # (those of the previous snapshot were spilled when it was built)
    feeds = {path: resource for key in jobs for path, resource in rendered[key]}
    snapshot = Snapshot(catalog, feeds, archives, {key: rendered[key] for key in jobs}, page_budget, made, pictures)
    kept = {**before, **labels}
    if len(kept) > len(catalog.by_slug) + LABELS_SLACK:  # articles gone: let go of their labels
        kept = {slug: label for slug, label in kept.items() if slug in catalog.by_slug}
    snapshot.salt, snapshot.month_keys, snapshot.labels = salt, month_keys, kept
    snapshot.relinked = relinked
    if previous is not None and changed is not None and len(changed[0]) + len(changed[1]) <= CHANGED_KEPT:
        snapshot.changed = (id(previous), previous.catalog.version, *changed)
    return snapshot


def _flush(
    fresh: dict[str, Rendered], rendered: dict[str, Rendered], store: DocumentStore | None, spill: BytesStore | None
) -> None:
    """Put the families rendered since the last flush in ``store``, then spill them; empty ``fresh``."""
    if store is not None and fresh:
        store.put_documents(fresh)  # before spilling: the cache keeps the bytes themselves
    if spill is not None:
        rendered.update((key, _spilled(documents, spill)) for key, documents in fresh.items())
    fresh.clear()


def _changed(catalog: Catalog, previous: Snapshot | None) -> tuple[tuple[Article, ...], tuple[Article, ...]] | None:
    """The articles of ``previous`` that are not the very objects of ``catalog`` (gone or replaced), and the
    articles of ``catalog`` that are not those of ``previous`` (new or replaced), each in its catalog's order."""
    if previous is None:
        return None
    old, new = previous.catalog.by_slug, catalog.by_slug
    gone = tuple(article for slug, article in old.items() if new.get(slug) is not article)
    added = tuple(article for slug, article in new.items() if old.get(slug) is not article)
    return gone, added


def _archives(
    catalog: Catalog,
    previous: Snapshot | None,
    changed: tuple[tuple[Article, ...], tuple[Article, ...]] | None,
) -> ArchiveIndex:
    """Index the archive months: from ``previous``'s index and the articles that changed since, when it has one."""
    site = catalog.site
    if (
        previous is None
        or changed is None
        or previous.catalog.site.timezone != site.timezone
        or not previous.archives.by_month
    ):
        return index_archives(catalog.articles, site.timezone)
    return reindex_archives(previous.archives, *changed, site.timezone)


def _render_family(family: Family, site: Site) -> Rendered:
    return tuple((document.path, feed_resource(document, site)) for document in render_family(family, site))


def _render_archive_family(catalog: Catalog, archives: ArchiveIndex, month: str) -> Rendered:
    document = render_archive(catalog, archives, month)
    return ((document.path, feed_resource(document, catalog.site, archive_head(catalog, archives, month))),)


def _relinked_archive(old: Rendered, catalog: Catalog, archives: ArchiveIndex, month: str) -> Rendered:
    """The archive month of ``old`` (the same articles) with the head ``archives`` gives it now: no entry rendered
    or compressed again. Rendered whole if ``old`` was not made in parts (an older cache's)."""
    [(path, resource)] = old
    made = reheaded(resource, atom_split(resource.body), archive_head(catalog, archives, month))
    return ((path, made),) if made is not None else _render_archive_family(catalog, archives, month)


def _spilled(documents: Rendered, spill: BytesStore) -> Rendered:
    return tuple(
        (path, resource if path.startswith(HOT_FEED_PREFIX) else stored(resource, spill))
        for path, resource in documents
    )


def _key(salt: str, kind: str, parts: Iterable[object]) -> str:
    digest = hashlib.sha256(f"{salt}\n{kind}".encode())
    for part in parts:
        digest.update(f"\n{part}".encode())
    return digest.hexdigest()[:40]


def _is_rendered(value: object) -> bool:
    """Check a cached value's shape before serving it."""
    return isinstance(value, tuple) and all(
        isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str) and isinstance(item[1], Resource)
        for item in value
    )
