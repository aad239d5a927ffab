"""``feedsvc import``: pages, sitemaps and WordPress exports into the content folder.

Each source becomes ``articles/<slug>.html`` plus a sidecar that records
where it came from and pins its entry id. Importing a page whose canonical
URL is already in the folder updates that article in place (same slug, same
id); an unchanged page is left alone, so running an interrupted import
again finishes the rest without duplicates.

Ids: a new article gets ``urn:uuid:<random uuid>``, minted at its first
import and pinned in its sidecar; it depends on nothing that can change
later (slug, title, date, site address). A WordPress post keeps the
``<guid>`` WordPress gave it, which is the id its old feed used, so readers
of a feed that is redirected here see no duplicates. An article that was
already in the folder keeps the id readers have.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import lxml.etree
import lxml.html

from feedsvc.build.state import ledger_lock, read_ledger, write_ledger
from feedsvc.catalog.assembly import metadata_place
from feedsvc.catalog.prepare import make_article
from feedsvc.catalog.revisions import first_seen, pin_first_seen
from feedsvc.content.decode import BOMS, binary_reason, codec_for_label, decode_html, is_refused
from feedsvc.content.loader import SIDECAR_SUFFIX, load_article, merge_metadata
from feedsvc.content.sidecar import IMAGE_KEYS
from feedsvc.content.slug import slug_from_url, slugify, unique_slug
from feedsvc.element_budget import TooManyElements
from feedsvc.importer.http import Fetched, Fetcher, FetchError, gunzip, is_html
from feedsvc.importer.sitemap import SitemapEntry, SitemapError, parse_sitemap
from feedsvc.importer.store import Known, Library, read_sidecar, store_article
from feedsvc.importer.wxr import WxrPost
from feedsvc.metadata.page import extract_metadata
from feedsvc.model import ContentError, Image, Site
from feedsvc.text import absolute_url, without_userinfo, xml_safe

STATUSES = ("imported", "updated", "unchanged", "failed")
MAX_SITEMAPS = 1000  # sitemap files fetched for one --sitemap, index included
MAX_SITEMAP_DEPTH = 3  # an index of indexes of sitemaps, at most
MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # sitemaps.org: 50 MB uncompressed
SITEMAP_ACCEPT = "application/xml,text/xml;q=0.9,*/*;q=0.1"


@dataclass(frozen=True)
class Outcome:
    """What became of one source (a URL or a post)."""

    source: str
    status: str  # one of STATUSES
    slug: str | None = None
    reason: str = ""  # why it failed
    warnings: tuple[str, ...] = ()


@dataclass
class Report:
    """Everything one import run did, for the summary."""

    outcomes: list[Outcome] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)  # reason -> count (WordPress)
    interrupted: bool = False

    def count(self, status: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == status)

    def lines(self) -> list[str]:
        """Return the summary: one line per count, then each failure and warning with its reason."""
        lines = [f"{status:<10} {self.count(status)}" for status in STATUSES]
        if self.skipped:
            details = ", ".join(f"{count} {_plural(reason, count)}" for reason, count in sorted(self.skipped.items()))
            lines.append(f"{'skipped':<10} {sum(self.skipped.values())} ({details})")
        for outcome in self.outcomes:
            if outcome.status == "failed":
                lines.append(f"  failed   {without_userinfo(outcome.source)}: {outcome.reason}")
        for outcome in self.outcomes:
            source = without_userinfo(outcome.source)
            lines.extend(f"  warning  {source} ({outcome.slug}): {warning}" for warning in outcome.warnings)
        if self.interrupted:
            lines.append("interrupted: run the same command again to import the rest")
        return lines


def _plural(word: str, count: int) -> str:
    return word if count == 1 or word.endswith("s") or "-" in word else f"{word}s"


class Importer:
    """Import into one content folder; create it once per run."""

    def __init__(
        self,
        content_dir: Path,
        site: Site,
        fetcher: Fetcher | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        check: bool = True,
    ) -> None:
        """``check``: load each stored article as a build would, to warn of what would keep it from being
        published (the follower does not: the build that publishes its imports reports the same)."""
        self.content_dir = content_dir
        self.site = site
        self.fetcher = fetcher
        self.clock = clock
        self.check = check
        self.library = Library.scan(content_dir, site)

    # --- pages -----------------------------------------------------------

    def import_url(self, url: str, hint: SitemapEntry | None = None) -> Outcome:
        """Fetch ``url`` and store it as an article (new, updated or unchanged)."""
        known = self.library.find(url)
        if known is not None and hint is not None and hint.lastmod is not None:
            imported = known.sidecar.get("imported")
            if isinstance(imported, datetime) and imported.tzinfo and hint.lastmod <= imported:
                return Outcome(url, "unchanged", known.slug)  # the sitemap says so: no need to fetch
        assert self.fetcher is not None, "import_url needs a Fetcher"
        try:
            fetched = self.fetcher.fetch(url)
        except FetchError as error:
            return Outcome(url, "failed", reason=str(error))
        gaps = {"published": hint.published} if hint is not None else {}
        return self.import_fetched(url, fetched, slug_hint=hint.title if hint else None, gaps=gaps)

    def import_fetched(
        self,
        url: str,
        fetched: Fetched,
        *,
        slug_hint: str | None = None,
        gaps: Mapping[str, Any] | None = None,
        keys: Mapping[str, Any] | None = None,
        also: Iterable[str | None] = (),
        first_url_wins: bool = False,
    ) -> Outcome:
        """Store a page fetched from ``url`` as an article (new, updated or unchanged).

        ``slug_hint``: a title to name a new article by when the page has none.
        ``gaps``: sidecar values (title, published, author) written only where
        the page itself says nothing of them. ``keys``: sidecar values always
        written (a followed source's ``source``). ``also``: more URLs the article
        may be known by (where the item was found before). ``first_url_wins``: an
        article found again keeps the ``source_url`` and ``redirects`` it was first
        imported by (a feed that links one page under several URLs changes nothing).
        """
        if not is_html(fetched):
            return Outcome(url, "failed", reason=f"not an HTML page (Content-Type: {fetched.content_type or 'none'})")
        reason = binary_reason(fetched.body)
        if reason:
            return Outcome(url, "failed", reason=f"not an HTML page: it {reason.split(';')[0].removeprefix('is ')}")
        if fetched.charset and is_refused(fetched.charset):
            return Outcome(
                url, "failed", reason=f"its Content-Type names the charset {fetched.charset!r}, which browsers "
                "refuse to decode (it can smuggle markup past filters); save the page as UTF-8 and import that"
            )  # fmt: skip
        text, stored = _decode(fetched.body, fetched.charset)
        if not text.strip():
            return Outcome(url, "failed", reason="the page is empty")
        try:  # the element budget before anything reads the page: one that would be held out is not stored
            page = extract_metadata(
                text,
                self.site.timezone,
                site_names=[self.site.title],
                url=fetched.final_url,
                max_elements=self.site.max_article_elements,
            )
        except TooManyElements as error:
            return Outcome(url, "failed", reason=f"the page {error}")
        metadata, _ = merge_metadata(page)
        declared = _canonical_link(text, fetched.final_url) or metadata.canonical_url or fetched.final_url
        # A page may declare its address with a user and password (the fetcher refused them in the URLs it was
        # given): canonical_url is published with the article, so the sidecar gets the address without them.
        canonical = without_userinfo(declared)
        known = self.library.find(canonical, url, fetched.final_url, *also)
        if known is not None and not known.is_html:
            return Outcome(url, "failed", known.slug, f"already in the content folder as {known.path.name}")
        gaps = dict(gaps or {})
        title = metadata.title or slug_hint or gaps.get("title") or ""
        slug = known.slug if known else unique_slug(slugify(title) or slug_from_url(canonical), self.library.taken)
        sidecar: dict[str, Any] = dict(known.sidecar) if known else {}
        sidecar.setdefault("id", (known.entry_id if known else None) or _new_id())
        said = {"title": metadata.title, "published": metadata.published, "author": metadata.authors}
        for key, value in gaps.items():
            if value and not said.get(key):
                sidecar.setdefault(key, list(value) if isinstance(value, tuple) else value)
        sidecar.update(canonical_url=canonical, imported=self._now(), **(keys or {}))
        if not (first_url_wins and known is not None and sidecar.get("source_url")):
            sidecar["source_url"] = url
            sidecar.pop("redirects", None)
            if fetched.redirects:
                sidecar["redirects"] = list(fetched.redirects)
        outcome = self._store(url, slug, stored, sidecar, known, canonical, url, fetched.final_url)
        if declared != canonical and outcome.status != "failed":
            note = f"the page declares its address with a user name or password; canonical_url is {canonical!r}"
            outcome = replace(outcome, warnings=(f"{note}, without them", *outcome.warnings))
        return outcome

    def set_status(self, slug: str, status: str | None) -> Outcome:
        """Set (or, with None, remove) the ``status`` key of an imported article's sidecar; unchanged if it has it."""
        articles_dir = self.content_dir / "articles"
        sidecar_path = articles_dir / f"{slug}{SIDECAR_SUFFIX}"
        old = read_sidecar(sidecar_path)
        new = {key: value for key, value in old.items() if key != "status"}
        if status is not None:
            new["status"] = status
        try:
            html = (articles_dir / f"{slug}.html").read_bytes()
            written = store_article(articles_dir, slug, html, new, old)
        except OSError as error:
            return Outcome(slug, "failed", slug, f"could not write {articles_dir / slug}.*: {error.strerror}")
        return Outcome(slug, "updated" if written else "unchanged", slug)

    def sitemap_pages(self, url: str) -> tuple[list[SitemapEntry], list[Outcome]]:
        """Return the pages a sitemap (or sitemap index, gzip or not) lists, and the sitemaps that failed."""
        assert self.fetcher is not None, "sitemap_pages needs a Fetcher"
        pages: dict[str, SitemapEntry] = {}
        failures: list[Outcome] = []
        queue: list[tuple[str, int]] = [(url, 0)]
        seen: set[str] = set()
        while queue:
            current, depth = queue.pop(0)
            if current in seen:
                continue
            if len(seen) >= MAX_SITEMAPS:
                failures.append(Outcome(current, "failed", reason=f"more than {MAX_SITEMAPS} sitemaps; not fetched"))
                break
            seen.add(current)
            try:
                fetched = self.fetcher.fetch(current, accept=SITEMAP_ACCEPT, max_bytes=MAX_SITEMAP_BYTES)
                body = fetched.body
                if body.startswith(b"\x1f\x8b"):  # a .xml.gz file, not a gzip Content-Encoding
                    body = gunzip(body, MAX_SITEMAP_BYTES)
                sitemap = parse_sitemap(body, self.site.timezone)
            except (FetchError, SitemapError) as error:
                failures.append(Outcome(current, "failed", reason=f"sitemap {error}"))
                continue
            if sitemap.kind == "sitemapindex":
                if depth >= MAX_SITEMAP_DEPTH:
                    reason = f"sitemap index nested more than {MAX_SITEMAP_DEPTH} deep; not followed"
                    failures.append(Outcome(current, "failed", reason=reason))
                    continue
                queue.extend((entry.loc, depth + 1) for entry in sitemap.entries)
            else:
                for entry in sitemap.entries:
                    pages.setdefault(entry.loc, entry)
        return list(pages.values()), failures

    # --- WordPress -------------------------------------------------------

    def import_post(self, post: WxrPost) -> Outcome:
        """Store one WordPress post: its body as the article, its metadata in the sidecar."""
        source = post.link or post.guid or post.title or "(untitled post)"
        if not post.html.strip():
            return Outcome(source, "failed", reason="the post has no content")
        known = self.library.find(post.link, entry_id=post.guid)
        if known is not None and not known.is_html:
            return Outcome(source, "failed", known.slug, f"already in the content folder as {known.path.name}")
        base = slugify(post.slug_hint) or slugify(post.title) or (slug_from_url(post.link) if post.link else "")
        slug = known.slug if known else unique_slug(base, self.library.taken)
        sidecar: dict[str, Any] = dict(known.sidecar) if known else {}
        sidecar.setdefault("id", (known.entry_id if known else None) or post.guid or _new_id())
        metadata = {
            "title": post.title,
            "published": post.published,
            "updated": post.updated,
            "author": list(post.authors),
            "tags": list(post.tags),
            "summary": post.summary,
            "canonical_url": post.link,
            "image": _image_value(post.image),
        }
        for key, value in metadata.items():
            if value:
                sidecar[key] = value
            else:
                sidecar.pop(key, None)
        sidecar["imported"] = self._now()
        html = xml_safe(post.html).encode("utf-8")
        return self._store(source, slug, html, sidecar, known, post.link)

    # --- shared ----------------------------------------------------------

    def _now(self) -> datetime:
        return self.clock().astimezone(UTC).replace(microsecond=0)

    def _store(
        self, source: str, slug: str, html: bytes, sidecar: dict[str, Any], known: Known | None, *urls: str | None
    ) -> Outcome:
        articles_dir = self.content_dir / "articles"
        try:
            written = store_article(articles_dir, slug, html, sidecar, known.sidecar if known else {})
        except OSError as error:
            return Outcome(source, "failed", slug, f"could not write {articles_dir / slug}.*: {error.strerror}")
        stored = Known(slug, articles_dir / f"{slug}.html", sidecar.get("id"), sidecar)
        self.library.add(stored, *urls)
        status = "imported" if known is None else "updated" if written else "unchanged"
        imported = sidecar.get("imported")
        moment = imported if isinstance(imported, datetime) else self._now()
        warnings = tuple(self._publish_problems(stored.path, moment)) if self.check else ()
        return Outcome(source, status, slug, warnings=warnings)

    def _publish_problems(self, path: Path, imported: datetime) -> Iterator[str]:
        """Yield why the stored article would not be published, as ``feedsvc check`` would say it.

        An undated article is dated when feedsvc first saw it: the import pins that moment in the
        ledger, so ``check``, ``build`` and ``serve`` give it the same date (revisions.first_seen).
        """
        try:
            source = load_article(path, self.site)
            make_article(source, self.site)
        except ContentError as error:
            yield self._unpublishable(path.stem, error.reason)
            return
        yield from source.warnings
        if source.metadata.published is None and source.status == "published":
            when = self._first_seen(source.slug, imported).astimezone(self.site.timezone).isoformat()
            yield (
                f"no publication date in the page or its sidecar; it will be published as of {when}, when "
                f"feedsvc first saw it (remembered in .feedsvc/revisions.json); add `published = {when}` "
                f"to {metadata_place(path)} to set its date for good"
            )

    def _unpublishable(self, slug: str, reason: str) -> str:
        """Say why the stored file cannot be published and what readers see meanwhile.

        An article published before (the ledger has what readers saw of it) is held: a service
        keeps serving that last good version until the file loads (``feedsvc check`` names it).
        """
        ledger, _ = read_ledger(self.content_dir)
        entry = ledger.get(slug)
        if entry is not None and entry.fingerprint and entry.withdrawn is None:
            return (
                f"held at its last good version: this version cannot be published ({reason}); the version "
                f"published before stays in the feeds and on its page until the file loads "
                f"(`feedsvc check` says which version is served)"
            )
        return f"not publishable: {reason}"

    def _first_seen(self, slug: str, imported: datetime) -> datetime:
        """Return the first-seen date of an undated article, pinning ``imported`` in the ledger if it has none."""
        # read and written whole in the lock a publishing server dates articles in: a line it appended in between
        # would be dropped with the journal, and the edit it dated dated again at its next publish
        with ledger_lock(self.content_dir):
            ledger, problem = read_ledger(self.content_dir)
            when = first_seen(ledger.get(slug), imported)
            if problem is None:
                pinned = pin_first_seen(ledger, {slug: when})
                if pinned != ledger:
                    write_ledger(self.content_dir, pinned)  # unwritable: check, build or serve pins it later
        return when


def run(tasks: Iterable[tuple[str, Callable[[], Outcome]]], report: Report, progress: Any = None) -> Report:
    """Run each task in turn, adding its outcome to ``report``; ``progress`` is updated per task."""
    for _, task in tasks:
        report.outcomes.append(task())
        if progress is not None:
            progress.update(1)
    return report


def _new_id() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


def _decode(body: bytes, charset: str | None) -> tuple[str, bytes]:
    """Return the page's text as HTTP says to read it, and the bytes to store so the loader reads the same.

    The raw bytes are kept when the loader (BOM, <meta charset>, UTF-8,
    windows-1252) reads them the same way; otherwise, say when only the
    Content-Type header named the charset, the text is stored as UTF-8
    with a byte order mark, which the loader honours first.
    """
    codec = codec_for_label(charset) if charset else None
    if codec is None or any(body.startswith(bom) for bom, _ in BOMS):
        text = decode_html(body)
    else:
        text = body.decode(codec, errors="replace")
    if decode_html(body) == text:
        return text, body
    return text, b"\xef\xbb\xbf" + text.encode("utf-8")


def _canonical_link(html: str, page_url: str) -> str | None:
    """Return the page's ``<link rel=canonical>`` resolved against its URL (relative links allowed)."""
    try:
        parser = lxml.html.HTMLParser(encoding="utf-8", no_network=True)
        root = lxml.html.document_fromstring(xml_safe(html).encode("utf-8"), parser=parser)
    except (ValueError, lxml.etree.ParserError):
        return None
    for link in root.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split() and (link.get("href") or "").strip():
            return absolute_url(urljoin(page_url, link.get("href", "").strip()))
    return None


__all__ = ["Importer", "Outcome", "Report", "run"]


def _image_value(image: Image | None) -> str | dict[str, Any] | None:
    """Return a featured image as the sidecar writes it: its URL alone, or a table of what is known of it."""
    if image is None:
        return None
    known = {key: getattr(image, key) for key in IMAGE_KEYS if getattr(image, key) is not None}
    return image.url if len(known) == 1 else known
