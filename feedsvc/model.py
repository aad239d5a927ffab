"""The values that travel down the pipeline: plain frozen dataclasses.

No Flask, no BeautifulSoup, no feedgen here: every stage can import this
module without pulling in another stage's library.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo


def article_path(slug: str) -> str:
    """Return the site path of an article page."""
    return f"/articles/{slug}"


@dataclass(frozen=True)
class Site:
    """Site-wide settings, parsed and validated from ``content/site.toml``."""

    title: str
    base_url: str  # absolute, no trailing slash; every published URL starts here
    id_authority: str  # RFC 4151 tagging entity, e.g. "oc-media.org,2012"
    language: str
    timezone: ZoneInfo
    default_author: str
    subtitle: str = ""
    entries_per_feed: int = 20
    summary_words: int = 60

    def url(self, path: str) -> str:
        """Return the absolute URL of a site path such as ``/feed.atom``."""
        return self.base_url + "/" + path.lstrip("/")

    def href(self, path: str) -> str:
        """Return a root-relative link to a site path, for links inside pages."""
        return urlsplit(self.base_url).path.rstrip("/") + "/" + path.lstrip("/")

    def tag_uri(self, specific: str) -> str:
        """Return a ``tag:`` URI under the site's authority (RFC 4151)."""
        return f"tag:{self.id_authority}:{specific}"


@dataclass(frozen=True)
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
    image: str | None = None


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class Article:
    """A published article: clean content plus complete metadata."""

    slug: str
    entry_id: str  # never changes once published
    title: str
    published: datetime
    updated: datetime
    authors: tuple[str, ...]
    summary: str  # plain text
    tags: tuple[str, ...]
    content_html: str  # cleaned, sanitised, absolute URLs
    language: str
    source_path: Path
    source_url: str | None = None  # where the article first appeared, if elsewhere
    image: str | None = None
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Problem:
    """A file that could not be published, or was published with a caveat."""

    path: Path
    message: str
    severity: str = "error"  # "error": not published; "warning": published

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


@dataclass(frozen=True)
class Catalog:
    """An immutable snapshot of the site: what every request reads."""

    site: Site
    articles: tuple[Article, ...]  # newest first
    problems: tuple[Problem, ...] = ()
    by_slug: dict[str, Article] = field(default_factory=dict, compare=False)
    version: str = ""
