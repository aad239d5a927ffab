"""serve/watcher.py: content changes are published in place within seconds, whole, and announced once."""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from feedsvc.build.builder import Builder
from feedsvc.build.snapshot import Snapshot
from feedsvc.content.listing import relevant, watched_folders
from feedsvc.serve.watcher import Watcher
from support.factories import live_app, publish_atomically, replace_picture, with_icon, write_article
from support.hub import Hub, with_hub
from support.servers import wait_until

T1 = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


def test_a_new_article_is_served_with_the_services_own_timing(content_dir: Path) -> None:
    # How soon is bench/build.py's to measure (publish-to-feed latency); here: that it is, everywhere.
    with live_app(content_dir, SETTLE_SECONDS=0.3, SAFETY_RESCAN_INTERVAL=60.0) as app:  # the service's timing
        client = app.test_client()
        publish_atomically(content_dir, "new-story", "2024-05-02T10:00:00", tags=("Transport",))
        assert wait_until(lambda: b"new-story" in client.get("/feed.atom").data)
        assert client.get("/articles/new-story").status_code == 200
        assert b"new-story" in client.get("/tags/transport/feed.json").data


def test_a_removed_article_leaves_and_an_edit_shows(content_dir: Path) -> None:
    with live_app(content_dir) as app:
        client = app.test_client()
        (content_dir / "articles" / "article-oldest-with-time-element.html").unlink()
        assert wait_until(lambda: client.get("/articles/article-oldest-with-time-element").status_code == 404)
        sidecar = content_dir / "articles" / "article-with-sidecar-overrides.toml"
        sidecar.write_text(sidecar.read_text().replace("opening hours", "opening times"), encoding="utf-8")
        assert wait_until(lambda: b"opening times" in client.get("/feed.atom").data)


def test_a_broken_site_toml_keeps_the_site_served_until_it_is_fixed(
    content_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    published: list[Snapshot] = []
    builder = Builder(content_dir)
    first = builder.build(T1)
    watcher = Watcher(builder, published.append, lambda: T1)
    site_toml = content_dir / "site.toml"
    good = site_toml.read_text()
    site_toml.write_text(good.replace("entries_per_feed = 2", "entries_per_feed = 0"), encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="feedsvc.serve.watcher"):
        assert watcher.poll(force=True) is None
        assert watcher.poll(force=True) is None  # the same broken content is not built twice
    assert published == [] and watcher.failures == 1 and builder.snapshot is first
    assert "entries_per_feed" in caplog.text and "still serving the previous version" in caplog.text
    site_toml.write_text(good.replace("entries_per_feed = 2", "entries_per_feed = 1"), encoding="utf-8")
    assert watcher.poll(force=True) is not None and len(published) == 1


def test_a_held_back_article_is_published_at_its_time_without_any_file_changing(content_dir: Path) -> None:
    now = [T1]
    write_article(content_dir, "embargoed", "2024-06-03T09:00:00")  # two days after T1
    with live_app(content_dir, CLOCK=lambda: now[0], RESCAN_INTERVAL=0.05) as app:
        state = app.extensions["feedsvc"]
        client = app.test_client()
        assert state.snapshot.catalog.next_release is not None and state.snapshot.catalog.next_release > T1
        assert client.get("/articles/embargoed").status_code == 404
        scans = state.watcher.scans
        # several full scans: nothing changed and its time has not come, so no build
        assert wait_until(lambda: state.watcher.scans >= scans + 3)
        assert state.watcher.builds == 0 and b"embargoed" not in client.get("/feed.atom").data
        now[0] = state.snapshot.catalog.next_release  # its time comes; no file is touched
        assert wait_until(lambda: client.get("/articles/embargoed").status_code == 200)
        assert b"embargoed" in client.get("/feed.atom").data
        assert state.snapshot.catalog.next_release is None
        scans = state.watcher.scans
        assert wait_until(lambda: state.watcher.scans >= scans + 3)
        assert state.watcher.builds == 1  # published once, not rebuilt on every scan after


def test_each_change_is_announced_to_the_hub_once(content_dir: Path) -> None:
    with Hub() as hub:
        with_hub(content_dir, hub.url)
        with live_app(content_dir) as app:
            state = app.extensions["feedsvc"]
            assert wait_until(lambda: state.notifier.idle() and len(hub.urls()) == len(state.snapshot.topics()))
            hub.received.clear()
            publish_atomically(content_dir, "new-story", "2024-05-02T10:00:00", tags=("Transport",))
            assert wait_until(lambda: "https://news.example.org/feed.atom" in hub.urls())
            scans = state.watcher.scans
            # several more full scans, and everything queued delivered: nothing else may be announced
            assert wait_until(lambda: state.watcher.scans >= scans + 3 and state.notifier.idle())
            urls = hub.urls()
            assert urls.count("https://news.example.org/feed.atom") == 1
            assert len(urls) == len(set(urls))
            assert "https://news.example.org/tags/transport/feed.rss" in urls
            assert "https://news.example.org/tags/culture/feed.atom" not in urls


@contextmanager
def events_app(content_dir: Path) -> Iterator[tuple[Any, Any]]:
    """The app told of changes by the system only: the safety scan is an hour away, the settle time the service's."""
    with live_app(content_dir, SETTLE_SECONDS=0.3, SAFETY_RESCAN_INTERVAL=3600.0) as app:
        state = app.extensions["feedsvc"]
        assert state.watcher.watching.wait(10), "the system's change events did not start"
        assert wait_until(lambda: state.watcher.scans >= 1)  # the one once watched (the first build listed the folder)
        quiet(state, content_dir)  # and done: a later report looked at (a test's changes come after that look)
        yield app, state


def test_a_watcher_started_after_a_build_looks_at_every_file_once_when_the_events_flow(content_dir: Path) -> None:
    with events_app(content_dir) as (_app, state):
        looks = state.watcher.looks
        write_article(content_dir, "after-start", "2024-05-20T09:00:00", text="A story written once the server ran.")
        assert wait_until(lambda: "after-start" in state.snapshot.catalog.by_slug)
        # one full scan in all, not one before the events and one after: the rest were looks at the paths reported
        assert state.watcher.scans == 1 and state.watcher.looks > looks


def quiet(state: object, content_dir: Path) -> None:
    """Wait for a sign that the watcher has taken in every change made so far: a later reported path looked at."""
    looks = state.watcher.looks  # type: ignore[attr-defined]
    (content_dir / "articles" / "sign.html~").write_text("a backup file: reported, never published", encoding="utf-8")
    assert wait_until(lambda: state.watcher.looks > looks)  # type: ignore[attr-defined]


def test_the_system_reports_a_new_article_without_a_full_scan(content_dir: Path) -> None:
    with events_app(content_dir) as (app, state):
        client = app.test_client()
        scans = state.watcher.scans
        publish_atomically(content_dir, "new-story", "2024-05-02T10:00:00", tags=("Transport",))
        assert wait_until(lambda: b"new-story" in client.get("/feed.atom").data)
        assert state.watcher.scans == scans and state.watcher.looks >= 1  # found by the event, not by a scan
        assert state.watcher.builds == 1


def test_a_file_rewritten_in_place_is_published_once_with_its_final_bytes(content_dir: Path) -> None:
    with events_app(content_dir) as (app, state):
        client = app.test_client()
        page = content_dir / "articles" / "article-oldest-with-time-element.html"
        original = page.read_text(encoding="utf-8")
        with page.open("w", encoding="utf-8") as file:  # truncate, then write in pieces, as many editors do
            file.write(original[: len(original) // 2])
            file.flush()
            file.write(original[len(original) // 2 :].replace("until spring.", "until spring. Rewritten in place."))
        assert wait_until(
            lambda: b"Rewritten in place." in client.get("/articles/article-oldest-with-time-element").data
        )
        quiet(state, content_dir)
        assert state.watcher.builds == 1  # the half-written file was never published


def test_an_editor_save_by_temporary_file_and_rename_is_one_publish(content_dir: Path) -> None:
    with events_app(content_dir) as (app, state):
        client = app.test_client()
        page = content_dir / "articles" / "article-oldest-with-time-element.html"
        text = page.read_text(encoding="utf-8").replace("until spring.", "until spring. Saved by rename.")
        os.replace(page, page.with_name(page.name + "~"))  # the backup some editors keep
        temporary = page.with_name(f".{page.name}.swp")
        with temporary.open("w", encoding="utf-8") as file:
            file.write(text[:100])
            file.flush()
            file.write(text[100:])
        os.replace(temporary, page)
        assert wait_until(lambda: b"Saved by rename." in client.get("/articles/article-oldest-with-time-element").data)
        quiet(state, content_dir)
        assert state.watcher.builds == 1  # not once for the removal and again for the new file


def test_a_burst_of_new_articles_is_one_publish(content_dir: Path) -> None:
    with events_app(content_dir) as (app, state):
        client = app.test_client()
        for number in range(12):
            write_article(content_dir, f"burst-{number}", "2024-05-02T10:00:00")
        assert wait_until(lambda: client.get("/articles/burst-11").status_code == 200)
        quiet(state, content_dir)
        assert state.watcher.builds == 1
        assert all(client.get(f"/articles/burst-{number}").status_code == 200 for number in range(12))


def test_the_safety_scan_finds_a_change_no_event_reported(content_dir: Path) -> None:
    published: list[Snapshot] = []
    builder = Builder(content_dir)
    builder.build(T1)
    watcher = Watcher(builder, published.append, lambda: T1, safety_rescan=3600.0)  # not started: no events
    assert watcher.look(full=True) is None and watcher.scans == 1
    write_article(content_dir, "unreported", "2024-05-02T10:00:00")
    assert watcher.look() is None and watcher.scans == 1  # nothing reported, the safety scan not due
    watcher._next_full = 0.0  # its time has come
    snapshot = watcher.look()
    assert snapshot is not None and watcher.scans == 2
    assert "unreported" in {article.slug for article in snapshot.catalog.articles} and published == [snapshot]


def test_a_closed_watcher_starts_no_thread_to_receive_the_systems_reports(content_dir: Path) -> None:
    builder = Builder(content_dir)
    builder.build(T1)
    watcher = Watcher(builder, lambda _snapshot: None, lambda: T1)
    watcher.close()  # before its thread armed the watch: close() has nothing of it to join
    assert watcher.arm()._events is None and not watcher.watching.is_set()


def test_polling_still_publishes_for_network_file_systems(content_dir: Path) -> None:
    with live_app(content_dir, WATCH_POLLING=True) as app:
        state = app.extensions["feedsvc"]
        client = app.test_client()
        assert state.watcher.polling and not state.watcher.watching.is_set()
        page = content_dir / "articles" / "article-oldest-with-time-element.html"
        page.write_text(
            page.read_text(encoding="utf-8").replace("until spring.", "until spring. Polled."), encoding="utf-8"
        )
        assert wait_until(lambda: b"Polled." in client.get("/articles/article-oldest-with-time-element").data)
        assert state.watcher.looks == 0 and state.watcher.scans >= 1  # found by a full scan, not by an event


def test_a_removal_is_published_while_other_files_keep_changing(content_dir: Path) -> None:
    with events_app(content_dir) as (app, _state):
        client = app.test_client()
        (content_dir / "articles" / "article-oldest-with-time-element.html").unlink()
        stream = content_dir / "articles" / "stream.html"
        gone = False
        for number in range(300):  # a file rewritten every 0.02 s: never all settled (bounded: about 6 s)
            stream.write_text(f"<article><h1>Stream</h1><p>Version {number} of a file being written.</p></article>")
            if client.get("/articles/article-oldest-with-time-element").status_code == 404:
                gone = True
                break
            time.sleep(0.02)
        assert gone  # the burst did not hold the settled removal back for as long as changes kept coming


def test_an_icon_replaced_under_its_name_is_published_from_the_systems_report(content_dir: Path) -> None:
    icon = with_icon(content_dir)
    with events_app(content_dir) as (app, state):
        client = app.test_client()
        before = client.get("/favicon.ico")
        page_tag = client.get("/").headers["ETag"]
        assert before.data == icon.read_bytes() and state.snapshot.catalog.site.icon.width == 128
        scans = state.watcher.scans
        replace_picture(icon, "wide-300x100.png")
        assert wait_until(lambda: client.get("/favicon.ico").data == icon.read_bytes())
        after = client.get("/favicon.ico")
        assert after.headers["ETag"] != before.headers["ETag"]
        site = state.snapshot.catalog.site
        assert (site.icon.width, site.icon.height) == (300, 100) and client.get("/").headers["ETag"] != page_tag
        assert state.watcher.scans == scans and state.watcher.looks >= 1  # found by the event, not by a scan
        quiet(state, content_dir)
        assert state.watcher.builds == 1  # read once, not again at every look


def test_a_picture_site_toml_newly_names_is_watched_from_then_on(content_dir: Path) -> None:
    with_icon(content_dir)
    with events_app(content_dir) as (app, state):
        client = app.test_client()
        site_toml = content_dir / "site.toml"
        scans = state.watcher.scans
        logo = with_icon(content_dir, "icon-128.png", "brand/mark.png", named=False)
        site_toml.write_text(site_toml.read_text().replace("media/icon.png", "brand/mark.png"), encoding="utf-8")
        assert wait_until(lambda: state.snapshot.catalog.site.icon.source == "brand/mark.png")
        before = client.get("/favicon.ico")
        assert before.data == logo.read_bytes()
        # brand/ watched from then on, and the folder looked at whole once the new watch is up (what the old
        # watch had seen and not said yet is in that look): from that scan on, changes are reported by the system
        assert wait_until(lambda: state.watcher.scans > scans)
        scans = state.watcher.scans
        replace_picture(logo, "wide-300x100.png")
        assert wait_until(lambda: state.snapshot.catalog.site.icon.width == 300)
        after = client.get("/favicon.ico")
        assert after.data == logo.read_bytes() and after.headers["ETag"] != before.headers["ETag"]
        assert state.watcher.scans == scans  # reported by the system: the new name is watched
        quiet(state, content_dir)
        assert state.watcher.builds == 2


def test_a_picture_gone_or_not_a_picture_is_held_at_its_last_bytes_until_it_is_back(content_dir: Path) -> None:
    # a fault of the picture's file, not of the site: the site is published as it was (the same icon, the same
    # feeds), and so are the edits made meanwhile; it was a fault of site.toml that stopped every publish
    icon = with_icon(content_dir)
    good = icon.read_bytes()
    published: list[Snapshot] = []
    builder = Builder(content_dir)
    first = builder.build(T1)
    watcher = Watcher(builder, published.append, lambda: T1)  # polling, as on a network file system
    for broken, says in ((lambda: icon.unlink(), "does not exist"), (lambda: icon.write_text("<html>"), "not a")):
        broken()
        snapshot = watcher.poll(force=True)
        assert snapshot is not None and watcher.fault is None
        assert snapshot.catalog.site == first.catalog.site and snapshot.pictures == first.pictures
        (held,) = [p for p in snapshot.catalog.problems if p.path == icon]
        assert held.severity == "held" and says in held.message and held.served.startswith("the last good version")
    icon.write_bytes(good)
    snapshot = watcher.poll(force=True)
    assert snapshot is not None and not [p for p in snapshot.catalog.problems if p.path == icon]
    replace_picture(icon, "icon-128.ico")  # in place under the same name, but an ICO called .png
    snapshot = watcher.poll(force=True)
    assert snapshot is not None and snapshot.catalog.site == first.catalog.site
    assert "image/x-icon" in next(p.message for p in snapshot.catalog.problems if p.path == icon)


def latest(published: list[Snapshot]) -> dict[str, object]:
    return published[-1].catalog.by_slug if published else {}  # type: ignore[return-value]


@contextmanager
def armed_watcher(content_dir: Path, published: list[Snapshot]) -> Iterator[Watcher]:
    """A watcher armed before its builder's first build, as the publisher process starts (no safety scan soon).

    Closed when the block ends: arming starts the thread that receives the system's reports.
    """
    builder = Builder(content_dir, settle=0.05)
    with closing(Watcher(builder, published.append, lambda: T1, safety_rescan=3600.0).arm()) as watcher:
        assert watcher.watching.is_set()  # up when arm() returns: the listing below comes after it
        builder.build(T1)
        yield watcher


def test_a_watcher_armed_before_the_first_build_takes_its_listing_and_misses_no_change_made_meanwhile(
    content_dir: Path,
) -> None:
    published: list[Snapshot] = []
    with armed_watcher(content_dir, published) as watcher:
        # after the build listed the folder, before the watcher's thread runs (a server's workers starting)
        write_article(content_dir, "before-start", "2024-05-20T09:00:00", text="Written while the server started.")
        watcher.start()
        assert wait_until(lambda: any("before-start" in s.catalog.by_slug for s in published))
        # found by the report kept since the arm, the folder not looked at whole: not at the start, not since
        assert watcher.scans == 0 and watcher.looks >= 1 and watcher.builds == 1


def test_a_watcher_armed_before_the_first_build_starts_without_a_full_look(content_dir: Path) -> None:
    published: list[Snapshot] = []
    with armed_watcher(content_dir, published) as watcher:
        watcher.start()
        write_article(content_dir, "after-start", "2024-05-20T09:00:00", text="Written once the server ran.")
        assert wait_until(lambda: any("after-start" in s.catalog.by_slug for s in published))
        assert watcher.scans == 0 and watcher.builds == 1


def test_a_watcher_armed_after_the_build_listed_looks_at_every_file_once(content_dir: Path) -> None:
    published: list[Snapshot] = []
    builder = Builder(content_dir, settle=0.05)
    builder.build(T1)
    write_article(content_dir, "unreported", "2024-05-20T09:00:00")  # before any watch: in no report
    with closing(Watcher(builder, published.append, lambda: T1, safety_rescan=3600.0).arm().start()) as watcher:
        assert wait_until(lambda: any("unreported" in s.catalog.by_slug for s in published))
        assert watcher.scans == 1  # the listing came before the watch: the folder is looked at whole, once


def test_an_articles_folder_replaced_under_its_name_is_watched_from_then_on(content_dir: Path) -> None:
    published: list[Snapshot] = []
    with armed_watcher(content_dir, published) as watcher:
        watcher.start()
        articles = content_dir / "articles"
        fresh = content_dir / "articles.new"
        shutil.copytree(articles, fresh)
        (fresh / "article-oldest-with-time-element.html").unlink()
        os.rename(articles, content_dir / "articles.old")  # a deploy swapping the folder whole
        os.rename(fresh, articles)
        assert wait_until(lambda: bool(published) and "article-oldest-with-time-element" not in latest(published))
        write_article(content_dir, "in-the-new-folder", "2024-05-20T09:00:00")
        # reported by a watch of the new folder (the safety scan is an hour away)
        assert wait_until(lambda: "in-the-new-folder" in latest(published))


def test_an_articles_folder_moved_away_and_back_is_watched_again(content_dir: Path) -> None:
    published: list[Snapshot] = []
    articles = content_dir / "articles"
    with armed_watcher(content_dir, published) as watcher:
        # moved away and back before any look: the same folder, under its name, at every look. The notifier
        # says nothing more of what happens in it, though: watched again for it (the safety scan is an hour away)
        articles.rename(content_dir / "articles-away")
        (content_dir / "articles-away").rename(articles)
        watcher.start()
        site_toml = content_dir / "site.toml"
        settings = site_toml.read_text(encoding="utf-8")
        site_toml.write_text(settings.replace("entries_per_feed = 2", "entries_per_feed = 1"), encoding="utf-8")
        # published: every report until then taken in (the round trip's, and its look at all of the folder)
        assert wait_until(lambda: bool(published) and published[-1].catalog.site.entries_per_feed == 1)
        write_article(content_dir, "after-the-round-trip", "2024-05-20T09:00:00")
        assert wait_until(lambda: "after-the-round-trip" in latest(published))


class _Unsaid:
    """A notifier let go before its thread took in what the system reported to it (a busy machine)."""

    def watch(self, *_args: object) -> str:
        return "timeout"

    def close(self) -> None:
        pass


def test_a_change_the_old_watch_had_not_said_when_let_go_is_published_all_the_same(content_dir: Path) -> None:
    published: list[Snapshot] = []
    builder = Builder(content_dir)
    builder.build(T1)
    watcher = Watcher(builder, published.append, lambda: T1, safety_rescan=3600.0)  # not started: no events
    root = content_dir.resolve()
    assert watcher.look(full=True) is None
    (root / "rules").mkdir()
    watcher._folders = watched_folders(root)  # the old notifier's
    (root / "rules").rmdir()  # one folder fewer to watch: none new to look at whole
    write_article(content_dir, "unsaid", "2024-05-20T09:00:00")  # reported to the old notifier alone
    notify, changes = watcher._rewatch(_Unsaid(), watched_folders(root), set())
    notify.close()
    watcher._reported.update(path for _change, path in changes if relevant(root, path))
    snapshot = watcher.look()
    assert snapshot is not None and "unsaid" in snapshot.catalog.by_slug and published == [snapshot]


def test_a_rules_folder_made_after_the_start_is_watched_from_then_on(content_dir: Path) -> None:
    published: list[Snapshot] = []
    rules = content_dir / "rules"
    with armed_watcher(content_dir, published) as watcher:
        watcher.start()
        shutil.rmtree(rules, ignore_errors=True)
        rules.mkdir()
        assert wait_until(lambda: str(rules.resolve()) in watcher._folders)  # reported made, then watched
        looks = watcher.looks
        (rules / "notes.txt").write_text("not a rules file: reported by the new watch, never read", encoding="utf-8")
        assert wait_until(lambda: watcher.looks > looks)  # every report until then taken in
        scans, builds = watcher.scans, watcher.builds
        (rules / "news.example.org.toml").write_text("# nothing to change yet\n", encoding="utf-8")
        assert wait_until(lambda: watcher.builds > builds)  # a rules file is an input of the build
        assert watcher.scans == scans  # reported by the new folder's watch, not found by a scan


@pytest.mark.parametrize("looked_between", [False, True], ids=["replaced-in-one-rename", "looked-at-while-gone"])
def test_a_page_replaced_by_a_file_that_cannot_be_read_is_held_unless_it_was_seen_gone_first(
    content_dir: Path, looked_between: bool
) -> None:
    # test_faults' symlink loop failed once under load: it moved the page away and then put the loop in its
    # place, and the watcher looked in between. A page seen gone is deleted (only deleting its files
    # unpublishes an article): published removed, the build cache's record of it forgotten, and the loop
    # named as it afterwards is a new file that cannot be read: rejected, not held. In one rename (an
    # editor's save) the page is never gone, and the loop is held at the page's last published version.
    # Each look is made here by hand: which one lands where is decided, not raced
    published: list[Snapshot] = []
    builder = Builder(content_dir)
    builder.build(T1)
    watcher = Watcher(builder, published.append, lambda: T1)  # not started: polled by hand
    page = content_dir / "articles" / "article-with-jsonld-tags-and-author.html"
    loop = page.with_name(".loop")
    loop.symlink_to(page.name)  # the page itself while named .loop; a loop once named as the page
    if looked_between:
        page.unlink()
        gone = watcher.poll(force=True)
        assert gone is not None and "article-with-jsonld-tags-and-author" not in gone.catalog.by_slug
    loop.rename(page)
    snapshot = watcher.poll(force=True)
    assert snapshot is not None and published[-1] is snapshot
    (problem,) = [p for p in snapshot.catalog.problems if p.path == page]
    assert problem.message.startswith("cannot be read (Too many levels of symbolic links)")
    assert problem.severity == ("error" if looked_between else "held")
    assert ("article-with-jsonld-tags-and-author" in snapshot.catalog.by_slug) is not looked_between
