"""build/snapshot.py: the revisions ledger in the content folder, what a snapshot serves, and rendered documents
streamed to the build cache and to disk as they are made or read back."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from feedsvc.build import snapshot as snapshot_module
from feedsvc.build.blobstore import Blob, BlobStore
from feedsvc.build.builder import Builder, load_catalog, load_snapshot
from feedsvc.build.cache import BuildCache
from feedsvc.build.snapshot import Rendered
from support.factories import write_article

T1 = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
T2 = T1 + timedelta(days=1)
SLUG = "article-with-jsonld-tags-and-author"


def ledger_of(content_dir: Path) -> dict:
    return json.loads((content_dir / ".feedsvc" / "revisions.json").read_text(encoding="utf-8"))


def updated_of(content_dir: Path, now: datetime, slug: str = SLUG) -> datetime:
    return load_snapshot(content_dir, now=now).catalog.by_slug[slug].updated


def test_fresh_checkout_dates_every_article_by_its_own_dates_and_writes_the_ledger(content_dir: Path) -> None:
    snapshot = load_snapshot(content_dir, now=T1)
    by_slug = snapshot.catalog.by_slug
    assert by_slug[SLUG].updated == datetime(2024, 3, 6, 10, 0, tzinfo=UTC)  # the page's dateModified
    assert by_slug["article-oldest-with-time-element"].updated == by_slug["article-oldest-with-time-element"].published
    ledger = ledger_of(content_dir)
    assert ledger["version"] == 1 and set(ledger["articles"]) == set(by_slug)
    assert not list((content_dir / ".feedsvc").glob("*.tmp"))  # written by rename, nothing left over


def test_resaving_a_file_unchanged_keeps_updated_and_the_etag(content_dir: Path) -> None:
    first = load_snapshot(content_dir, now=T1)
    path = content_dir / "articles" / "article-oldest-with-time-element.html"
    path.write_bytes(path.read_bytes())  # a new mtime, the same bytes
    again = load_snapshot(content_dir, now=T2)
    assert again.feeds["/feed.atom"].etag == first.feeds["/feed.atom"].etag
    assert again.catalog.by_slug["article-oldest-with-time-element"].updated == (
        first.catalog.by_slug["article-oldest-with-time-element"].updated
    )


def test_an_edit_without_a_page_date_is_dated_when_first_seen(content_dir: Path) -> None:
    write_article(content_dir, "story", "2024-05-01T09:00:00")
    assert updated_of(content_dir, T1, "story") == datetime(2024, 5, 1, 8, 0, tzinfo=UTC)  # BST
    write_article(content_dir, "story", "2024-05-01T09:00:00", text="The corrected story, now with the right figures.")
    assert updated_of(content_dir, T2, "story") == T2
    # a later restart with the same content keeps that date
    assert updated_of(content_dir, T2 + timedelta(days=5), "story") == T2


def test_read_mode_never_writes_and_ignore_mode_acts_as_a_fresh_checkout(content_dir: Path) -> None:
    load_catalog(content_dir, now=T1, ledger="read")
    assert not (content_dir / ".feedsvc").exists()
    write_article(content_dir, "story", "2024-05-01T09:00:00")
    load_snapshot(content_dir, now=T1)
    write_article(content_dir, "story", "2024-05-01T09:00:00", text="Edited text of the story, different now.")
    assert load_catalog(content_dir, now=T2, ledger="read").by_slug["story"].updated == T2
    assert load_catalog(content_dir, now=T2, ledger="ignore").by_slug["story"].updated < T2
    assert ledger_of(content_dir)["articles"]["story"]["since"] != T2.isoformat()


def test_a_broken_ledger_is_reported_set_aside_and_started_afresh(content_dir: Path) -> None:
    state = content_dir / ".feedsvc" / "revisions.json"
    state.parent.mkdir()
    state.write_text("{ not json", encoding="utf-8")
    catalog = load_snapshot(content_dir, now=T1).catalog
    (problem,) = [p for p in catalog.problems if p.path == state]
    assert problem.severity == "warning"
    assert "not valid JSON" in problem.message and "set aside as revisions.json.corrupt-" in problem.message
    [aside] = state.parent.glob("revisions.json.corrupt-*")
    assert aside.read_text(encoding="utf-8") == "{ not json"  # nothing lost
    assert state.read_text(encoding="utf-8").startswith("{")  # a fresh ledger
    assert len(catalog.articles) == 3  # the site is still served


def test_an_unwritable_ledger_is_a_problem_not_a_failure(content_dir: Path) -> None:
    (content_dir / ".feedsvc").write_text("a file where the folder should be", encoding="utf-8")
    catalog = load_snapshot(content_dir, now=T1).catalog
    assert any("cannot be" in p.message for p in catalog.problems if p.path.name in ("revisions.json", ".feedsvc"))
    assert len(catalog.articles) == 3


def test_snapshot_serves_precomputed_feeds_and_no_empty_months(content_dir: Path) -> None:
    snapshot = load_snapshot(content_dir, now=T1)
    assert "/archive/2024-03.atom" in snapshot.feeds
    assert snapshot.feed("/archive/2024-03.atom") is snapshot.feeds["/archive/2024-03.atom"]
    assert "/archive/2024-04.atom" not in snapshot.feeds  # the current month, without articles
    paths = ("/archive/2024-04.atom", "/archive/2024-07.atom", "/archive/2023-11.atom", "/archive/2024-4.atom")
    for path in (*paths, "/archive/x.atom"):
        assert snapshot.feed(path) is None, path


def test_topics_are_the_absolute_urls_of_subscription_feeds(content_dir: Path) -> None:
    topics = load_snapshot(content_dir, now=T1).topics()
    assert "https://news.example.org/feed.atom" in topics
    assert "https://news.example.org/tags/transport/feed.json" in topics
    assert not any("/archive/" in url for url in topics)


@pytest.mark.parametrize("path", ["/feed.atom", "/tags/transport/feed.rss", "/archive/2024-03.atom"])
def test_feeds_carry_cache_control_from_site_toml(content_dir: Path, path: str) -> None:
    site_toml = content_dir / "site.toml"
    site_toml.write_text(
        site_toml.read_text() + "feed_max_age = 60\nfeed_stale_while_revalidate = 0\n", encoding="utf-8"
    )
    assert load_snapshot(content_dir, now=T1).feeds[path].cache_control == "public, max-age=60"


def test_subscription_feeds_advertise_the_hub_in_link_headers(content_dir: Path) -> None:
    site_toml = content_dir / "site.toml"
    site_toml.write_text(site_toml.read_text() + 'websub_hub = "https://hub.example.net/"\n', encoding="utf-8")
    feeds = load_snapshot(content_dir, now=T1).feeds
    assert dict(feeds["/feed.json"].headers)["Link"] == (
        '<https://hub.example.net/>; rel="hub", <https://news.example.org/feed.json>; rel="self"'
    )
    assert "Link" not in dict(feeds["/archive/2024-03.atom"].headers)


def _on_disk(documents: Rendered) -> int:
    """How many bodies a family puts in the blob store: every coding of every document but the site's feeds."""
    return sum(len(r.variants) for path, r in documents if not path.startswith(snapshot_module.HOT_FEED_PREFIX))


@pytest.mark.parametrize(("stream_bytes", "one_call_each"), [(1, True), (snapshot_module.STREAM_BYTES, False)])
def test_a_cold_build_stores_rendered_families_as_it_renders_them(
    content_dir: Path, monkeypatch: pytest.MonkeyPatch, stream_bytes: int, one_call_each: bool
) -> None:
    monkeypatch.setattr(snapshot_module, "STREAM_BYTES", stream_bytes)
    calls: list[int] = []
    real = BuildCache.put_documents

    def put_documents(self: BuildCache, rows: Mapping[str, object]) -> None:
        calls.append(len(rows))
        real(self, rows)

    monkeypatch.setattr(BuildCache, "put_documents", put_documents)
    built = Builder(content_dir, cache_dir=content_dir / ".feedsvc" / "cache").build(T1)
    assert sum(calls) == built.fresh > 3
    # past the byte bound, each family goes to the cache (and to disk) as soon as it is rendered
    assert calls == ([1] * built.fresh if one_call_each else [built.fresh])


def test_a_warm_start_moves_each_cached_family_to_disk_before_reading_the_next(
    content_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = content_dir / ".feedsvc" / "cache"
    Builder(content_dir, cache_dir=cache).build(T1)
    puts = 0
    real_put = BlobStore.put

    def put(store: BlobStore, data: bytes) -> Blob:
        nonlocal puts
        puts += 1
        return real_put(store, data)

    real = BuildCache.each_document
    expected: list[int] = []  # the bodies on disk when each family is read: those of the families before it
    seen: list[int] = []

    def each_document(self: BuildCache, keys: Iterable[str]) -> Iterator[tuple[str, Any]]:
        for key, documents in real(self, keys):
            seen.append(puts)
            expected.append(expected[-1] + _on_disk(last[0]) if expected else puts)
            last[:] = [documents]
            yield key, documents

    last: list[Rendered] = []
    monkeypatch.setattr(BlobStore, "put", put)
    monkeypatch.setattr(BuildCache, "each_document", each_document)
    warm = Builder(content_dir, cache_dir=cache).build(T1)
    assert warm.fresh == 0 and len(seen) == len(warm.rendered) > 3
    assert seen == expected


def test_the_first_article_of_a_month_relinks_the_newest_archive_without_rendering_its_entries(
    content_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = content_dir / ".feedsvc" / "cache"
    builder = Builder(content_dir, cache_dir=cache)
    before = builder.build(T1)
    newest = before.archives.newest
    assert newest is not None and newest < "2024-05"
    rendered: list[str] = []  # the months whose entries are rendered
    real = snapshot_module.render_archive

    def render_archive(catalog: Any, archives: Any, month: str) -> Any:
        rendered.append(month)
        return real(catalog, archives, month)

    monkeypatch.setattr(snapshot_module, "render_archive", render_archive)
    write_article(content_dir, "first-of-may", "2024-05-02T09:00:00")
    after = builder.build(T1)
    path = f"/archive/{newest}.atom"
    assert b'rel="next-archive"' in after.feeds[path].body and b'rel="next-archive"' not in before.feeds[path].body
    assert rendered == ["2024-05"]  # the new month only: the month before kept its entries' bytes
    assert after.relinked == 1
    # as a build from nothing makes it, in every coding it offers
    whole = Builder(content_dir, ledger="read").build(T1).feeds[path]
    relinked = after.feeds[path]
    assert relinked.body == whole.body and relinked.etag == whole.etag
    assert relinked.variants.keys() == whole.variants.keys() == {"identity", "gzip"}
    assert relinked.variants["gzip"].body == whole.variants["gzip"].body  # the same bytes and ETag on every instance
    assert gzip.decompress(relinked.variants["gzip"].body) == whole.body
