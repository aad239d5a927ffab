"""How a snapshot, or the change to the next one, travels from the publisher process to the gunicorn master.

An edge (a socket). :class:`Link` frames messages on a Unix stream socket,
with file descriptors attached (``SCM_RIGHTS``). :func:`dump_snapshot`
pickles what the master needs of a snapshot, a blob as (file, offset,
length) with the files' descriptors sent alongside; :func:`load_snapshot`
rebuilds it, the descriptors becoming read-only blob stores.
:func:`dump_delta` and :func:`load_delta` do the same for a
:class:`~feedsvc.build.delta.Delta` (what changed since the last snapshot sent).
A file already known to this process (by device and inode) is not adopted
twice: its new descriptor is closed and the store it has is used
(:func:`adopt_store`), so the master and the workers forked from it hold
one store per blob file, whatever the number of publishes. A worker forked
before a file existed opens it from the master's descriptor in ``/proc``
(:func:`store_of`).
"""

from __future__ import annotations

import copyreg
import io
import os
import pickle
import socket
import struct
import threading
import weakref
from dataclasses import replace
from typing import Any

from feedsvc.build.blobstore import Blob, BlobStore, Span, StoredValue
from feedsvc.build.delta import Delta
from feedsvc.build.records import PackedCatalog, compact_views, month_index, pack_catalog, unpack_catalog
from feedsvc.build.snapshot import Snapshot

__all__ = [
    "HEADER",
    "MAX_DESCRIPTORS",
    "FileId",
    "Link",
    "adopt_store",
    "dump_delta",
    "dump_snapshot",
    "file_ids",
    "load_delta",
    "load_snapshot",
    "send_delta",
    "send_snapshot",
    "store_of",
]

FileId = tuple[int, int, int]  # device, inode, the descriptor's number in the process that adopted it
# Every blob store this process adopted, by (device, inode): inherited by forked workers
_ADOPTED: weakref.WeakValueDictionary[tuple[int, int], BlobStore] = weakref.WeakValueDictionary()
_ADOPTED_LOCK = threading.Lock()
# The records file of the last whole snapshot dumped, kept open until the next one is (the master has its own
# descriptor of it once sent); a publisher sends a whole snapshot at its start and when the master asks again.
_RECORDS: list[BlobStore] = []

HEADER = struct.Struct("!16sQ")  # kind (ASCII, padded), payload length
MAX_DESCRIPTORS = 64  # blob files one snapshot may span (one, or two across a compaction)


class Link:
    """One end of the socket between the master and the publisher: framed messages, descriptors attached."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self._sending = threading.Lock()  # the watcher thread and the main thread both send

    def send(self, kind: str, payload: bytes = b"", fds: tuple[int, ...] = ()) -> None:
        """Send one message; raise OSError if the other end is gone."""
        header = HEADER.pack(kind.encode("ascii"), len(payload))
        with self._sending:
            socket.send_fds(self.sock, [header], list(fds)) if fds else self.sock.sendall(header)
            self.sock.sendall(payload)

    def receive(self) -> tuple[str, bytearray, list[int]] | None:
        """Return the next (kind, payload, descriptors), or None once the other end has closed."""
        data, fds, _flags, _address = socket.recv_fds(self.sock, HEADER.size, MAX_DESCRIPTORS)
        while data and len(data) < HEADER.size:  # a stream may split the header
            more = self.sock.recv(HEADER.size - len(data))
            if not more:
                break
            data += more
        if len(data) < HEADER.size:
            for fd in fds:
                os.close(fd)
            return None
        kind, length = HEADER.unpack(data)
        payload = bytearray(length)
        view, got = memoryview(payload), 0
        while got < length:
            read = self.sock.recv_into(view[got:], length - got)
            if not read:
                return None
            got += read
        return kind.rstrip(b"\0").decode("ascii"), payload, fds

    def close(self) -> None:
        self.sock.close()


class _Files:
    """The blob files a message names, numbered in the order their descriptors are sent."""

    def __init__(self) -> None:
        self.numbers: dict[int, int] = {}  # id(store) -> position in the descriptor list
        self.fds: list[int] = []

    def position(self, store: BlobStore) -> int:
        number = self.numbers.get(id(store))
        if number is None:
            number = self.numbers[id(store)] = len(self.fds)
            self.fds.append(store.fileno())
        return number


def _dump(value: object, files: _Files | None = None) -> tuple[bytes, tuple[int, ...]]:
    """Pickle ``value``, each blob as (file number, offset, length); return the bytes and the files' descriptors."""
    files = files or _Files()

    def reduce_blob(blob: StoredValue) -> tuple[Any, tuple[int, int, int]]:
        store, offset, length = blob.where()
        return _blob, (files.position(store), offset, length)

    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {**copyreg.dispatch_table, Blob: reduce_blob, Span: reduce_blob}
    pickler.dump(value)
    return buffer.getvalue(), tuple(files.fds)


def _load(data: bytes | bytearray, stores: list[BlobStore]) -> Any:
    class Loader(pickle.Unpickler):
        def find_class(self, module: str, name: str) -> Any:
            if (module, name) == (__name__, "_blob"):
                # read-only here, never moved: the small handle (a large site holds two an article)
                return lambda position, offset, length: Span(stores[position], offset, length)
            return super().find_class(module, name)  # from our own process: trusted as the master's code

    return Loader(io.BytesIO(data)).load()


def dump_snapshot(snapshot: Snapshot) -> tuple[bytes, tuple[int, ...]]:
    """Return what the master needs of ``snapshot``, pickled, and the descriptors its blobs live in.

    Left out: the revisions ledger and the reusable renders, which only the
    next build reads, and the archive months (found again from the order).
    A blob goes as (file number, offset, length); the articles go as records,
    written to an unlinked file of their own passed with the blob files (not
    held in the message), and flat arrays (:func:`feedsvc.build.records.pack_catalog`).
    """
    catalog = replace(snapshot.catalog, revisions={}, digests={})
    files = _Files()
    records = BlobStore()  # the articles' records go to a file of their own, sent with the blob files
    packed = pack_catalog(catalog, files.position, into=records)
    _RECORDS[:] = [records]  # its descriptor must outlive the send (or the caller's dup): open until the next dump
    return _dump((packed, snapshot.feeds, snapshot.page_budget, snapshot.fresh, snapshot.pictures), files)


def dump_delta(change: Delta) -> tuple[bytes, tuple[int, ...]]:
    """Return ``change`` pickled, and the descriptors its blobs live in (as :func:`dump_snapshot`)."""
    return _dump(change)


def _blob(position: int, offset: int, length: int) -> Span:
    raise pickle.UnpicklingError("a blob outside load_snapshot")  # stands in for the loader's own


def adopt_store(fd: int) -> BlobStore:
    """Return the store of a descriptor passed over; a file adopted before keeps its store (``fd`` is closed)."""
    stat = os.fstat(fd)
    key = (stat.st_dev, stat.st_ino)
    with _ADOPTED_LOCK:
        known = _ADOPTED.get(key)
        if known is not None:
            os.close(fd)
            return known
        store = _ADOPTED[key] = BlobStore.adopt(fd)
        return store


def file_ids(stores: list[BlobStore]) -> list[FileId]:
    """Return how another process of this service finds each store's file (see :func:`store_of`)."""
    ids = []
    for store in stores:
        stat = os.fstat(store.fileno())
        ids.append((stat.st_dev, stat.st_ino, store.fileno()))
    return ids


def store_of(file: FileId, owner: int) -> BlobStore:
    """Return this process's store of a file named by :func:`file_ids` in process ``owner`` (its parent).

    Inherited at the fork when it existed then; else opened from the owner's descriptor in /proc.
    :raise OSError: the file can no longer be opened (the owner closed it).
    """
    device, inode, number = file
    with _ADOPTED_LOCK:
        known = _ADOPTED.get((device, inode))
    if known is not None:
        return known
    fd = os.open(f"/proc/{owner}/fd/{number}", os.O_RDONLY | os.O_CLOEXEC)
    stat = os.fstat(fd)
    if (stat.st_dev, stat.st_ino) != (device, inode):
        os.close(fd)
        raise OSError(f"descriptor {number} of process {owner} is no longer the blob file it was")
    return adopt_store(fd)


def load_snapshot(data: bytes | bytearray, fds: list[int]) -> Snapshot:
    """Rebuild a snapshot sent by :func:`dump_snapshot`; the descriptors become read-only blob stores.

    Its catalog is compact: the articles' records written to a file of their
    own (:func:`feedsvc.build.records.unpack_catalog`), read when an article is asked for.
    """
    stores = [adopt_store(fd) for fd in fds]
    packed, feeds, page_budget, fresh, pictures = _load(data, stores)
    if not isinstance(packed, PackedCatalog):
        raise pickle.UnpicklingError(f"expected a packed catalog, got {type(packed).__name__}")
    catalog = unpack_catalog(packed, stores)
    order, _ = compact_views(catalog)
    return Snapshot(catalog, feeds, month_index(order, catalog.site.timezone), None, page_budget, fresh, pictures)


def load_delta(data: bytes | bytearray, stores: list[BlobStore]) -> Delta:
    """Rebuild a delta sent by :func:`dump_delta`, its blobs in ``stores`` (in the order of its descriptors)."""
    change = _load(data, stores)
    if not isinstance(change, Delta):
        raise pickle.UnpicklingError(f"expected a delta, got {type(change).__name__}")
    return change


def send_snapshot(link: Link, snapshot: Snapshot) -> None:
    """Send a snapshot to the master."""
    payload, fds = dump_snapshot(snapshot)
    link.send("snapshot", payload, fds)


def send_delta(link: Link, change: Delta) -> None:
    """Send the change to the next snapshot to the master."""
    payload, fds = dump_delta(change)
    link.send("delta", payload, fds)
