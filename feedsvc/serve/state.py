"""The app's one piece of state, and how a new content version replaces it.

:class:`SiteState` holds the current snapshot and swaps in the next one
whole; :func:`publish_changes_by_reload` wires the content watcher
(:mod:`feedsvc.serve.watcher`) into a gunicorn master. Flask-free:
``create_app`` (:mod:`feedsvc.app`) makes the state and keeps it in
``app.extensions["feedsvc"]`` (:data:`EXTENSION`), where :func:`site_state` finds it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from feedsvc.build.builder import Builder
from feedsvc.build.delta import apply_delta
from feedsvc.build.snapshot import Snapshot
from feedsvc.model import Site
from feedsvc.serve.journal import LIMIT as JOURNAL_LIMIT
from feedsvc.serve.journal import Journal
from feedsvc.serve.poller import Poller
from feedsvc.serve.publisher import Publisher
from feedsvc.serve.watcher import Watcher
from feedsvc.serve.websub import HubNotifier, changed_topics
from feedsvc.serve.wire import adopt_store, file_ids, load_delta, store_of

__all__ = ["EXTENSION", "REQUEST_SNAPSHOT", "SiteState", "publish_changes_by_reload", "site_state", "utc_now"]

EXTENSION = "feedsvc"  # the key of an app's SiteState in app.extensions
REQUEST_SNAPSHOT = "feedsvc.snapshot"  # the WSGI environ key of the snapshot a request answers from

log = logging.getLogger(__name__)


class SiteState:
    """The app's one piece of state: the current snapshot, how to build the next, and the hub to tell."""

    def __init__(
        self,
        snapshot: Snapshot,
        notifier: HubNotifier | None = None,
        builder: Builder | None = None,
        clock: Callable[[], datetime] | None = None,
        publisher: Publisher | None = None,
        timing: Mapping[str, float | bool] | None = None,
        follow: Callable[[], float] | None = None,
        source_status: Callable[[Site], list[dict[str, Any]]] | None = None,
    ) -> None:
        self.snapshot = snapshot
        self.notifier = notifier
        self.builder = builder  # builds here (tests, single-process servers), or:
        self.publisher = publisher  # builds in a process of its own (gunicorn)
        self.clock = clock or utc_now
        # how the content folder is watched: interval, rescan, safety_rescan (seconds), polling (Watcher.configured)
        self.timing = dict(timing or {})
        self.watcher: Watcher | None = None
        # Following the sources of site.toml: a job returning the seconds until its next call
        # (run beside the watcher, here or in the publisher process), and their status for /healthz.
        self.follow = follow
        self.poller: Poller | None = None
        self._source_status = source_status
        self._released_topics: dict[str, str] = {}
        # a gunicorn master's deltas, for its workers (publish_changes_by_reload); where this process has read to
        self.journal: Journal | None = None
        self._journal_at = (0, 0)
        self._catching_up = threading.Lock()

    def source_status(self) -> list[dict[str, Any]]:
        """Return each followed source's status (last success, last error, items seen, next poll); [] if none."""
        if self._source_status is None or self.snapshot is None:  # a gunicorn master between snapshots
            return []
        return self._source_status(self.snapshot.catalog.site)

    @property
    def fault(self) -> dict[str, str] | None:
        """Why the content cannot be published while the last good snapshot serves (path, reason, since)."""
        source = self.watcher or self.publisher
        return source.fault if source is not None else None

    def release(self) -> None:
        """Let go of the current snapshot before the next one is loaded (a gunicorn master: it serves nothing).

        Until :meth:`replace`, there is no snapshot: only for a process that answers no request.
        """
        self._released_topics = self.snapshot.topics()
        self.snapshot = None  # type: ignore[assignment]

    def replace(self, snapshot: Snapshot) -> list[str]:
        """Swap in a new snapshot; queue a WebSub ping for each feed whose bytes changed; return their URLs."""
        before = self.snapshot.topics() if self.snapshot is not None else self._released_topics
        self.snapshot = snapshot  # one assignment: a request sees the old or the new, never a mix
        after = snapshot.topics()
        changed = changed_topics(before, after)
        if self.notifier is not None and changed:
            self.notifier.publish((url, after[url]) for url in changed)
        return changed

    def take_delta(self, payload: bytes | bytearray, fds: list[int]) -> list[str]:
        """Apply a delta the publisher sent (the master); record it for the workers; return the changed feeds' URLs.

        :raise feedsvc.build.delta.DeltaMismatch: it was not made from the snapshot served here.
        """
        stores = [adopt_store(fd) for fd in fds]
        change = load_delta(payload, stores)
        changed = self.replace(apply_delta(self.snapshot, change))
        if self.journal is not None:
            # after the swap: a worker forked in between has the new snapshot and reads the entry again,
            # which it cannot apply to it (it is replaced, whole); never the old snapshot past the entry
            end = self.journal.append(payload, file_ids(stores))
            self._journal_at = (self._journal_at[0], end)
        return changed

    def restart_journal(self) -> None:
        """Start the workers' journal afresh (the master, as it re-forks them with a whole snapshot)."""
        if self.journal is not None:
            self._journal_at = (self.journal.restart(), 0)

    def catch_up(self) -> None:
        """Apply the deltas the master took in since this worker's last look (at the start of each request).

        One read of shared memory when there are none. Applied whole, then
        swapped in with one assignment. A worker that cannot apply them (one
        missed, a file gone) stops after this request, and gunicorn forks a
        new one from the master, with the whole current snapshot.
        """
        journal = self.journal
        if journal is None or journal.owner == os.getpid():
            return
        head = journal.head()
        if head == self._journal_at or head[0] != self._journal_at[0]:
            return  # nothing new; or a new generation: this worker is being replaced with the whole snapshot
        with self._catching_up:
            if journal.head() == self._journal_at:
                return  # another thread of this worker did it
            generation, start = self._journal_at
            try:
                snapshot = self.snapshot
                for payload, files in journal.read(start, head[1]):
                    change = load_delta(payload, [store_of(file, journal.owner) for file in files])
                    snapshot = apply_delta(snapshot, change)  # a version may stay (only problems changed)
            except Exception:  # whatever it is, a fresh worker has the whole snapshot
                log.exception(
                    "worker %d could not apply the publishes since its last request; restarting it", os.getpid()
                )
                self._journal_at = (-1, -1)
                os.kill(os.getpid(), signal.SIGTERM)  # gunicorn: finish this request, then a new worker is forked
                return
            self.snapshot = snapshot  # one assignment: a request sees the old or the new, never a mix
            self._journal_at = (generation, head[1])

    def announce_startup(self) -> list[str]:
        """Queue a WebSub ping for each feed changed since the hub last heard of it; return their URLs."""
        if self.notifier is None:
            return []
        return self.notifier.announce(self.snapshot.topics())

    def watch(self, after_publish: Callable[[], object] | None = None, **timing: float | bool) -> Watcher:
        """Start publishing content changes from a thread: build, swap in, then call ``after_publish``.

        ``timing`` (interval, rescan, safety_rescan, polling) overrides the state's own :attr:`timing`.
        Run it in one process only (the one that built the snapshot): that
        process alone then writes the ledger and tells the WebSub hub.
        """
        timing = {**self.timing, **timing}
        if self.builder is None:
            raise RuntimeError("this state has no builder to watch the content folder with")

        def publish(snapshot: Snapshot) -> None:
            self.replace(snapshot)
            if after_publish is not None:
                after_publish()

        if self.watcher is None:
            # a fault reloads gunicorn's workers too: they fork with it, for /healthz to report
            self.watcher = Watcher.configured(self.builder, publish, self.clock, timing, on_fault=after_publish).start()
        if self.follow is not None and self.poller is None:
            self.poller = Poller(self.follow).start()  # what it imports, the watcher publishes
        return self.watcher

    def note_stop_signals(self) -> None:
        """Chain onto this process's SIGTERM, SIGINT and SIGQUIT handlers (gunicorn's, in its master).

        A service stop signals every process of the service at once; once the
        master is told to stop, a publisher that stops too is not started again.
        """
        publisher = self.publisher
        if publisher is None:
            return
        for number in (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT):
            previous = signal.getsignal(number)

            def noted(signum: int, frame: Any, previous: Any = previous) -> None:
                publisher.stopping = True
                if callable(previous):
                    previous(signum, frame)
                elif previous == signal.SIG_DFL:
                    signal.signal(signum, signal.SIG_DFL)
                    os.kill(os.getpid(), signum)

            signal.signal(number, noted)

    def stop_publishing(self) -> None:
        """Let the publisher process go when nothing will be watched: it holds a build's memory for nothing."""
        if self.publisher is not None:
            self.publisher.close()
            self.publisher = None

    def close(self) -> None:
        """Stop the follower, the watcher, the publisher and the WebSub thread, if any, in that order.

        Each is stopped even if stopping one before it raised (then that error is raised, after):
        a thread left running outlives the app and calls feedsvc from nobody's control.
        """
        with contextlib.ExitStack() as stopping:  # callbacks run last pushed first
            if self.notifier is not None:
                stopping.callback(self.notifier.close)
            stopping.callback(self.stop_publishing)
            if self.watcher is not None:
                stopping.callback(self.watcher.close)
            if self.poller is not None:
                stopping.callback(self.poller.close)


def utc_now() -> datetime:
    """Return the current time (the one clock read per snapshot)."""
    return datetime.now(UTC)


def site_state(app: object) -> SiteState | None:
    """Return the :class:`SiteState` of a feedsvc app, or None for any other WSGI app (bench/bare_flask.py)."""
    extensions = getattr(app, "extensions", None)  # Flask's; a plain WSGI callable has none
    state = extensions.get(EXTENSION) if isinstance(extensions, dict) else None
    return state if isinstance(state, SiteState) else None


def publish_changes_by_reload(state: SiteState) -> Watcher | None:
    """Publish content changes from a gunicorn master that preloaded the app of ``state`` (``preload_app``).

    Each new snapshot is built once (so the ledger is written and the WebSub
    hub told once): by the publisher process when there is one (see
    :mod:`feedsvc.serve.publisher`), else by a thread of the master. From the
    publisher, after the first, each publish is a delta (what changed): the
    master applies it to its snapshot and appends it to the workers'
    :class:`~feedsvc.serve.journal.Journal`, and each worker applies it at its
    next request (:meth:`SiteState.catch_up`), with no fork. A whole snapshot
    (the first, a publisher started again, a delta that does not apply) is
    swapped in, then the master sends itself SIGHUP: gunicorn starts new
    workers, forked with it in memory, and stops the old ones once their
    requests are done. Returns the watcher, if it runs here.
    """

    def reload() -> None:
        os.kill(os.getpid(), signal.SIGHUP)

    def swap_in(snapshot: Snapshot) -> None:
        state.replace(snapshot)
        state.restart_journal()  # the workers forked now have it whole
        reload()

    def take_delta(payload: bytearray, fds: list[int]) -> None:
        state.take_delta(payload, fds)  # the workers apply it at their next request: no fork
        if state.journal is not None and state.journal.head()[1] > JOURNAL_LIMIT:
            state.restart_journal()  # bounded: the workers are forked again, with the whole snapshot
            reload()

    if state.publisher is not None:
        state.note_stop_signals()
        if state.journal is None:
            state.journal = Journal()
            state._journal_at = state.journal.head()
        state.publisher.watch(swap_in, reload, state.release, on_delta=take_delta, **state.timing)
        return None
    return state.watch(after_publish=reload)
