"""serve/watcher.py with the builder's settling: a removal is settled like any other change.

A file seen gone is published as removed only once it has stayed gone for the settle time; a file of
that article back within it is a change of the article (published if it loads, held at its last good
version if not), never a removal and then a new article. Each test drives the watcher by hand
(``poll(force=True)``, no thread) on a clock of its own (:class:`Clock`, the builder's settling reads
it): which look lands where, and how much time has passed, is decided, not raced.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from feedsvc.build.builder import Builder
from feedsvc.build.snapshot import Snapshot
from feedsvc.serve.watcher import BURST, Watcher
from support.factories import write_article
from support.sites import moved_with_its_cache

T1 = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
SETTLE = 10.0  # far longer than a test takes: nothing settles unless the test moves the clock
PAGE = "article-oldest-with-time-element"
PINNED = "article-with-sidecar-overrides"  # its sidecar pins the entry id


class Clock:
    """The wall and monotonic times the builder's settling (and the watcher with it) read, moved by hand.

    ``ahead``: how far the wall clock is ahead of the real one. Behind it (the default), every file is
    younger than the settle time: each settles once the watcher has seen it so for that long, and only
    the looks and the clock's moves decide it. Ahead, every file is that old (a site's files saved long
    ago), those a test writes too.
    """

    def __init__(self, ahead: float = -3600.0) -> None:
        self.now = time.time() + ahead
        self.ticks = 1000.0

    def wall(self) -> float:
        return self.now

    def monotonic(self) -> float:
        return self.ticks

    def advance(self, seconds: float) -> None:
        self.now += seconds
        self.ticks += seconds


def watched(content_dir: Path, clock: Clock) -> tuple[Watcher, list[Snapshot]]:
    """A built site and a watcher on it at the service's kind of timing (a settle time), not started."""
    builder = Builder(content_dir, settle=SETTLE)
    builder.settling.wall, builder.settling.monotonic = clock.wall, clock.monotonic
    builder.build(T1)
    published: list[Snapshot] = []
    return Watcher(builder, published.append, lambda: T1), published


def articles(watcher: Watcher) -> dict[str, object]:
    """The articles of the snapshot serving (the last published, else the first build's), by slug."""
    snapshot = watcher.builder.snapshot
    assert snapshot is not None
    return snapshot.catalog.by_slug  # type: ignore[return-value]


def test_a_page_seen_gone_is_published_removed_once_it_has_stayed_gone_the_settle_time(
    content_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock()
    watcher, published = watched(content_dir, clock)
    (content_dir / "articles" / f"{PAGE}.html").unlink()
    with caplog.at_level(logging.INFO, logger="feedsvc.serve.watcher"):
        assert watcher.poll(force=True) is None  # seen gone: not yet a removal
    assert PAGE in articles(watcher) and published == []
    assert f"articles/{PAGE}.html is gone" in caplog.text  # the operator is told why it is still served
    clock.advance(SETTLE - 0.5)
    assert watcher.poll(force=True) is None and published == []
    clock.advance(0.5)  # gone for the settle time: deleted
    snapshot = watcher.poll(force=True)
    assert snapshot is not None and published == [snapshot] and PAGE not in snapshot.catalog.by_slug
    clock.advance(SETTLE)
    assert watcher.poll(force=True) is None and len(published) == 1  # published once


@pytest.mark.parametrize("saved", ["good", "broken"])
def test_a_save_by_rename_looked_at_between_its_steps_is_a_change_of_the_article(
    content_dir: Path, saved: str, caplog: pytest.LogCaptureFixture
) -> None:
    # An editor that keeps a backup renames the page to it, then writes the new file under the page's name.
    # A look between the two steps sees the page gone: it must not publish the article removed and then
    # back as a new one (a reader sees it go and come again), nor, when the new save is broken, reject it
    # as a new file that does not load: it is a bad save of a published article, held at its last version.
    clock = Clock()
    watcher, published = watched(content_dir, clock)
    page = content_dir / "articles" / f"{PAGE}.html"
    original = page.read_text(encoding="utf-8")
    os.replace(page, page.with_name(page.name + "~"))
    with caplog.at_level(logging.INFO, logger="feedsvc.serve.watcher"):
        assert watcher.poll(force=True) is None  # the look between the two steps
        clock.advance(SETTLE / 2)
        if saved == "good":
            page.write_text(original.replace("until spring.", "until spring. Saved by rename."), encoding="utf-8")
        else:
            page.write_bytes(b"\x00\xff\xfe binary junk \x00")
        assert watcher.poll(force=True) is None  # back, and not settled yet: still the version published
        assert f"articles/{PAGE}.html is back" in caplog.text
    assert published == [] and PAGE in articles(watcher)
    clock.advance(SETTLE)
    snapshot = watcher.poll(force=True)
    assert snapshot is not None and published == [snapshot]  # one publish: the save, never a removal
    assert PAGE in snapshot.catalog.by_slug
    (article,) = [a for a in snapshot.catalog.articles if a.slug == PAGE]
    problems = [p for p in snapshot.catalog.problems if p.path == page]
    if saved == "good":
        assert "Saved by rename." in str(article.content_html) and problems == []
    else:
        (held,) = problems  # what /healthz lists under "held", with the version it serves
        assert held.severity == "held" and held.served and held.served.startswith("the last good version")
        assert "Saved by rename." not in str(article.content_html)


def test_a_sidecar_seen_gone_between_the_steps_of_its_save_keeps_the_articles_id(content_dir: Path) -> None:
    # The page is old (saved long before): its unit's change, the sidecar gone, is not settled by the page's
    # age. Published without its sidecar, the article lost its pinned id, title and date: a new entry to
    # every reader, and the old one back once the sidecar was.
    clock = Clock(ahead=3600.0)
    watcher, published = watched(content_dir, clock)
    pinned = articles(watcher)[PINNED].entry_id  # type: ignore[attr-defined]
    sidecar = content_dir / "articles" / f"{PINNED}.toml"
    settings = sidecar.read_text(encoding="utf-8")
    os.replace(sidecar, sidecar.with_name(sidecar.name + "~"))
    assert watcher.poll(force=True) is None and published == []
    clock.advance(SETTLE / 2)
    sidecar.write_text(settings.replace("opening hours", "opening times"), encoding="utf-8")
    clock.advance(SETTLE)
    snapshot = watcher.poll(force=True)
    assert snapshot is not None and published == [snapshot]
    article = snapshot.catalog.by_slug[PINNED]
    assert article.entry_id == pinned and article.title == "Library extends its opening times"


def test_a_build_while_a_removal_waits_counts_it_as_gone_not_as_being_written(content_dir: Path) -> None:
    # Another change, settled, forces a build while a page is gone and its removal not: the build's summary
    # line (logged with every publish) says the page is gone and still served, not "still being written".
    clock = Clock(ahead=3600.0)  # every file old: the edit below settles at once, the removal only by time
    watcher, published = watched(content_dir, clock)
    (content_dir / "articles" / f"{PAGE}.html").unlink()
    sidecar = content_dir / "articles" / f"{PINNED}.toml"
    sidecar.write_text(sidecar.read_text(encoding="utf-8").replace("opening hours", "opening times"), "utf-8")
    assert watcher.poll(force=True) is None  # the settled edit waits for the rest of its burst: the removal
    clock.advance(BURST)  # at most BURST seconds: the edit goes out, the removal (SETTLE) has not settled
    snapshot = watcher.poll(force=True)
    assert snapshot is not None and published == [snapshot]
    assert PAGE in snapshot.catalog.by_slug  # the edit published, the page still served
    assert snapshot.catalog.by_slug[PINNED].title == "Library extends its opening times"
    stats = watcher.builder.stats
    assert (stats.going, stats.waiting) == (1, 0)
    assert "0 still being written, 1 gone and still served until the removal settles" in stats.summary()


def test_a_sidecar_removed_for_good_is_published_once_it_has_stayed_gone(content_dir: Path) -> None:
    clock = Clock(ahead=3600.0)
    watcher, published = watched(content_dir, clock)
    (content_dir / "articles" / f"{PINNED}.toml").unlink()
    assert watcher.poll(force=True) is None and published == []
    clock.advance(SETTLE)
    snapshot = watcher.poll(force=True)
    assert snapshot is not None and published == [snapshot]
    assert snapshot.catalog.by_slug[PINNED].title != "Library extends its opening hours"  # its page's own now


def test_an_article_renamed_is_one_publish_and_a_pinned_id_follows_it(content_dir: Path) -> None:
    # The slug is the file's name: a renamed article is at another URL, under its pinned id (a sidecar's
    # `id`) if it has one, else under a new id made from the new slug. Either way one publish: the old
    # slug gone and the new one there together, never both, never neither.
    clock = Clock()
    watcher, published = watched(content_dir, clock)
    pinned = articles(watcher)[PINNED].entry_id  # type: ignore[attr-defined]
    folder = content_dir / "articles"
    for suffix in (".html", ".toml"):
        os.replace(folder / f"{PINNED}{suffix}", folder / f"library-hours{suffix}")
    assert watcher.poll(force=True) is None and published == []
    clock.advance(SETTLE)
    snapshot = watcher.poll(force=True)
    assert snapshot is not None and published == [snapshot]
    assert PINNED not in snapshot.catalog.by_slug
    assert snapshot.catalog.by_slug["library-hours"].entry_id == pinned
    assert [a.entry_id for a in snapshot.catalog.articles].count(pinned) == 1


def test_a_checkout_swapping_many_files_is_one_publish_and_no_article_it_rewrites_is_ever_gone(
    content_dir: Path,
) -> None:
    # git checkout writes a changed file by deleting it and writing it anew, and deletes and adds others,
    # in any order, in a moment. A look in the middle of it must not publish the rewritten ones as removed.
    clock = Clock()
    watcher, published = watched(content_dir, clock)
    folder = content_dir / "articles"
    rewritten = [f"{PAGE}.html", "article-with-jsonld-tags-and-author.html"]
    texts = {name: (folder / name).read_text(encoding="utf-8") for name in rewritten}
    for name in rewritten:
        (folder / name).unlink()
    (folder / f"{PINNED}.html").unlink()  # deleted for good (its sidecar too)
    assert watcher.poll(force=True) is None  # the look in the middle of the checkout
    (folder / f"{PINNED}.toml").unlink()
    for name, text in texts.items():
        (folder / name).write_text(text.replace("until spring.", "until spring. Checked out."), encoding="utf-8")
    for number in range(3):
        write_article(content_dir, f"checked-out-{number}", "2024-05-20T09:00:00")
    assert watcher.poll(force=True) is None and published == []
    clock.advance(SETTLE)
    snapshot = watcher.poll(force=True)
    assert snapshot is not None and published == [snapshot]  # the checkout, as one publish
    slugs = snapshot.catalog.by_slug
    assert PINNED not in slugs and all(f"checked-out-{number}" in slugs for number in range(3))
    assert "Checked out." in str(slugs[PAGE].content_html)  # rewritten with an edit, and the other as it was
    assert "article-with-jsonld-tags-and-author" in slugs


def test_a_burst_holding_a_settled_change_waits_for_a_removal_in_it(content_dir: Path) -> None:
    # A removal and a new file in one burst (a rename, a checkout): what settles first waits for the rest
    # (at most BURST seconds), as a burst of changes does; the removal is part of the burst now.
    clock = Clock()
    watcher, published = watched(content_dir, clock)
    (content_dir / "articles" / f"{PAGE}.html").unlink()
    assert watcher.poll(force=True) is None
    clock.advance(SETTLE / 2)
    write_article(content_dir, "newcomer", "2024-05-20T09:00:00")
    assert watcher.poll(force=True) is None
    clock.advance(SETTLE / 2)  # the removal has settled, the new article not yet
    assert watcher.poll(force=True) is None and published == []
    clock.advance(BURST)  # the burst has waited BURST seconds: what has settled goes out
    snapshot = watcher.poll(force=True)
    assert snapshot is not None and PAGE not in snapshot.catalog.by_slug and "newcomer" not in snapshot.catalog.by_slug
    clock.advance(SETTLE)
    snapshot = watcher.poll(force=True)
    assert snapshot is not None and "newcomer" in snapshot.catalog.by_slug and len(published) == 2


def test_the_articles_folder_removed_whole_is_a_fault_however_long_it_stays_gone(content_dir: Path) -> None:
    # Not a removal of every article: a folder gone is a fault of the site (the last good snapshot serves,
    # /healthz says "stale"), whatever the settle time; put back, it serves as it was.
    clock = Clock()
    watcher, published = watched(content_dir, clock)
    folder = content_dir / "articles"
    kept = content_dir.parent / "articles-kept"
    shutil.copytree(folder, kept)
    shutil.rmtree(folder)
    assert watcher.poll(force=True) is None and watcher.fault is not None
    clock.advance(SETTLE * 3)
    assert watcher.poll(force=True) is None and watcher.fault is not None and published == []
    assert PAGE in articles(watcher)
    shutil.copytree(kept, folder)  # put back: its files are new ones, published once they have settled
    watcher.poll(force=True)
    for wait in (SETTLE, BURST):  # (BURST: main's watcher took their settling from their times alone)
        clock.advance(wait)
        watcher.poll(force=True)
    assert watcher.fault is None and PAGE in articles(watcher)


def test_a_rules_file_saved_by_rename_does_not_publish_its_articles_cleaned_without_it(content_dir: Path) -> None:
    # A rules file is an input like a page: seen gone between the steps of its save, its articles were
    # cleaned and published without its rules, and again with them once it was back.
    (content_dir / "rules").mkdir()
    rules = content_dir / "rules" / "ruled.example.com.toml"
    rules.write_text('strip = [".promo"]\n', encoding="utf-8")
    page = content_dir / "articles" / "ruled.html"
    page.write_text(
        '<html><head><link rel="canonical" href="https://ruled.example.com/story"></head><body><article>'
        "<h1>A ruled story</h1><p>The story itself, long enough to be the opening paragraph of an article.</p>"
        '<p class="promo">Our newsletter: the promotion this host\'s rules strip.</p></article></body></html>',
        encoding="utf-8",
    )
    clock = Clock()
    watcher, published = watched(content_dir, clock)
    assert "newsletter" not in str(articles(watcher)["ruled"].content_html)  # type: ignore[attr-defined]
    os.replace(rules, rules.with_name(rules.name + "~"))
    assert watcher.poll(force=True) is None and published == []
    rules.write_text('strip = [".promo"]\n# saved again\n', encoding="utf-8")
    assert watcher.poll(force=True) is None  # back: a change, settling
    clock.advance(SETTLE)
    snapshot = watcher.poll(force=True)
    assert snapshot is not None and published == [snapshot]
    assert "newsletter" not in str(snapshot.catalog.by_slug["ruled"].content_html)


def test_a_page_deleted_from_a_folder_moved_with_its_build_cache_is_published_removed(
    content_dir: Path, tmp_path: Path
) -> None:
    # The content folder copied to another path with its .feedsvc cache, then served: the cached articles
    # named the old folder's files, the watcher's build (the changed names only) matched the deleted page to
    # none of them, and the article stayed served until a restart (seen as removals never published)
    moved = moved_with_its_cache(content_dir, tmp_path / "moved", T1)
    clock = Clock()
    builder = Builder(moved, cache_dir=moved / ".feedsvc" / "cache", settle=SETTLE)
    builder.settling.wall, builder.settling.monotonic = clock.wall, clock.monotonic
    builder.build(T1)
    assert builder.stats.cached >= 3
    published: list[Snapshot] = []
    watcher = Watcher(builder, published.append, lambda: T1)
    (moved / "articles" / f"{PAGE}.html").unlink()
    assert watcher.poll(force=True) is None
    clock.advance(SETTLE)
    snapshot = watcher.poll(force=True)
    assert snapshot is not None and published == [snapshot] and PAGE not in snapshot.catalog.by_slug
