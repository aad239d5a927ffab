"""Live publishing: watch the content folder and publish a new snapshot when it changes.

An edge: one daemon thread in the process that builds (the gunicorn master,
or a single-process server). Every ``interval`` it compares the folders' own
mtimes (they move when a file is added, removed or renamed into place);
when they moved, every ``rescan`` seconds (for files rewritten in place),
and while a change is still settling, it stats every input
(:func:`feedsvc.content.listing.scan`). When the builder has a settled change to
take in, or (at a full scan) once the time of a held-back, future-dated
article has come (``Catalog.next_release`` against ``clock``), it builds
(re-reading only changed files) and hands the snapshot to ``publish``,
which swaps it in whole. A failed build is logged once and
retried when the folder changes again; the current snapshot stays in
service meanwhile.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from feedsvc.build.builder import Builder
from feedsvc.build.snapshot import Snapshot
from feedsvc.content.listing import Listing, folder_stamp, scan
from feedsvc.logs import log_problem
from feedsvc.model import Problem

__all__ = ["INTERVAL", "RESCAN", "Watcher"]

log = logging.getLogger(__name__)

INTERVAL = 0.1  # seconds between cheap checks of the folders' mtimes
RESCAN = 1.0  # seconds between full scans, for files rewritten in place


class Watcher:
    """Poll a content folder from a thread; build and publish each settled change."""

    def __init__(
        self,
        builder: Builder,
        publish: Callable[[Snapshot], object],
        clock: Callable[[], datetime],
        *,
        interval: float = INTERVAL,
        rescan: float = RESCAN,
        on_fault: Callable[[], object] | None = None,
    ) -> None:
        self.builder = builder
        self.content_dir: Path = builder.content_dir
        self.publish = publish
        self.clock = clock
        self.interval = interval
        self.rescan = rescan
        self.builds = 0  # snapshots published by this watcher
        self.scans = 0  # full looks at the folder (not the quick checks of its stamp): tests wait on it
        self.failures = 0
        self.on_fault = on_fault  # told when the content becomes unpublishable (gunicorn: SIGHUP, for /healthz)
        # why the content could not be published, while the last good snapshot serves: path, reason, since
        self.fault: dict[str, str] | None = None
        self._stamp = folder_stamp(self.content_dir)
        self._next_scan = 0.0
        self._failed: dict[str, str] | None = None  # the inputs of the last failed build, not retried as they are
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> Watcher:
        """Start the thread (once)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="feedsvc-watch", daemon=True)
            self._thread.start()
        return self

    def close(self, timeout: float = 5.0) -> None:
        """Stop the thread; a build under way finishes first (bounded by ``timeout``)."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def poll(self, force: bool = False) -> Snapshot | None:
        """Look at the folder once; build and publish if a settled change is there. Return the new snapshot."""
        stamp = folder_stamp(self.content_dir)
        now = time.monotonic()
        if not force and stamp == self._stamp and now < self._next_scan:
            return None
        self._stamp = stamp
        self.scans += 1
        listing = scan(self.content_dir)
        current = self.builder.snapshot
        if listing.faults and current is not None and current.catalog.articles:
            # a folder that cannot be read is not an empty site: keep the last good snapshot serving
            self._failed = None  # once readable again, build whatever is there
            self._next_scan = now + self.rescan
            path, reason = listing.faults[0]
            self._set_fault(path, f"cannot read the content: {reason}")
            return None
        if self.builder.outdated(listing):
            snapshot = self._build(listing)
        elif listing.inputs != self._failed and self._release_due():
            log.info("a held-back article's publication time has come: building to publish it")
            snapshot = self._build(listing)
        else:
            snapshot = None
        due = self.builder.waiting(listing)
        nothing_due = snapshot is None and due is None and self.fault is not None and not listing.faults
        if nothing_due and not self.builder.outdated(listing):
            self._clear_fault()  # put back as it was published: nothing to build, nothing wrong
        if due is not None and listing.inputs != self._failed:  # a failed change waits for the next edit
            # look again when the change will have settled: it is published right then
            wait = min(max(due - time.time(), self.interval), max(self.builder.settling.settle, self.interval))
            self._next_scan = time.monotonic() + wait
        else:
            self._next_scan = now + self.rescan
        return snapshot

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
        while not self._stop.wait(self.interval):
            try:
                self.poll()
            except Exception:
                log.exception("content watcher: scan failed; trying again")
                self._stop.wait(1.0)


def _log_new_problems(before: tuple[Problem, ...] | list[Problem], after: tuple[Problem, ...]) -> None:
    """Log the problems a new snapshot has that the previous one did not (the rest were logged already)."""
    seen = set(before)
    for problem in after:
        if problem not in seen:
            log_problem(log, problem)
