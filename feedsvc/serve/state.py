"""The app's one piece of state, and how a new content version replaces it.

:class:`SiteState` holds the current snapshot and swaps in the next one
whole; :func:`publish_changes_by_reload` wires the content watcher
(:mod:`feedsvc.serve.watcher`) into a gunicorn master. Flask-free: :mod:`feedsvc.web.views`
stores the state in ``app.extensions["feedsvc"]``.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from feedsvc.build.builder import Builder
from feedsvc.build.snapshot import Snapshot
from feedsvc.serve.publisher import Publisher
from feedsvc.serve.watcher import Watcher
from feedsvc.serve.websub import HubNotifier, changed_topics


class SiteState:
    """The app's one piece of state: the current snapshot, how to build the next, and the hub to tell."""

    def __init__(
        self,
        snapshot: Snapshot,
        notifier: HubNotifier | None = None,
        builder: Builder | None = None,
        clock: Callable[[], datetime] | None = None,
        publisher: Publisher | None = None,
    ) -> None:
        self.snapshot = snapshot
        self.notifier = notifier
        self.builder = builder  # builds here (tests, single-process servers), or:
        self.publisher = publisher  # builds in a process of its own (gunicorn)
        self.clock = clock or utc_now
        self.watcher: Watcher | None = None
        self._released_topics: dict[str, str] = {}

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

        Run it in one process only (the one that built the snapshot): that
        process alone then writes the ledger and tells the WebSub hub.
        """
        if self.builder is None:
            raise RuntimeError("this state has no builder to watch the content folder with")

        def publish(snapshot: Snapshot) -> None:
            self.replace(snapshot)
            if after_publish is not None:
                after_publish()

        if self.watcher is None:
            # a fault reloads gunicorn's workers too: they fork with it, for /healthz to report
            self.watcher = Watcher(self.builder, publish, self.clock, on_fault=after_publish, **timing).start()
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
        """Stop the watcher, the publisher and the WebSub thread, if any."""
        if self.watcher is not None:
            self.watcher.close()
        self.stop_publishing()
        if self.notifier is not None:
            self.notifier.close()


def utc_now() -> datetime:
    """Return the current time (the one clock read per snapshot)."""
    return datetime.now(UTC)


def publish_changes_by_reload(app: Any) -> Watcher | None:
    """Publish content changes from a gunicorn master that preloaded ``app`` (``preload_app``).

    Each new snapshot is built once (so the ledger is written and the WebSub
    hub told once): by the publisher process when there is one (see
    :mod:`feedsvc.serve.publisher`), else by a thread of the master. The master
    swaps it in, then sends itself SIGHUP: gunicorn starts new workers,
    forked with the new snapshot in memory, and stops the old ones once their
    requests are done. A worker's snapshot never changes while it lives;
    every worker shares the master's pages. Returns the watcher, if it runs here.
    """
    state: SiteState = app.extensions["feedsvc"]
    config = app.config
    timing = {"interval": float(config["WATCH_INTERVAL"]), "rescan": float(config["RESCAN_INTERVAL"])}

    def reload() -> None:
        os.kill(os.getpid(), signal.SIGHUP)

    def swap_in(snapshot: Snapshot) -> None:
        state.replace(snapshot)
        reload()

    if state.publisher is not None:
        state.note_stop_signals()
        state.publisher.watch(swap_in, reload, state.release, **timing)
        return None
    return state.watch(after_publish=reload, **timing)


def make_builder(config: Mapping[str, object], content_dir: Path) -> Builder:
    """Return the builder of ``content_dir`` the service settings describe."""
    overrides = {"base_url": config["BASE_URL"]} if config.get("BASE_URL") else None
    cache = config.get("CACHE_DIR")
    cache_dir = content_dir / ".feedsvc" / "cache" if cache is None else (Path(str(cache)) if cache else None)
    return Builder(
        content_dir,
        overrides,
        cache_dir=cache_dir,
        workers=int(config.get("BUILD_WORKERS") or os.cpu_count() or 1),  # type: ignore[call-overload]
        settle=float(config.get("SETTLE_SECONDS") or 0.0),  # type: ignore[arg-type]
        page_budget=int(config.get("PAGE_CACHE_BYTES") or 0),  # type: ignore[call-overload]
        progress=config.get("PROGRESS"),  # type: ignore[arg-type]
    )
