"""Atomic file writes: a reader sees the old file or the new one, never part of either.

An edge (the file system), and a leaf: it imports nothing of feedsvc. The
bytes go to a hidden temporary file in the target's folder (``.<name>.<random>.tmp``:
the content loader skips such names), are flushed and fsynced, and the file
is renamed over the target; the folder is then fsynced, so the rename itself
survives a power cut. A failed write removes its temporary file. The new file
gets the mode of any file the process creates (0666 less the umask), not the
0600 of :func:`tempfile.mkstemp`; ``keep_mode`` keeps the mode of the file it
replaces instead.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

__all__ = ["write_atomic"]

_ATTEMPTS = 100  # of a fresh temporary name; each collides with odds of 2**-48


def write_atomic(path: Path, data: bytes, *, keep_mode: bool = False) -> None:
    """Replace ``path`` with ``data`` in one rename, creating its folder if need be.

    ``keep_mode``: a file already at ``path`` keeps its permission bits (what
    an editor does when it saves over a file a person may have chmod-ed).
    Raises OSError when the folder or the file cannot be written.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = _create_temporary(path)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        if keep_mode:
            with contextlib.suppress(FileNotFoundError):  # nothing to keep: the ordinary mode stays
                os.chmod(temporary, path.stat().st_mode & 0o777)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _fsync_folder(path.parent)


def _create_temporary(path: Path) -> tuple[int, Path]:
    # os.open with 0o666 lets the kernel apply the umask, as for any new file (mkstemp would force 0600).
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)
    for _ in range(_ATTEMPTS):
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
        try:
            return os.open(temporary, flags, 0o666), temporary
        except FileExistsError:
            continue
    raise FileExistsError(f"{path.parent}: no free temporary name for {path.name} after {_ATTEMPTS} attempts")


def _fsync_folder(folder: Path) -> None:
    # Makes the rename durable. Not every platform can open a folder, nor every file system fsync one.
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)
