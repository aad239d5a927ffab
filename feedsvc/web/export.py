"""Static export: every URL the service serves, written as files for a static host or a CDN.

An edge. Each file is what the app itself answers (Flask's test client
asks it, path by path and coding by coding), so the files are byte for
byte the bodies the service sends. The layout suits nginx's ``try_files
$uri $uri.html =404`` and ``gzip_static``/``brotli_static``:

    /                       index.html
    /page/<n>               page/<n>.html             (n from 2 to the last page: /page/1 is a redirect)
    /articles/<slug>        articles/<slug>.html
    /tags/<key>             tags/<key>.html           (its feeds: tags/<key>/feed.atom, …)
    /tags/<key>/page/<n>    tags/<key>/page/<n>.html
    /authors/<key>          authors/<key>.html        (and authors/<key>/page/<n>.html)
    /sources/<name>         sources/<name>.html       (its feeds: sources/<name>/feed.atom, …; every source, even empty)
    /feed.atom, …           feed.atom, feed.rss, feed.json
    /archive/<yyyy-mm>.atom archive/<yyyy-mm>.atom    (every month that has articles)
    /feeds, /feeds.opml     feeds.html, feeds.opml    (every feed: a page and OPML)
    /tags, /authors         tags.html, authors.html   (every tag and author, with their feeds)
    /icon.<suffix>          icon.<suffix>, logo.<suffix> (site.toml's icon and logo, when in the
                                                       content folder; nginx answers /favicon.ico from the icon)
    /sitemap.xml            sitemap.xml               (and sitemap-<n>.xml under a sitemap index)
    /robots.txt             robots.txt
    /static/…               static/…
    every body also as <file>.gz and <file>.br when the service sends those codings

Each file's modification time is the ``Last-Modified`` the service sends
for it. A withdrawn article's page must answer 410: its path is listed in
``_feedsvc/gone.txt`` and its 410 page is ``_feedsvc/410/articles/<slug>.html``;
``_feedsvc/types.txt`` maps file suffixes to the media types the service sends.
The export is written to a new folder and swapped in whole.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from flask import Flask
from werkzeug.http import parse_date

from feedsvc.build.snapshot import Snapshot
from feedsvc.model import article_path
from feedsvc.web.discovery import (
    AUTHOR_INDEX_PATH,
    FEED_LIST_PATH,
    OPML_PATH,
    ROBOTS_PATH,
    SITEMAP_PATH,
    TAG_INDEX_PATH,
)
from feedsvc.web.paging import list_page_paths
from feedsvc.web.views import sitemap_documents

__all__ = [
    "CODINGS",
    "LIST_PAGE",
    "MARKER",
    "PAGE_PREFIXES",
    "Advance",
    "ExportError",
    "check_target",
    "export_site",
    "file_for",
    "site_paths",
]

MARKER = ".feedsvc-export"  # a folder holding it was written by this module and may be replaced
CODINGS = (("gzip", ".gz"), ("br", ".br"))
PAGE_PREFIXES = ("/articles/", "/tags/", "/authors/", "/sources/")
LIST_PAGE = re.compile(r"(?:/(?:tags|authors|sources)/[^/]+)?/page/[0-9]+")  # page 2 and later of a list
Advance = Callable[[int], Callable[[int], object]]  # total -> advance(n): a progress bar


class ExportError(Exception):
    """The export cannot be written where it was asked to go; the message says why."""


def site_paths(
    snapshot: Snapshot, static_folder: Path | None, sitemaps: Iterable[str] = (SITEMAP_PATH,)
) -> Iterator[str]:
    """Yield every path the service answers 200 for: pages, feeds, archives, discovery documents, static files.

    ``sitemaps``: the paths of the sitemap documents (the index and its parts, when it has them).
    """
    catalog = snapshot.catalog
    per_page = catalog.site.articles_per_page
    yield from list_page_paths("", len(catalog.articles), per_page)  # "/", "/page/2", …
    yield from (article_path(article.slug) for article in catalog.articles)
    for facets in (catalog.tags, catalog.authors, catalog.sources):
        for facet in facets.values():
            yield from list_page_paths(facet.path, len(facet.articles), per_page)
    yield from snapshot.feeds  # subscription feeds and the archive months that have articles
    yield from (FEED_LIST_PATH, OPML_PATH, ROBOTS_PATH, TAG_INDEX_PATH, AUTHOR_INDEX_PATH)
    yield from sitemaps
    # /favicon.ico is left to the server: its file would need the icon's media type, not .ico's
    yield from sorted({image.path for image in (catalog.site.icon, catalog.site.logo) if image and image.path})
    if static_folder is not None and static_folder.is_dir():
        for file in sorted(static_folder.rglob("*")):
            if file.is_file():
                yield "/static/" + file.relative_to(static_folder).as_posix()


def file_for(path: str) -> str:
    """Return the file (relative to the export folder) that holds the body of ``path``."""
    if path == "/":
        return "index.html"
    if path in (FEED_LIST_PATH, TAG_INDEX_PATH, AUTHOR_INDEX_PATH):
        return path.lstrip("/") + ".html"  # try_files $uri.html, as every page
    if path.startswith(PAGE_PREFIXES) and path.count("/") == 2:
        return path.lstrip("/") + ".html"  # beside, not inside, the folder of the page's own feeds
    if LIST_PAGE.fullmatch(path):
        return path.lstrip("/") + ".html"  # page/2.html, tags/<key>/page/2.html: try_files $uri.html
    return path.lstrip("/")


def check_target(target: Path, content_dir: Path) -> None:
    """Refuse a target folder that holds something else than an earlier export, or the content itself."""
    target, content = target.resolve(), content_dir.resolve()
    if target == content or content.is_relative_to(target) or target.is_relative_to(content):
        raise ExportError(f"{target}: the export folder must be outside the content folder {content}")
    if target.exists() and (not target.is_dir() or (any(target.iterdir()) and not (target / MARKER).exists())):
        raise ExportError(f"{target}: exists and is not an earlier export; give an empty or new folder")


def export_site(app: Flask, target: Path, content_dir: Path, progress: Advance | None = None) -> int:
    """Write every URL of ``app`` under ``target`` (replacing an earlier export); return the files written."""
    check_target(target, content_dir)
    snapshot: Snapshot = app.extensions["feedsvc"].snapshot
    static = Path(app.static_folder) if app.static_folder else None
    paths = list(site_paths(snapshot, static, sitemap_documents(snapshot, app.config)))
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        written = _write_all(app, snapshot, paths, staging, progress)
        _swap(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return written


def _write_all(app: Flask, snapshot: Snapshot, paths: list[str], folder: Path, progress: Advance | None) -> int:
    client = app.test_client()

    def get(path: str, coding: str = "identity") -> tuple[int, dict[str, str], bytes]:
        with client.get(path, headers={"Accept-Encoding": coding}) as response:
            return response.status_code, dict(response.headers), response.get_data()

    advance = progress(len(paths)) if progress else None
    written = 0
    media_types: dict[str, str] = {}
    for path in paths:
        status, headers, body = get(path)
        if status != 200:
            raise ExportError(f"{path} answered {status}, not 200; the export would be incomplete")
        name = file_for(path)
        written += _write(folder / name, body, headers)
        media_types.setdefault(os.path.splitext(name)[1] or name, headers.get("Content-Type", ""))
        if not path.startswith("/static/"):
            for coding, suffix in CODINGS:
                _, headers, body = get(path, coding)
                if headers.get("Content-Encoding") == coding:
                    written += _write(folder / (name + suffix), body, headers)
        if advance:
            advance(1)
    gone = sorted(snapshot.catalog.gone)
    for slug in gone:
        written += _write(folder / "_feedsvc" / "410" / file_for(article_path(slug)), get(article_path(slug))[2])
    written += _write(folder / "_feedsvc" / "gone.txt", "".join(f"{article_path(s)}\n" for s in gone).encode())
    types = "".join(f"{suffix} {media}\n" for suffix, media in sorted(media_types.items()))
    written += _write(folder / "_feedsvc" / "types.txt", types.encode())
    (folder / MARKER).write_text("written by `feedsvc build`; the next export replaces this folder\n", encoding="utf-8")
    return written


def _write(file: Path, body: bytes, headers: dict[str, str] | None = None) -> int:
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_bytes(body)
    modified = parse_date((headers or {}).get("Last-Modified"))
    if modified is not None:
        # the file's time is what a static server sends as Last-Modified: the service's own
        stamp = modified.timestamp()
        os.utime(file, (stamp, stamp))
    return 1


def _swap(staging: Path, target: Path) -> None:
    """Put the new export in place of the old: two renames, so the folder is never half written."""
    staging.chmod(0o755)  # mkdtemp makes it private; a web server must read it
    if not target.exists():
        staging.rename(target)
        return
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)
