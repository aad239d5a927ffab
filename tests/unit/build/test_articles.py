"""Articles: cleaned articles reach the build cache as they are made, in pool chunks sized to the work."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from feedsvc.build import articles as pipeline_articles
from feedsvc.build import files as build_files
from feedsvc.build.articles import chunk_size
from feedsvc.build.builder import Builder
from feedsvc.clean import clean_html
from support.factories import write_article

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
