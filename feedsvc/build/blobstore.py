"""Bytes kept on disk instead of in the heap: what a snapshot holds but rarely sends.

An edge (a file). A :class:`BlobStore` is an append-only temporary file,
unlinked as soon as it is made, so nothing is left behind by a crash; the
process that writes it and every process forked from it (gunicorn's
workers) read it back with ``pread``, which needs no shared file offset
and no lock. The bytes live in the kernel's page cache, shared by every
worker and given back under memory pressure, instead of in each worker's
heap (where a forked copy is counted, and soon copied, in every worker).

A :class:`Blob` is a handle on one stored value. The store knows every
handle still alive (weakly); :meth:`BlobStore.compacted` moves them all to
a new file when dead bytes outweigh live ones, re-pointing each handle in
place, so whatever holds one never has to change. A :class:`Span` is the
handle a process that only reads a store holds (the gunicorn master and its
workers, on a snapshot sent over): never moved, so one small object, half a
Blob's bytes; a large site holds two per article and three per feed
document kept on disk.
"""

from __future__ import annotations

import abc
import os
import tempfile
import threading
import weakref
from pathlib import Path

__all__ = ["GARBAGE_RATIO", "SLACK_BYTES", "Blob", "BlobStore", "Span", "StoredValue"]

# Compact when the file is this many times the bytes still referenced, and at least SLACK over them.
GARBAGE_RATIO = 2.0
SLACK_BYTES = 64 * 1024 * 1024
_LENGTH_BITS = 40  # a Span packs its offset and length in one int: lengths below 1 TiB


class BlobStore:
    """An append-only, unlinked file of byte strings, readable from this process and its forks."""

    def __init__(self, folder: Path | None = None, *, fd: int | None = None) -> None:
        if fd is None:
            if folder is not None:
                folder.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix="feedsvc-blobs-", dir=folder)
            os.unlink(name)  # unlinked at once: the file lives while a descriptor does; a crash leaves nothing
        self._fd = fd
        weakref.finalize(self, os.close, fd)
        self._size = os.fstat(fd).st_size
        self._lock = threading.Lock()  # appends only; reads need none
        # live handles by identity: a WeakSet would hash each one, and a Blob hashes (reads) its bytes
        self._blobs: weakref.WeakValueDictionary[int, Blob] = weakref.WeakValueDictionary()
        # the file's size when compacted() last counted the live handles, and the most there were since
        self._checked = (0, 0)
        self.folder = folder

    @classmethod
    def adopt(cls, fd: int) -> BlobStore:
        """Return the store of a descriptor another process passed over (it is closed with the store)."""
        return cls(fd=fd)

    def fileno(self) -> int:
        """The descriptor of the file (to pass to another process)."""
        return self._fd

    @property
    def size(self) -> int:
        """Bytes written to the file so far, live or dead."""
        return self._size

    def put(self, data: bytes) -> Blob:
        """Store ``data``; return its handle."""
        blob = Blob(self, *self._append(data))
        self._blobs[id(blob)] = blob
        return blob

    def put_many(self, values: list[bytes]) -> list[Blob]:
        """Store each of ``values`` in one write; return their handles, in order (a warm start stores
        two values an article: one system call for each was a tenth of it)."""
        offset, _ = self._append(b"".join(values))
        handles = []
        for data in values:
            blob = Blob(self, offset, len(data))
            self._blobs[id(blob)] = blob
            handles.append(blob)
            offset += len(data)
        return handles

    def write(self, data: bytes) -> int:
        """Append ``data`` with no handle on it (a file its writer reads by offsets it records); return its offset.

        Never moved by :meth:`compacted`, which keeps only what handles refer to: for a file of its own.
        """
        return self._append(data)[0]

    def live_bytes(self) -> int:
        """Bytes of the values whose handles are still alive."""
        return sum(blob.length for blob in list(self._blobs.values()))

    def compacted(self) -> BlobStore:
        """Return this store, or a new one holding only live values when dead bytes outweigh them.

        Every live handle is re-pointed at the new file; this store's file
        closes once nothing refers to it (a forked worker keeps its own
        descriptor, so what it serves is unaffected).
        """
        count = len(self._blobs)
        if self._size - self._checked[0] < SLACK_BYTES // 8 and count >= self._checked[1] - self._checked[1] // 8:
            # too little written or let go since the last look to have made it worth a new file: that look
            # walks every handle (two an article), and a publish must not cost what the site holds
            self._checked = (self._checked[0], max(self._checked[1], count))  # let go of: counted from the most
            return self
        live = list(self._blobs.values())
        used = sum(blob.length for blob in live)
        self._checked = (self._size, len(live))
        if self._size <= max(GARBAGE_RATIO * used, used + SLACK_BYTES):
            return self
        fresh = BlobStore(self.folder)
        for blob in live:
            blob._move(fresh, *fresh._append(blob.read()))
            fresh._blobs[id(blob)] = blob
        return fresh

    def read(self, offset: int, length: int) -> bytes:
        """Return ``length`` bytes from ``offset``."""
        data = os.pread(self._fd, length, offset)
        while len(data) < length:  # pread may return less than asked (signals, large reads)
            more = os.pread(self._fd, length - len(data), offset + len(data))
            if not more:
                raise OSError(f"blob store truncated: {length} bytes wanted at {offset}, {len(data)} read")
            data += more
        return data

    def _append(self, data: bytes) -> tuple[int, int]:
        with self._lock:
            offset = self._size
            view = memoryview(data)
            while view:
                written = os.pwrite(self._fd, view, offset + len(data) - len(view))
                view = view[written:]
            self._size += len(data)
        return offset, len(data)


class StoredValue(abc.ABC):
    """What every handle on stored bytes answers: its bytes, their text, their length, equality by bytes."""

    __slots__ = ()

    @abc.abstractmethod
    def where(self) -> tuple[BlobStore, int, int]:
        """Return the store, offset and length of the bytes."""

    def read(self) -> bytes:
        """Return the stored bytes."""
        store, offset, length = self.where()
        return store.read(offset, length)

    def text(self) -> str:
        """Return the stored bytes as the UTF-8 text they are."""
        return self.read().decode("utf-8")

    def __len__(self) -> int:
        return self.where()[2]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, StoredValue):
            return NotImplemented
        return self is other or (len(self) == len(other) and self.read() == other.read())

    def __hash__(self) -> int:
        return hash(self.read())

    def __reduce__(self) -> tuple[object, ...]:
        # a handle means nothing in another process: whoever pickles must store the bytes instead
        raise TypeError(f"a {type(self).__name__} is a handle on this process's file; pickle the bytes it holds")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {len(self)} bytes>"


class Blob(StoredValue):
    """A handle on bytes in a :class:`BlobStore` this process writes (it may be moved by a compaction)."""

    __slots__ = ("__weakref__", "_where", "length")

    def __init__(self, store: BlobStore, offset: int, length: int) -> None:
        self._where = (store, offset)  # one attribute: a compaction swaps it in one assignment
        self.length = length

    def where(self) -> tuple[BlobStore, int, int]:
        store, offset = self._where
        return store, offset, self.length

    def read(self) -> bytes:
        """Return the stored bytes."""
        store, offset = self._where
        return store.read(offset, self.length)

    def _move(self, store: BlobStore, offset: int, length: int) -> None:
        self._where = (store, offset)

    def __len__(self) -> int:
        return self.length


class Span(StoredValue):
    """A handle on bytes of a store this process only reads: never moved, so no tuple, no weak reference.

    Offset and length are one int: 84 bytes a handle where a :class:`Blob` takes
    172 (the object, its tuple, two ints; ``sys.getsizeof``, offsets past a gigabyte).
    """

    __slots__ = ("_at", "_store")

    def __init__(self, store: BlobStore, offset: int, length: int) -> None:
        if not 0 <= length < 1 << _LENGTH_BITS or offset < 0:
            raise ValueError(f"no span of {length} bytes at {offset}")
        self._store = store
        self._at = offset << _LENGTH_BITS | length

    def where(self) -> tuple[BlobStore, int, int]:
        at = self._at
        return self._store, at >> _LENGTH_BITS, at & ((1 << _LENGTH_BITS) - 1)
