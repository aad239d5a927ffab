"""build/builder.py: cold, warm and incremental builds; only what changed is read, cleaned and rendered."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from feedsvc.build import articles as pipeline_articles
from feedsvc.build import files as build_files
from feedsvc.build.builder import Builder, UnreadableContent
from feedsvc.build.snapshot import Snapshot
from feedsvc.clean import clean_html
from feedsvc.content import listing
from feedsvc.content.listing import refreshed, scan
from support.factories import write_article

T1 = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
T2 = T1 + timedelta(days=1)
HOST_PAGE = """<html><head><link rel="canonical" href="https://origin.example.com/{slug}/"></head>
<body><article><h1>{slug}</h1><p>The story of {slug}, long enough to be an article's opening paragraph.</p>
<p class="promo">A line about tomorrow's weather that the site marks as its own promo.</p></article></body></html>"""


class Counting:
    """A cleaner that counts which pages it was asked to clean."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, html: str, base_url: str | None = None, rules: object = None) -> str:
        self.calls.append(base_url or "")
        return clean_html(html, base_url=base_url, rules=rules)  # type: ignore[arg-type]


def builder(content_dir: Path, cache: Path | None = None, **options: object) -> Builder:
    return Builder(content_dir, cache_dir=cache, **options)  # type: ignore[arg-type]


def bodies(snapshot: Snapshot) -> dict[str, bytes]:
    return {path: resource.body for path, resource in snapshot.feeds.items()}


def test_a_warm_start_cleans_nothing_and_serves_the_same_bytes(content_dir: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cold = builder(content_dir, cache)
    first = cold.build(T1)
    assert (cold.stats.read, cold.stats.cleaned) == (4, 4)
    warm = builder(content_dir, cache)
    again = warm.build(T1)
    assert (warm.stats.cleaned, warm.stats.rendered) == (0, 0)
    assert warm.stats.cached == 4
    assert bodies(again) == bodies(first)
    assert again.catalog.problems == first.catalog.problems


def test_an_unchanged_folder_is_not_read_again(
    content_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline_articles, "RACY_SECONDS", 0.0)  # the fixture's files are seconds old, not minutes
    builder(content_dir, tmp_path / "cache").build(T1)
    restart = builder(content_dir, tmp_path / "cache")
    restart.build(T1)
    assert (restart.stats.read, restart.stats.cleaned, restart.stats.cached) == (0, 0, 4)  # the broken file too


def test_one_edit_re_cleans_one_article_and_dates_only_that_one(content_dir: Path) -> None:
    write_article(content_dir, "story", "2024-05-01T09:00:00")
    cleaner = Counting()
    live = builder(content_dir, clean=cleaner)
    first = live.build(T1)
    assert len(cleaner.calls) == 4
    cleaner.calls.clear()
    write_article(content_dir, "story", "2024-05-01T09:00:00", text="The corrected story, with the right figures now.")
    second = live.build(T2)
    assert cleaner.calls == ["https://news.example.org/articles/story"]
    assert (live.stats.read, live.stats.cleaned) == (1, 1)
    assert second.catalog.by_slug["story"].updated == T2
    for slug, article in first.catalog.by_slug.items():
        if slug != "story":
            assert second.catalog.by_slug[slug] is article  # unchanged: the very same object
    assert live.build(T2 + timedelta(hours=1)) and cleaner.calls == ["https://news.example.org/articles/story"]


def test_added_changed_and_removed_files_show_up_in_the_next_snapshot(content_dir: Path) -> None:
    live = builder(content_dir)
    live.build(T1)
    added = write_article(content_dir, "new-story", "2024-05-02T10:00:00", tags=("Transport",))
    assert b"new-story" in live.build(T1).feeds["/feed.atom"].body
    added.unlink()
    added.with_suffix(".toml").unlink()
    (content_dir / "articles" / "article-with-sidecar-overrides.html").unlink()
    snapshot = live.build(T1)
    assert set(snapshot.catalog.by_slug) == {"article-with-jsonld-tags-and-author", "article-oldest-with-time-element"}
    assert b"new-story" not in snapshot.feeds["/feed.atom"].body
    assert any("orphan sidecar" in p.message for p in snapshot.catalog.problems)


def test_a_sidecar_edit_is_an_edit_of_its_article(content_dir: Path) -> None:
    live = builder(content_dir)
    live.build(T1)
    sidecar = content_dir / "articles" / "article-with-sidecar-overrides.toml"
    sidecar.write_text(sidecar.read_text().replace("Library extends", "Library widely extends"), encoding="utf-8")
    snapshot = live.build(T2)
    title = snapshot.catalog.by_slug["article-with-sidecar-overrides"].title
    assert title == "Library widely extends its opening hours"
    assert live.stats.cleaned == 1


def test_only_the_feeds_an_edit_shows_in_are_rendered_again(content_dir: Path) -> None:
    live = builder(content_dir)
    first = live.build(T1)
    write_article(content_dir, "culture-story", "2024-01-05T10:00:00", tags=("Culture",))
    second = live.build(T1)
    assert 0 < live.stats.rendered < len(first.rendered)
    assert second.feeds["/tags/transport/feed.atom"] is first.feeds["/tags/transport/feed.atom"]
    assert second.feeds["/tags/culture/feed.atom"] is not first.feeds["/tags/culture/feed.atom"]


def test_resaving_a_file_unchanged_reads_it_but_cleans_nothing(content_dir: Path, tmp_path: Path) -> None:
    builder(content_dir, tmp_path / "cache").build(T1)
    path = content_dir / "articles" / "article-oldest-with-time-element.html"
    path.write_bytes(path.read_bytes())  # new mtime and ctime, the same bytes
    restart = builder(content_dir, tmp_path / "cache")
    restart.build(T1)
    assert restart.stats.cleaned == 0


class StoppedClock:
    """The clocks the settling of files reads (feedsvc.content.listing), stopped: they move only when told.

    A build right after a write sees the write as just made however long the machine took to get
    there (on a busy one, longer than any settle time a test can afford to wait).
    """

    def __init__(self) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop the clocks at the real time now: right after a write, it is as fresh as it can be."""
        self.wall, self.mono = time.time(), time.monotonic()

    def advance(self, seconds: float) -> None:
        self.wall += seconds
        self.mono += seconds

    def time(self) -> float:
        return self.wall

    def monotonic(self) -> float:
        return self.mono


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> StoppedClock:
    stopped = StoppedClock()
    monkeypatch.setattr(listing, "time", stopped)
    return stopped


def test_a_file_still_being_written_waits_until_it_is_still(content_dir: Path, clock: StoppedClock) -> None:
    live = builder(content_dir, settle=0.15)
    live.build(T1)
    path = write_article(content_dir, "growing", "2024-05-03T10:00:00")
    clock.stop()
    snapshot = live.build(T1)
    assert "growing" not in snapshot.catalog.by_slug and live.stats.waiting == 1
    with path.open("a", encoding="utf-8") as file:  # still growing: not published, not even half
        file.write("<p>More of the story arrives.</p>")
    clock.stop()
    assert "growing" not in live.build(T1).catalog.by_slug
    clock.advance(0.2)
    assert "growing" in live.build(T1).catalog.by_slug


def test_an_edit_being_written_keeps_the_published_version_meanwhile(content_dir: Path, clock: StoppedClock) -> None:
    path = write_article(content_dir, "story", "2024-05-01T09:00:00", text="The first version of the story, told once.")
    live = builder(content_dir, settle=0.15)
    live.build(T1)
    path.write_text(path.read_text().replace("first version", "second vers"), encoding="utf-8")  # half written
    clock.stop()
    assert "first version" in live.build(T1).catalog.by_slug["story"].content_html
    clock.advance(0.2)
    assert "second vers" in live.build(T1).catalog.by_slug["story"].content_html


def test_the_first_build_reads_files_as_they_are(content_dir: Path) -> None:
    write_article(content_dir, "just-written", "2024-05-03T10:00:00")
    assert "just-written" in builder(content_dir, settle=30.0).build(T1).catalog.by_slug


def test_a_rules_change_re_cleans_only_that_hosts_articles(content_dir: Path) -> None:
    for slug in ("promo-one", "promo-two"):
        write_article(content_dir, slug, "2024-05-01T09:00:00")
        (content_dir / "articles" / f"{slug}.html").write_text(HOST_PAGE.format(slug=slug), encoding="utf-8")
    cleaner = Counting()
    live = builder(content_dir, clean=cleaner)
    assert "weather" in live.build(T1).catalog.by_slug["promo-one"].content_html
    cleaner.calls.clear()
    (content_dir / "rules").mkdir()
    (content_dir / "rules" / "origin.example.com.toml").write_text('strip = [".promo"]\n', encoding="utf-8")
    snapshot = live.build(T1)
    assert sorted(cleaner.calls) == ["https://origin.example.com/promo-one/", "https://origin.example.com/promo-two/"]
    assert "weather" not in snapshot.catalog.by_slug["promo-one"].content_html


def test_settings_only_feeds_use_re_clean_nothing(content_dir: Path) -> None:
    cleaner = Counting()
    live = builder(content_dir, clean=cleaner)
    live.build(T1)
    cleaner.calls.clear()
    site_toml = content_dir / "site.toml"
    site_toml.write_text(site_toml.read_text().replace("Example Gazette", "Example Herald"), encoding="utf-8")
    assert b"Example Herald" in live.build(T1).feeds["/feed.atom"].body
    assert cleaner.calls == []
    site_toml.write_text(site_toml.read_text().replace("summary_words = 20", "summary_words = 25"), encoding="utf-8")
    live.build(T1)
    assert len(cleaner.calls) == 3  # an article setting: every publishable article again


def test_new_loader_code_misses_the_cache(content_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    builder(content_dir, tmp_path / "cache").build(T1)
    monkeypatch.setattr(pipeline_articles, "loader_version", lambda: "a-new-version")
    restart = builder(content_dir, tmp_path / "cache")
    restart.build(T1)
    assert restart.stats.cached == 0 and restart.stats.cleaned == 4


def test_many_files_are_cleaned_in_a_process_pool_with_the_same_result(
    content_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for day in range(1, 6):
        write_article(content_dir, f"story-{day}", f"2024-05-0{day}T09:00:00", tags=("Transport",))
    alone = builder(content_dir).build(T1)
    monkeypatch.setattr(pipeline_articles, "PARALLEL_FROM", 2)
    seen: list[int] = []
    pooled = builder(content_dir, workers=2, progress=progress_to(seen)).build(T1)
    assert bodies(pooled) == bodies(alone)
    assert seen and seen[0] == 9  # the bar got every file once


def progress_to(seen: list[int]) -> Callable[[int, str], Callable[[int], None]]:
    def start(total: int, what: str) -> Callable[[int], None]:
        if what == "cleaning":
            seen.append(total)
        return lambda count: None

    return start


def test_an_article_over_the_sites_size_cap_is_never_read_whole(
    content_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site_toml = content_dir / "site.toml"
    site_toml.write_text(site_toml.read_text() + "max_article_bytes = 2048\n", encoding="utf-8")
    write_article(content_dir, "huge", "2024-05-02T10:00:00", text="A long paragraph of the story. " * 2000)
    reads: list[int | None] = []
    real = build_files.read_article

    def spy(path: Path, max_bytes: int | None = None) -> object:
        reads.append(max_bytes)
        return real(path, max_bytes)

    monkeypatch.setattr(build_files, "read_article", spy)
    catalog = builder(content_dir).build(T1).catalog
    assert reads and set(reads) == {2048}  # the site's cap, not the largest a site may set
    assert "huge" not in catalog.by_slug
    assert any(p.path.name == "huge.html" and "2,048-byte limit" in p.message for p in catalog.problems)


def test_article_bodies_and_all_feeds_but_the_sites_are_kept_on_disk(content_dir: Path, tmp_path: Path) -> None:
    write_article(content_dir, "tagged", "2024-05-30T09:00:00Z", tags=("Energy",))
    on_disk = builder(content_dir, tmp_path / "cache").build(T1)
    in_memory = builder(content_dir, tmp_path / "other-cache", spill=False).build(T1)
    assert bodies(on_disk) == bodies(in_memory)
    assert [a.content_html for a in on_disk.catalog.articles] == [a.content_html for a in in_memory.catalog.articles]
    assert not any(isinstance(a.content, str) for a in on_disk.catalog.articles)
    assert all(isinstance(a.content, str) for a in in_memory.catalog.articles)
    # summaries too (the article's opening: text), but for short ones, which cost less than their handle
    assert [a.summary_text for a in on_disk.catalog.articles] == [a.summary for a in in_memory.catalog.articles]
    long = [a for a in on_disk.catalog.articles if len(a.summary_text) > pipeline_articles.SUMMARY_IN_MEMORY]
    assert long and not any(isinstance(a.summary, str) for a in long)
    assert all(isinstance(a.summary, str) for a in on_disk.catalog.articles if a not in long)
    held = {path for path, r in on_disk.feeds.items() if all(v.held for v in r.variants.values())}
    assert held == {"/feed.atom", "/feed.rss", "/feed.json"}  # what most readers poll stays in memory
    assert "/tags/energy/feed.atom" in on_disk.feeds
    assert on_disk.held_bytes() < in_memory.held_bytes()
    assert on_disk.stored_bytes() > 0 and in_memory.stored_bytes() == 0


def test_edits_do_not_grow_the_blob_file_without_bound(
    content_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from feedsvc.build import blobstore

    monkeypatch.setattr(blobstore, "SLACK_BYTES", 0)  # compact as soon as dead bytes outweigh live ones
    writer = builder(content_dir, tmp_path / "cache")
    writer.build(T1)
    first = writer.articles.blobs
    assert first is not None
    snapshot = None
    for round_ in range(8):
        write_article(content_dir, "edited", "2024-05-30T09:00:00Z", text=f"Edit number {round_}, " * 40)
        snapshot = None  # as a server that swapped it out: only the builder's own is still in use
        snapshot = writer.build(T1 + timedelta(minutes=round_ + 1))
        store = writer.articles.blobs
        assert store is not None and store.size <= 2 * store.live_bytes()
    assert writer.articles.blobs is not first  # compacted at least once
    assert snapshot is not None
    assert b"Edit number 7" in snapshot.feeds["/feed.atom"].body
    assert "Edit number 7" in snapshot.catalog.by_slug["edited"].content_html


@pytest.mark.parametrize("damage", [b'{"version": 1, "articles": {"a": ', b"\xff\xfe\x00junk", b"[]"])
def test_a_damaged_ledger_is_set_aside_with_a_warning_and_started_afresh(content_dir: Path, damage: bytes) -> None:
    ledger = content_dir / ".feedsvc" / "revisions.json"
    ledger.parent.mkdir(parents=True, exist_ok=True)
    ledger.write_bytes(damage)
    catalog = builder(content_dir).build_catalog(datetime(2024, 6, 1, tzinfo=UTC))
    [aside] = ledger.parent.glob("revisions.json.corrupt-*")
    assert aside.read_bytes() == damage  # nothing lost
    [warning] = [p for p in catalog.problems if p.path == ledger]
    assert warning.severity == "warning" and f"set aside as {aside.name} and started afresh" in warning.message
    assert catalog.articles and ledger.read_text(encoding="utf-8").startswith("{")  # a fresh ledger, readable
    again = builder(content_dir).build_catalog(datetime(2024, 6, 1, tzinfo=UTC))
    assert not [p for p in again.problems if p.path == ledger]


def test_check_reports_a_damaged_ledger_and_leaves_it_in_place(content_dir: Path) -> None:
    ledger = content_dir / ".feedsvc" / "revisions.json"
    ledger.parent.mkdir(parents=True, exist_ok=True)
    ledger.write_bytes(b"{not json")
    catalog = builder(content_dir, ledger="read").build_catalog(datetime(2024, 6, 1, tzinfo=UTC))
    [error] = [p for p in catalog.problems if p.path == ledger]
    assert error.severity == "error" and "left as it is" in error.message
    assert ledger.read_bytes() == b"{not json" and not list(ledger.parent.glob("revisions.json.corrupt-*"))


def test_the_names_problems_of_a_listing_kept_current_by_reports_are_those_of_a_full_look(content_dir: Path) -> None:
    root = content_dir.resolve()
    live = builder(root)
    listing = scan(root)
    live.build(T1, listing)
    articles = root / "articles"
    # an orphaned sidecar (its page removed), a folder named as a page, a page under a suffix never read, a page added,
    # and a Markdown page beside another sidecar (which it ignores: its metadata is in its front matter)
    (articles / "article-with-sidecar-overrides.html").unlink()
    (articles / "a-folder.html").mkdir()
    (articles / "saved.xhtml").write_text("<p>A page under a suffix feedsvc does not read.</p>", encoding="utf-8")
    added = write_article(root, "new-story", "2024-05-02T10:00:00").rename(articles / "new-story.md")
    paths = [articles / "article-with-sidecar-overrides.html", articles / "a-folder.html", articles / "saved.xhtml"]
    paths += [articles / "new-story.html", added, added.with_suffix(".toml")]
    reported = refreshed(listing, root, [str(p) for p in paths])
    assert reported is not None and reported.touched is not None  # only these names are compared
    kept = live.build(T1, reported).catalog.problems
    whole = builder(root).build(T1).catalog.problems
    assert sorted(map(str, kept)) == sorted(map(str, whole))
    assert any("orphan sidecar" in p.message for p in kept) and any("saved.xhtml" in str(p.path) for p in kept)
    assert any("a-folder.html" in str(p.path) for p in kept) and any("front matter" in p.message for p in kept)
    # and back: the names gone again take their problems with them
    (articles / "a-folder.html").rmdir()
    (articles / "saved.xhtml").unlink()
    again = refreshed(reported, root, [str(articles / "a-folder.html"), str(articles / "saved.xhtml")])
    assert again is not None and again.touched is not None
    assert sorted(map(str, live.build(T1, again).catalog.problems)) == sorted(
        map(str, builder(root).build(T1).catalog.problems)
    )


WIRE_PAGE = """<html><head><title>{title} - Wire Desk Daily Report</title>
<link rel="canonical" href="https://wire.example.com/{slug}/">
<meta property="article:published_time" content="2024-05-0{day}T09:00:00Z"></head>
<body><article><p>The story of {slug}, long enough to be an article's opening paragraph.</p></article></body></html>"""


def _wire(content_dir: Path, slug: str, day: int) -> Path:
    """Write an imported page from wire.example.com whose title ends with the wire's name (no sidecar)."""
    path = content_dir / "articles" / f"{slug}.html"
    title = f"The {slug} story, told by the wire"
    path.write_text(WIRE_PAGE.format(title=title, slug=slug, day=day), encoding="utf-8")
    return path


def test_a_site_name_learned_from_a_new_page_retitles_earlier_ones_as_a_full_build_would(content_dir: Path) -> None:
    _wire(content_dir, "one", 1)
    _wire(content_dir, "two", 2)
    live = builder(content_dir)
    first = live.build(T1)
    assert first.catalog.by_slug["one"].title == "The one story, told by the wire - Wire Desk Daily Report"
    _wire(content_dir, "three", 3)  # most of the wire's titles, three of three, end with its name now
    second = live.build(T1)
    assert live.stats.cleaned == 1  # the others are retitled, not cleaned again
    assert [second.catalog.by_slug[s].title for s in ("one", "three")] == [
        "The one story, told by the wire",
        "The three story, told by the wire",
    ]
    assert second.catalog.by_slug["one"].entry_id == first.catalog.by_slug["one"].entry_id
    assert b"<title>The two story, told by the wire</title>" in second.feeds["/feed.atom"].body
    assert bodies(second) == bodies(builder(content_dir).build(T1))  # as a full build of the same files
    (content_dir / "articles" / "two.html").unlink()  # two of two: fewer than three, the titles are the pages' own
    third = live.build(T1)
    assert third.catalog.by_slug["one"].title == "The one story, told by the wire - Wire Desk Daily Report"
    assert bodies(third) == bodies(builder(content_dir).build(T1))


def test_a_start_reports_each_stems_sidecar_problems_as_the_folder_has_them(content_dir: Path) -> None:
    articles = content_dir / "articles"
    (articles / "lonely-b.toml").write_text('title = "nobody"\n', encoding="utf-8")
    (articles / "lonely-a.toml").write_text('title = "nobody"\n', encoding="utf-8")
    (articles / "notes.md").write_text("---\ntitle: Notes\n---\nSome notes of the week.\n", encoding="utf-8")
    (articles / "notes.toml").write_text('title = "ignored"\n', encoding="utf-8")
    (articles / "a.b.toml").write_text('title = "nobody"\n', encoding="utf-8")  # a stem with a dot in it
    found = [
        (p.path.name, p.severity) for p in builder(content_dir).build(T1).catalog.problems if p.path.suffix == ".toml"
    ]
    # in the stems' order, the markdown article's sidecar an error, the pages' orphans warnings
    assert found == [
        ("a.b.toml", "warning"),
        ("lonely-a.toml", "warning"),
        ("lonely-b.toml", "warning"),
        ("notes.toml", "error"),
    ]


def test_a_listing_with_a_fault_is_never_built_but_a_missing_articles_folder_is(content_dir: Path) -> None:
    articles = content_dir / "articles"
    articles.rename(content_dir / "articles-away")
    articles.write_text("not a folder", encoding="utf-8")
    # built, the site read as one without articles: the builder refuses, naming the folder and why
    with pytest.raises(UnreadableContent, match=r"cannot read the content: .*articles: Not a directory") as raised:
        builder(content_dir).build(T1)
    assert raised.value.filename == str(articles)
    articles.unlink()
    # a site without articles yet is not a fault: built empty, with the warning to create the folder
    snapshot = builder(content_dir).build(T1)
    assert not snapshot.catalog.articles
    assert any("folder not found" in p.message for p in snapshot.catalog.problems)


def test_a_page_that_cannot_be_statted_is_no_fault_of_the_folder(content_dir: Path) -> None:
    page = sorted((content_dir / "articles").glob("*.html"))[0]
    page.unlink()
    page.symlink_to(page.name)  # a loop: its stat fails (ELOOP, root too), the file is no less there
    # the rest is built; the page is not published (never published before), its problem naming it and why
    snapshot = builder(content_dir).build(T1)
    assert snapshot.catalog.articles and page.stem not in snapshot.catalog.by_slug
    assert [(p.severity, p.path) for p in snapshot.catalog.problems if "symbolic links" in p.message] == [
        ("error", page)
    ]
