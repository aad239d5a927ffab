"""build/blobstore.py: bytes on disk behind handles, readable after a fork, compacted without the holders noticing."""

from __future__ import annotations

import gc
import os
import pickle
import sys
from pathlib import Path

import pytest

from feedsvc.build import blobstore
from feedsvc.build.blobstore import BlobStore, Span


def test_what_is_put_reads_back_the_same(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    values = [b"", b"x", bytes(range(256)) * 5000, "Tbilisi — თბილისი".encode()]
    blobs = [store.put(value) for value in values]
    assert [blob.read() for blob in blobs] == values
    assert [len(blob) for blob in blobs] == [len(value) for value in values]
    assert store.size == sum(len(value) for value in values)
    assert blobs[3].text() == "Tbilisi — თბილისი"


def test_the_file_is_unlinked_at_once_and_closed_with_the_store(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    store.put(b"kept on disk")
    assert list(tmp_path.iterdir()) == []  # nothing to clean up after a crash
    fd = store.fileno()
    before = os.fstat(fd)
    assert before.st_size == len(b"kept on disk")
    del store
    gc.collect()
    # Closed: the number names no file, or (another thread of the test process opened one since
    # and was given the freed number) a different file.
    try:
        after = os.fstat(fd)
    except OSError:
        return
    assert (after.st_dev, after.st_ino) != (before.st_dev, before.st_ino)


def test_a_forked_process_reads_what_was_stored_before_it_forked(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    blob = store.put(b"shared with the workers" * 1000)
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(reader)
        os.write(writer, b"ok" if blob.read() == b"shared with the workers" * 1000 else b"no")
        os._exit(0)
    os.close(writer)
    answer = os.read(reader, 2)
    os.close(reader)
    os.waitpid(pid, 0)
    assert answer == b"ok"


def test_an_adopted_descriptor_reads_the_same_file(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    blob = store.put(b"passed over a socket")
    adopted = BlobStore.adopt(os.dup(store.fileno()))
    assert adopted.size == store.size
    assert adopted.read(0, blob.length) == b"passed over a socket"


def test_compaction_keeps_live_values_and_moves_their_handles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(blobstore, "SLACK_BYTES", 0)
    store = BlobStore(tmp_path)
    kept = [store.put(f"kept {n}".encode() * 100) for n in range(3)]
    dropped = [store.put(b"dead" * 1000) for _ in range(10)]
    del dropped
    gc.collect()
    assert store.live_bytes() == sum(len(blob) for blob in kept)
    fresh = store.compacted()
    assert fresh is not store
    assert fresh.size == sum(len(blob) for blob in kept)
    assert [blob.read() for blob in kept] == [f"kept {n}".encode() * 100 for n in range(3)]
    assert fresh.compacted() is fresh  # nothing dead any more


def test_a_store_with_little_garbage_is_kept(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    kept = store.put(b"a" * 1000)
    store.put(b"b" * 10)  # dead at once, but a few bytes: not worth a new file
    assert store.compacted() is store
    assert kept.read() == b"a" * 1000


def test_handles_compare_by_what_they_hold_and_refuse_pickling(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    one, same, other = store.put(b"same"), store.put(b"same"), store.put(b"else")
    assert one == same and hash(one) == hash(same)
    assert one != other
    with pytest.raises(TypeError, match="pickle the bytes"):
        pickle.dumps(one)


def test_storing_reads_nothing_back_and_equal_values_each_count_and_move(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = BlobStore(tmp_path)
    reads: list[int] = []
    read = BlobStore.read

    def counted(self: BlobStore, offset: int, length: int) -> bytes:
        reads.append(length)
        return read(self, offset, length)

    monkeypatch.setattr(BlobStore, "read", counted)
    twins = [store.put(b"the same body") for _ in range(3)]
    assert reads == []  # a put costs a write, not a read back
    assert store.live_bytes() == 3 * len(b"the same body")
    monkeypatch.setattr(blobstore, "SLACK_BYTES", 0)
    store.put(b"dead weight " * 10)  # freed at once: the store is mostly garbage now
    fresh = store.compacted()
    assert fresh is not store
    assert [blob.read() for blob in twins] == [b"the same body"] * 3
    assert fresh.live_bytes() == 3 * len(b"the same body")


def test_a_span_reads_what_its_blob_does_and_compares_equal_to_it(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    values = [b"", b"x", "Tbilisi — თბილისი".encode(), bytes(range(256)) * 5000]
    blobs = [store.put(value) for value in values]
    spans = [Span(*blob.where()) for blob in blobs]
    assert [span.read() for span in spans] == values
    assert [len(span) for span in spans] == [len(value) for value in values]
    assert [span.where() for span in spans] == [blob.where() for blob in blobs]
    assert spans[2].text() == "Tbilisi — თბილისი"
    assert spans == blobs and [hash(span) for span in spans] == [hash(blob) for blob in blobs]
    assert spans[1] != spans[2]
    with pytest.raises(TypeError, match="pickle the bytes"):
        pickle.dumps(spans[1])


def test_a_span_keeps_offsets_and_lengths_past_four_gigabytes_apart(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    far = Span(store, 5 << 32, (1 << 40) - 1)  # packed in one int: neither may spill into the other
    assert far.where() == (store, 5 << 32, (1 << 40) - 1)
    with pytest.raises(ValueError, match="no span of"):
        Span(store, 0, 1 << 40)
    with pytest.raises(ValueError, match="no span of"):
        Span(store, -1, 1)


def test_a_span_takes_half_the_memory_of_a_blob(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    # a large site's offsets: past a gigabyte of bodies and documents
    blob, span = store.put(b"x" * 300), Span(store, 3 << 30, 300)
    blob._move(store, 3 << 30, 300)

    def held(handle: object) -> int:
        parts = [handle, *(getattr(handle, name) for name in type(handle).__slots__ if name != "__weakref__")]
        parts += [part for value in parts if isinstance(value, tuple) for part in value]
        return sum(sys.getsizeof(part) for part in parts if not isinstance(part, BlobStore))

    assert 2 * held(span) <= held(blob)


def test_compaction_counts_the_live_values_only_when_enough_was_written_or_let_go_since(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    kept = [store.put(b"kept" * 100) for _ in range(80)]
    assert store.compacted() is store  # counted once: little garbage
    walks: list[int] = []
    values = store._blobs.values

    def counted() -> object:
        walks.append(1)
        return values()

    store._blobs.values = counted  # type: ignore[method-assign]
    for _ in range(5):  # publishes that wrote a few bytes: no walk over every handle
        store.put(b"small edit")
        assert store.compacted() is store
    assert walks == []
    del kept[:20]  # a quarter of the values let go: worth counting again
    gc.collect()
    assert store.compacted() is store
    assert walks == [1]


def test_put_many_stores_each_value_in_one_write_and_reads_each_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = BlobStore(tmp_path)
    before = store.put(b"before")
    writes: list[int] = []
    real = os.pwrite

    def pwrite(fd: int, data: bytes | memoryview, offset: int) -> int:
        writes.append(len(data))
        return real(fd, data, offset)

    monkeypatch.setattr(blobstore.os, "pwrite", pwrite)
    values = [b"first body", b"", "თბილისი".encode(), b"x" * 70_000]
    blobs = store.put_many(values)
    assert writes == [sum(len(value) for value in values)]  # one system call for the lot
    assert [blob.read() for blob in blobs] == values
    assert store.put_many([]) == []
    assert store.live_bytes() == len(before) + sum(len(value) for value in values)  # every handle known


def test_handles_from_put_many_follow_a_compaction(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(blobstore, "SLACK_BYTES", 0)
    store = BlobStore(tmp_path)
    dead = store.put(b"d" * 1000)
    kept = store.put_many([b"one", b"two"])
    del dead
    gc.collect()
    fresh = store.compacted()
    assert fresh is not store
    assert [blob.read() for blob in kept] == [b"one", b"two"]
    assert fresh.size == len(b"onetwo")
