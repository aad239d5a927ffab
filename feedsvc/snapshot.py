"""The edge that turns a content folder into a servable snapshot.

Reads the folder (through :mod:`feedsvc.content`), builds the catalog, and
renders every feed once, so requests only pick precomputed bytes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from .catalog import build_catalog
from .content import load_articles, load_site
from .feed import ATOM_TYPE, RSS_TYPE, FeedSpec, build_atom, build_rss, feed_updated
from .model import Catalog


@dataclass(frozen=True)
class Resource:
    """A response body rendered once, with the validators that go with it."""

    body: bytes
    media_type: str
    etag: str  # strong validator: a hash of the body
    last_modified: datetime


def make_resource(body: bytes, media_type: str, last_modified: datetime) -> Resource:
    """Wrap a rendered body with a strong ETag computed from its bytes."""
    return Resource(body, media_type, hashlib.sha256(body).hexdigest()[:32], last_modified)


@dataclass(frozen=True)
class Snapshot:
    """One content version, with its feeds already rendered."""

    catalog: Catalog
    feeds: Mapping[str, Resource] = field(default_factory=dict)  # site path -> feed


def render_feeds(catalog: Catalog) -> dict[str, Resource]:
    """Render the subscription feeds of ``catalog``."""
    site = catalog.site
    newest = catalog.articles[: site.entries_per_feed]
    updated = feed_updated(newest)
    atom = FeedSpec("/feed.atom", "feed", site.title)
    rss = FeedSpec("/feed.rss", "feed", site.title)
    return {
        atom.path: make_resource(build_atom(newest, site, atom), f"{ATOM_TYPE}; charset=utf-8", updated),
        rss.path: make_resource(build_rss(newest, site, rss), f"{RSS_TYPE}; charset=utf-8", updated),
    }


def load_catalog(content_dir: Path, overrides: Mapping[str, Any] | None = None) -> Catalog:
    """Load and clean everything in ``content_dir``; bad files become problems, not failures."""
    site = load_site(content_dir, overrides)
    sources, problems = load_articles(content_dir, site)
    return build_catalog(sources, site, problems)


def load_snapshot(content_dir: Path, overrides: Mapping[str, Any] | None = None) -> Snapshot:
    """Load ``content_dir`` and render its feeds."""
    catalog = load_catalog(content_dir, overrides)
    return Snapshot(catalog, render_feeds(catalog))
