"""The app's one piece of state, and how a new content version replaces it.

:class:`SiteState` holds the current snapshot and swaps in the next one
whole; :func:`publish_changes_by_reload` wires the content watcher
(:mod:`feedsvc.serve.watcher`) into a gunicorn master. Flask-free:
``create_app`` (:mod:`feedsvc.app`) makes the state and keeps it in
``app.extensions["feedsvc"]`` (:data:`EXTENSION`), where :func:`site_state` finds it.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from feedsvc.build.builder import Builder
from feedsvc.build.snapshot import Snapshot
from feedsvc.model import Site
from feedsvc.serve.poller import Poller
from feedsvc.serve.publisher import Publisher
from feedsvc.serve.watcher import Watcher
from feedsvc.serve.websub import HubNotifier, changed_topics

__all__ = ["EXTENSION", "SiteState", "publish_changes_by_reload", "site_state", "utc_now"]

EXTENSION = "feedsvc"  # the key of an app's SiteState in app.extensions


class SiteState:
    """The app's one piece of state: the current snapshot, how to build the next, and the hub to tell."""

    def __init__(
        self,
        snapshot: Snapshot,
        notifier: HubNotifier | None = None,
        builder: Builder | None = None,
        clock: Callable[[], datetime] | None = None,
        publisher: Publisher | None = None,
        timing: Mapping[str, float] | None = None,
        follow: Callable[[], float] | None = None,
        source_status: Callable[[Site], list[dict[str, Any]]] | None = None,
    ) -> None:
        self.snapshot = snapshot
        self.notifier = notifier
        self.builder = builder  # builds here (tests, single-process servers), or:
        self.publisher = publisher  # builds in a process of its own (gunicorn)
        self.clock = clock or utc_now
        self.timing = dict(timing or {})  # how the content folder is watched: interval, rescan (seconds)
        self.watcher: Watcher | None = None
        # Following the sources of site.toml: a job returning the seconds until its next call
        # (run beside the watcher, here or in the publisher process), and their status for /healthz.
        self.follow = follow
        self.poller: Poller | None = None
        self._source_status = source_status
        self._released_topics: dict[str, str] = {}

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

    def announce_startup(self) -> list[str]:
        """Queue a WebSub ping for each feed changed since the hub last heard of it; return their URLs."""
        if self.notifier is None:
            return []
        return self.notifier.announce(self.snapshot.topics())

    def watch(self, after_publish: Callable[[], object] | None = None, **timing: float) -> Watcher:
        """Start publishing content changes from a thread: build, swap in, then call ``after_publish``.

        ``timing`` (interval, rescan) overrides the state's own :attr:`timing`.
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
            self.watcher = Watcher(self.builder, publish, self.clock, on_fault=after_publish, **timing).start()
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
        """Stop the follower, the watcher, the publisher and the WebSub thread, if any."""
        if self.poller is not None:
            self.poller.close()
        if self.watcher is not None:
            self.watcher.close()
        self.stop_publishing()
        if self.notifier is not None:
            self.notifier.close()


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
    :mod:`feedsvc.serve.publisher`), else by a thread of the master. The master
    swaps it in, then sends itself SIGHUP: gunicorn starts new workers,
    forked with the new snapshot in memory, and stops the old ones once their
    requests are done. A worker's snapshot never changes while it lives;
    every worker shares the master's pages. Returns the watcher, if it runs here.
    """

    def reload() -> None:
        os.kill(os.getpid(), signal.SIGHUP)

    def swap_in(snapshot: Snapshot) -> None:
        state.replace(snapshot)
        reload()

    if state.publisher is not None:
        state.note_stop_signals()
        state.publisher.watch(swap_in, reload, state.release, **state.timing)
        return None
    return state.watch(after_publish=reload)
