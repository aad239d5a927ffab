"""A cold build killed halfway resumes from the build cache: the next build cleans only what is left."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from feedsvc.build.builder import Builder
from support.paths import REPO

ARTICLES = 400  # fragments: enough that cleaning them takes a few batches of the build cache's writes
WAIT_SECONDS = 300.0  # for the cache to show progress (a busy machine); the build takes far less when idle


def cached_articles(database: Path) -> int:
    """Count the cleaned articles the cache holds (0 while it does not exist yet)."""
    if not database.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5.0) as db:
            return int(db.execute("SELECT count(*) FROM articles").fetchone()[0])
    except sqlite3.OperationalError:  # the table is being created
        return 0


def test_a_cold_build_killed_halfway_leaves_its_cleaned_articles_and_the_next_cleans_only_the_rest(
    tmp_path: Path,
) -> None:
    content = tmp_path / "site"
    subprocess.run(
        [sys.executable, str(REPO / "bench" / "make_corpus.py"), str(ARTICLES), str(content), "--kind", "fragments"],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    database = content / ".feedsvc" / "cache" / "build.sqlite3"
    env = {**os.environ, "FEEDSVC_BUILD_WORKERS": "2", "PYTHONPATH": str(REPO)}
    build = subprocess.Popen(
        [sys.executable, "-m", "feedsvc.cli.main", "build", "--content", str(content), str(tmp_path / "out")],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        while cached_articles(database) == 0 and build.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        os.killpg(build.pid, signal.SIGKILL)  # the build and its pool, as a crash or an OOM kill would
        build.wait(timeout=30)
    assert build.returncode == -signal.SIGKILL, "the build ended before it could be killed"
    done = cached_articles(database)
    assert 0 < done < ARTICLES, f"{done} of {ARTICLES} articles cached when the build was killed"

    resumed = Builder(content, cache_dir=database.parent, workers=2)
    snapshot = resumed.build(datetime(2026, 1, 15, 12, tzinfo=UTC))

    assert resumed.stats.cached == done
    assert resumed.stats.cleaned == ARTICLES - done
    assert len(snapshot.catalog.articles) == ARTICLES


@pytest.mark.parametrize("kind", ["pages", "fragments"])
def test_the_articles_cached_before_a_kill_are_those_a_finished_build_makes(tmp_path: Path, kind: str) -> None:
    """What a resumed build takes from the cache serves the same bytes as a build that was never cut short."""
    content = tmp_path / "site"
    subprocess.run(
        [sys.executable, str(REPO / "bench" / "make_corpus.py"), "24", str(content), "--kind", kind],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    now = datetime(2026, 1, 15, 12, tzinfo=UTC)
    whole = Builder(content, cache_dir=tmp_path / "whole", workers=2).build(now)
    cache = tmp_path / "cut"
    first = Builder(content, cache_dir=cache, workers=2)
    first.build(now)
    with sqlite3.connect(cache / "build.sqlite3") as db:  # as if killed after half the batches
        keys = [key for (key,) in db.execute("SELECT key FROM articles ORDER BY key")]
        db.executemany("DELETE FROM articles WHERE key = ?", [(k,) for k in keys[::2]])
        db.execute("DELETE FROM files")
    resumed = Builder(content, cache_dir=cache, workers=2)
    snapshot = resumed.build(now)
    assert (resumed.stats.cached, resumed.stats.cleaned) == (len(keys) - len(keys[::2]), len(keys[::2]))
    assert [a.content_html for a in snapshot.catalog.articles] == [a.content_html for a in whole.catalog.articles]
