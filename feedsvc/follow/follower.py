"""Poll the sources that are due and import what is new or changed: the follower.

An edge (HTTP through :class:`~feedsvc.follow.client.PoliteClient`, files
through the importer and :mod:`feedsvc.follow.state`). For each due source:

1. its feed or sitemap is fetched conditionally (a 304 ends the poll: nothing new);
2. each entry is identified by its guid/id, else its URL; one whose entry is
   unchanged since it was imported is not fetched again, so its article is
   not touched; a new one (at most ``max_new`` per poll, none older than
   ``since``) or a changed one is fetched (conditionally, when it was fetched
   before) and imported through :meth:`~feedsvc.importer.importing.Importer.import_fetched`,
   which finds an article again by its canonical URL, the URLs it was
   redirected through or the one the item had before, so nothing is
   imported twice; the entry's title, date and authors fill what the page
   leaves out; the sidecar names the source (``source = "<name>"``);
3. an item the source no longer lists keeps its article, or is withdrawn
   when the source says ``removed = "withdraw"``;
4. a few item pages (:data:`RECHECK_PER_POLL`) of items under
   :data:`RECHECK_AGE` old, not checked for the source's ``recheck`` seconds,
   are asked again conditionally (after a 304 of the feed too): an edit the
   feed entry does not show is imported as an update; a 304 or the same bytes
   change nothing;
5. the state is written as the poll goes (every few seconds) and at its end,
   always after the articles it records: a poll cut short is finished by the
   next one, which finds the articles already there and imports none twice.

A source that cannot be read (network, HTTP error, not a feed, robots.txt)
is retried later with exponential backoff, or after its ``Retry-After``;
a 429 or 5xx on an item's page stops that source's poll there, the rest
waits for the next. Sources on different hosts are polled in parallel, so
a slow or hostile one holds up no other.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from feedsvc.content.loader import MAX_ARTICLE_BYTES
from feedsvc.follow.client import PoliteClient, Refused
from feedsvc.follow.entries import Entry, Listing, ListingError, parse_listing
from feedsvc.follow.state import ItemState, SourceState, item_key, polling, read_state, write_state
from feedsvc.importer.http import HTML_TYPES, FetchError, gunzip
from feedsvc.importer.importing import Importer
from feedsvc.model import Site, Source
from feedsvc.text import without_userinfo

__all__ = [
    "FEED_ACCEPT",
    "MAX_FEED_BYTES",
    "RECHECK_AGE",
    "RECHECK_PER_POLL",
    "Follower",
    "SourceReport",
    "backoff_seconds",
    "is_due",
    "summary_counts",
]

log = logging.getLogger(__name__)

FEED_ACCEPT = (
    "application/atom+xml,application/rss+xml,application/feed+json,application/json;q=0.9,"
    "application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.1"
)
PAGE_ACCEPT = f"{','.join(HTML_TYPES)};q=0.9,*/*;q=0.1"
MAX_FEED_BYTES = 10 * 1024 * 1024  # a feed or sitemap file, after decompression
MAX_SITEMAPS = 50  # sitemap files read per poll of a sitemap index
MAX_ATTEMPTS = 3  # an item page that keeps failing is tried this many polls, then only when its entry changes
MAX_BACKOFF = 86400.0  # a failing source is still tried once a day
MAX_RETRY_AFTER = 7 * 86400.0  # a Retry-After longer than a week is taken as a week
SERVER_BUSY = frozenset({429, 500, 502, 503, 504})
STATE_SECONDS = 2.0  # a source's state is written at most this often during a poll, and at its end
RECHECK_PER_POLL = 5  # item pages revalidated per poll of a source, at most (the oldest checked first)
RECHECK_AGE = timedelta(days=30)  # only pages of items younger than this: news is edited early, if at all


@dataclass
class SourceReport:
    """What one poll of one source did, for the summary."""

    name: str
    # "polled", "not modified" (304), "failed" (unreadable), "paused", "not due",
    # "polled elsewhere" (another process polls it now: it is left to that one)
    status: str = "polled"
    new: list[str] = field(default_factory=list)  # slugs
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    withdrawn: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (item URL as shown, why): add with fail()
    deferred: int = 0  # left for the next poll (max_new, or the server asked us to wait)
    error: str | None = None  # the source could not be read at all
    warning: str | None = None  # read, but not whole
    retrying: int = 0  # failed items tried again next poll
    rechecked: int = 0  # item pages revalidated (asked again though their entries did not change)

    @property
    def unreadable(self) -> bool:
        return self.status == "failed"

    def fail(self, url: str, why: str) -> None:
        """Record a failed item; its URL without a user or password, since every summary, log and status shows it."""
        self.failed.append((without_userinfo(url), why))


def is_due(source: Source, state: SourceState, now: datetime) -> bool:
    """Return True if ``source`` should be polled at ``now``."""
    return source.status == "active" and (state.next_poll is None or state.next_poll <= now)


def backoff_seconds(every: float, failures: int, retry_after: float | None = None) -> float:
    """Return how long to wait after the ``failures``-th failure in a row: ``every`` doubled each time, capped.

    A ``Retry-After`` the server sent is honoured when it asks for longer (up to a week).
    """
    wait: float = min(MAX_BACKOFF, every * 2.0 ** max(0, failures - 1))
    if retry_after is not None:
        wait = max(wait, min(retry_after, MAX_RETRY_AFTER))
    return wait


class _Halt(Exception):
    """The server asked us to stop for now (429, 5xx on an item page)."""

    def __init__(self, reason: str, retry_after: float | None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class Follower:
    """Poll the sources of one content folder; create one per run (or per round under ``serve``)."""

    def __init__(
        self,
        content_dir: Path,
        site: Site,
        client: PoliteClient,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        workers: int = 4,
    ) -> None:
        self.content_dir = content_dir
        self.site = site
        self.client = client
        self.clock = clock
        self.workers = workers
        self.imports = 0  # pages handed to the importer (each one read, parsed and compared)
        self._importer: Importer | None = None
        self._import_lock = threading.Lock()  # the importer's library of slugs and URLs is shared by all sources
        self._written: dict[str, float] = {}  # source -> when its state was last written (monotonic)

    # --- rounds -------------------------------------------------------------------------------

    def poll(self, sources: Iterable[Source] | None = None, *, force: bool = False) -> list[SourceReport]:
        """Poll every due source (``force``: every active one); return a report per source, in order.

        Sources whose feeds are on different hosts are polled in parallel; those on one host, in turn.
        """
        chosen = list(self.site.sources if sources is None else sources)
        now = self.clock()
        reports: dict[str, SourceReport] = {}
        groups: dict[str, list[Source]] = {}
        for source in chosen:
            if source.status != "active":
                reports[source.name] = SourceReport(source.name, "paused")
            elif force or is_due(source, read_state(self.content_dir, source.name), now):
                groups.setdefault(_host(_url(source)), []).append(source)
            else:
                reports[source.name] = SourceReport(source.name, "not due")

        def run(group: list[Source]) -> list[SourceReport]:
            return [self.poll_source(source, due_at=None if force else now) for source in group]

        if len(groups) <= 1:
            done = [run(group) for group in groups.values()]
        else:
            with ThreadPoolExecutor(min(self.workers, len(groups)), thread_name_prefix="feedsvc-follow") as pool:
                done = list(pool.map(run, groups.values()))
        for group_reports in done:
            reports.update((report.name, report) for report in group_reports)
        return [reports[source.name] for source in chosen]

    def next_due(self, sources: Iterable[Source] | None = None) -> datetime | None:
        """Return when the next active source is due (None: there is none)."""
        times = [
            read_state(self.content_dir, source.name).next_poll or self.clock()
            for source in (self.site.sources if sources is None else sources)
            if source.status == "active"
        ]
        return min(times, default=None)

    # --- one source ---------------------------------------------------------------------------

    def poll_source(self, source: Source, due_at: datetime | None = None) -> SourceReport:
        """Poll ``source`` now, whatever its schedule (``due_at``: only if still due then); never raises (a bug is
        reported as the source's error).

        Unless another process polls it at the moment (the other server of a handover, a
        `feedsvc follow` beside a server): then it is left to that one ("polled elsewhere").
        Once this one holds the source, its state is read again: one that another process
        polled since it was found due is not due any more.
        """
        report = SourceReport(source.name)
        with polling(self.content_dir, source.name) as held:
            if not held:
                report.status = "polled elsewhere"
                return report
            if due_at is not None and not is_due(source, read_state(self.content_dir, source.name), due_at):
                report.status = "not due"
                return report
            try:
                self._poll(source, report)
            except Exception as error:  # a bug here must not stop the other sources
                log.exception("following %s failed", source.name)
                report.status, report.error = "failed", f"internal error: {type(error).__name__}: {error}"
        return report

    def _poll(self, source: Source, report: SourceReport) -> None:
        state = read_state(self.content_dir, source.name)
        now = self.clock()
        state.last_poll = now
        url = _url(source)
        own = _host(url)
        try:
            listing, validators, partial = self._read_listing(source, state, url, own)
        except (FetchError, ListingError) as error:
            state.failures += 1
            state.failing_since = state.failing_since or now
            retry_after = getattr(error, "retry_after", None)
            wait = backoff_seconds(source.every, state.failures, retry_after)
            state.next_poll = now + timedelta(seconds=wait)
            what = "sitemap" if source.sitemap else "feed"
            reason = str(error) if isinstance(error, FetchError) else f"{what} {without_userinfo(url)} {error}"
            state.last_error, state.last_error_at = reason, now
            report.status, report.error = "failed", reason
            write_state(self.content_dir, state)
            return
        if listing is None:  # 304: nothing new
            report.status = "not modified"
            report.unchanged = len(state.items)
            halted = self._recheck(source, state, own, report, now)
            report.unchanged -= len(report.updated)
        else:
            report.warning = listing.warning
            halted = self._entries(source, state, listing, own, report)
            if listing.warning is None and halted is None and not partial:
                self._withdraw_dropped(source, state, listing, report)
            # The documents' validators are kept only when everything they listed was dealt with:
            # otherwise the next poll must read them whole again to find what was left.
            if not report.deferred and not report.retrying and halted is None:
                state.documents.update(validators)
            else:
                state.documents.clear()
            if halted is None:
                halted = self._recheck(source, state, own, report, now)
        self._succeeded(source, state, now, halted)
        if report.failed:
            shown = "; ".join(f"{item}: {why}" for item, why in report.failed[:3])
            state.last_error = f"{len(report.failed)} item(s) failed: {shown}"
            state.last_error_at = now
            write_state(self.content_dir, state)

    def _succeeded(self, source: Source, state: SourceState, now: datetime, halted: _Halt | None) -> None:
        state.last_success = now
        state.failures = 0
        if halted is not None:
            state.last_error, state.last_error_at = str(halted), now
            state.failing_since = state.failing_since or now  # in backoff: the server asked us to wait
            state.next_poll = now + timedelta(seconds=backoff_seconds(source.every, 1, halted.retry_after))
        else:
            state.last_error, state.failing_since = None, None
            state.next_poll = now + timedelta(seconds=source.every)
        write_state(self.content_dir, state)

    def _read_listing(
        self, source: Source, state: SourceState, url: str, own: str
    ) -> tuple[Listing | None, dict[str, dict[str, str]], bool]:
        """Return the source's listing (None: not modified), the validators of the documents read, and
        whether some sitemap of an index was not modified (its entries are then not in the listing)."""
        validators: dict[str, dict[str, str]] = {}
        fetched = self._document(url, own, state)
        if fetched is None:
            return None, validators, False
        body, validators[url] = fetched
        listing = parse_listing(body, url, self.site.timezone, sitemap=bool(source.sitemap))
        if listing.kind != "sitemapindex":
            return listing, validators, False
        partial = False
        entries: list[Entry] = []
        warnings: list[str] = []
        queue = list(listing.sitemaps)
        done: set[str] = {url}
        while queue and len(done) <= MAX_SITEMAPS:
            child = queue.pop(0)
            if child in done:
                continue
            done.add(child)
            try:
                got = self._document(child, own, state)
                if got is None:
                    partial = True  # not modified: its entries were dealt with before
                    continue
                child_body, validators[child] = got
                found = parse_listing(child_body, child, self.site.timezone, sitemap=True)
            except (FetchError, ListingError) as error:
                warnings.append(f"sitemap {child}: {error}")
                continue
            queue.extend(found.sitemaps)  # an index inside the index
            entries.extend(found.entries)
        if queue:
            warnings.append(f"more than {MAX_SITEMAPS} sitemaps in the index; the rest are read next poll")
        return Listing("sitemap", tuple(entries), warning="; ".join(warnings) or None), validators, partial

    def _document(self, url: str, own: str, state: SourceState) -> tuple[bytes, dict[str, str]] | None:
        known = state.documents.get(url, {})
        fetched = self.client.get(
            url,
            own,
            accept=FEED_ACCEPT,
            max_bytes=MAX_FEED_BYTES,
            etag=known.get("etag"),
            last_modified=known.get("last_modified"),
        )
        if fetched.status == 304:
            return None
        body = fetched.body
        if body.startswith(b"\x1f\x8b"):  # a .gz file, not a gzip Content-Encoding
            body = gunzip(body, MAX_FEED_BYTES)
        values = {k: v for k, v in (("etag", fetched.etag), ("last_modified", fetched.last_modified)) if v}
        return body, values

    def _entries(
        self, source: Source, state: SourceState, listing: Listing, own: str, report: SourceReport
    ) -> _Halt | None:
        """Import what is new or changed; return why the poll stopped early, if it did."""
        new = 0
        seen: set[str] = set()
        for entry in listing.entries:
            key = item_key(entry.key)  # as the state keeps it: without a user and password
            if key in seen:
                continue
            seen.add(key)
            if source.since is not None and entry.newest is not None and entry.newest < source.since:
                continue
            item = state.items.get(key)
            if item is not None and item.version == entry.version and item.url == item_key(entry.url):
                if item.published is None:  # a state from before pages were revalidated
                    item.published = _iso(entry.newest or self.clock())
                if item.error is None and not item.withdrawn:
                    report.unchanged += 1
                    continue
                if item.error is not None and item.attempts >= MAX_ATTEMPTS:
                    report.fail(
                        entry.url, f"{item.error} (tried {item.attempts} times; retried when the entry changes)"
                    )
                    continue
            if item is None:
                if new >= source.max_new:
                    report.deferred += 1
                    continue
                new += 1
            try:
                self._item(source, state, entry, item, own, report)
            except _Halt as halt:
                report.deferred += 1
                report.deferred += sum(1 for e in listing.entries if e.key not in seen)
                return halt
        return None

    def _item(
        self, source: Source, state: SourceState, entry: Entry, item: ItemState | None, own: str, report: SourceReport
    ) -> None:
        conditional = item is not None and item.error is None and not item.withdrawn and item.url == entry.url
        try:
            fetched = self.client.get(
                entry.url,
                own,
                accept=PAGE_ACCEPT,
                max_bytes=MAX_ARTICLE_BYTES,
                etag=item.etag if conditional and item else None,
                last_modified=item.last_modified if conditional and item else None,
            )
        except Refused as error:
            self._item_failed(state, entry, item, str(error), report, final=True)
            return
        except FetchError as error:
            if error.status in SERVER_BUSY:
                self._item_failed(state, entry, item, str(error), report, final=False)
                raise _Halt(f"{error}; the rest of the source waits for the next poll", error.retry_after) from None
            self._item_failed(state, entry, item, str(error), report, final=False)
            return
        now = _iso(self.clock())
        if fetched.status == 304 and item is not None:
            item.version = entry.version
            item.checked = now
            item.published = item.published or _iso(entry.newest or self.clock())
            report.unchanged += 1
            self._record(state)
            return
        gaps = {"title": entry.title, "published": entry.published, "author": entry.authors}
        also = (item.url, item.final_url) if item is not None else ()
        with self._import_lock:
            importer = self._importer_now()
            self.imports += 1
            outcome = importer.import_fetched(
                entry.url,
                fetched,
                slug_hint=entry.title,
                gaps=gaps,
                keys={"source": source.name},
                also=also,
                first_url_wins=True,
            )
            if outcome.status != "failed" and outcome.slug and item is not None and item.withdrawn:
                importer.set_status(outcome.slug, None)  # listed again: published again
        if outcome.status == "failed":
            self._item_failed(state, entry, item, outcome.reason, report, final=False)
            return
        state.items[item_key(entry.key)] = ItemState(
            url=entry.url,  # fetched: it has no user or password
            version=entry.version,
            slug=outcome.slug,
            final_url=fetched.final_url if fetched.final_url != entry.url else None,
            etag=fetched.etag,
            last_modified=fetched.last_modified,
            digest=hashlib.sha256(fetched.body).hexdigest(),
            checked=now,
            published=_iso(entry.newest) if entry.newest else (item.published if item else None) or now,
        )
        self._record(state)  # after the article: a crash between the two re-finds it
        slug = outcome.slug or without_userinfo(entry.url)
        if outcome.status == "imported":
            report.new.append(slug)
        elif outcome.status == "updated" or (item is not None and item.withdrawn):
            report.updated.append(slug)
        else:
            report.unchanged += 1

    def _recheck(
        self, source: Source, state: SourceState, own: str, report: SourceReport, now: datetime
    ) -> _Halt | None:
        """Revalidate the pages of a few recent items not checked for ``source.recheck`` seconds.

        An item whose entry did not change is otherwise never fetched again, so an edit made to its
        page alone would never be seen. Each page is asked conditionally: a 304, or the same bytes as
        stored, changes nothing (no import, no file touched); other bytes are imported as an update.
        A page that fails is left as it is and asked again after ``recheck``. Return why the source
        asked us to stop (429, 5xx), if it did.
        """
        if not source.recheck:
            return None
        stale = now - timedelta(seconds=source.recheck)
        young = now - RECHECK_AGE
        due = sorted(
            (
                (_when(item.checked), key)
                for key, item in state.items.items()
                if item.slug
                and item.error is None
                and not item.withdrawn
                and _when(item.checked) <= stale
                and _when(item.published) >= young
            ),
        )
        for _, key in due[:RECHECK_PER_POLL]:
            item = state.items[key]
            url = item.final_url or item.url
            report.rechecked += 1
            try:
                fetched = self.client.get(
                    url,
                    own,
                    accept=PAGE_ACCEPT,
                    max_bytes=MAX_ARTICLE_BYTES,
                    etag=item.etag,
                    last_modified=item.last_modified,
                )
            except FetchError as error:
                item.checked = _iso(now)  # asked again after `recheck`, not at every poll
                report.fail(url, f"revalidating its page: {error}; its article is kept as it is")
                self._record(state)
                if error.status in SERVER_BUSY:
                    return _Halt(f"{error}; revalidating pages waits for the next poll", error.retry_after)
                continue
            digest = hashlib.sha256(fetched.body).hexdigest()
            item.checked = _iso(now)
            if fetched.status == 304 or digest == item.digest:
                item.etag = fetched.etag or item.etag
                item.last_modified = fetched.last_modified or item.last_modified
                self._record(state)
                continue
            with self._import_lock:
                self.imports += 1
                outcome = self._importer_now().import_fetched(
                    item.url,
                    fetched,
                    keys={"source": source.name},
                    also=(item.final_url,),
                    first_url_wins=True,
                )
            if outcome.status == "failed":
                report.fail(url, f"revalidating its page: {outcome.reason}; its article is kept as it is")
                self._record(state)
                continue
            item.etag, item.last_modified, item.digest = fetched.etag, fetched.last_modified, digest
            item.slug = outcome.slug or item.slug
            self._record(state)
            if outcome.status == "updated":
                report.updated.append(item.slug or url)
        return None

    def _item_failed(
        self,
        state: SourceState,
        entry: Entry,
        item: ItemState | None,
        reason: str,
        report: SourceReport,
        final: bool,
    ) -> None:
        report.fail(entry.url, reason)
        attempts = (item.attempts if item is not None and item.version == entry.version else 0) + 1
        if not final and attempts < MAX_ATTEMPTS:
            report.retrying += 1
        previous = item or ItemState(entry.url)
        state.items[item_key(entry.key)] = ItemState(
            url=item_key(entry.url),  # a refused item's may carry a user and password: not kept on disk
            version=entry.version,
            slug=previous.slug,
            final_url=previous.final_url,
            withdrawn=previous.withdrawn,
            error=reason,
            attempts=MAX_ATTEMPTS if final else attempts,
        )
        self._record(state)

    def _withdraw_dropped(self, source: Source, state: SourceState, listing: Listing, report: SourceReport) -> None:
        if source.removed != "withdraw":
            return
        listed = {item_key(entry.key) for entry in listing.entries}
        for key, item in state.items.items():
            if key in listed or item.withdrawn or not item.slug or item.error is not None:
                continue
            with self._import_lock:
                outcome = self._importer_now().set_status(item.slug, "withdrawn")
            if outcome.status == "failed":
                report.fail(item.url, outcome.reason)
                continue
            item.withdrawn = True
            report.withdrawn.append(item.slug)
            self._record(state)

    def _record(self, state: SourceState) -> None:
        """Write the state after an item, at most every STATE_SECONDS (each write is two fsyncs; the poll's
        end writes it anyway, and an item imported but not yet recorded is found again in the folder)."""
        now = time.monotonic()
        if now - self._written.get(state.name, 0.0) >= STATE_SECONDS:
            write_state(self.content_dir, state)
            self._written[state.name] = now

    def _importer_now(self) -> Importer:
        if self._importer is None:
            self._importer = Importer(self.content_dir, self.site, clock=self.clock, check=False)
        return self._importer


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


_NEVER = datetime.min.replace(tzinfo=UTC)


def _when(text: str | None) -> datetime:
    """Return the moment an ISO 8601 text of the state says (the earliest moment: none, or not a date)."""
    try:
        return datetime.fromisoformat(text) if text else _NEVER
    except ValueError:
        return _NEVER


def _url(source: Source) -> str:
    return source.feed or source.sitemap or ""


def _host(url: str) -> str:
    # The server's host as the feed names it, www. kept (not text.site_host): sources are polled in turn per
    # server, and check_target lets the feed's own host, exactly, be a private address a person pointed it at.
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def summary_counts(reports: Sequence[SourceReport]) -> dict[str, int]:
    """Return the totals of a round: new, updated, unchanged, withdrawn, failed items and unreadable sources."""
    return {
        "new": sum(len(r.new) for r in reports),
        "updated": sum(len(r.updated) for r in reports),
        "unchanged": sum(r.unchanged for r in reports),
        "withdrawn": sum(len(r.withdrawn) for r in reports),
        "failed": sum(len(r.failed) for r in reports),
        "unreadable": sum(1 for r in reports if r.unreadable),
    }
