"""Live publishing: notice changes to the content folder and publish a new snapshot when one has settled.

An edge: two daemon threads in the process that builds (the publisher
process, or a single-process server). By default the operating system says
what changed (``watchfiles``' Rust notifier: inotify on Linux), watching only
the few folders a listing is made of, each without the folders in it
(:func:`feedsvc.content.listing.watched_folders`: a few calls, not a walk of
every file); the paths it reports are
statted again (:func:`feedsvc.content.listing.refreshed`, costing what changed,
not what the folder holds), and an idle site costs no CPU. Armed
(:meth:`Watcher.arm`) before the builder first lists the folder, the watch
and that listing say together what the folder holds, so the first change
after a start is published like any other: no look at every file first. The icon and logo
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
snapshot to ``publish``, which swaps it in whole. A removal is a change like
any other: published once the file has stayed gone for the settle time, and
a file back under its name before then is a change of what was there (a save
by rename), never a removal and a new file (logged: ``removal_waiting``,
``removal_cancelled``). A failed build is logged
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
from typing import Any

from feedsvc.build.builder import Builder
from feedsvc.build.snapshot import Snapshot
from feedsvc.content.listing import (
    ARTICLES_FOLDER,
    SITE_FILE,
    Listing,
    folder_stamp,
    refreshed,
    relevant,
    scan,
    unpublishable,
    watched_folders,
)
from feedsvc.content.rules import RULES_FOLDER
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
EVENTS_TIMEOUT_MS = 1000  # an empty batch at most this often while nothing changes (and a new folder is watched)
DRAIN_MS = 1  # a watch being replaced: how long to collect what it saw and has not said yet


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
        self.watching = threading.Event()  # set once the system reports changes (from then on none is missed)
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
        self._notify: Any = None  # watchfiles' RustNotify, watching _folders (used by the events thread alone)
        self._folders: dict[str, tuple[int, int]] = {}  # the folders watched: path -> (device, inode)
        self._wanted: dict[str, tuple[int, int]] | None = None  # those to watch, as the last look found them
        self._suspect = False  # a watched folder itself was reported (moved, made, removed): watch again (events)
        self._armed_at: float | None = None  # monotonic: when the system began reporting changes
        self._listing: Listing | None = None  # the folder as last seen (kept current from the events)
        self._reported: set[str] = set()  # paths reported changed since the last look
        self._reported_lock = threading.Lock()
        self._wake = threading.Event()  # a change was reported, or the watcher is closing
        self._next_full = 0.0  # monotonic time of the next full scan (events mode)
        self._due: float | None = None  # monotonic time a pending change will have settled
        self._full_wanted = False  # a full scan at the next look (the first, or once the system watches)
        self._burst_since: float | None = None  # monotonic: when a settled change first waited for a burst
        self._gone: set[str] = set()  # inputs seen gone whose removal is not published yet (logged once each)

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

    def arm(self) -> Watcher:
        """Have the system report changes from now on, before the builder lists the folder for its first build.

        The watch is up when this returns (a few calls, whatever the folder
        holds). The builder's listing made after it and the changes
        reported since then say together what the folder holds: once
        started, the watcher takes that listing instead of looking at every
        file again. Nothing is done when polling; a system that cannot
        watch turns the watcher to polling (logged).
        """
        if self.polling or self._events is not None or self._stop.is_set():
            return self  # closed: a thread started now would outlive close()
        import watchfiles._rust_notify  # here: only a watching process needs it

        folders = watched_folders(self._root, self.builder.pictures)
        try:
            self._notify = watchfiles._rust_notify.RustNotify(list(folders), False, False, 0, False, True)
        except Exception as error:  # noqa: BLE001 - whatever stops the events, polling goes on (logged)
            self._events_failed(error)
            return self
        self._folders, self._armed_at = folders, time.monotonic()
        self.watching.set()
        self._events = threading.Thread(target=self._receive_events, name="feedsvc-events", daemon=True)
        self._events.start()
        return self

    def start(self) -> Watcher:
        """Start the thread (once)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="feedsvc-watch", daemon=True)
            self._thread.start()
        return self

    def close(self, timeout: float = 5.0) -> None:
        """Stop the threads; a build under way finishes first (bounded by ``timeout``, for each thread)."""
        self._stop.set()
        self._wake.set()
        # the watching thread first: it may arm (start the events thread) until it sees the stop
        for name in ("_thread", "_events"):
            thread = getattr(self, name)
            if thread is not None and thread is not threading.current_thread():
                thread.join(timeout)
                if thread.is_alive():
                    log.warning("content watcher: %s still running %g s after close", thread.name, timeout)

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
        snapshot = self._consider(listing, now)
        # a folder created or replaced, a picture moved: the events thread watches them from its next batch
        self._wanted = watched_folders(self._root, self.builder.pictures)
        return snapshot

    def _is_due(self, now: float) -> bool:
        return self._due is not None and now >= self._due

    def _consider(self, listing: Listing, now: float) -> Snapshot | None:
        """Build and publish if ``listing`` has a settled change; set :attr:`_due` to when to look again."""
        self._due = None
        # a folder that cannot be read is not an empty site: keep the last good snapshot serving and say why,
        # whatever it holds (with no article published there is nothing to keep, but "ok" is not the truth).
        # articles/ missing is no fault only while the snapshot serving was built without it too (a site
        # without articles yet, warned to create it); once built from the folder, the folder gone is a fault
        built = self.builder.listing
        new_site = built is None or bool(built.faults)  # (a build's listing has no other fault: see the builder)
        fault = unpublishable(listing, self.content_dir) or (
            listing.faults[0] if listing.faults and not new_site else None
        )
        if fault is not None:
            self._failed = None  # once readable again, build whatever is there
            path, reason = fault
            self._set_fault(path, f"cannot read the content: {reason}")
            return None
        last = self.builder.waiting(listing, latest=True)
        settling = self.builder.settling  # its clocks: what has settled and what is a burst, on one time
        wall, clock = settling.wall(), settling.monotonic()
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
        nothing_due = snapshot is None and due is None and self.fault is not None  # (no fault in listing: above)
        if nothing_due and not self.builder.outdated(listing):
            self._clear_fault()  # put back as it was published: nothing to build, nothing wrong
        self._note_removals(listing)
        if due is not None and listing.inputs != self._failed:  # a failed change waits for the next edit
            # look again when the change will have settled: it is published right then
            wait = min(max(due - settling.wall(), self.interval), max(settling.settle, self.interval))
            self._due = time.monotonic() + wait
        elif not self.polling:
            self._due = self._release_time()
        return snapshot

    def _note_removals(self, listing: Listing) -> None:
        """Log each input seen gone and not yet published as removed (once), and each back before it was.

        A removal is published once the input has stayed gone for the settle time (see
        :class:`~feedsvc.content.listing.Settling`): until then its last version serves, and the log says why.
        """
        settle = self.builder.settling.settle
        gone = {name for name, sig in self.builder.changes(listing).items() if sig is None} if settle > 0 else set()
        for name in sorted(gone - self._gone):
            path = self._input_path(name)
            log.info(
                "%s is gone: still served, and published as removed once it has stayed gone %g s",
                path, settle, extra={"event": "removal_waiting", "path": path, "settle_seconds": settle},
            )  # fmt: skip
        for name in sorted(self._gone - gone):
            if name in listing.inputs:
                path = self._input_path(name)
                log.info(
                    "%s is back within %g s of going: a change of what was there, not a removal", path, settle,
                    extra={"event": "removal_cancelled", "path": path, "settle_seconds": settle},
                )  # fmt: skip
        self._gone = gone

    def _input_path(self, name: str) -> str:
        """Return where the input ``name`` (a build's: site.toml, rules/<host>.toml, an article page) is,
        from the content folder."""
        return name if name == SITE_FILE or name.startswith(f"{RULES_FOLDER}/") else f"{ARTICLES_FOLDER}/{name}"

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
            self.arm()  # if it was not armed before the first build: from now on
        if not self.polling:
            self._run_on_events()
        while not self._stop.wait(self.interval):  # polling, or the events failed
            try:
                self.poll()
            except Exception:
                log.exception("content watcher: scan failed; trying again")
                self._stop.wait(1.0)

    def _run_on_events(self) -> None:
        """Look when a change is reported, when a pending change settles and at each full scan; until closed.

        The first look takes the builder's listing if the builder made it once the system watched
        (:meth:`arm`): with the changes reported since, it is the folder as it is. Otherwise it
        looks at every file at once (the changes made before the watch are in no report): at
        100,000 articles that look delays the first publish after a start by a second or more.
        """
        self._listing = self._listed_since_armed()
        self._full_wanted = self._listing is None
        while not self._stop.is_set() and not self.polling:
            if not self._full_wanted:
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

    def _listed_since_armed(self) -> Listing | None:
        """Return the builder's last listing if the builder began it once the system watched, else None."""
        listing, listed, armed = self.builder.listing, self.builder.listed, self._armed_at
        if listing is None or listed is None or armed is None or listed < armed:
            return None
        now = time.monotonic()
        self._next_full = now + self.safety_rescan  # the safety net's first scan, a while from now
        self._due = now  # looked at once all the same: a file still being written then is published once settled
        # site.toml named its pictures once read (after the listing): statted from now on, their folders watched
        return listing.with_pictures(self._root, self.builder.pictures)

    def _receive_events(self) -> None:
        """Receive the system's reports of changed paths (in batches); on failure, fall back to polling.

        A folder to watch that is new (created, replaced under its name, on the way to a picture
        site.toml now names), or a watched one reported itself (moved, even away and back), is
        watched by a new notifier made before the old one is let go; what the old one saw in
        between is taken from it first (what its thread has taken in by then), and a look at all
        of the folder follows, the new watch up: no change is missed on the way.
        """
        notify = self._notify
        try:
            while not self._stop.is_set():
                raw = notify.watch(DEBOUNCE_MS, STEP_MS, EVENTS_TIMEOUT_MS, self._stop)
                if raw == "stop":
                    break
                changes: set[tuple[int, str]] = raw if isinstance(raw, set) else set()
                # a watched folder itself reported (moved, made, removed, even moved away and back under its own
                # name): its watch may be dead. The notifier says nothing more of a folder moved away and back,
                # though it is the very folder watched before: watched again, whatever the last look found
                self._suspect = self._suspect or any(path in self._folders for _change, path in changes)
                wanted = self._wanted
                if wanted is not None and (wanted != self._folders or self._suspect):
                    notify, changes = self._rewatch(notify, wanted, changes)
                paths = {path for _change, path in changes if relevant(self._root, path, self.builder.pictures)}
                if paths:
                    with self._reported_lock:
                        self._reported.update(paths)
                    self._wake.set()
        except Exception as error:  # noqa: BLE001 - whatever stops the events, polling goes on (logged)
            if not self._stop.is_set():
                self._events_failed(error)
        finally:
            notify.close()

    def _rewatch(
        self, notify: Any, wanted: dict[str, tuple[int, int]], changes: set[tuple[int, str]]
    ) -> tuple[Any, set[tuple[int, str]]]:
        """Watch the folders ``wanted`` instead; return the new notifier and ``changes`` with what else to look at."""
        import watchfiles._rust_notify

        try:
            new = watchfiles._rust_notify.RustNotify(list(wanted), False, False, 0, False, True)
        except FileNotFoundError:  # one went since the last look found it: look again (at all), then watch what is
            self._wanted = None
            return notify, changes | {(1, str(self._root))}
        seen = notify.watch(DRAIN_MS, DRAIN_MS, DRAIN_MS, None)  # the new one watches: the old one's last word
        notify.close()
        added = {(1, path) for path, identity in wanted.items() if self._folders.get(path) != identity}
        self._notify, self._folders, self._suspect = new, wanted, False
        log.info("content watcher: now watching %s", ", ".join(sorted(wanted)))
        # and a look at all of the folder, as the new watch is up: the old one's last word is whatever its thread
        # had taken from the system within the drain (a busy machine: maybe nothing), and a change reported to
        # it alone would otherwise wait for the safety scan. One full scan each time the folders watched change
        everything = {(1, str(self._root))}
        return new, changes | added | everything | (seen if isinstance(seen, set) else set())

    def _events_failed(self, error: Exception) -> None:
        log.error(
            "content watcher: the system's change events failed (%s); polling %s instead. Fix: raise "
            "fs.inotify.max_user_instances (or max_user_watches) if a limit was reached, or set "
            "FEEDSVC_WATCH_POLLING=true",
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
