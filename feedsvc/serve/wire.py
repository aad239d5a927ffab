"""How a snapshot travels from the publisher process to the gunicorn master.

An edge (a socket). :class:`Link` frames messages on a Unix stream socket,
with file descriptors attached (``SCM_RIGHTS``). :func:`dump_snapshot`
pickles what the master needs of a snapshot, a blob as (file, offset,
length) with the files' descriptors sent alongside; :func:`load_snapshot`
rebuilds it, the descriptors becoming read-only blob stores.
"""

from __future__ import annotations

import copyreg
import io
import os
import pickle
import socket
import struct
import threading
from dataclasses import replace
from typing import Any

from feedsvc.build.blobstore import Blob, BlobStore
from feedsvc.build.snapshot import Snapshot

__all__ = ["HEADER", "MAX_DESCRIPTORS", "Link", "dump_snapshot", "load_snapshot", "send_snapshot"]

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


def dump_snapshot(snapshot: Snapshot) -> tuple[bytes, tuple[int, ...]]:
    """Return what the master needs of ``snapshot``, pickled, and the descriptors its blobs live in.

    Left out: the revisions ledger and the reusable renders, which only the
    next build reads. A blob goes as (file number, offset, length).
    """
    files: dict[int, int] = {}  # id(store) -> position in the descriptor list
    stores: list[int] = []

    def reduce_blob(blob: Blob) -> tuple[Any, tuple[int, int, int]]:
        store, offset = blob._where
        position = files.get(id(store))
        if position is None:
            position = files[id(store)] = len(stores)
            stores.append(store.fileno())
        return _blob, (position, offset, blob.length)

    catalog = replace(snapshot.catalog, revisions={}, digests={})
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {**copyreg.dispatch_table, Blob: reduce_blob}
    pickler.dump((catalog, snapshot.feeds, snapshot.archives, snapshot.page_budget, snapshot.fresh))
    return buffer.getvalue(), tuple(stores)


def _blob(position: int, offset: int, length: int) -> Blob:
    raise pickle.UnpicklingError("a blob outside load_snapshot")  # stands in for the loader's own


def load_snapshot(data: bytes | bytearray, fds: list[int]) -> Snapshot:
    """Rebuild a snapshot sent by :func:`dump_snapshot`; the descriptors become read-only blob stores."""
    stores = [BlobStore.adopt(fd) for fd in fds]

    class Loader(pickle.Unpickler):
        def find_class(self, module: str, name: str) -> Any:
            if (module, name) == (__name__, "_blob"):
                return lambda position, offset, length: Blob(stores[position], offset, length)
            return super().find_class(module, name)  # from our own process: trusted as the master's code

    catalog, feeds, archives, page_budget, fresh = Loader(io.BytesIO(data)).load()
    return Snapshot(catalog, feeds, archives, None, page_budget, fresh)


def send_snapshot(link: Link, snapshot: Snapshot) -> None:
    """Send a snapshot to the master."""
    payload, fds = dump_snapshot(snapshot)
    link.send("snapshot", payload, fds)
