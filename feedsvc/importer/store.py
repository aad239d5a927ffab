"""The importer's file edge: what the content folder already holds, and atomic writes to it.

The content folder is the importer's only state: an article's sidecar
records where it came from (``canonical_url``, ``source_url``,
``redirects``) and its pinned ``id``, so a later import finds it again and
updates it in place. Every write is atomic (:mod:`feedsvc.atomic`), so a
running service (or an interrupted import) never sees half a file.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import tomli_w

from feedsvc.atomic import write_atomic
from feedsvc.catalog.prepare import entry_id
from feedsvc.content.loader import SIDECAR_SUFFIX, load_articles
from feedsvc.model import Site

__all__ = [
    "SIDECAR_HEADER",
    "SIDECAR_ORDER",
    "Known",
    "Library",
    "read_sidecar",
    "sidecar_text",
    "store_article",
    "url_key",
]

# The order keys are written in; keys not listed (a person's additions) follow.
SIDECAR_ORDER = (
    "id",
    "title",
    "published",
    "updated",
    "author",
    "tags",
    "summary",
    "status",
    "image",
    "language",
    "canonical_url",
    "source_url",
    "redirects",
    "imported",
)
SIDECAR_HEADER = (
    "# Written by `feedsvc import`. Edits to these keys are kept when the article is imported again,\n"
    "# except those the import sets (canonical_url, source_url, redirects, imported, and for WordPress\n"
    "# posts their metadata); comments are not kept.\n"
)


@dataclass
class Known:
    """An article already in the content folder."""

    slug: str
    path: Path  # the article file
    entry_id: str | None  # the id readers already have: pinned, or derived from its date
    sidecar: dict[str, Any] = field(default_factory=dict)  # as read, for articles with a .toml sidecar

    @property
    def is_html(self) -> bool:
        return self.path.suffix.lower() in (".html", ".htm")


def url_key(url: str) -> str:
    """Return ``url`` in the form used to compare URLs: scheme and host lower case, no fragment, no default port."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url.strip()
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if port and (scheme, port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    return urlunsplit((scheme, host, parts.path or "/", parts.query, ""))


class Library:
    """The articles of one content folder, found by URL or by id, and their slugs."""

    def __init__(self, articles_dir: Path) -> None:
        self.articles_dir = articles_dir
        self.taken: set[str] = set()
        self._by_url: dict[str, Known] = {}
        self._by_id: dict[str, Known] = {}

    @classmethod
    def scan(cls, content_dir: Path, site: Site) -> Library:
        """Index every article in ``content_dir``: slugs in use, URLs it came from, ids."""
        library = cls(content_dir / "articles")
        if library.articles_dir.is_dir():
            library.taken.update(path.stem for path in library.articles_dir.iterdir())
        sources, _ = load_articles(content_dir, site)
        for source in sources:
            is_markdown = source.path.suffix.lower() == ".md"
            sidecar = {} if is_markdown else read_sidecar(source.path.with_suffix(SIDECAR_SUFFIX))
            derived = entry_id(site, source.slug, source.metadata.published) if source.metadata.published else None
            known = Known(source.slug, source.path, source.pinned_id or derived, sidecar)
            library.add(known, source.metadata.canonical_url)
        # A sidecar without its page: an import stopped between the two writes, or a page that fails to load.
        loaded = {source.slug for source in sources}
        for path in sorted(library.articles_dir.glob(f"*{SIDECAR_SUFFIX}")):
            if path.stem not in loaded and not path.name.startswith("."):
                data = read_sidecar(path)
                pinned = data.get("id") if isinstance(data.get("id"), str) else None
                library.add(Known(path.stem, path.with_suffix(".html"), pinned, data))
        return library

    def add(self, known: Known, *urls: str | None) -> None:
        """Remember ``known`` under its id, ``urls`` and the URLs its sidecar records."""
        self.taken.add(known.slug)
        recorded = [known.sidecar.get("canonical_url"), known.sidecar.get("source_url")]
        redirects = known.sidecar.get("redirects")
        if isinstance(redirects, list) and redirects:
            recorded.append(redirects[-1])
        for url in (*urls, *recorded):
            if isinstance(url, str) and url:
                self._by_url.setdefault(url_key(url), known)
        if known.entry_id:
            self._by_id.setdefault(known.entry_id, known)

    def find(self, *urls: str | None, entry_id: str | None = None) -> Known | None:
        """Return the article that came from one of ``urls`` (or has ``entry_id``), if any."""
        for url in urls:
            if url and url_key(url) in self._by_url:
                return self._by_url[url_key(url)]
        return self._by_id.get(entry_id) if entry_id else None


def read_sidecar(path: Path) -> dict[str, Any]:
    """Return the data of a sidecar, or ``{}`` if there is none or it cannot be read."""
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}


def sidecar_text(data: dict[str, Any]) -> str:
    """Return ``data`` as sidecar TOML, keys in the documented order."""
    ordered = {key: data[key] for key in SIDECAR_ORDER if key in data}
    ordered.update({key: value for key, value in data.items() if key not in ordered})
    return SIDECAR_HEADER + tomli_w.dumps(ordered)


def store_article(
    articles_dir: Path, slug: str, html: bytes, sidecar: dict[str, Any], old_sidecar: dict[str, Any]
) -> bool:
    """Write ``<slug>.html`` and its sidecar unless both are unchanged; return True if anything was written.

    ``imported`` alone changing is no change. The sidecar goes first: should
    the run stop between the two writes, the rerun finds the article by the
    URLs the sidecar records and completes it under the same slug and id.
    """
    html_path = articles_dir / f"{slug}.html"
    sidecar_path = articles_dir / f"{slug}{SIDECAR_SUFFIX}"
    try:
        same_html = html_path.read_bytes() == html
    except OSError:
        same_html = False

    def without_time(data: dict[str, Any]) -> dict[str, Any]:
        return {key: value for key, value in data.items() if key != "imported"}

    if same_html and sidecar_path.exists() and without_time(sidecar) == without_time(old_sidecar):
        return False
    # keep_mode: a person may have chmod-ed an article file, as they may any file of theirs
    write_atomic(sidecar_path, sidecar_text(sidecar).encode("utf-8"), keep_mode=True)
    if not same_html:
        write_atomic(html_path, html, keep_mode=True)
    return True
