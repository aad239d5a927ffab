"""Advisory locks on files: one process at a time does a thing to a content folder.

An edge (the file system), and a leaf: it imports nothing of feedsvc. Two
servers overlap while one hands over to its successor, and a `feedsvc follow
--once` from cron may run beside a server: what must not happen twice at once
(dating articles, polling one source) holds a lock named for it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

__all__ = ["file_lock"]


@contextlib.contextmanager
def file_lock(path: Path, *, wait: bool = True) -> Iterator[bool]:
    """Hold an exclusive ``flock`` on ``path`` (created empty, with its folder) for the ``with`` block; yield True.

    ``wait``: block until another holder lets go; without it, yield False at once
    (holding nothing) when another process holds the lock. The system releases
    it if its holder dies. Where the file cannot be made (a read-only folder)
    the block runs without a lock, and True: nothing can be written there either.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
    except OSError:
        yield True
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)  # releases the lock
