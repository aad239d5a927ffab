"""The deltas a gunicorn master has taken in, for its workers to apply without being forked again.

An edge (a file and a shared page). The master makes one :class:`Journal`
before it forks any worker: an unlinked, append-only file, and a shared
anonymous page holding the journal's generation and the length of what is
written. Each delta the master applies is appended as one entry (its
pickled bytes, and where its blob files are: see
:func:`feedsvc.serve.wire.file_ids`), then the length is moved on, so a reader
never sees half an entry. A worker reads the length at the start of each
request (a read of shared memory) and applies the entries it has not
(:meth:`Journal.read`). A full snapshot (the first, or a publisher started
again) is taken in by re-forking the workers instead: the master starts a
new generation, emptying the file, and a worker of an older generation
applies nothing more (it is being replaced). So does a journal grown past
:data:`LIMIT`.
"""

from __future__ import annotations

import json
import mmap
import os
import struct
import tempfile
import threading
import zlib
from pathlib import Path

from feedsvc.serve.wire import FileId

__all__ = ["ENTRY", "HEAD", "LIMIT", "Journal"]

HEAD = struct.Struct("=QQ")  # generation, bytes written (one 16-byte write, aligned: never read torn below)
ENTRY = struct.Struct("=QQI")  # length of the files' JSON, length of the payload, CRC-32 of both
# Bytes past which the master starts a new generation and re-forks its workers (each delta carries the
# site's own feeds, held in memory: a few hundred KB to a few MB), so the file stays bounded.
LIMIT = 64 * 1024 * 1024


class Journal:
    """An append-only file of deltas, shared with the processes forked after it is made."""

    def __init__(self, folder: Path | None = None) -> None:
        fd, name = tempfile.mkstemp(prefix="feedsvc-journal-", dir=folder)
        os.unlink(name)  # a crash leaves nothing behind
        self._fd = fd
        self._shared = mmap.mmap(-1, mmap.PAGESIZE)  # MAP_SHARED|MAP_ANONYMOUS: seen by every fork
        self._lock = threading.Lock()
        self.owner = os.getpid()  # the master: the process whose descriptors the entries name

    def head(self) -> tuple[int, int]:
        """Return (generation, bytes written)."""
        generation, end = HEAD.unpack_from(self._shared, 0)
        return int(generation), int(end)

    def append(self, payload: bytes | bytearray, files: list[FileId]) -> int:
        """Append one entry (the master); return the bytes written after it."""
        names = json.dumps(files).encode()
        with self._lock:
            generation, end = self.head()
            header = ENTRY.pack(len(names), len(payload), zlib.crc32(payload, zlib.crc32(names)))
            data = header + names + bytes(payload)
            written = 0
            while written < len(data):
                written += os.pwrite(self._fd, data[written:], end + written)
            HEAD.pack_into(self._shared, 0, generation, end + len(data))  # published: readers may read it now
            return end + len(data)

    def restart(self) -> int:
        """Start a new generation, empty (the master, when it re-forks its workers); return its number."""
        with self._lock:
            generation, _end = self.head()
            HEAD.pack_into(self._shared, 0, generation + 1, 0)
            os.ftruncate(self._fd, 0)
            return generation + 1

    def read(self, start: int, end: int) -> list[tuple[bytes, list[FileId]]]:
        """Return the entries between ``start`` and ``end`` (a worker): payload and blob files of each.

        :raise ValueError: an entry does not read back as written (the file was emptied under the reader).
        """
        data = _pread(self._fd, end - start, start)
        entries: list[tuple[bytes, list[FileId]]] = []
        at = 0
        while at < len(data):
            names_length, payload_length, crc = ENTRY.unpack_from(data, at)
            at += ENTRY.size
            names, payload = data[at : at + names_length], data[at + names_length : at + names_length + payload_length]
            at += names_length + payload_length
            if len(payload) != payload_length or zlib.crc32(payload, zlib.crc32(names)) != crc:
                raise ValueError("a journal entry does not read back as written: load the whole snapshot")
            entries.append((payload, [(int(d), int(i), int(n)) for d, i, n in json.loads(names)]))
        return entries

    def close(self) -> None:
        os.close(self._fd)
        self._shared.close()


def _pread(fd: int, length: int, offset: int) -> bytes:
    data = b""
    while len(data) < length:
        more = os.pread(fd, length - len(data), offset + len(data))
        if not more:
            break
        data += more
    return data
