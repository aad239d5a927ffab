"""Upgrading feedsvc on a live site: the next version's `check` warms its start, the old server keeps its rows for a
rollback, and a new cleaner's reading of an unchanged article is no edit (its ``updated`` and id stay).

"The new version" is the same code with ``CLEANER_VERSION`` changed (what keys a cached article) and, where its
output matters, a stand-in cleaner that reads each article differently, as a new cleaner would.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from feedsvc.app import create_app
from feedsvc.build import articles as articles_module
from feedsvc.build import files
from feedsvc.build.builder import Builder
from feedsvc.build.snapshot import Snapshot
from feedsvc.clean import clean_html
from support.factories import stopped_at_the_end, write_article
from support.sites import blank_site

T1 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
T2 = T1 + timedelta(days=30)
T3 = T2 + timedelta(days=30)
SLUGS = ("harbour", "bridge", "ferry")
OLD, NEW, NEXT = "old", "new", "next"


def _story(slug: str) -> str:
    return f"The story of the {slug}, in a paragraph long enough to open an article and be its summary."


def _new_cleaner(html: str, **options: Any) -> str:
    """A cleaner that reads every article differently from the one before: a line more, with a word of its own."""
    return clean_html(html, **options) + "<p>Kept by the new cleaner.</p>"


@pytest.fixture
def content(tmp_path: Path) -> Path:
    folder = blank_site(tmp_path / "content")
    for day, slug in enumerate(SLUGS, start=1):
        # no modification date of their own: `updated` is when feedsvc first saw them as they are
        write_article(folder, slug, f"2025-02-0{day}T10:00:00+00:00", text=_story(slug), tags=("Port",))
    return folder


@pytest.fixture
def version(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], Any]:
    """Switch "the installed version": CLEANER_VERSION is what keys the cleaned articles in the build cache."""

    def switch(name: str) -> Any:
        monkeypatch.setattr(files, "CLEANER_VERSION", name)
        return _new_cleaner if name != OLD else None

    return switch


@contextmanager
def running(content: Path, version: Callable[[str], Any], name: str) -> Iterator[Builder]:
    """A build of ``name``'s version with the site's build cache (a server's start, a `feedsvc build`)."""
    cleaner = version(name)
    yield Builder(content, cache_dir=content / ".feedsvc" / "cache", clean=cleaner)


def start(content: Path, version: Callable[[str], Any], name: str, now: datetime = T1) -> tuple[Builder, Snapshot]:
    """Start a server of version ``name``: a full build. Return the builder (its stats say what it cleaned)."""
    with running(content, version, name) as builder:
        return builder, builder.build(now)


def check(content: Path, version: Callable[[str], Any], name: str) -> int:
    """Run version ``name``'s `feedsvc check` (a catalog, the ledger only read); return how many it cleaned."""
    with running(content, version, name) as builder:
        builder.build_catalog(T1)
        return builder.stats.cleaned


def cached_rows(content: Path) -> int:
    with sqlite3.connect(content / ".feedsvc" / "cache" / "build.sqlite3") as db:
        return int(db.execute("SELECT count(*) FROM articles").fetchone()[0])


def test_the_next_versions_check_makes_its_start_warm_even_after_the_old_server_restarts(
    content: Path, version: Callable[[str], Any]
) -> None:
    assert start(content, version, OLD)[0].stats.cleaned == 3  # the site before the upgrade
    assert check(content, version, NEW) == 3  # step 2: the new version cleans the site ahead of its start
    # the old server restarts (a crash, an edit of site.toml…) while the upgrade waits: its full build keeps the
    # new version's rows, not only its own
    assert start(content, version, OLD)[0].stats.cleaned == 0
    assert cached_rows(content) == 6
    # step 3: the new version's start cleans nothing, and a rollback to the old one cleans nothing either
    assert start(content, version, NEW)[0].stats.cleaned == 0
    assert start(content, version, OLD)[0].stats.cleaned == 0


def test_a_full_build_keeps_one_other_version_so_the_cache_stays_bounded(
    content: Path, version: Callable[[str], Any]
) -> None:
    for name in (OLD, NEW, NEXT):  # two upgrades: the oldest version's rows go
        start(content, version, name)
    assert cached_rows(content) == 6
    # the version used last but this one starts warm, the one before it cold
    assert [start(content, version, name)[0].stats.cleaned for name in (NEW, OLD)] == [0, 3]


def test_the_other_versions_rows_of_an_edited_file_go_at_the_next_full_build(
    content: Path, version: Callable[[str], Any]
) -> None:
    start(content, version, OLD)
    check(content, version, NEW)
    write_article(content, "ferry", "2025-02-03T10:00:00+00:00", text="The ferry's story, rewritten from the start.")
    assert start(content, version, OLD)[0].stats.cleaned == 1
    assert cached_rows(content) == 5  # the new version's row of the ferry as it was is of no file any more
    assert start(content, version, NEW)[0].stats.cleaned == 1


def _entry(snapshot: Snapshot, slug: str) -> dict[str, Any]:
    feed = json.loads(snapshot.feeds["/feed.json"].body)
    (item,) = [item for item in feed["items"] if item["url"].endswith(f"/articles/{slug}")]
    return dict(item)


def _atom_updated(snapshot: Snapshot, slug: str) -> str:
    atom = snapshot.feeds["/feed.atom"].body.decode()
    entry = atom[atom.index(f"/articles/{slug}") :]
    return entry[entry.index("<updated>") : entry.index("</updated>")]


def test_a_new_cleaners_reading_of_an_unchanged_article_keeps_its_updated_and_id(
    content: Path, version: Callable[[str], Any]
) -> None:
    _, before = start(content, version, OLD, T1)
    _, after = start(content, version, NEW, T2)
    old, new = _entry(before, "ferry"), _entry(after, "ferry")
    assert "Kept by the new cleaner." in new["content_html"] and "Kept by" not in old["content_html"]
    assert new["date_modified"] == old["date_modified"] and new["id"] == old["id"]
    assert _atom_updated(after, "ferry") == _atom_updated(before, "ferry")
    # what readers get did change: a conditional GET must fetch it again
    assert after.feeds["/feed.atom"].etag != before.feeds["/feed.atom"].etag


def test_a_real_edit_after_an_upgrade_still_moves_updated(content: Path, version: Callable[[str], Any]) -> None:
    start(content, version, OLD, T1)
    start(content, version, NEW, T2)
    write_article(content, "ferry", "2025-02-03T10:00:00+00:00", text="The ferry's story, corrected: two crossings.")
    _, edited = start(content, version, NEW, T3)
    assert _entry(edited, "ferry")["date_modified"] == T3.isoformat()
    assert _entry(edited, "bridge")["date_modified"] != T3.isoformat()


def test_an_edit_made_with_the_upgrade_in_one_step_is_an_edit(content: Path, version: Callable[[str], Any]) -> None:
    _, before = start(content, version, OLD, T1)
    write_article(content, "ferry", "2025-02-03T10:00:00+00:00", text="The ferry's story, corrected: two crossings.")
    _, after = start(content, version, NEW, T2)
    assert _entry(after, "ferry")["date_modified"] == T2.isoformat()  # the file changed: readers get an update
    assert _entry(after, "bridge")["date_modified"] == _entry(before, "bridge")["date_modified"]


def _written_before_sources(content: Path) -> None:
    """Make the ledger one written before session 44: no entry has the hash of its file's bytes."""
    ledger = content / ".feedsvc" / "revisions.json"
    data = json.loads(ledger.read_text(encoding="utf-8"))
    assert not (content / ".feedsvc" / "revisions.journal").exists()  # all of it is in the whole file
    for entry in data["articles"].values():
        entry.pop("source")
    ledger.write_text(json.dumps(data), encoding="utf-8")


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files written just now count as settled: the build cache records their bytes (it waits a second otherwise)."""
    monkeypatch.setattr(articles_module, "RACY_SECONDS", 0.0)


@pytest.mark.usefixtures("settled")
def test_the_upgrade_that_brings_the_hash_keeps_updated_where_the_cache_recorded_the_same_bytes(
    content: Path, version: Callable[[str], Any]
) -> None:
    _, before = start(content, version, OLD, T1)
    _written_before_sources(content)
    _, after = start(content, version, NEW, T2)
    assert _entry(after, "ferry")["date_modified"] == _entry(before, "ferry")["date_modified"]
    ledger = json.loads((content / ".feedsvc" / "revisions.json").read_text(encoding="utf-8"))
    journal = (content / ".feedsvc" / "revisions.journal").read_text(encoding="utf-8")
    assert "source" in journal or all("source" in entry for entry in ledger["articles"].values())


@pytest.mark.usefixtures("settled")
def test_without_the_caches_record_a_ledger_from_before_the_hash_counts_a_new_reading_as_an_edit(
    content: Path, version: Callable[[str], Any]
) -> None:
    start(content, version, OLD, T1)
    _written_before_sources(content)
    shutil.rmtree(content / ".feedsvc" / "cache")  # nothing vouches that the ledger's fingerprint is of these bytes
    _, after = start(content, version, NEW, T2)
    assert _entry(after, "ferry")["date_modified"] == T2.isoformat()


def test_over_http_an_upgrade_gives_a_new_etag_and_keeps_last_modified(
    content: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = {"TESTING": True, "CONTENT_DIR": str(content)}
    with stopped_at_the_end(create_app({**settings, "CLOCK": lambda: T1})) as app:
        first = app.test_client().get("/feed.atom")
    monkeypatch.setattr(files, "CLEANER_VERSION", NEW)
    monkeypatch.setattr(files, "clean_html", _new_cleaner)  # the new version's cleaner, in the app's own build
    with stopped_at_the_end(create_app({**settings, "CLOCK": lambda: T2})) as app:
        client = app.test_client()
        assert b"Kept by the new cleaner." in client.get("/feed.atom").data
        # a reader that sends the ETag it has (all the common ones do) gets the new bytes
        assert client.get("/feed.atom", headers={"If-None-Match": first.headers["ETag"]}).status_code == 200
        # no entry's `updated` moved, so neither did the feed's Last-Modified: a reader that sends only the
        # date keeps what it has until the next edit (docs/http.md, as for an article deleted)
        assert client.get("/feed.atom").headers["Last-Modified"] == first.headers["Last-Modified"]
        assert (
            client.get("/feed.atom", headers={"If-Modified-Since": first.headers["Last-Modified"]}).status_code == 304
        )
