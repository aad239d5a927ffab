"""The build pipeline: a content folder in, a servable snapshot out; cold, warm or incremental.

An edge. A :class:`Builder` lists the folder by stat (:mod:`feedsvc.content.listing`),
reads only files whose signature changed, and cleans only those neither it
nor the build cache (:mod:`feedsvc.build.cache`) has seen, in a process pool
when there are many. The prepared articles go to the pure middle
(:func:`~feedsvc.catalog.assembly.assemble_catalog`, then
:func:`~feedsvc.build.snapshot.build_snapshot`, which reuses every feed whose
inputs did not change). It reads "now" once per build; it keeps the
revisions ledger in memory (read again only when another process wrote
it) and appends what each build changed (:func:`~feedsvc.build.state.append_ledger`).
The builder keeps what it built, so the next build after one edit
re-cleans, dates and revises that article, indexes it into the last
catalog, and re-renders only the feeds it is in. Each build's outcome goes to the :class:`BuildReport` it is
given (the app's metrics), if any. :func:`load_catalog` and
:func:`load_snapshot` are the short forms of a one-off build.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import time
import weakref
from collections.abc import Collection, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

from feedsvc.build.articles import Articles, BuildStats, Entry, Progress
from feedsvc.build.blobstore import BlobStore
from feedsvc.build.cache import BuildCache
from feedsvc.build.collector import paused
from feedsvc.build.files import article_key, render_version
from feedsvc.build.snapshot import PAGE_CACHE_BYTES, LedgerMode, Snapshot, build_snapshot
from feedsvc.build.state import Ledger, append_ledger, ledger_lock, ledger_stamp, read_ledger_state
from feedsvc.catalog.assembly import Assembled, Dated, assemble_catalog, update_catalog
from feedsvc.catalog.prepare import Cleaner, source_rules_key
from feedsvc.catalog.revisions import pin_first_seen
from feedsvc.clean import SiteRules
from feedsvc.content.listing import (
    ARTICLES_FOLDER,
    SITE_FILE,
    Listing,
    Settling,
    last_change,
    problem_files,
    scan,
    signature,
    unpublishable,
)
from feedsvc.content.loader import (
    ARTICLE_SUFFIXES,
    SIDECAR_SUFFIX,
    listing_problems,
    picture_files,
    read_site,
    stray_problems,
)
from feedsvc.content.rules import RULES_FOLDER, host_of, load_site_rules
from feedsvc.model import Article, ArticleSource, Catalog, PictureFile, Problem, Revision, Site

__all__ = [
    "BuildReport",
    "BuildStats",
    "Builder",
    "UnreadableContent",
    "load_catalog",
    "load_snapshot",
    "release_memory",
    "with_source_rules",
]

log = logging.getLogger(__name__)

READ_SUFFIXES = (*ARTICLE_SUFFIXES, SIDECAR_SUFFIX)
DATED_SLACK = 256  # articles removed before the builder's record of dated articles is pruned


class UnreadableContent(OSError):
    """The content folder could not be listed: a folder that cannot be listed, or ``site.toml`` statted.

    Raised by a build instead of publishing the folder as it read (an unreadable folder read as emptied):
    the server keeps its last good snapshot, ``feedsvc check`` and ``feedsvc build`` stop, saying which path
    and why. A file of ``articles/`` or ``rules/`` that cannot be statted is no such fault: the build holds
    it (or leaves out its rules) as a file that cannot be read, and publishes the rest.
    """

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"cannot read the content: {path}: {reason}")
        self.filename = path  # where the server's fault says the trouble is (OSError's own, as an open's)
        self.reason = reason

    def __str__(self) -> str:
        return str(self.args[0])  # not OSError's "[Errno None] None: <filename>", which a set filename makes


class BuildReport(Protocol):
    """Where a builder records each build's outcome (the app's metrics; the publisher's link to the master)."""

    def snapshot_built(self, seconds: float, published: int, rejected: int, held: int = 0, others: int = 0) -> None:
        """A build succeeded: its duration, the articles it published, the article files it rejected and held.

        Held: article files that do not load as they are, whose article's last good version is published.
        Others: files that are no article with a problem (the revisions ledger, a rules file, the icon or logo),
        counted apart as ``/healthz`` lists them (``other_problems``).
        """

    def snapshot_failed(self, seconds: float) -> None:
        """A build failed (the previous snapshot, if any, stays in service)."""


class _Unreported:
    """A :class:`BuildReport` that records nothing: one-off builds (reports, tests, benchmarks)."""

    def snapshot_built(self, seconds: float, published: int, rejected: int, held: int = 0, others: int = 0) -> None:
        pass

    def snapshot_failed(self, seconds: float) -> None:
        pass


class Builder:
    """Build snapshots of one content folder, each from the previous one and the changed files."""

    def __init__(
        self,
        content_dir: Path,
        overrides: Mapping[str, Any] | None = None,
        *,
        cache_dir: Path | None = None,
        workers: int = 1,
        settle: float = 0.0,
        ledger: LedgerMode = "update",
        page_budget: int = PAGE_CACHE_BYTES,
        progress: Progress | None = None,
        clean: Cleaner | None = None,
        spill: bool = True,
        report: BuildReport | None = None,
        listen_port: int | None = None,
    ) -> None:
        self.content_dir = content_dir
        self.overrides = overrides
        self.listen_port = listen_port  # a loopback base_url of site.toml follows it (load_site)
        self.cache_dir = cache_dir
        self.ledger = ledger
        self.page_budget = page_budget
        self.progress = progress
        self.settling = Settling(settle)
        self.articles = Articles(content_dir / ARTICLES_FOLDER, self.settling, max(1, workers), progress, clean)
        # Article bodies and every feed but the site's own live on disk, not in the heap that
        # gunicorn's workers inherit: a worker's memory then stays near its code's, at any site size.
        self.articles.blobs = _blob_store(cache_dir) if spill else None
        self.report: BuildReport = report or _Unreported()
        self.snapshot: Snapshot | None = None
        # the listing the last snapshot was built from, and when (monotonic) the builder began making it
        # (None: it was handed one): a watcher that watched since then needs no listing of its own
        self.listing: Listing | None = None
        self.listed: float | None = None
        self._site: Site | None = None
        # the icon's and logo's bytes as read with self._site (by digest), on disk with the article bodies: every
        # snapshot built from this site serves them, whatever becomes of the files (read again with site.toml)
        self._pictures: dict[str, PictureFile] = {}
        # the picture files site.toml names (content-relative; statted with it, read or not), the digest of the
        # bytes each is published with (in self._pictures: what a file that cannot be read is published with at
        # the next reading), and the problems of those not read
        self._named: tuple[str, ...] = ()
        self._digests: dict[str, str] = {}
        self._picture_problems: list[Problem] = []
        self._host_rules: dict[str, SiteRules] = {}  # as the rules folder has them, by host
        self._rules: dict[str, SiteRules] = {}  # and under each [[source]] that names one (with_source_rules)
        self._rule_problems: list[Problem] = []
        self._settings: dict[str, str] = {}  # site.toml and rules/* -> the signature last read
        self._built: dict[str, str] = {}  # input name -> the signature the published snapshot reflects
        self._built_articles: dict[str, str] = {}  # the same of the article files alone
        # the inputs whose signature is not the built one (None: gone), for one listing and one _built
        self._pending: tuple[Listing, dict[str, str], dict[str, str | None]] | None = None
        self._dated: dict[str, Dated] = {}  # each article as last dated and revised (assemble_catalog)
        self._assembled = Assembled()  # what the last catalog was made of, to bring it up to date (update_catalog)
        self._updated = False  # the catalog of the build under way is the last one brought up to date
        self._names = _Names()  # the names in articles/, for the problems of the listing itself
        self._gathered = False  # the first build reads files as they are: there is nothing older to serve
        self._looked: set[str] | None = None  # the article files the build under way looks at (None: all)
        # the revisions ledger as this builder last read or wrote it, and its files' stat signatures then:
        # read again only when another process (an import, a check) wrote it since
        self._ledger: Ledger | None = None
        self._ledger_stamp: tuple[str, str] = ("", "")

    @property
    def stats(self) -> BuildStats:
        """What the last build did."""
        return self.articles.stats

    @property
    def drafts(self) -> tuple[ArticleSource, ...]:
        """The articles of the last catalog's files marked ``status = "draft"`` (loaded, not published), by path."""
        items = self._assembled.items
        return tuple(
            item.source
            for _, item in sorted(items.items())
            if item.source is not None and item.source.status == "draft"
        )

    @property
    def pictures(self) -> tuple[str, ...]:
        """The icon and logo files the site last read names (content-relative): inputs, statted with site.toml
        (those that could not be read too: they are read again once they change)."""
        return self._named

    def outdated(self, listing: Listing) -> bool:
        """Say whether a build now would take in a change (one that has settled: a removal too, once it has
        stayed gone for the settle time)."""
        built, settled = self._built, self.settling.settled
        # every change asked (not any() stopping at the first settled): each one's first sight is recorded now
        answers = [settled(name, sig, built.get(name)) for name, sig in self.changes(listing).items()]
        return any(answers)

    def waiting(self, listing: Listing, *, latest: bool = False) -> float | None:
        """Return when the next change not built yet will have settled (Unix time, on the settling's clock),
        or None if there is none. ``latest``: when the last of them will have.
        """
        built, due = self._built, self.settling.due
        pending = [due(name, sig, built.get(name)) for name, sig in self.changes(listing).items()]
        if not pending:
            return None
        return max(pending) if latest else min(pending)

    def changes(self, listing: Listing) -> dict[str, str | None]:
        """Return the inputs of ``listing`` whose signature is not the one last built (None: gone since).

        Found once per listing and build by comparing the two mappings whole (at C speed), not
        input by input: the watcher asks several times a publish, and a site of 100,000 articles
        with one change pays for the change, not for the site.
        """
        inputs, built = listing.inputs, self._built
        memo = self._pending
        if memo is not None and memo[0] is listing and memo[1] is built:
            return memo[2]
        since = listing.since
        found: dict[str, str | None]
        if memo is not None and memo[1] is built and since is not None and since[0]() is memo[0]:
            # refreshed from the listing last compared: only the inputs that differed then and those
            # statted again since can differ now
            names = memo[2].keys() | since[1]
            found = {name: inputs.get(name) for name in names if inputs.get(name) != built.get(name)}
        elif inputs == built:
            found = {}
        else:
            names = {name for name, _ in inputs.items() ^ built.items()}
            found = {name: inputs.get(name) for name in names}
        self._pending = (listing, built, found)
        return found

    def build(self, now: datetime | None = None, listing: Listing | None = None) -> Snapshot:
        """Build the snapshot of the folder as it is now; record the outcome in :attr:`report`."""
        started = time.perf_counter()
        listed = None if listing is not None else time.monotonic()
        # a start (cold or warm) makes the whole site's state: with the cycle collector off but while cleaning
        # (see feedsvc.build.collector); a publish makes little, and a collection after it would delay it
        collecting = paused() if self.snapshot is None else contextlib.nullcontext()
        try:
            with collecting:
                listing = listing or scan(self.content_dir, self.pictures)
                with self._cache() as cache:
                    catalog = self._catalog(now, listing, cache)
                    snapshot = self._render(catalog, cache, self._assembled.changes if self._updated else None)
        except Exception:
            self.report.snapshot_failed(time.perf_counter() - started)
            self._built = {}  # nothing of this build is published: the next one looks at every input again
            self._built_articles = {}
            raise
        self.snapshot, self.listing, self.listed = snapshot, listing, listed
        entries, looked = self.articles.entries, self._looked
        if looked is None:
            self._built_articles = {name: entry.sig for name, entry in entries.items()}
        else:  # only the files looked at can have another signature
            for name in looked:
                if name in entries:
                    self._built_articles[name] = entries[name].sig
                else:
                    self._built_articles.pop(name, None)
        memo = self._pending
        self._built = built = {**self._settings, **self._built_articles}
        if memo is not None and memo[0] is listing:
            # what still differs from the listing just built: only inputs that differed before can (the build
            # took in the others' signatures, or left those still being written as they were)
            inputs = listing.inputs
            self._pending = (listing, built, {n: inputs.get(n) for n in memo[2] if inputs.get(n) != built.get(n)})
        if self.articles.blobs is not None:
            self.articles.blobs = self.articles.blobs.compacted()  # edits leave dead bytes behind
        release_memory()
        self.stats.seconds = time.perf_counter() - started
        rejected, held, others = problem_files(catalog.problems, self.content_dir)
        self.report.snapshot_built(
            self.stats.seconds,
            published=len(catalog.articles),
            rejected=len(rejected),
            held=len(held),
            others=len(others),
        )
        return snapshot

    def build_catalog(self, now: datetime | None = None) -> Catalog:
        """Build only the catalog (reports such as ``feedsvc check``)."""
        with self._cache() as cache:
            return self._catalog(now, scan(self.content_dir, self.pictures), cache)

    def _cache(self) -> BuildCache:
        # Opened per build and closed after: a connection must never cross a fork (gunicorn workers).
        return BuildCache(self.cache_dir)

    def _render(
        self, catalog: Catalog, cache: BuildCache, changes: tuple[tuple[Article, ...], tuple[Article, ...]] | None
    ) -> Snapshot:
        previous = self.snapshot
        progress = self.progress
        advance = (lambda total: progress(total, "rendering")) if progress else None
        snapshot = build_snapshot(
            catalog,
            previous,
            cache,
            version=render_version(),
            page_budget=self.page_budget,
            progress=advance,
            spill=self.articles.blobs,
            changes=changes,
            pictures=self._pictures,
        )
        self.stats.rendered = snapshot.fresh
        if previous is None:  # a full build: nothing else in the cache is needed but the other version's rows
            entries = self.articles.entries
            kept = [e.key for e in entries.values() if e.key] + [e.held.key for e in entries.values() if e.held]
            context = self.articles.context
            other = cache.other_context(context)
            if other is not None:
                # the rows another version of the code (or settings) made of the files as they are: the version
                # an upgrade replaces, or the next one whose `feedsvc check` ran ahead of its start, finds them
                # again after this build (a rollback, a restart of the old server during an upgrade). One other
                # version only, so the cache holds at most two rows of each article file as it is.
                kept += [article_key(other, name, e.digest) for name, e in entries.items() if e.digest]
            cache.keep_only(kept, snapshot.rendered, (context, *((other,) if other else ())))
        else:
            cache.forget(documents=previous.rendered.keys() - snapshot.rendered.keys())
        return snapshot

    def _changed_articles(self, listing: Listing) -> set[str] | None:
        """The article files that may have changed since the last build (None: look at every one)."""
        if not self._built or not self.articles.entries:
            return None  # the first build, or one after a failure: everything is looked at
        changes = self.changes(listing)
        if any(name == SITE_FILE or name.startswith(f"{RULES_FOLDER}/") for name in changes):
            return None  # the settings or rules changed: every article may be cleaned differently
        return set(changes)

    def _catalog(self, now: datetime | None, listing: Listing, cache: BuildCache) -> Catalog:
        moment = (now or datetime.now(UTC)).replace(microsecond=0)
        inputs = listing.inputs
        # (views: no set of every name made); a name built and gone since keeps when it was first seen gone
        self.settling.forget(inputs.keys(), self._built.keys())
        changed = self._changed_articles(listing)
        self._looked = changed
        site = self._load_settings(listing, cache)
        self._check_readable(listing)
        entries = self.articles.gather(listing, site, self._rules, cache, settle=self._gathered, names=changed)
        self._gathered = True
        problems = [*self._picture_problems, *self._rule_problems]
        articles_dir = self.content_dir / ARTICLES_FOLDER
        if not articles_dir.is_dir():
            reason = "folder not found; create it and put <slug>.html files in it"
            problems.append(Problem(articles_dir, reason, "warning"))
        problems.extend(self._names.problems(articles_dir, listing))
        # dated and written by one process at a time: while one server hands over to the next, two publishers
        # build the same folder, and one that read the ledger before the other wrote would date an edit again
        with ledger_lock(self.content_dir, exclusive=self.ledger == "update"):
            ledger = self._read_ledger() if self.ledger != "ignore" else Ledger()
            previous, ledger_problem = ledger.entries, ledger.problem
            # a start: ledger entries written before their file's hash was kept get it where the cache vouches for it
            dating = previous if changed is not None else _with_sources(previous, entries, self.articles.recorded)
            ledger.problem = None  # reported by this build only
            if ledger_problem:
                problems.append(ledger_problem)  # logged with the others by whoever serves or checks
                if ledger_problem.severity == "warning":
                    ledger_problem = None  # set aside, or a journal line ignored: this build writes the ledger whole
            last = self.snapshot.catalog if self.snapshot is not None else None
            catalog = None
            self._updated = False
            if changed is not None and last is not None and self._assembled.catalog is last:
                # the last catalog brought up to date by the files looked at: a publish costs what it changed
                looked = {articles_dir / name: entries[name].prepared if name in entries else None for name in changed}
                catalog = update_catalog(
                    self._assembled, looked, site, problems, now=moment, ledger=dating, dated=self._dated
                )
                self._updated = catalog is not None  # from self.snapshot's catalog: its changes are known
            if catalog is None:
                prepared = [entries[name].prepared for name in sorted(entries)]
                catalog = assemble_catalog(
                    prepared, site, problems, now=moment, ledger=dating, dated=self._dated, last=last,
                    state=self._assembled,
                )  # fmt: skip
            if len(self._dated) > len(catalog.by_slug) + DATED_SLACK:  # articles gone: let go of what they were
                self._dated = {slug: done for slug, done in self._dated.items() if slug in catalog.by_slug}
            kept = catalog.revisions
            if self.ledger == "read":
                # reading only, but the date given an undated article is pinned, as serving would (revisions.first_seen)
                kept = pin_first_seen(previous, {s: r.first_seen for s, r in kept.items() if r.first_seen})
            # by identity first: an entry a build did not change is the very object it read (revise keeps it)
            # (brought up to date: only the entries update_catalog set can differ, not a walk over every one)
            touched = self._assembled.entries if self._updated and kept is catalog.revisions else None
            candidates = kept.items() if touched is None else ((s, kept[s]) for s in touched if s in kept)
            changes = {s: r for s, r in candidates if previous.get(s) is not r and previous.get(s) != r}
            wanted = bool(changes) or (ledger.compact and self.ledger == "update")
            if self.ledger != "ignore" and ledger_problem is None and wanted:
                if ledger is self._ledger and ledger_stamp(self.content_dir) != self._ledger_stamp:
                    # written by another process (an import pinning a date) while this build ran: on top of that
                    again = read_ledger_state(self.content_dir)
                    if again.problem is None:
                        ledger = self._ledger = again
                problem = append_ledger(self.content_dir, ledger, changes)
                self._ledger_stamp = ledger_stamp(self.content_dir)
                if problem is not None:
                    catalog = replace(catalog, problems=(*catalog.problems, problem))
            return catalog

    def _check_readable(self, listing: Listing) -> None:
        """Raise :class:`UnreadableContent` for a fault of the listing (``articles/`` missing is no fault here:
        a site without articles yet, built with a warning to create it)."""
        fault = unpublishable(listing, self.content_dir)
        if fault is not None:
            raise UnreadableContent(*fault)

    def _read_ledger(self) -> Ledger:
        """Return the revisions ledger: as this builder left it, unless its files changed since."""
        stamp = ledger_stamp(self.content_dir)
        if self._ledger is not None and stamp == self._ledger_stamp:
            return self._ledger
        ledger = read_ledger_state(self.content_dir, set_aside=self.ledger == "update")
        if ledger.problem is not None and ledger.problem.severity != "warning":
            self._ledger = None  # not readable: read again (and not written) until fixed
            return ledger
        self._ledger, self._ledger_stamp = ledger, ledger_stamp(self.content_dir)
        return ledger

    def _load_settings(self, listing: Listing, cache: BuildCache) -> Site:
        """(Re)read site.toml (and its icon and logo) and the rules when they changed; a broken site.toml raises
        SiteConfigError. A picture it names that cannot be used is published with its last good bytes (this
        builder's, or the build cache's at a start), or left out, and is a problem of its file."""
        first = self._site is None
        inputs = listing.inputs
        sig = inputs[SITE_FILE]
        read_sig = self._settings.get(SITE_FILE)
        if self._site is None or (read_sig != sig and self.settling.settled(SITE_FILE, sig, read_sig)):
            pictures, digests = self._pictures, self._digests

            def kept(name: str) -> PictureFile | None:
                return pictures[digests[name]] if name in digests else cache.picture(name)

            loaded = read_site(self.content_dir, self.overrides, listen_port=self.listen_port, kept=kept)
            self._site, self._named = loaded.site, loaded.named
            self._pictures = self._kept(loaded.pictures)
            now = datetime.now(UTC).replace(microsecond=0)
            # since when a file is as it is: when it was saved so, as for an article (a restart does not make
            # it new); one that cannot be statted, a file gone, since first found so (site.toml read again keeps it)
            before = {(problem.path, problem.message): problem.since for problem in self._picture_problems}
            self._picture_problems = [
                replace(problem, since=before.get((problem.path, problem.message)) or _saved_at(problem.path) or now)
                for problem in loaded.problems
            ]
            images = picture_files(loaded.site)
            for name, file in loaded.read.items():
                if digests.get(name) != images[name].digest:
                    cache.put_picture(name, file)  # for a start that cannot read it
            self._digests = {name: image.digest for name, image in images.items()}
            # with the pictures it names now (ones newly named are statted just after being read)
            self._settings[SITE_FILE] = listing.with_pictures(self.content_dir, self.pictures).inputs[SITE_FILE]
        prefix = f"{RULES_FOLDER}/"
        rules = {f"{prefix}{n}": s for n, s in listing.rules.items()}  # (the inputs' names; not a walk over them all)
        read = {n: s for n, s in self._settings.items() if n.startswith(prefix)}
        changed = {n for n in rules.keys() | read.keys() if rules.get(n) != read.get(n)}
        if first or (changed and all(self.settling.settled(n, rules.get(n), read.get(n)) for n in changed)):
            self._host_rules, self._rule_problems = load_site_rules(self.content_dir)
            self._settings = {SITE_FILE: self._settings[SITE_FILE], **rules}
        self._rules = with_source_rules(self._host_rules, self._site)
        return self._site

    def _kept(self, pictures: Mapping[str, PictureFile]) -> dict[str, PictureFile]:
        """Return ``pictures`` with the bytes of each in the store of article bodies (when spilling): out of the
        heap gunicorn's workers inherit, and sent to the master as a handle, not as the bytes, with every delta."""
        store = self.articles.blobs
        if store is None:
            return dict(pictures)
        known = self._pictures
        return {
            digest: known[digest] if digest in known else replace(file, data=store.put(file.body))
            for digest, file in pictures.items()
        }


class _Names:
    """The file names of ``articles/`` by stem, and the problems of the names themselves (orphan sidecars, strays).

    Brought up to date by the names added and removed since the last build: a publish costs what it added.
    A listing refreshed from the one last seen (:func:`~feedsvc.content.listing.refreshed`) says which
    names it statted again: only those are compared, not every name of the folder (200,000 at 100,000
    articles; a listing made otherwise is compared whole).
    """

    def __init__(self) -> None:
        # the names as last seen: the listing's own mapping (a set of them was another copy of every name's slot)
        self._names: Mapping[str, str] = {}
        self._seen: weakref.ref[Listing] | None = None  # the listing the names are of
        self._stamp: tuple[int, ...] | None = None
        # the names of each stem: a tuple (an article's page and sidecar), not a set (four times the bytes)
        self._stems: dict[str, tuple[str, ...]] = {}
        self._odd: set[str] = set()  # names of a suffix never read: a stray may be among them
        self._sidecars: dict[str, list[Problem]] = {}  # by stem
        self._strays: list[Problem] = []

    def problems(self, folder: Path, listing: Listing) -> list[Problem]:
        files, since, touched = listing.files, listing.since, listing.touched
        seen = self._seen() if self._seen is not None else None
        if since is not None and touched is not None and seen is not None and since[0]() is seen:
            # refreshed() copies the mapping it updates: self._names is still the names last seen
            gone = {name for name in touched if name not in files and name in self._names}
            new = {name for name in touched if name in files and name not in self._names}
        elif files is self._names:
            gone, new = set(), set()
        else:
            gone, new = self._names.keys() - files.keys(), files.keys() - self._names.keys()
        self._seen = weakref.ref(listing)
        if not gone and not new and listing.stamp == self._stamp:
            self._names = files
            return [*self._all_sidecars(), *self._strays]  # the same names give the same problems
        affected = set()
        for name in gone:
            stem, suffix = os.path.splitext(name)
            self._stems[stem] = tuple(n for n in self._stems.get(stem, ()) if n != name)
            self._odd.discard(name)
            affected.add(stem)
        for name in new:
            stem, suffix = os.path.splitext(name)
            self._stems[stem] = (*self._stems.get(stem, ()), name)
            if suffix.lower() not in READ_SUFFIXES:
                self._odd.add(name)
            affected.add(stem)
        # the names of every affected stem looked at in one call (a stem's problems are its own alone), not
        # one call a stem: a start affects every stem of the folder
        found: dict[str, list[Problem]] = {}
        for problem in listing_problems(folder, (name for stem in affected for name in self._stems.get(stem, ()))):
            found.setdefault(os.path.splitext(problem.path.name)[0], []).append(problem)
        for stem in affected:
            if stem in found:
                self._sidecars[stem] = found[stem]
            else:
                self._sidecars.pop(stem, None)
            if not self._stems.get(stem):
                self._stems.pop(stem, None)
        # else nothing there can be a stray: no need to look
        self._strays = stray_problems(folder) if listing.others or self._odd else []
        self._names, self._stamp = files, listing.stamp
        return [*self._all_sidecars(), *self._strays]

    def _all_sidecars(self) -> list[Problem]:
        return [problem for stem in sorted(self._sidecars) for problem in self._sidecars[stem]]


def _blob_store(cache_dir: Path | None) -> BlobStore:
    """Return a store of article bodies in the build cache's folder, or in the system's temporary folder if it
    cannot be made there.

    A user who may read the content folder but not write in it (a publisher checking the service's folder, a
    read-only mount) then checks and exports it, as the build cache itself builds without its database: the
    store was made before anything else was read, and ``feedsvc check`` ended in a Python traceback.
    """
    try:
        return BlobStore(cache_dir)
    except OSError as error:
        if cache_dir is None:
            raise
        log.warning("build cache %s cannot be written (%s); building without it", cache_dir, error.strerror or error)
        return BlobStore(None)


def with_source_rules(rules: Mapping[str, SiteRules], site: Site) -> dict[str, SiteRules]:
    """Return ``rules`` (by host) plus, for each ``[[source]]`` whose ``rules`` names a file of the rules
    folder, that file's rules under its :func:`~feedsvc.catalog.prepare.source_rules_key`: they clean that
    source's articles whatever host their pages are on (site.toml names only files of rules/: the
    loader refuses any other path, since only rules/ is read and watched)."""
    found = dict(rules)
    for source in site.sources:
        path = PurePosixPath(source.rules or "")
        if source.rules and path.parent.as_posix() == RULES_FOLDER and host_of(Path(path.name)) in rules:
            found[source_rules_key(source.name)] = rules[host_of(Path(path.name))]
    return found


def release_memory() -> None:
    """Give back to the system what the build freed (glibc keeps it otherwise), before workers fork."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def load_catalog(
    content_dir: Path,
    overrides: Mapping[str, Any] | None = None,
    *,
    now: datetime | None = None,
    ledger: LedgerMode = "read",
) -> Catalog:
    """Load and clean everything in ``content_dir``; bad files become problems, not failures."""
    return Builder(content_dir, overrides, ledger=ledger).build_catalog(now)


def load_snapshot(
    content_dir: Path,
    overrides: Mapping[str, Any] | None = None,
    *,
    now: datetime | None = None,
    ledger: LedgerMode = "update",
) -> Snapshot:
    """Load ``content_dir`` (recording revisions) and render its feeds."""
    return Builder(content_dir, overrides, ledger=ledger).build(now)


def _with_sources(
    ledger: Mapping[str, Revision], entries: Mapping[str, Entry], recorded: Collection[str]
) -> Mapping[str, Revision]:
    """``ledger`` with the hash of the file's bytes (``source``) filled in where an entry has none (written before
    session 44) and the file's bytes are those the build cache recorded the build before this one reading.

    That build published them (a server publishes every change it sees), so the entry's fingerprint is of these
    bytes, and a new version reading them differently is no edit (``revisions.revise``); the first start of the
    upgrade that brings this would otherwise date every such article again. Without the cache's record (deleted,
    ``--no-cache``, a file saved within a second of that build's read) the entry is left as it is: a changed
    reading then counts as an edit, as before. The entries written by this build keep the hash from then on.
    """
    patched: dict[str, Revision] | None = None
    for name in recorded:
        entry = entries.get(name)
        prepared = entry.prepared if entry is not None else None
        if prepared is None or not prepared.file_digest:
            continue
        revision = ledger.get(prepared.slug)
        if revision is not None and revision.fingerprint and not revision.source:
            if patched is None:
                patched = dict(ledger)
            patched[prepared.slug] = replace(revision, source=prepared.file_digest)
    return ledger if patched is None else patched


def _saved_at(path: Path) -> datetime | None:
    """When the file at ``path`` was last saved (:func:`last_change` of its stat), or None if it cannot be statted."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return datetime.fromtimestamp(last_change(signature(stat)), UTC).replace(microsecond=0)
