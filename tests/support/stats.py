"""A directory entry whose stat fails, for the tests: they run as root, whom permissions never stop.

Its name and kind are read from the folder (d_type), its stat fails, as in a folder readable but not
searchable (``chmod a-x``): the narrowest point where the service meets EACCES.

Where the tests can become another user (root, with fork: tests/support/users.py), the real thing is tested
too: tests/unit/content/test_listing_as_user.py and tests/unit/build/test_permissions_as_user.py have the
kernel refuse the stat, the listing and the read. The stand-in stays for where those skip (not root), and
for what no permission makes (EIO), and in the live server's threads, which a forked child must not start.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator

import pytest


class FailingEntry:
    """A stand-in for ``entry`` whose stat raises ``error``."""

    def __init__(self, entry: os.DirEntry[str], error: OSError) -> None:
        self._entry = entry
        self._error = error
        self.name = entry.name

    def is_file(self) -> bool:
        return self._entry.is_file()

    def stat(self) -> os.stat_result:
        raise self._error


def stat_denied(monkeypatch: pytest.MonkeyPatch, name: str) -> Callable[[], None]:
    """Have the stat of each listed entry named ``name`` (any folder, any thread) fail with EACCES; return what
    puts it back."""
    real = os.scandir
    error = PermissionError(13, os.strerror(13), name)

    @contextlib.contextmanager
    def listing(folder: int) -> Iterator[Iterator[os.DirEntry[str] | FailingEntry]]:
        with real(folder) as entries:
            yield (FailingEntry(entry, error) if entry.name == name else entry for entry in entries)

    monkeypatch.setattr(os, "scandir", listing)
    return lambda: monkeypatch.setattr(os, "scandir", real)
