"""Articles: cleaned articles reach the build cache as they are made, in pool chunks sized to the work, and
their bodies reach the blob store as they are made or read back, so a large site's bodies are never all in memory."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from feedsvc.build import articles as pipeline_articles
from feedsvc.build import files as build_files
from feedsvc.build.articles import chunk_size
from feedsvc.build.blobstore import Blob, BlobStore
from feedsvc.build.builder import Builder
from feedsvc.build.cache import BuildCache
from feedsvc.clean import clean_html
from support.factories import write_article
from support.sites import moved_with_its_cache

T1 = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


class Killed(BaseException):
    """The process dying mid-build (not an error a build handles: nothing after it runs)."""


class DiesAfter:
    """A cleaner that cleans ``count`` pages, then the process "dies"."""

    def __init__(self, count: int) -> None:
        self.left = count

    def __call__(self, html: str, base_url: str | None = None, rules: object = None) -> str:
        if self.left == 0:
            raise Killed
        self.left -= 1
        return clean_html(html, base_url=base_url, rules=rules)  # type: ignore[arg-type]


def test_a_build_that_dies_halfway_leaves_whole_batches_and_the_next_cleans_only_the_rest(
    content_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for day in range(1, 10):
        write_article(content_dir, f"story-{day}", f"2024-05-0{day}T09:00:00")
    monkeypatch.setattr(pipeline_articles, "BATCH", 3)
    cache = content_dir / ".feedsvc" / "cache"
    total = len(list((content_dir / "articles").glob("*.html")))
    with pytest.raises(Killed):
        Builder(content_dir, cache_dir=cache, clean=DiesAfter(7)).build(T1)  # 2 batches of 3 stored, 1 lost
    resumed = Builder(content_dir, cache_dir=cache)
    resumed.build(T1)
    # two whole batches were stored before the process died; the third died with it
    assert (resumed.stats.cached, resumed.stats.cleaned) == (6, total - 6)


@pytest.mark.parametrize(
    ("files", "workers", "expected"),
    [
        (10, 2, 1),  # few files: one a round trip, so both processes get work
        (1_000, 2, 32),  # many: round trips capped, the last chunks still small beside the whole
        (400, 2, 25),  # about eight chunks a process
        (100_000, 8, 32),
    ],
)
def test_pool_chunks_grow_with_the_work_up_to_a_cap(files: int, workers: int, expected: int) -> None:
    assert chunk_size(files, workers) == expected


@pytest.mark.parametrize(("keep", "reads_per_file"), [(64 * 1024 * 1024, 1), (0, 2)])
def test_bytes_read_to_hash_are_cleaned_from_memory_up_to_a_bound_then_read_again(
    content_dir: Path, monkeypatch: pytest.MonkeyPatch, keep: int, reads_per_file: int
) -> None:
    reads: list[str] = []
    real = build_files.read_article

    def spy(path: Path, max_bytes: int | None = None) -> object:
        reads.append(path.name)
        return real(path, max_bytes)

    monkeypatch.setattr(build_files, "read_article", spy)
    monkeypatch.setattr(pipeline_articles, "KEEP_BYTES", keep)
    built = Builder(content_dir).build(T1)
    loaded = {name for name in reads if reads.count(name) == reads_per_file}
    assert loaded and loaded == set(reads)
    assert len(built.catalog.articles) == 3


class SpillCounter:
    """Counts the bodies put in the blob store, and what the count was at each call of a cleaner."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.puts = 0
        self.at_clean: list[int] = []
        real, real_many = BlobStore.put, BlobStore.put_many

        def put(store: BlobStore, data: bytes) -> Blob:
            self.puts += 1
            return real(store, data)

        def put_many(store: BlobStore, values: list[bytes]) -> list[Blob]:
            self.puts += len(values)
            return real_many(store, values)

        monkeypatch.setattr(BlobStore, "put", put)
        monkeypatch.setattr(BlobStore, "put_many", put_many)

    def __call__(self, html: str, base_url: str | None = None, rules: object = None) -> str:
        self.at_clean.append(self.puts)
        return clean_html(html, base_url=base_url, rules=rules)  # type: ignore[arg-type]


def stories(content_dir: Path, count: int) -> None:
    """Leave ``count`` good articles in the folder, and nothing else."""
    for old in (content_dir / "articles").iterdir():
        old.unlink()
    for day in range(1, count + 1):
        write_article(content_dir, f"story-{day}", f"2024-05-{day:02d}T09:00:00")


def test_a_cold_build_moves_bodies_to_disk_a_batch_at_a_time_not_once_all_are_cleaned(
    content_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stories(content_dir, 9)
    monkeypatch.setattr(pipeline_articles, "BATCH", 3)
    monkeypatch.setattr(pipeline_articles, "SUMMARY_IN_MEMORY", 10_000)  # one body an article: count those
    counter = SpillCounter(monkeypatch)
    builder = Builder(content_dir, cache_dir=content_dir / ".feedsvc" / "cache", clean=counter)
    built = builder.build(T1)
    # when the n-th page is cleaned, every whole batch of 3 before it is on disk already
    assert counter.at_clean == [0, 0, 0, 3, 3, 3, 6, 6, 6]
    assert not any(isinstance(article.content, str) for article in built.catalog.articles)


def test_a_warm_start_moves_cached_bodies_to_disk_a_batch_at_a_time_as_it_reads_them(
    content_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stories(content_dir, 8)
    cache = content_dir / ".feedsvc" / "cache"
    Builder(content_dir, cache_dir=cache).build(T1)
    monkeypatch.setattr(pipeline_articles, "SUMMARY_IN_MEMORY", 10_000)  # one body an article: count those
    monkeypatch.setattr(pipeline_articles, "SPILL_BATCH", 3)
    counter = SpillCounter(monkeypatch)
    real = BuildCache.each_article
    spilled_when_read: list[int] = []

    def each_article(self: BuildCache, keys: Iterable[str], rules: Mapping[str, str]) -> Iterator[tuple[str, Any]]:
        for row in real(self, keys, rules):
            spilled_when_read.append(counter.puts)
            yield row

    monkeypatch.setattr(BuildCache, "each_article", each_article)
    warm = Builder(content_dir, cache_dir=cache)
    built = warm.build(T1)
    assert warm.stats.cached == len(built.catalog.articles) == 8
    # each row is read once every whole batch of 3 before it is on disk: never more than a batch in memory
    assert spilled_when_read == [0, 0, 0, 3, 3, 3, 6, 6]
    assert not any(isinstance(article.content, str) for article in built.catalog.articles)  # the last part too


def test_a_publish_reads_the_caches_records_of_the_files_it_looks_at_and_the_builder_keeps_none(
    content_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stories(content_dir, 6)
    cache = content_dir / ".feedsvc" / "cache"
    Builder(content_dir, cache_dir=cache).build(T1)
    asked: list[tuple[str, list[str] | None]] = []
    for table in ("file_digests", "published"):
        real = getattr(BuildCache, table)

        def reading(self: BuildCache, names: Iterable[str] | None = None, real: Any = real, table: str = table) -> Any:
            asked.append((table, None if names is None else sorted(names)))
            return real(self, names)

        monkeypatch.setattr(BuildCache, table, reading)
    warm = Builder(content_dir, cache_dir=cache)
    warm.build(T1)
    assert asked == [("file_digests", None), ("published", None)]  # a start: every file's record, once
    assert warm.stats.cached == 6
    # what the builder keeps between builds: its entries, not the cache's records of every file
    kept = [name for name, value in vars(warm.articles).items() if isinstance(value, dict) and len(value) >= 6]
    assert kept == ["entries"]
    assert len({id(entry.rules) for entry in warm.articles.entries.values()}) == 1  # one (host, version) tuple
    asked.clear()
    write_article(content_dir, "story-7", "2024-05-07T09:00:00")
    (content_dir / "articles" / "story-2.html").unlink()
    (content_dir / "articles" / "story-2.toml").unlink()
    built = warm.build(T1)
    assert sorted(a.slug for a in built.catalog.articles) == [f"story-{n}" for n in (1, 3, 4, 5, 6, 7)]
    assert asked == [
        ("file_digests", ["story-2.html", "story-7.html"]),
        ("published", ["story-2.html", "story-7.html"]),
    ]
    with BuildCache(cache) as records:  # the removed file's records are gone, the new one's are there
        assert "story-2.html" not in records.file_digests() and "story-7.html" in records.published()


# Run in a fresh interpreter: the fork server is one per process, started by whichever pool came first.
POOL_BESIDE_A_THREAD = """
import os, sys, threading
from concurrent.futures import ProcessPoolExecutor
from feedsvc.build.articles import pool_context

stop = threading.Event()
threading.Thread(target=stop.wait, daemon=True).start()  # as a server: the watcher's thread
context = pool_context()
parents = set()
for _ in range(2):  # two builds, two pools
    with ProcessPoolExecutor(1, context) as pool:
        parents.add(pool.submit(os.getppid).result())
stop.set()
[server] = parents
with open(f"/proc/{server}/maps", encoding="utf-8") as maps:
    loaded = any("lxml" in line and "etree" in line for line in maps)
print(context.get_start_method(), len(parents), loaded)
"""


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="reads the fork server's memory map (Linux)")
def test_pools_started_beside_a_thread_fork_from_one_server_that_has_the_cleaner_loaded() -> None:
    done = subprocess.run(
        [sys.executable, "-c", POOL_BESIDE_A_THREAD], capture_output=True, text=True, timeout=120, check=True
    )
    # forked from a server (never from a process with threads), the same one for every pool, and that
    # server holds the cleaner's libraries: no pool process imports them again
    assert done.stdout.split() == ["forkserver", "1", "True"]


def test_files_read_from_the_cache_are_named_as_this_build_was_given_the_folder(
    content_dir: Path, tmp_path: Path
) -> None:
    # `serve --content site` filled the cache; `check --content /abs/site` (another spelling, here a symlink)
    # named the cached files "site/articles/x.html" among its own "/abs/site/articles/y.html"
    (content_dir / "articles" / "undated.html").write_text(
        "<article><p>An undated article with no title, long enough to be the opening of one.</p></article>"
    )
    cache = tmp_path / "cache"
    Builder(content_dir, cache_dir=cache).build(T1)
    alias = tmp_path / "alias"
    alias.symlink_to(content_dir)
    again = Builder(alias, cache_dir=cache)
    snapshot = again.build(T1)
    assert again.stats.cached >= 3
    articles = alias / "articles"
    assert {a.source_path.parent for a in snapshot.catalog.articles} == {articles}
    undated = [p for p in snapshot.catalog.problems if p.path.name == "undated.html"]
    assert undated and all(p.path.parent == articles for p in undated)


def test_a_folder_moved_with_its_build_cache_has_an_article_deleted_from_it_removed_by_the_next_build(
    content_dir: Path, tmp_path: Path
) -> None:
    # The content folder copied elsewhere with its .feedsvc cache (a restore, a move to /srv): the cached
    # articles named the old folder's files, and the next build brought up to date (update_catalog, which
    # matches a file by its path) found nothing of a deleted file to take out: it stayed served until a restart
    moved = moved_with_its_cache(content_dir, tmp_path / "moved", T1)
    builder = Builder(moved, cache_dir=moved / ".feedsvc" / "cache")
    assert "article-oldest-with-time-element" in builder.build(T1).catalog.by_slug
    assert builder.stats.cached >= 3
    (moved / "articles" / "article-oldest-with-time-element.html").unlink()
    assert "article-oldest-with-time-element" not in builder.build(T1).catalog.by_slug
    # (a deletion alone: with an edit in the same build, the edit's slug sent it to the whole assembly)
    edited = moved / "articles" / "article-with-jsonld-tags-and-author.html"
    edited.write_text(edited.read_text(encoding="utf-8").replace("</p>", " Edited after the move.</p>", 1))
    snapshot = builder.build(T1)
    (article,) = [a for a in snapshot.catalog.articles if a.slug == "article-with-jsonld-tags-and-author"]
    assert "Edited after the move." in str(article.content_html)
    assert {a.source_path.parent for a in snapshot.catalog.articles} == {moved / "articles"}
