"""Which article files a build reads and cleans, and the reading and cleaning.

An edge, used by :class:`~feedsvc.build.builder.Builder`. :class:`Articles`
keeps one :class:`Entry` per article file as last built. At each build a
file keeps its entry while its stat signature is unchanged; otherwise its
bytes are hashed (or the hash recorded in the build cache for that
signature is taken), the cache is asked for the prepared article of those
bytes, and only what it lacks is loaded and cleaned: in this process when
few, in a pool of processes when many. Cleaned articles go to the cache as
they come back from the pool, a batch per transaction, so a build that is
killed halfway (a cold build of a large site takes minutes) leaves what it
cleaned for the next one, which cleans only the rest.
"""

from __future__ import annotations

import itertools
import multiprocessing
import sys
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from multiprocessing.context import BaseContext
from pathlib import Path

from feedsvc.build.blobstore import BlobStore
from feedsvc.build.cache import RACY_SECONDS, BuildCache
from feedsvc.build.collector import running
from feedsvc.build.files import (
    Outcome,
    article_key,
    content_digest,
    init_worker,
    loader_version,
    prepare_bytes,
    prepare_file,
    prepare_in_worker,
    read_files,
    rules_of,
    site_digest,
    unstatted_file,
)
from feedsvc.catalog.prepare import Cleaner
from feedsvc.clean import SiteRules
from feedsvc.clean.rules import rules_version
from feedsvc.content.listing import Listing, Settling, last_change
from feedsvc.content.loader import ArticleFiles, article_limit
from feedsvc.model import Article, ArticleSource, PageMetadata, Prepared, Site

__all__ = [
    "BATCH",
    "KEEP_BYTES",
    "PARALLEL_FROM",
    "SPILL_BATCH",
    "SUMMARY_IN_MEMORY",
    "Articles",
    "BuildStats",
    "Entry",
    "Held",
    "Progress",
    "chunk_size",
    "pool_context",
]

PARALLEL_FROM = 16  # files to clean before starting a process pool pays off
BATCH = 64  # cleaned articles written to the build cache per transaction, as they come
# A summary longer than this many characters is kept on disk with the body: a summary is the
# article's opening (60 words by default, ~0.9 KB of memory an article when an ellipsis makes
# it two bytes a character), in the publisher's, the master's and every worker's heap otherwise.
SUMMARY_IN_MEMORY = 64
# Bodies read from the build cache held before they go to the blob store, in one write (at a few KB
# a body, about a megabyte)
SPILL_BATCH = 256
KEEP_BYTES = 64 * 1024 * 1024  # bytes read for hashing kept to clean in this process (not a whole large site)
Progress = Callable[[int, str], Callable[[int], object]]  # (total, what) -> advance(n)


@dataclass(frozen=True, slots=True)
class Entry:
    """One article file as built: its signature, its bytes' digest, and what it gave."""

    sig: str
    digest: str
    key: str
    rules: tuple[str, str]  # (host, version) of the site rules that cleaned it
    prepared: Prepared  # what the catalog gets: of a held file, its last good version
    held: Held | None = None  # the file as it is does not load: the last good version it serves instead


@dataclass(frozen=True, slots=True)
class Held:
    """The last version of a file that was published, served while the file as it is does not load."""

    key: str  # its row in the build cache
    saved: float  # when that version was saved (Unix time)
    prepared: Prepared  # as it was published, without the problems of the hold


def _published(prepared: Prepared) -> bool:
    """Say whether a prepared file is an article to publish (now or on its date)."""
    return prepared.article is not None and prepared.source is not None and prepared.source.status == "published"


def _failed(prepared: Prepared) -> bool:
    """Say whether a file failed to load or clean (not a deliberate draft or withdrawal)."""
    if prepared.source is None:
        return True
    return prepared.source.status == "published" and prepared.article is None


def _here(prepared: Prepared, folder: Path) -> Prepared:
    """Return a cached file's prepared form with its paths in ``folder``, the articles folder of this build.

    The cache is keyed by a file's name, not by the folder's path: a row cleaned by ``feedsvc serve --content
    site`` is reused by ``feedsvc check --content .`` or ``--content /srv/site``, whose reports must name the
    files as that command was given them (they named ``site/articles/x.html`` among ``articles/y.html``).
    """
    old = prepared.path.parent
    if old == folder:
        return prepared

    def moved(path: Path) -> Path:
        return folder / path.name if path.parent == old else path

    source, article = prepared.source, prepared.article
    return replace(
        prepared,
        path=moved(prepared.path),
        source=replace(source, path=moved(source.path)) if source is not None else None,
        article=replace(article, source_path=moved(article.source_path)) if article is not None else None,
        problems=tuple(replace(p, path=moved(p.path)) for p in prepared.problems),
    )


def _stamp(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC).replace(microsecond=0)


def _dated(prepared: Prepared, sig: str) -> Prepared:
    """Date the errors of a file that failed to load by when it was saved so (``since`` in reports)."""
    if not any(p.severity == "error" and p.since is None for p in prepared.problems):
        return prepared
    since = _stamp(last_change(sig) or time.time())  # (a file that could not be statted: first seen so now)
    problems = tuple(replace(p, since=since) if p.severity == "error" else p for p in prepared.problems)
    return replace(prepared, problems=problems)


def _hold(failed: Prepared, sig: str, good: Held) -> Prepared:
    """Serve ``good`` in place of a file that fails to load; its errors become holds that say so."""
    article = good.prepared.article
    title = f" ({article.title!r})" if article is not None else ""
    served = f"the last good version{title}, saved {_stamp(good.saved).isoformat()}"
    since = _stamp(last_change(sig) or time.time())
    problems = tuple(
        replace(p, severity="held", since=p.since or since, served=served) if p.severity == "error" else p
        for p in failed.problems
    )
    return replace(good.prepared, problems=problems)


@dataclass
class BuildStats:
    """What the last build did (logged as one line, read by tests and benchmarks)."""

    articles: int = 0  # article files in the folder
    read: int = 0  # files read (their signature changed, or no record of it)
    cleaned: int = 0  # files loaded and cleaned
    cached: int = 0  # prepared articles taken from the build cache
    waiting: int = 0  # files skipped this time: still being written
    going: int = 0  # files gone whose removal has not settled: still served, removed once gone the settle time
    rendered: int = 0  # document families rendered (the rest were reused)
    examined: int = 0  # files whose signature was compared with the last build's (the others were not changed)
    seconds: float = 0.0

    def summary(self) -> str:
        """Describe the build in one line."""
        return (
            f"{self.articles} articles: {self.read} read, {self.cleaned} cleaned, {self.cached} from the cache, "
            f"{self.waiting} still being written{self._going()}; {self.rendered} feed families rendered; "
            f"{self.seconds:.2f}s"
        )

    def _going(self) -> str:
        return f", {self.going} gone and still served until the removal settles" if self.going else ""


def chunk_size(files: int, workers: int) -> int:
    """Files a pool process cleans per round trip: few round trips (their pickling and waking cost
    the same whatever a file's size), yet about eight chunks a process so that none idles at the end."""
    return max(1, min(32, files // (workers * 8)))


def pool_context() -> BaseContext:
    """How to start a build's pool processes: fork when this process has no other thread (start-up, the
    CLI): fast, nothing imported again; else from a fork server, so a pool never inherits a lock another
    thread held (WebSub, the watcher).

    The fork server imports the cleaner once, when it starts: each pool forked from it after that has
    it loaded. Without that, every pool process of every build imported the cleaner and its libraries
    again (6.6 s of a publish on a busy machine, against 0.24 s), and a server whose changes came in
    batches of more than :data:`PARALLEL_FROM` files paid it at every publish.
    """
    if threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([prepare_in_worker.__module__])  # read when the server starts (once)
    return context


def _among(entries: Mapping[str, Entry], names: Collection[str] | None) -> Iterable[tuple[str, Entry]]:
    """The entries of ``names`` (every entry if None)."""
    if names is None:
        return entries.items()
    return [(name, entries[name]) for name in names if name in entries]


def _spill(entries: list[Entry], blobs: BlobStore) -> None:
    """Keep the body of each entry's article (and a summary of more than :data:`SUMMARY_IN_MEMORY`
    characters) on disk, and in memory only what later builds read.

    Changed in place: the entries were made by this build (cleaned or read from
    the cache) and nothing else refers to them yet. Copies would leave the
    originals' small objects freed among the kept ones, and 10,000 articles
    spread over twice the memory pages. The source keeps what
    :func:`~feedsvc.catalog.assembly.assemble_catalog` and the rules lookup read of a
    published article; its other metadata is already in the article.
    Repeated names (tags, authors, language) are shared, not held once per article.
    The bytes of all the entries go to the store in one write.
    """
    spilled: list[tuple[Article, ArticleSource, bool]] = []
    values: list[bytes] = []
    seen: set[int] = set()  # the articles of this batch (one object twice: spilled once)
    for entry in entries:
        prepared = entry.prepared
        article, source = prepared.article, prepared.source
        if article is None or source is None:
            continue  # a draft, a withdrawal or a failure: small, and their reports read all of it
        if not isinstance(article.content, str) or id(article) in seen:
            continue  # spilled already (by an earlier batch of this build)
        seen.add(id(article))
        values.append(article.content.encode("utf-8"))
        summary = article.summary
        long = isinstance(summary, str) and len(summary) > SUMMARY_IN_MEMORY
        if isinstance(summary, str) and long:
            values.append(summary.encode("utf-8"))
        spilled.append((article, source, long))
    handles = iter(blobs.put_many(values))
    for article, source, long in spilled:
        object.__setattr__(article, "content", next(handles))
        if long:
            object.__setattr__(article, "summary", next(handles))
        object.__setattr__(article, "tags", tuple(sys.intern(tag) for tag in article.tags))
        object.__setattr__(article, "authors", tuple(sys.intern(name) for name in article.authors))
        object.__setattr__(article, "language", sys.intern(article.language))
        metadata = PageMetadata(
            published=source.metadata.published,
            updated=source.metadata.updated,
            canonical_url=source.metadata.canonical_url,
        )
        # in place too (dataclasses.replace looks up every field for each of 100,000 sources)
        object.__setattr__(source, "metadata", metadata)
        object.__setattr__(source, "origins", ())
        object.__setattr__(source, "warnings", ())


class Articles:
    """The article files of one folder as last built, and how to bring them up to date."""

    def __init__(
        self,
        folder: Path,
        settling: Settling,
        workers: int = 1,
        progress: Progress | None = None,
        clean: Cleaner | None = None,
    ) -> None:
        self.folder = folder
        self.settling = settling
        self.workers = workers
        self.progress = progress
        self.clean = clean  # a stand-in cleaner (tests): cleaning then stays in this process
        self.entries: dict[str, Entry] = {}  # article file name -> entry
        self.blobs: BlobStore | None = None  # where article bodies are kept once cached (None: in memory)
        self.stats = BuildStats()
        self._context = ""  # the code and settings of the last gather that completed
        # files looked at by the last gather whose bytes are those the build cache recorded the build before reading
        self.recorded: frozenset[str] = frozenset()
        self._versions: dict[str, str] | None = None  # and the rules' versions it had
        self._rules_used: dict[tuple[str, str], tuple[str, str]] = {}  # one (host, version) tuple of each

    def gather(
        self,
        listing: Listing,
        site: Site,
        rules: Mapping[str, SiteRules],
        cache: BuildCache,
        settle: bool,
        names: Collection[str] | None = None,
    ) -> dict[str, Entry]:
        """Bring every article file up to date: kept, from the cache, or read and cleaned now.

        With ``settle``, a changed file that is still being written keeps its last version (a new
        one waits) until :class:`~feedsvc.content.listing.Settling` says it is done. ``names``: the
        only files whose signature may differ from the last gather's (added, changed, removed, or
        still waiting); the others keep their entries without being looked at, so a publish costs
        what changed. Ignored (every file looked at) when the code, settings or rules changed since.
        """
        context = f"{loader_version()}|{site_digest(site)}"
        versions = {host: rules_version(found) for host, found in rules.items()}
        units = listing.units
        stats = self.stats = BuildStats(articles=len(units))
        settle = settle and self.settling.settle > 0
        if names is not None and (context != self._context or versions != self._versions):
            names = None
        # the cache's record of file signatures, read for the files looked at: all of them once (a start), then
        # only those of a publish; never kept between builds (two strings and a tuple an article, the entries'
        # signatures and digests already say the same)
        index = cache.file_digests(names)
        entries: dict[str, Entry]
        if names is None:
            entries, looked = {}, sorted(units.items())
        else:
            entries = dict(self.entries)  # the very entries of the files not changed
            for name in names:
                entries.pop(name, None)
            looked = sorted((name, units[name]) for name in names if name in units)
        stats.examined = len(looked)
        if settle:
            # a file built and gone since is published as removed only once it has stayed gone for the settle time:
            # until then it keeps its entry, as a file still being written does (a save by rename puts it back)
            gone = (
                self.entries.keys() - units.keys()
                if names is None
                else [name for name in names if name not in units and name in self.entries]
            )
            for name in gone:
                if not self.settling.settled(name, None, self.entries[name].sig):
                    stats.going += 1  # (not "still being written": nothing is there to write)
                    entries[name] = self.entries[name]
        known: dict[str, str] = {}  # name -> digest of its bytes, read now or recorded
        # bytes read now and their content_digest, to clean without reading again (a pool reads its own)
        kept: dict[str, tuple[ArticleFiles, str]] = {}
        held = 0  # bytes in kept
        for name, sig in looked:
            old = self.entries.get(name)
            before = old.sig if old is not None else None
            if settle and before != sig and not self.settling.settled(name, sig, before):
                self._wait(name, entries)  # the published version stays until the new one is complete
                continue
            if (
                old is not None
                and old.sig == sig
                # the same settings and code as the last gather: every key it kept is current (no hash per file)
                and (context == self._context or old.key == article_key(context, name, old.digest))
                and versions.get(old.rules[0], "none") == old.rules[1]
            ):
                entries[name] = old
                continue
            if index.get(name, ("", ""))[0] == sig:
                known[name] = index[name][1]
                continue
            unstatted = unstatted_file(self.folder / name, sig)
            if unstatted is not None:  # listed, its stat failed: not read (its problem says why), held
                entries[name] = Entry(sig, "", "", ("", "none"), unstatted)
                continue
            stats.read += 1
            files, torn, unreadable = read_files(self.folder / name, sig.split("|")[0], article_limit(site))
            if torn and settle:
                self._wait(name, entries)  # it changed since it was listed: take it once it is still
            elif files is None and unreadable is not None:
                entries[name] = Entry(sig, "", "", ("", "none"), unreadable)
            elif files is not None:
                known[name] = content_digest(files)
                if held < KEEP_BYTES:  # cleaned here from these bytes, not read again; past that, memory wins
                    kept[name] = files, known[name]
                    held += len(files.data)
        keys = {name: article_key(context, name, digest) for name, digest in known.items()}
        self.recorded = frozenset(name for name, digest in known.items() if index.get(name, ("", ""))[1] == digest)
        by_key = {key: name for name, key in keys.items()}
        # one at a time, the bodies to the blob store a batch at a time as they come: never every body of
        # the site in memory
        read: list[Entry] = []
        for key, value in cache.each_article(keys.values(), versions):
            name = by_key[key]
            if isinstance(value, Prepared) and name not in entries:
                value = _here(value, self.folder)
                stats.cached += 1
                used = self._shared(rules_of(value, rules))
                entries[name] = entry = Entry(units[name], known[name], key, used, value)
                read.append(entry)
                if len(read) == SPILL_BATCH:
                    self._spilled(read)
                    read = []
        self._spilled(read)
        missing = [name for name in known if name not in entries]
        outcomes = self._prepare(missing, units, kept, site, rules)
        while batch := list(itertools.islice(outcomes, BATCH)):
            made = []
            for name, outcome in batch:
                if outcome.torn and settle:
                    self._wait(name, entries)
                    continue
                digest = outcome.digest or known[name]
                used = self._shared(rules_of(outcome.prepared, rules))
                entries[name] = Entry(units[name], digest, article_key(context, name, digest), used, outcome.prepared)
                made.append(entries[name])
            # stored as they come (one transaction a batch): a build killed now keeps what it cleaned
            cache.put_articles((e.key, *e.rules, e.prepared) for e in made if e.key and e.prepared.cacheable)
            self._spilled(made)  # after caching (the cache keeps the text itself): a batch of bodies at most
        self._keep_last_good(entries, cache, versions, names)
        # the last good versions just read back
        self._spilled([entry for name, entry in _among(entries, names) if entry is not self.entries.get(name)])
        self._remember(entries, units, cache, index, names)
        self._context = context  # every entry's key is of this context now (a failed gather leaves it unset)
        self._versions = versions
        if names is None or stats.cleaned:
            # a start, a check or a publish that stored rows: a full build keeps the rows of the context used
            # last but its own (Builder._render), so the version an upgrade replaces finds its rows again
            cache.used_context(context)
        return entries

    @property
    def context(self) -> str:
        """The code and settings that key the entries' cached rows (of the last gather that completed)."""
        return self._context

    def _shared(self, used: tuple[str, str]) -> tuple[str, str]:
        """One (rules host, version) tuple of each kind for every entry, not a tuple an article."""
        return self._rules_used.setdefault(used, used)

    def _spilled(self, entries: list[Entry]) -> None:
        """Move the entries' article bodies to the blob store, if there is one (see :func:`_spill`)."""
        if self.blobs is not None and entries:
            _spill(entries, self.blobs)

    def _keep_last_good(
        self,
        entries: dict[str, Entry],
        cache: BuildCache,
        versions: Mapping[str, str],
        names: Collection[str] | None = None,
    ) -> None:
        """Serve the last published version of each file that was published and now fails to load.

        Only a deliberate act unpublishes an article (deleting its files, a status other than
        "published"): a bad save, a truncated write or binary junk keeps the version readers had
        until one that loads exists. The last good version comes from the previous build or,
        after a restart, from the build cache (its ``published`` table).
        """
        failing = {}
        for name, entry in list(_among(entries, names)):
            if entry is self.entries.get(name):
                continue  # as built before (held or not)
            if _failed(entry.prepared):
                failing[name] = entry
            elif entry.prepared.problems:
                entries[name] = replace(entry, prepared=_dated(entry.prepared, entry.sig))
        if not failing:
            return
        good: dict[str, Held] = {}
        others: list[str] = []  # not published by this builder: the cache's record of them
        for name in failing:
            old = self.entries.get(name)
            if old is not None and old.held is not None:
                good[name] = old.held
            elif old is not None and _published(old.prepared) and old.key:
                good[name] = Held(old.key, last_change(old.sig), old.prepared)
            else:
                others.append(name)
        wanted = cache.published(others) if others else {}
        if wanted:
            found = cache.articles((key for key, _ in wanted.values()), versions)
            for name, (key, saved) in wanted.items():
                value = found.get(key)
                if isinstance(value, Prepared) and _published(value):
                    good[name] = Held(key, saved, _here(value, self.folder))
        for name, entry in failing.items():
            if name in good:
                entries[name] = replace(entry, prepared=_hold(entry.prepared, entry.sig, good[name]), held=good[name])
            else:
                entries[name] = replace(entry, prepared=_dated(entry.prepared, entry.sig))

    def _wait(self, name: str, entries: dict[str, Entry]) -> None:
        """Leave a file that is still being written for a later build; keep its last version meanwhile."""
        self.stats.waiting += 1
        if name in self.entries:
            entries[name] = self.entries[name]

    def _prepare(
        self,
        names: list[str],
        units: Mapping[str, str],
        kept: Mapping[str, tuple[ArticleFiles, str]],
        site: Site,
        rules: Mapping[str, SiteRules],
    ) -> Iterator[tuple[str, Outcome]]:
        """Load and clean files, yielding each outcome as it is ready: in this process when few,
        else in a pool of ``workers`` processes.

        With the cycle collector running (:func:`~feedsvc.build.collector.running`): the cleaner leaves
        garbage in cycles, and a pool's processes forked from this one start with its collector's state.
        """
        self.stats.cleaned = len(names)
        if not names:
            return
        folder = self.folder
        with running():
            advance = self.progress(len(names), "cleaning") if self.progress else None
            if self.workers == 1 or len(names) < PARALLEL_FROM or self.clean is not None:
                for name in names:
                    read = kept.get(name)
                    if read is None:
                        yield name, prepare_file(folder / name, site, rules, units[name].split("|")[0], self.clean)
                    else:
                        prepared = prepare_bytes(folder / name, *read, site, rules, self.clean)
                        yield name, Outcome(folder / name, "", False, prepared)
                    if advance:
                        advance(1)
                return
            context = pool_context()
            jobs = [(folder / name, units[name].split("|")[0]) for name in names]
            chunks = chunk_size(len(names), self.workers)
            with ProcessPoolExecutor(self.workers, context, initializer=init_worker, initargs=(site, rules)) as pool:
                for name, outcome in zip(names, pool.map(prepare_in_worker, jobs, chunksize=chunks), strict=True):
                    yield name, outcome
                    if advance:
                        advance(1)

    def _remember(
        self,
        entries: Mapping[str, Entry],
        units: Mapping[str, str],
        cache: BuildCache,
        index: Mapping[str, tuple[str, str]],
        names: Collection[str] | None,
    ) -> None:
        """Keep what was built; put new work in the cache with the file signatures safe to trust next time.

        ``index``: the cache's record of the signatures of the files looked at (of ``names``; every file if None).
        ``names``: the only files that may have changed (None: any); a key names its file, so only theirs can go.
        """
        changed = {name: e for name, e in _among(entries, names) if self.entries.get(name) is not e}
        # files removed or changed: their old rows are never asked for again
        now = [entry for _, entry in _among(entries, names)]
        kept_keys = {entry.key for entry in now} | {e.held.key for e in now if e.held}
        before = self.entries.values() if names is None else [self.entries[n] for n in names if n in self.entries]
        cache.forget(articles=[old.key for old in before if old.key and old.key not in kept_keys])
        racy = time.time() - RACY_SECONDS
        gone = index if names is None else [name for name in names if name in index]
        rows: dict[str, tuple[str, str] | None] = {name: None for name in gone if name not in units}
        for name, entry in changed.items():
            if (
                entry.digest
                and index.get(name) != (entry.sig, entry.digest)
                and entry.sig == units[name]
                and last_change(entry.sig) < racy
            ):
                rows[name] = (entry.sig, entry.digest)
        if rows:
            cache.put_file_digests(rows)
        self._record_published(entries, units, changed, cache, names)
        self.entries = dict(entries)

    def _record_published(
        self,
        entries: Mapping[str, Entry],
        units: Mapping[str, str],
        changed: Mapping[str, Entry],
        cache: BuildCache,
        names: Collection[str] | None = None,
    ) -> None:
        """Record in the cache the last published version of each file; forget deliberate removals."""
        # the cache's record, read for the files that may have changed (every file once, at a start), not kept
        known = cache.published(names)
        gone = known if names is None else [name for name in names if name in known]
        # a file gone whose removal has not settled keeps its entry, and its record (a save by rename may be broken)
        rows: dict[str, tuple[str, float] | None] = {n: None for n in gone if n not in units and n not in entries}
        for name, entry in changed.items():
            if entry.held is not None:
                row: tuple[str, float] | None = (entry.held.key, entry.held.saved)
            elif _published(entry.prepared) and entry.key and entry.prepared.cacheable:
                row = (entry.key, last_change(entry.sig))
            else:
                row = None  # withdrawn, a draft, never published, or its cached version is gone
            if known.get(name) != row and (row is not None or name in known):
                rows[name] = row
        if rows:
            cache.put_published(rows)
