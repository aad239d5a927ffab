"""Live publishing: notice changes to the content folder and publish a new snapshot when one has settled.

An edge: two daemon threads in the process that builds (the publisher
process, or a single-process server). By default the operating system says
what changed (``watchfiles``: inotify on Linux): the paths it reports are
statted again (:func:`feedsvc.content.listing.refreshed`, costing what changed,
not what the folder holds), and an idle site costs no CPU. The icon and logo
files site.toml names are inputs too, wherever they are in the folder. A full
scan (:func:`feedsvc.content.listing.scan`) runs every ``safety_rescan``
seconds as a safety net for a change the system did not report. With
``polling`` (network file systems, where the system does not see another
machine's writes), every ``interval`` it compares the folders' own mtimes (they move when a file is
added, removed or renamed into place) and every ``rescan`` seconds stats every
input, for files rewritten in place.

When the builder has a settled change to take in (a burst of changes is one
publish: the build takes every change settled by then), or once the time
of a held-back, future-dated article has come (``Catalog.next_release``
against ``clock``), it builds (re-reading only changed files) and hands the
snapshot to ``publish``, which swaps it in whole. A failed build is logged
once and retried when the folder changes again; the current snapshot stays
in service meanwhile.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path

from feedsvc.build.builder import Builder
from feedsvc.build.snapshot import Snapshot
from feedsvc.content.listing import Listing, folder_stamp, refreshed, relevant, scan
from feedsvc.logs import log_problem
from feedsvc.model import Problem

__all__ = ["INTERVAL", "RESCAN", "SAFETY_RESCAN", "Watcher"]

log = logging.getLogger(__name__)

INTERVAL = 0.1  # seconds between cheap checks of the folders' mtimes
RESCAN = 1.0  # polling: seconds between full scans, for files rewritten in place
SAFETY_RESCAN = 60.0  # watching events: seconds between full scans, for a change the system did not report
# watchfiles: wait up to DEBOUNCE ms for a burst to end, ending it after STEP ms without a change
DEBOUNCE_MS = 200
STEP_MS = 30
BURST = 1.0  # seconds a publish may wait for the rest of a burst of changes to settle
EVENTS_TIMEOUT_MS = 1000  # an empty batch at most this often while nothing changes


class Watcher:
    """Watch a content folder from a thread (system events, or polling); build and publish each settled change."""

    def __init__(
        self,
        builder: Builder,
        publish: Callable[[Snapshot], object],
        clock: Callable[[], datetime],
        *,
        interval: float = INTERVAL,
        rescan: float = RESCAN,
        safety_rescan: float = SAFETY_RESCAN,
        polling: bool = False,
        on_fault: Callable[[], object] | None = None,
    ) -> None:
        self.builder = builder
        self.content_dir: Path = builder.content_dir
        self.publish = publish
        self.clock = clock
        self.interval = interval
        self.rescan = rescan
        self.safety_rescan = safety_rescan
        self.polling = polling  # False: the system's events (until they fail: then polling, logged)
        self.builds = 0  # snapshots published by this watcher
        self.scans = 0  # full looks at the folder (not the quick checks of its stamp): tests wait on it
        self.looks = 0  # looks at only the paths the system reported changed
        self.watching = threading.Event()  # set once the system's events are being received
        self.failures = 0
        self.on_fault = on_fault  # told when the content becomes unpublishable (gunicorn: SIGHUP, for /healthz)
        # why the content could not be published, while the last good snapshot serves: path, reason, since
        self.fault: dict[str, str] | None = None
        self._stamp = folder_stamp(self.content_dir)
        self._next_scan = 0.0
        self._failed: dict[str, str] | None = None  # the inputs of the last failed build, not retried as they are
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._events: threading.Thread | None = None
        self._root = self.content_dir.resolve()  # how the system names the paths it reports
        self._listing: Listing | None = None  # the folder as last seen (kept current from the events)
        self._reported: set[str] = set()  # paths reported changed since the last look
        self._reported_lock = threading.Lock()
        self._wake = threading.Event()  # a change was reported, or the watcher is closing
        self._next_full = 0.0  # monotonic time of the next full scan (events mode)
        self._due: float | None = None  # monotonic time a pending change will have settled
        self._full_wanted = False  # a full scan at the next look (the first, or once the system watches)
        self._burst_since: float | None = None  # monotonic: when a settled change first waited for a burst

    @classmethod
    def configured(
        cls,
        builder: Builder,
        publish: Callable[[Snapshot], object],
        clock: Callable[[], datetime],
        timing: Mapping[str, float | bool],
        on_fault: Callable[[], object] | None = None,
    ) -> Watcher:
        """Make a watcher with ``timing`` (interval, rescan, safety_rescan: seconds; polling), as the settings give it."""
        unknown = timing.keys() - {"interval", "rescan", "safety_rescan", "polling"}
        if unknown:
            raise TypeError(f"unknown watcher timing {sorted(unknown)}: use interval, rescan, safety_rescan, polling")
        return cls(
            builder,
            publish,
            clock,
            interval=float(timing.get("interval", INTERVAL)),
            rescan=float(timing.get("rescan", RESCAN)),
            safety_rescan=float(timing.get("safety_rescan", SAFETY_RESCAN)),
            polling=bool(timing.get("polling", False)),
            on_fault=on_fault,
        )

    def start(self) -> Watcher:
        """Start the thread (once)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="feedsvc-watch", daemon=True)
            self._thread.start()
        return self

    def close(self, timeout: float = 5.0) -> None:
        """Stop the thread; a build under way finishes first (bounded by ``timeout``)."""
        self._stop.set()
        self._wake.set()
        for thread in (self._thread, self._events):
            if thread is not None and thread is not threading.current_thread():
                thread.join(timeout)

    def poll(self, force: bool = False) -> Snapshot | None:
        """Polling: look at the folder once; build and publish if a settled change is there. Return the snapshot."""
        stamp = folder_stamp(self.content_dir)
        now = time.monotonic()
        if not force and stamp == self._stamp and now < self._next_scan:
            return None
        self._stamp = stamp
        self.scans += 1
        self._listing = scan(self.content_dir, self.builder.pictures)
        snapshot = self._consider(self._listing, now)
        self._next_scan = self._due if self._due is not None else now + self.rescan
        return snapshot

    def look(self, full: bool = False) -> Snapshot | None:
        """Events: take in the paths reported changed (all of the folder if ``full`` or a full scan is due).

        Build and publish if a settled change is there; return the new snapshot.
        """
        with self._reported_lock:
            paths, self._reported = self._reported, set()
        now = time.monotonic()
        listing = None
        if not full and self._listing is not None and now < self._next_full:
            if paths:
                listing = refreshed(self._listing, self._root, paths, self.builder.pictures)
                self.looks += 1
            elif not self._is_due(now):
                return None
            else:
                # a change has settled, or a held-back article's time has come
                listing = self._listing.with_pictures(self._root, self.builder.pictures)
        if listing is None:
            self.scans += 1
            listing = scan(self.content_dir, self.builder.pictures)
            self._next_full = now + self.safety_rescan
        self._listing = listing
        return self._consider(listing, now)

    def _is_due(self, now: float) -> bool:
        return self._due is not None and now >= self._due

    def _consider(self, listing: Listing, now: float) -> Snapshot | None:
        """Build and publish if ``listing`` has a settled change; set :attr:`_due` to when to look again."""
        self._due = None
        current = self.builder.snapshot
        if listing.faults and current is not None and current.catalog.articles:
            # a folder that cannot be read is not an empty site: keep the last good snapshot serving
            self._failed = None  # once readable again, build whatever is there
            path, reason = listing.faults[0]
            self._set_fault(path, f"cannot read the content: {reason}")
            return None
        last = self.builder.waiting(listing, latest=True)
        wall, clock = time.time(), time.monotonic()
        outdated = self.builder.outdated(listing)
        # part of a burst (an import, a folder copied in) is still being written: publish the burst as one,
        # once all of it has settled, unless that takes BURST seconds from the first look that could have
        # published (then what has settled goes out, and the rest follows): a stream never holds it back
        burst = outdated and last is not None and last > wall
        if burst:
            self._burst_since = self._burst_since or clock
            burst = clock - self._burst_since < BURST
        elif not outdated:
            self._burst_since = None
        if outdated and not burst:
            self._burst_since = None
            snapshot = self._build(listing)
        elif listing.inputs != self._failed and self._release_due():
            log.info("a held-back article's publication time has come: building to publish it")
            snapshot = self._build(listing)
        else:
            snapshot = None
        # site.toml read again may name other pictures: from now on those are what is statted
        listing = self._listing = listing.with_pictures(self._root, self.builder.pictures)
        due = self.builder.waiting(listing)
        if burst and last is not None and self._burst_since is not None:
            due = wall + min(last - wall, self._burst_since + BURST - clock)
        nothing_due = snapshot is None and due is None and self.fault is not None and not listing.faults
        if nothing_due and not self.builder.outdated(listing):
            self._clear_fault()  # put back as it was published: nothing to build, nothing wrong
        if due is not None and listing.inputs != self._failed:  # a failed change waits for the next edit
            # look again when the change will have settled: it is published right then
            wait = min(max(due - time.time(), self.interval), max(self.builder.settling.settle, self.interval))
            self._due = time.monotonic() + wait
        elif not self.polling:
            self._due = self._release_time()
        return snapshot

    def _release_time(self) -> float | None:
        """Return when (monotonic) a held-back article's time comes, if one does before the next full scan."""
        snapshot = self.builder.snapshot
        release = snapshot.catalog.next_release if snapshot is not None else None
        if release is None:
            return None
        wait = (release - self.clock()).total_seconds()
        if wait >= self.safety_rescan:
            return None  # the full scans look again until then
        return time.monotonic() + max(wait, 0.0) + 0.05  # its second must have begun (see _release_due)

    def _release_due(self) -> bool:
        """Say whether the published snapshot holds back an article whose time has come (no file need change)."""
        snapshot = self.builder.snapshot
        release = snapshot.catalog.next_release if snapshot is not None else None
        # to the second, as the build reads "now": a build any earlier would still hold it back
        return release is not None and release <= self.clock().replace(microsecond=0)

    def _build(self, listing: Listing) -> Snapshot | None:
        inputs = listing.inputs
        if inputs == self._failed:
            return None  # the same content failed already: wait for the next change
        before = self.builder.snapshot
        try:
            snapshot = self.builder.build(self.clock(), listing)
        except Exception as error:
            self.failures += 1
            self._failed = inputs
            path = getattr(error, "filename", None) or str(self.content_dir / "site.toml" if "site.toml" in str(error)
                                                            else self.content_dir)  # fmt: skip
            self._set_fault(str(path), str(error) or type(error).__name__, logged=True)
            if isinstance(error, (ValueError, OSError)):  # SiteConfigError and unreadable folders say the fix
                log.error("content change not published: %s; still serving the previous version", error)
            else:
                log.exception("content change not published (internal error); still serving the previous version")
            return None
        self._failed = None
        self.builds += 1
        _log_new_problems(before.catalog.problems if before else (), snapshot.catalog.problems)
        self.publish(snapshot)
        self.fault = None  # published (not before: /healthz must not say "ok" while the old version serves)
        stats = self.builder.stats
        log.info(
            "published snapshot %s: %s",
            snapshot.catalog.version,
            stats.summary(),
            extra={"event": "snapshot", "version": snapshot.catalog.version, "articles": len(snapshot.catalog.articles),
                   "read": stats.read, "cleaned": stats.cleaned, "rendered": stats.rendered,
                   "seconds": round(stats.seconds, 3), "summary": stats.summary()},
        )  # fmt: skip
        return snapshot

    def _clear_fault(self) -> None:
        """Forget a fault once the folder reads as the published snapshot again, and tell ``on_fault``."""
        was = self.fault or {}
        log.info("content readable again (%s was: %s); serving it as published", was.get("path"), was.get("reason"))
        self.fault = None
        self._failed = None
        if self.on_fault is not None:
            self.on_fault()

    def _set_fault(self, path: str, reason: str, logged: bool = False) -> None:
        """Record why the content is not published (once per fault) and tell ``on_fault``."""
        if self.fault is not None and (self.fault["path"], self.fault["reason"]) == (path, reason):
            return
        if not logged:
            log.error("content not published: %s: %s; still serving the previous version", path, reason)
        since = self.fault["since"] if self.fault else datetime.now().astimezone().isoformat(timespec="seconds")
        self.fault = {"path": path, "reason": reason, "since": since}
        if self.on_fault is not None:
            self.on_fault()

    def _run(self) -> None:
        if not self.polling:
            self._events = threading.Thread(target=self._receive_events, name="feedsvc-events", daemon=True)
            self._events.start()
            self._run_on_events()
        while not self._stop.wait(self.interval):  # polling, or the events failed
            try:
                self.poll()
            except Exception:
                log.exception("content watcher: scan failed; trying again")
                self._stop.wait(1.0)

    def _run_on_events(self) -> None:
        """Look when a change is reported, when a pending change settles and at each full scan; until closed.

        The first full look is the one once the system's events flow (it takes in what changed before
        them), not one more before it: the builder has just listed the folder for its first build, and
        at 100,000 articles a look at every file delayed the first publish after a start by seconds.
        """
        self._full_wanted = self.builder.snapshot is None  # nothing built yet: look at once
        while not self._stop.is_set() and not self.polling:
            if not self._full_wanted and self._listing is None:
                self._wake.wait(self.safety_rescan)  # until the system watches (or fails: then polling)
            elif not self._full_wanted:
                deadline = min(self._next_full, self._due if self._due is not None else self._next_full)
                self._wake.wait(max(0.0, min(deadline - time.monotonic(), self.safety_rescan)))
            self._wake.clear()
            if self._stop.is_set() or self.polling:
                break
            full, self._full_wanted = self._full_wanted, False
            try:
                self.look(full=full)
            except Exception:
                log.exception("content watcher: look at the folder failed; trying again")
                self._full_wanted = True
                self._stop.wait(1.0)

    def _receive_events(self) -> None:
        """Receive the system's reports of changed paths (watchfiles); on failure, fall back to polling."""
        import watchfiles  # here: only a watching process needs it

        logging.getLogger("watchfiles").setLevel(logging.WARNING)  # not a line per change: the builds say what changed

        root = str(self._root)

        def keep(_change: watchfiles.Change, path: str) -> bool:
            return relevant(self._root, path, self.builder.pictures)

        try:
            for changes in watchfiles.watch(
                root,
                watch_filter=keep,
                debounce=DEBOUNCE_MS,
                step=STEP_MS,
                stop_event=self._stop,
                rust_timeout=EVENTS_TIMEOUT_MS,  # then an empty batch: the watch is up (see below)
                yield_on_timeout=True,
                raise_interrupt=False,
                ignore_permission_denied=True,
                force_polling=False,
            ):
                if not self.watching.is_set():
                    # watched from now on: a full scan takes in what changed since the first one
                    self._full_wanted = True
                    self.watching.set()
                    self._wake.set()
                if changes:
                    with self._reported_lock:
                        self._reported.update(path for _change, path in changes)
                    self._wake.set()
        except Exception as error:  # noqa: BLE001 - whatever stops the events, polling goes on (logged)
            if self._stop.is_set():
                return
            log.error(
                "content watcher: the system's change events failed (%s); polling %s instead. Fix: raise "
                "fs.inotify.max_user_watches if the limit was reached, or set FEEDSVC_WATCH_POLLING=true",
                error,
                self.content_dir,
            )
            self.polling = True
            self._wake.set()


def _log_new_problems(before: tuple[Problem, ...] | list[Problem], after: tuple[Problem, ...]) -> None:
    """Log the problems a new snapshot has that the previous one did not (the rest were logged already)."""
    seen = set(before)
    for problem in after:
        if problem not in seen:
            log_problem(log, problem)
