"""Calling a scheduled job from a thread of its own: how ``serve`` follows sources while it publishes.

An edge (a thread). :class:`Poller` calls ``job`` at once, then again
whenever the seconds it returned have passed, until closed. What the job
is (``feedsvc.follow.running.Following``: poll the due sources, import what
is new) is wired by ``create_app``: serve does not import the follower. Its
imports land in the content folder, where the watcher finds and publishes
them like any other change.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

__all__ = ["MAX_WAIT", "MIN_WAIT", "Poller"]

log = logging.getLogger(__name__)

MIN_WAIT = 0.05  # a job that asks for no wait still lets the thread breathe
MAX_WAIT = 3600.0  # and one that asks for more is called within the hour
FAILED_WAIT = 60.0  # after a job raised (a bug: it reports its own failures)


class Poller:
    """Call ``job`` from a daemon thread: at once, then after the seconds each call returns."""

    def __init__(self, job: Callable[[], float], name: str = "feedsvc-follow") -> None:
        self.job = job
        self.name = name
        self.calls = 0  # completed calls, for tests waiting for a sign of progress
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> Poller:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
            self._thread.start()
        return self

    def _run(self) -> None:
        wait = 0.0
        while not self._stop.wait(wait):
            try:
                wait = min(max(float(self.job()), MIN_WAIT), MAX_WAIT)
            except Exception:
                log.exception("%s: the scheduled job failed; trying again in %g s", self.name, FAILED_WAIT)
                wait = FAILED_WAIT
            self.calls += 1

    def close(self, timeout: float = 5.0) -> None:
        """Stop calling the job; wait up to ``timeout`` seconds for a call under way to end."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
            if thread.is_alive():
                log.warning("%s: a call still running %g s after close; it ends with that call", self.name, timeout)
        close = getattr(self.job, "close", None)
        if callable(close):
            close()
