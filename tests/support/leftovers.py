"""What a test leaves running: threads it started and child processes it forked that outlive it.

A thread a test leaves running keeps calling feedsvc's code after the test
ends, in whatever test runs next: one that patches a module-level function
(``os.scandir``, ``time.monotonic``) is then called from two threads, and fails
one run in a hundred. ``tests/conftest.py`` takes a :class:`Census` before
each test and fails the test that leaves anything behind, naming it.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["STOPPING_GRACE", "Census", "children"]

# How long the threads and processes a test has just told to stop get to end, all together (a bounded join):
# a watcher finishing its look or a notifier its post. Longer than any product's own stop, far below a hang.
STOPPING_GRACE = 3.0

# Where each leftover comes from, and what stops it: the message of a failing test says it.
_FIXES = {
    "feedsvc-watch": "a SiteState.watch() or Watcher.start(): state.close() or watcher.close() (a fixture that yields)",
    "feedsvc-events": "a Watcher.arm() or start(): watcher.close()",
    "feedsvc-follow": "a Poller.start() or SiteState.watch() following sources: poller.close() or state.close()",
    "feedsvc-publisher": "a Publisher.watch(): publisher.close() or state.close()",
    "feedsvc-websub": "a HubNotifier (a site with websub_hub, announce_startup): notifier.close() or state.close()",
}


def children() -> dict[int, str]:
    """Return this process's child processes that have not been reaped: pid -> state and command line."""
    found: dict[int, str] = {}
    for task in Path("/proc/self/task").glob("*/children"):
        try:
            pids = task.read_text().split()
        except OSError:  # the thread ended meanwhile
            continue
        for pid in map(int, pids):
            found[pid] = _describe(pid)
    return found


def _describe(pid: int) -> str:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return "gone"
    state = stat.rsplit(")", 1)[1].split()[0]
    return f"state {state}: {command or stat.split(' ', 2)[1]}"


def _alive(pid: int) -> bool:
    """Say whether ``pid`` still runs or waits to be reaped (a zombie is a leftover too)."""
    return os.path.exists(f"/proc/{pid}")


def _running(pid: int) -> bool:
    """Say whether ``pid`` still runs (not a zombie waiting to be reaped)."""
    return _alive(pid) and "state Z" not in _describe(pid)


@dataclass
class Census:
    """The threads and child processes alive when a test (or a module) began, and those already reported."""

    threads: set[threading.Thread]
    processes: set[int]
    reported: tuple[set[threading.Thread], set[int]] = field(default_factory=lambda: (set(), set()))

    @classmethod
    def take(cls) -> Census:
        return cls(set(threading.enumerate()), set(children()))

    def leftovers(self, grace: float = STOPPING_GRACE, exempt: tuple[str, ...] = ()) -> list[str]:
        """Return what was started since the census and still runs once ``grace`` seconds have passed.

        A thread or process on its way out is waited for (all within the one
        ``grace``); one never stopped is named with what stops it, and counted
        as known from then on (reported once). Threads whose names start with
        one of ``exempt`` are left out.
        """
        deadline = time.monotonic() + grace
        threads = [t for t in threading.enumerate() if t not in self.threads and not t.name.startswith(exempt)]
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        running = [thread for thread in threads if thread.is_alive()]
        started = [pid for pid in children() if pid not in self.processes]
        while any(_running(pid) for pid in started) and time.monotonic() < deadline:
            time.sleep(0.02)
        left = [pid for pid in started if _alive(pid)]  # running, or exited and never reaped
        self.reported[0].update(running)
        self.reported[1].update(left)
        self.know(self)
        found = [_thread_leftover(thread) for thread in running]
        return found + [f"child process {pid} ({_describe(pid)}): stop and reap it (a with-block)" for pid in left]

    def know(self, other: Census) -> None:
        """Leave out from now on what ``other`` (this census or one taken later) reported: once is enough."""
        self.threads |= other.reported[0]
        self.processes |= other.reported[1]


def _thread_leftover(thread: threading.Thread) -> str:
    name = thread.name
    fix = next((fix for prefix, fix in _FIXES.items() if name.startswith(prefix)), None)
    target = getattr(thread, "_target", None)
    where = f" running {target.__qualname__}" if target is not None and hasattr(target, "__qualname__") else ""
    return f"thread {name!r}{where}: started by {fix}" if fix else f"thread {name!r}{where}: stop and join it"
