"""WebSub publishing: tell the hub which feeds changed, off the request path.

An edge: a daemon thread drains a queue of feed URLs and POSTs
``hub.mode=publish&hub.url=<feed URL>`` to the hub for each, retrying with
exponential backoff a bounded number of times. Requests never wait for it.

What was last announced is kept in ``content/.feedsvc/websub.json`` (feed
URL -> ETag), so a restart announces only the feeds that changed since,
not every feed on every boot.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from urllib.parse import urlencode

from feedsvc.build.state import read_state, write_state
from feedsvc.version import __version__

__all__ = ["QUEUE_LIMIT", "HubNotifier", "Post", "changed_topics", "post_form"]

log = logging.getLogger(__name__)

Post = Callable[[str, bytes, float], int]  # (hub, form body, timeout) -> HTTP status
# Enough for every feed of a large site at once; beyond it the oldest wait for the next change.
QUEUE_LIMIT = 10_000


def post_form(hub: str, body: bytes, timeout: float) -> int:
    """POST a form to the hub and return the HTTP status."""
    request = urllib.request.Request(
        hub,
        data=body,
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded", "User-Agent": f"feedsvc/{__version__}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def changed_topics(before: Mapping[str, str], after: Mapping[str, str]) -> list[str]:
    """Return the feed URLs whose ETag differs between two announcements (new feeds included)."""
    return sorted(url for url, etag in after.items() if before.get(url) != etag)


class HubNotifier:
    """Announce changed feeds to one hub from a background thread."""

    def __init__(
        self,
        hub: str,
        state_path: Path | None = None,
        *,
        attempts: int = 6,
        first_delay: float = 2.0,
        timeout: float = 10.0,
        post: Post = post_form,
    ) -> None:
        self.hub = hub
        self.state_path = state_path
        self.attempts = max(1, attempts)
        self.first_delay = first_delay
        self.timeout = timeout
        self._post = post
        self._queue: queue.Queue[tuple[str, str] | None] = queue.Queue(QUEUE_LIMIT)
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._closed = False  # closed: publish() drops, and starts no thread again
        self.announced: dict[str, str] = self._load()
        self._dirty = False
        self.delivered = 0  # successful publishes by this process (tests read them)
        self.failed = 0

    def _load(self) -> dict[str, str]:
        if self.state_path is None:
            return {}
        data, problem = read_state(self.state_path)
        if problem:
            log.warning("%s: %s; announcing every feed once", self.state_path, problem)
        return {str(k): str(v) for k, v in (data or {}).items()} if isinstance(data, dict) else {}

    def announce(self, feeds: Mapping[str, str]) -> list[str]:
        """Queue every feed (URL -> ETag) not announced with that ETag yet; return their URLs."""
        with self._lock:
            urls = changed_topics(self.announced, feeds)
        self.publish((url, feeds[url]) for url in urls)
        return urls

    def publish(self, feeds: Iterable[tuple[str, str]]) -> None:
        """Queue (URL, ETag) pairs for the hub; never blocks, drops (and logs) past the queue limit.

        Once closed, it drops them: a publish from a watcher that outlived its bounded join must not
        start a thread nothing will stop (those feeds are announced at the next start, as changed).
        """
        if self._closed:
            log.debug("WebSub notifier closed; not announcing %d feed(s)", len(list(feeds)))
            return
        self._ensure_thread()
        for item in feeds:
            try:
                self._queue.put_nowait(item)
            except queue.Full:
                log.warning("WebSub queue full; %s will be announced with its next change", item[0])

    def close(self, timeout: float = 5.0) -> None:
        """Stop the thread (pending retries are abandoned) and wait for it a bounded time; later publishes are dropped."""
        self._closed = True
        self._stop.set()
        thread = self._thread
        if thread is not None and thread.is_alive():
            try:
                self._queue.put_nowait(None)
            except queue.Full:
                log.debug("WebSub queue full at close; the thread stops after its current item")
            thread.join(timeout)
            if thread.is_alive():
                log.warning("WebSub thread still delivering %g s after close; it stops after this post", timeout)

    def idle(self) -> bool:
        """Say whether nothing is queued or being delivered (for tests)."""
        return self._queue.unfinished_tasks == 0

    def _ensure_thread(self) -> None:
        # A thread does not survive fork (gunicorn workers): start one per process.
        with self._lock:
            if self._thread is not None and self._thread.is_alive() and self._pid == os.getpid():
                return
            self._stop.clear()
            self._pid = os.getpid()
            self._thread = threading.Thread(target=self._run, name="feedsvc-websub", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            item = self._queue.get()
            try:
                if item is None:
                    return
                self._deliver(*item)
                if self._queue.empty():
                    self._save()  # once per burst, not once per feed
            finally:
                self._queue.task_done()

    def _deliver(self, url: str, etag: str) -> None:
        body = urlencode({"hub.mode": "publish", "hub.url": url}).encode()
        delay = self.first_delay
        for attempt in range(1, self.attempts + 1):
            try:
                status = self._post(self.hub, body, self.timeout)
                reason = f"HTTP {status}"
            except OSError as error:  # refused, timed out, DNS: worth another try
                status, reason = 0, str(error)
            if 200 <= status < 300:
                self._remember(url, etag)
                return
            if attempt < self.attempts:
                log.info("WebSub hub %s: %s for %s; retry %d in %.1fs", self.hub, reason, url, attempt, delay)
                if self._stop.wait(delay):
                    return
                delay *= 2
            else:
                self.failed += 1
                log.warning("WebSub hub %s: %s for %s; gave up after %d tries", self.hub, reason, url, attempt)

    def _remember(self, url: str, etag: str) -> None:
        with self._lock:
            self.announced[url] = etag
            self.delivered += 1
            self._dirty = True

    def _save(self) -> None:
        with self._lock:
            if not self._dirty or self.state_path is None:
                return
            record = dict(sorted(self.announced.items()))
            self._dirty = False
        try:
            write_state(self.state_path, json.dumps(record, indent=1) + "\n")
        except OSError as error:
            log.warning("%s: cannot record announced feeds (%s)", self.state_path, error.strerror)
