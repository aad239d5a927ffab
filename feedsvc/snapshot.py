"""The edge that turns a content folder into a servable snapshot.

Reads the folder (through :mod:`feedsvc.content`) and its revisions ledger,
takes "now" from the clock once, builds the catalog, writes the ledger back
(atomically) and renders and encodes every feed document once, so requests
only pick precomputed bytes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from .archive import ArchiveIndex, archive_path
from . import metrics
from .catalog import build_catalog
from .content import load_articles, load_site
from .feedset import Document, render_all, render_archive
from .model import Catalog, Problem, Revision, Site
from .representation import Resource, make_resource
from .revisions import dump_ledger, parse_ledger
from .statefile import read_text, state_path, write_state

__all__ = ["Resource", "Snapshot", "feed_cache_control", "load_catalog", "load_snapshot", "make_resource"]


REVISIONS_FILE = "revisions.json"
# "update": read the ledger and write it back (serving); "read": never write (a
# report such as `feedsvc check`); "ignore": as on a fresh checkout (golden files).
LedgerMode = Literal["update", "read", "ignore"]


def feed_cache_control(site: Site) -> str:
    """Return the Cache-Control of every feed document, from ``site.toml``."""
    directives = ["public", f"max-age={site.feed_max_age}"]
    if site.feed_stale_while_revalidate:
        directives.append(f"stale-while-revalidate={site.feed_stale_while_revalidate}")
    return ", ".join(directives)


def feed_resource(document: Document, site: Site) -> Resource:
    """Encode a rendered feed document with its headers (WebSub discovery on subscription feeds)."""
    headers = [("X-Content-Type-Options", "nosniff")]
    if site.websub_hub and document.subscription:
        # WebSub §4: the hub and the topic's own URL, as Link headers
        headers.append(("Link", f'<{site.websub_hub}>; rel="hub", <{site.url(document.path)}>; rel="self"'))
    return make_resource(
        document.body, document.media_type, document.last_modified, feed_cache_control(site), tuple(headers)
    )


class Snapshot:
    """One content version, with its feeds rendered and encoded; pages are kept once rendered."""

    def __init__(self, catalog: Catalog, feeds: Mapping[str, Resource], archives: ArchiveIndex) -> None:
        self.catalog = catalog
        self.feeds = dict(feeds)  # site path -> feed document, precomputed
        self.archives = archives
        self.subscriptions = tuple(p for p in self.feeds if not p.startswith("/archive/"))
        self._lazy: dict[str, Resource] = {}
        self._lock = threading.Lock()

    def feed(self, path: str) -> Resource | None:
        """Return the feed document at ``path``, or None; empty archive months render on first use."""
        found = self.feeds.get(path)
        if found is not None or not path.startswith("/archive/") or not path.endswith(".atom"):
            return found
        month = path[len("/archive/") : -len(".atom")]
        if not self.archives.exists(month) or archive_path(month) != path:
            return None
        site = self.catalog.site
        return self.cached(path, lambda: feed_resource(render_archive(self.catalog, self.archives, month), site))

    def cached(self, key: str, render: Callable[[], Resource]) -> Resource:
        """Return the resource ``key`` of this snapshot, rendering it once."""
        found = self._lazy.get(key)
        if found is None:
            found = render()  # rendering twice in a race gives equal bytes: no lock held meanwhile
            with self._lock:
                found = self._lazy.setdefault(key, found)
        return found

    def topics(self) -> dict[str, str]:
        """Return the absolute URL -> ETag of every subscription feed (what WebSub announces)."""
        site = self.catalog.site
        return {site.url(path): self.feeds[path].etag for path in self.subscriptions}


def build_snapshot(catalog: Catalog) -> Snapshot:
    """Render and encode every feed document of ``catalog``."""
    documents, archives = render_all(catalog)
    return Snapshot(catalog, {d.path: feed_resource(d, catalog.site) for d in documents}, archives)


def _read_ledger(content_dir: Path) -> tuple[dict[str, Revision], Problem | None]:
    path = state_path(content_dir, REVISIONS_FILE)
    text, problem = read_text(path)
    if text is None and problem is None:
        return {}, None  # a fresh checkout: every article is seen for the first time
    try:
        if problem:
            raise ValueError(problem)
        return parse_ledger(text or ""), None
    except ValueError as error:
        reason = f"{error}; it is left as it is (and not updated) until you fix or delete it"
        return {}, Problem(path, reason)


def load_catalog(
    content_dir: Path,
    overrides: Mapping[str, Any] | None = None,
    *,
    now: datetime | None = None,
    ledger: LedgerMode = "read",
) -> Catalog:
    """Load and clean everything in ``content_dir``; bad files become problems, not failures."""
    moment = (now or datetime.now(timezone.utc)).replace(microsecond=0)
    site = load_site(content_dir, overrides)
    sources, problems = load_articles(content_dir, site)
    previous, ledger_problem = _read_ledger(content_dir) if ledger != "ignore" else ({}, None)
    if ledger_problem:
        problems.append(ledger_problem)  # logged with the others by whoever serves or checks
    catalog = build_catalog(sources, site, problems, now=moment, ledger=previous)
    if ledger == "update" and ledger_problem is None and catalog.revisions != previous:
        path = state_path(content_dir, REVISIONS_FILE)
        try:
            write_state(path, dump_ledger(catalog.revisions))
        except OSError as error:
            problem = Problem(path, f"cannot be written ({error.strerror}); edits will be dated again next time")
            catalog = replace(catalog, problems=(*catalog.problems, problem))
    return catalog


def load_snapshot(
    content_dir: Path,
    overrides: Mapping[str, Any] | None = None,
    *,
    now: datetime | None = None,
    ledger: LedgerMode = "update",
) -> Snapshot:
    """Load ``content_dir`` (recording revisions) and render its feeds."""
    started = time.perf_counter()
    try:
        snapshot = build_snapshot(load_catalog(content_dir, overrides, now=now, ledger=ledger))
    except Exception:
        metrics.snapshot_failed(time.perf_counter() - started)
        raise
    catalog = snapshot.catalog
    rejected = sum(1 for problem in catalog.problems if problem.severity == "error")
    metrics.snapshot_built(time.perf_counter() - started, published=len(catalog.articles), rejected=rejected)
    return snapshot
