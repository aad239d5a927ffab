"""build/cache.py: rows come back as stored, or not at all: corrupt, stale or foreign rows are misses."""

from __future__ import annotations

import os
import pickle
import sqlite3
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from feedsvc.build import cache as cache_module
from feedsvc.build.cache import FILE_NAME, BuildCache, checksum
from feedsvc.build.representation import make_resource
from feedsvc.model import ArticleSource, PageMetadata, PictureFile, Prepared, Problem
from support.factories import make_article

WHEN = datetime(2021, 11, 23, 9, 0, tzinfo=ZoneInfo("Asia/Tbilisi"))


def prepared(slug: str = "story") -> Prepared:
    article = make_article(slug, 23)
    source = ArticleSource(slug, Path(f"articles/{slug}.html"), "", PageMetadata(title="T", published=WHEN))
    return Prepared(slug, source.path, source, article, (Problem(source.path, "a caveat", "warning"),), "fp", "dg")


def rows(folder: Path, query: str) -> list[tuple]:
    with sqlite3.connect(folder / FILE_NAME) as db:
        return db.execute(query).fetchall()


def test_articles_and_documents_come_back_equal_with_their_time_zones(tmp_path: Path) -> None:
    resource = make_resource(b"<feed/>" * 100, "application/atom+xml", WHEN, "public, max-age=300")
    with BuildCache(tmp_path) as cache:
        cache.put_articles([("k1", "example.org", "none", prepared())])
        cache.put_documents({"d1": (("/feed.atom", resource),)})
    with BuildCache(tmp_path) as cache:
        found = cache.articles(["k1", "unknown"], {})
        documents = cache.documents(["d1", "unknown"])
    assert found == {"k1": prepared()}
    assert found["k1"].article.published.tzinfo == ZoneInfo("Asia/Tbilisi")
    assert documents == {"d1": (("/feed.atom", resource),)}


def test_a_row_cleaned_with_other_rules_is_stale(tmp_path: Path) -> None:
    with BuildCache(tmp_path) as cache:
        cache.put_articles([("k1", "example.org", "v1", prepared())])
        assert cache.articles(["k1"], {"example.org": "v2"}) == {}  # the site's rules changed since
        assert cache.articles(["k1"], {"example.org": "v1"}) == {}  # and the stale row is gone


def test_a_damaged_row_is_a_miss_and_is_dropped(tmp_path: Path) -> None:
    with BuildCache(tmp_path) as cache:
        cache.put_articles([("k1", "", "none", prepared()), ("k2", "", "none", prepared("other"))])
    with sqlite3.connect(tmp_path / FILE_NAME) as db:
        (value,) = db.execute("SELECT value FROM articles WHERE key = 'k1'").fetchone()
        db.execute("UPDATE articles SET value = ? WHERE key = 'k1'", (value[:-8] + b"\x00" * 8,))
    with BuildCache(tmp_path) as cache:
        assert set(cache.articles(["k1", "k2"], {})) == {"k2"}
        assert cache.corrupt == 1
    assert rows(tmp_path, "SELECT key FROM articles") == [("k2",)]


def test_a_row_naming_any_other_callable_is_never_run(tmp_path: Path) -> None:
    class Evil:
        def __reduce__(self) -> tuple:
            return (os.system, ("touch " + str(tmp_path / "pwned"),))

    blob = pickle.dumps(Evil())
    with BuildCache(tmp_path) as cache:
        cache.put_articles([("k1", "", "none", prepared())])
    with sqlite3.connect(tmp_path / FILE_NAME) as db:  # a checksum that matches: only the types protect
        db.execute("UPDATE articles SET value = ?, checksum = ?", (blob, checksum(blob)))
    with BuildCache(tmp_path) as cache:
        assert cache.articles(["k1"], {}) == {}
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize("damage", [b"not a database at all" * 100, b""])
def test_a_corrupt_database_file_is_started_afresh(tmp_path: Path, damage: bytes) -> None:
    with BuildCache(tmp_path) as cache:
        cache.put_articles([("k1", "", "none", prepared())])
    (tmp_path / FILE_NAME).write_bytes(damage)
    for suffix in ("-wal", "-shm"):
        Path(f"{tmp_path / FILE_NAME}{suffix}").unlink(missing_ok=True)
    with BuildCache(tmp_path) as cache:
        assert cache.available
        assert cache.articles(["k1"], {}) == {}
        cache.put_articles([("k1", "", "none", prepared())])
        assert set(cache.articles(["k1"], {})) == {"k1"}


def test_another_format_is_started_afresh(tmp_path: Path) -> None:
    with BuildCache(tmp_path) as cache:
        cache.put_articles([("k1", "", "none", prepared())])
    with sqlite3.connect(tmp_path / FILE_NAME) as db:
        db.execute("UPDATE meta SET value = 'feedsvc-build-cache 0' WHERE name = 'format'")
    with BuildCache(tmp_path) as cache:
        assert cache.articles(["k1"], {}) == {}


def test_the_folder_says_it_is_a_cache_to_git_and_to_backup_tools(tmp_path: Path) -> None:
    with BuildCache(tmp_path / "cache"):
        pass
    assert (tmp_path / "cache" / ".gitignore").read_text().splitlines()[-1] == "*"
    assert (tmp_path / "cache" / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")


def test_a_cache_that_cannot_be_created_only_misses(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("a file where the folder should be")
    with BuildCache(tmp_path / "file" / "cache") as cache:
        assert not cache.available
        cache.put_articles([("k1", "", "none", prepared())])
        assert cache.articles(["k1"], {}) == {}
        assert cache.file_digests() == {}


def test_no_folder_is_no_cache() -> None:
    with BuildCache(None) as cache:
        cache.put_documents({"d": ()})
        assert cache.documents(["d"]) == {} and not cache.available


def test_keep_only_and_forget_prune_rows(tmp_path: Path) -> None:
    with BuildCache(tmp_path) as cache:
        cache.put_articles([(k, "", "none", prepared()) for k in ("a", "b", "c")])
        cache.put_documents({"x": (), "y": ()})
        cache.keep_only(["a", "b"], ["y"])
        cache.forget(articles=["b"])
        cache.put_file_digests({"one.html": ("1:2:3:4|", "d1"), "two.html": ("5:6:7:8|", "d2")})
        cache.put_file_digests({"two.html": None})
        assert cache.file_digests() == {"one.html": ("1:2:3:4|", "d1")}
        cache.put_file_digests({f"{n}.html": (f"{n}:0:0:0|", f"d{n}") for n in range(1200)})
        assert cache.file_digests(["one.html", "7.html", "missing.html"]) == {
            "one.html": ("1:2:3:4|", "d1"),
            "7.html": ("7:0:0:0|", "d7"),
        }
        assert len(cache.file_digests(f"{n}.html" for n in range(1200))) == 1200  # more names than a query takes
        cache.put_published({"one.html": ("k1", 5.0), "two.html": ("k2", 6.0)})
        assert cache.published(["two.html"]) == {"two.html": ("k2", 6.0)} and cache.published([]) == {}
    assert rows(tmp_path, "SELECT key FROM articles") == [("a",)]
    assert rows(tmp_path, "SELECT key FROM documents") == [("y",)]


def test_checksums_differ_for_different_bytes() -> None:
    assert checksum(b"abc") != checksum(b"abd") and checksum(b"") != checksum(b"\x00")


@pytest.mark.parametrize("path", ["/srv/site/articles/story.html", "articles/story.html", "/", "story.html", "/a/../b"])
def test_a_cached_path_comes_back_equal_of_the_same_type(tmp_path: Path, path: str) -> None:
    item = Prepared("story", Path(path), None)
    with BuildCache(tmp_path) as cache:
        cache.put_articles([("k", "", "none", item)])
    with BuildCache(tmp_path) as cache:
        found = cache.articles(["k"], {})["k"]
    assert found == item
    assert type(found.path) is type(Path(path))
    assert found.path.parts == Path(path).parts


def test_the_bytes_of_a_picture_come_back_by_its_name_and_damaged_are_a_miss(tmp_path: Path) -> None:
    # what a start publishes at the icon's path when its file cannot be read
    with BuildCache(tmp_path) as cache:
        assert cache.picture("media/icon.png") is None
        cache.put_picture("media/icon.png", PictureFile(b"\x89PNG one", 1_700_000_000.0))
        cache.put_picture("media/icon.png", PictureFile(b"\x89PNG two", 1_700_000_001.0))  # read anew: replaced
        cache.put_picture("logo.png", PictureFile(b"\x89PNG logo", 1.0))
    with BuildCache(tmp_path) as cache:
        assert cache.picture("media/icon.png") == PictureFile(b"\x89PNG two", 1_700_000_001.0)
    with sqlite3.connect(tmp_path / FILE_NAME) as db:
        db.execute("UPDATE pictures SET value = ? WHERE name = 'logo.png'", (b"\x89PNG lo\x00o",))
    with BuildCache(tmp_path) as cache:
        assert cache.picture("logo.png") is None and cache.corrupt == 1
    assert rows(tmp_path, "SELECT name FROM pictures") == [("media/icon.png",)]


def test_a_cache_made_before_pictures_were_kept_gains_their_table_and_keeps_its_rows(tmp_path: Path) -> None:
    # a table more, not another format: an upgrade costs no site a cold build
    with BuildCache(tmp_path) as cache:
        cache.put_articles([("k1", "", "none", prepared())])
    with sqlite3.connect(tmp_path / FILE_NAME) as db:
        db.execute("DROP TABLE pictures")
    with BuildCache(tmp_path) as cache:
        assert set(cache.articles(["k1"], {})) == {"k1"}
        cache.put_picture("icon.png", PictureFile(b"\x89PNG", 1.0))
        assert cache.picture("icon.png") == PictureFile(b"\x89PNG", 1.0)


def test_the_other_context_is_the_one_used_last_and_a_full_build_forgets_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = iter([100.0, 200.0, 300.0, 400.0])
    monkeypatch.setattr(cache_module.time, "time", lambda: next(clock))
    with BuildCache(tmp_path) as cache:
        assert cache.other_context("c") is None
        for context in ("a", "b", "c"):
            cache.used_context(context)
        assert cache.other_context("c") == "b" and cache.other_context("b") == "c"
        cache.used_context("a")  # a rollback: a is used again
        assert cache.other_context("c") == "a"
        cache.keep_only([], [], ("c", "a"))
    assert sorted(rows(tmp_path, "SELECT context FROM contexts")) == [("a",), ("c",)]
