"""Run a function as another user (uid 65534, "nobody"), for the tests of what permissions really refuse.

The tests run as root, whom permissions never stop: a folder readable but not
searchable, or a file of mode 000, reads fine to root. :func:`as_user` forks
this process, has the child drop to another user and run a function there,
and sends its result (or exception) back through a pipe. No new interpreter
is started: the Python of this machine may live where that user cannot read
it (pyenv under ``/root``, mode 0700), as the helper who tried a real uid-65534
run last found. The child is a copy of this process, with every module this
one imported; a module the function imports for the first time must be
readable by that user (the project's are, the standard library under
``/root`` is not): import it here first (:data:`LAZY_MODULES` are).

:func:`folder_for` makes a folder the other user owns, under a temporary
folder every user can search (pytest's own are 0700 for root): the content
folder of a test goes in it, as a service user's content is its own; the test
then gives single files or folders to root, with the modes of the fault.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import pickle
import select
import shutil
import signal
import stat
import tempfile
import threading
import time
import traceback
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

__all__ = ["LAZY_MODULES", "NOBODY", "ChildFailed", "as_user", "folder_for", "give", "restrict"]

# What the service imports lazily from the standard library, which uid 65534 may not be able to read (pyenv's
# under /root): imported before the fork. werkzeug's test client encodes the host by idna; importlib.resources
# reads the cleaner's shipped model through importlib.readers (without it, cleaning falls back to sanitising);
# jinja2 compiles a template's string literals by the unicode_escape codec (the error page)
LAZY_MODULES = ("encodings.idna", "encodings.unicode_escape", "importlib.readers")
NOBODY = 65534  # the unprivileged uid and gid of Debian and most others ("nobody", "nogroup")
TIMEOUT_SECONDS = 60.0  # far over what a test's build of a few articles takes on a loaded machine

T = TypeVar("T")


class ChildFailed(AssertionError):
    """What the function returned or raised in the child could not be sent back as it was (its text is)."""


def _needs_root() -> None:
    if not hasattr(os, "fork") or not hasattr(os, "setuid"):
        pytest.skip("running as another user needs os.fork and os.setuid (POSIX)")
    if os.geteuid() != 0:
        pytest.skip(f"running as another user needs root; the tests run as uid {os.geteuid()}")


def as_user(function: Callable[[], T], uid: int = NOBODY, gid: int = NOBODY, timeout: float = TIMEOUT_SECONDS) -> T:
    """Return what ``function()`` returns when run by a forked child as ``uid``/``gid`` with no other groups.

    Its exception is raised here (the child's traceback added as a note). What it returns must pickle: return
    plain data (names, messages), not the service's objects. The child starts no thread (it is forked from a
    process that may run others, whose locks it holds copies of): ``threading.Thread.start`` raises there.
    A child still running after ``timeout`` seconds is killed, and the test fails.
    Skips, saying why, when this process cannot become another user (not root, or the set-uid fails).
    """
    _needs_root()
    for name in LAZY_MODULES:
        importlib.import_module(name)
    read_end, write_end = os.pipe()
    with warnings.catch_warnings():
        # Python 3.12 warns that forking a process with threads may deadlock the child: the child makes plain
        # calls, none waiting on another thread (xdist's talk to the controller; logging's locks are made anew)
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # the child: never returns into pytest, whatever happens
        code = 1
        try:
            os.close(read_end)
            code = _run_child(function, uid, gid, write_end)
        finally:
            os._exit(code)
    os.close(write_end)
    try:
        data = _read_all(read_end, pid, timeout)
    finally:
        os.close(read_end)
    _, status = os.waitpid(pid, 0)
    if not data:
        pytest.fail(f"the child as uid {uid} sent nothing back (wait status {status})")
    kind, payload, text = pickle.loads(data)
    if kind == "skip":
        pytest.skip(f"cannot become uid {uid}: {text}")
    try:
        value = pickle.loads(payload)
    except Exception:  # noqa: BLE001  (an exception whose __init__ takes other arguments than its args)
        raise ChildFailed(f"{kind} as uid {uid} in a forked child, what does not come back:\n{text}") from None
    if kind == "raised":
        value.add_note(f"raised as uid {uid} in a forked child:\n{text}")
        raise value
    return value  # type: ignore[no-any-return]


def _run_child(function: Callable[[], object], uid: int, gid: int, out: int) -> int:
    """In the child: become ``uid``, run ``function``, write what came of it to ``out``:
    ``(kind, the value or exception pickled, text)`` pickled, ``kind`` one of "skip", "returned" and "raised"."""
    try:
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)
    except OSError as error:
        _send(out, ("skip", b"", f"{type(error).__name__}: {error}"))
        return 0
    if os.geteuid() != uid or os.getegid() != gid:
        _send(out, ("skip", b"", f"still uid {os.geteuid()} gid {os.getegid()} after setuid"))
        return 0

    def refused(self: threading.Thread) -> None:
        raise RuntimeError(f"a thread ({self.name}) started in a forked child: run only plain calls there")

    threading.Thread.start = refused  # type: ignore[method-assign]  # (the child's copy: the parent's is untouched)
    try:
        kind, value, text = "returned", function(), ""
    except BaseException as error:  # noqa: BLE001  (every outcome goes back to the test, which decides)
        kind, value, text = "raised", error, traceback.format_exc()
    try:
        payload = pickle.dumps(value)
    except Exception:  # noqa: BLE001  (pickle raises what the object's own reduction raises)
        payload, text = b"", text or f"returned what does not pickle: {value!r}"
    _send(out, (kind, payload, text))
    return 0


def _send(out: int, message: tuple[str, bytes, str]) -> None:
    data = pickle.dumps(message)
    while data:
        data = data[os.write(out, data) :]
    os.close(out)


def _read_all(handle: int, pid: int, timeout: float) -> bytes:
    """Read the child's pipe to its end; kill the child and fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    chunks = []
    while True:
        left = deadline - time.monotonic()
        ready, _, _ = select.select([handle], [], [], max(left, 0))
        if not ready:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            pytest.fail(f"the child as another user ran over {timeout:.0f} s: killed")
        chunk = os.read(handle, 1 << 16)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


@contextlib.contextmanager
def folder_for(uid: int = NOBODY, gid: int = NOBODY) -> Iterator[Path]:
    """Yield a new empty folder owned by ``uid``/``gid``, in a folder every user can search; removed after."""
    _needs_root()
    parent = Path(tempfile.gettempdir()).resolve()
    blocked = [p for p in (parent, *parent.parents) if not os.stat(p).st_mode & stat.S_IXOTH]
    if blocked:
        pytest.skip(f"{blocked[0]} cannot be searched by other users: set TMPDIR to a folder that can")
    folder = Path(tempfile.mkdtemp(prefix="feedsvc-as-user-", dir=parent))
    try:
        os.chown(folder, uid, gid)
        yield folder
    finally:
        shutil.rmtree(folder)  # as root: whatever modes the test left


def give(path: Path, uid: int = NOBODY, gid: int = NOBODY) -> None:
    """Make ``path`` and all it holds owned by ``uid``/``gid`` (what root wrote for the other user to own)."""
    os.chown(path, uid, gid, follow_symlinks=False)
    if path.is_dir() and not path.is_symlink():
        for root, folders, files in os.walk(path):
            for name in folders + files:
                os.chown(os.path.join(root, name), uid, gid, follow_symlinks=False)


def restrict(path: Path, mode: int) -> None:
    """Make ``path`` root's, with ``mode``: another user may do with it what ``mode`` gives others."""
    os.chown(path, 0, 0, follow_symlinks=False)
    os.chmod(path, mode)
