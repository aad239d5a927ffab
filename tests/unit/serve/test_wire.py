"""serve/wire.py: framed messages with descriptors, and a snapshot that survives the trip."""

from __future__ import annotations

import os
import socket
import threading
from datetime import UTC, datetime
from pathlib import Path

from feedsvc.build.blobstore import BlobStore, Span
from feedsvc.build.builder import Builder
from feedsvc.build.snapshot import Snapshot
from feedsvc.serve.wire import HEADER, Link, dump_snapshot, load_snapshot

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


def bodies(snapshot: Snapshot) -> dict[str, bytes]:
    return {path: resource.body for path, resource in snapshot.feeds.items()}


def test_messages_arrive_whole_with_their_descriptors(tmp_path: Path) -> None:
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    sender, receiver = Link(ours), Link(theirs)
    store = BlobStore(tmp_path)
    blob = store.put(b"held in a file the other end has never opened")
    big = os.urandom(3 * 1024 * 1024)  # more than a socket buffer: sent while the other end reads
    thread = threading.Thread(target=lambda: (sender.send("first", big, (store.fileno(),)), sender.send("second")))
    thread.start()
    kind, payload, fds = receiver.receive()  # type: ignore[misc]
    assert (kind, bytes(payload), len(fds)) == ("first", big, 1)
    assert BlobStore.adopt(fds[0]).read(0, blob.length) == blob.read()
    kind, payload, fds = receiver.receive()  # type: ignore[misc]
    assert (kind, bytes(payload), fds) == ("second", b"", [])
    thread.join()
    sender.close()
    assert receiver.receive() is None  # the other end closed
    receiver.close()


def test_a_header_split_across_reads_is_put_back_together() -> None:
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    header = HEADER.pack(b"split", 3)
    ours.sendall(header[:5])
    thread = threading.Thread(target=lambda: ours.sendall(header[5:] + b"abc"))
    thread.start()
    message = Link(theirs).receive()
    thread.join()
    assert message is not None and (message[0], bytes(message[1])) == ("split", b"abc")
    ours.close()
    theirs.close()


def test_a_snapshot_sent_over_serves_the_same_bytes(content_dir: Path, tmp_path: Path) -> None:
    snapshot = Builder(content_dir, cache_dir=tmp_path / "cache").build(NOW)
    data, fds = dump_snapshot(snapshot)
    sent = load_snapshot(data, [os.dup(fd) for fd in fds])
    assert bodies(sent) == bodies(snapshot)
    assert [a.content_html for a in sent.catalog.articles] == [a.content_html for a in snapshot.catalog.articles]
    assert [a.entry_id for a in sent.catalog.articles] == [a.entry_id for a in snapshot.catalog.articles]
    assert sent.catalog.problems == snapshot.catalog.problems
    assert sent.catalog.revisions == {}  # the ledger is the publisher's business
    assert sent.topics() == snapshot.topics()


def test_a_snapshot_sent_over_holds_small_handles_and_can_be_sent_on(content_dir: Path, tmp_path: Path) -> None:
    snapshot = Builder(content_dir, cache_dir=tmp_path / "cache").build(NOW)
    data, fds = dump_snapshot(snapshot)
    sent = load_snapshot(data, [os.dup(fd) for fd in fds])
    held = [a.content for a in sent.catalog.articles] + [a.summary for a in sent.catalog.articles]
    handles = [value for value in held if not isinstance(value, str)]  # a short summary stays in the heap
    assert handles and all(isinstance(handle, Span) for handle in handles)  # read-only here: never moved
    again, more = dump_snapshot(sent)
    resent = load_snapshot(again, [os.dup(fd) for fd in more])
    assert bodies(resent) == bodies(snapshot)
    assert [a.content_html for a in resent.catalog.articles] == [a.content_html for a in snapshot.catalog.articles]
    assert [a.summary_text for a in resent.catalog.articles] == [a.summary_text for a in snapshot.catalog.articles]
