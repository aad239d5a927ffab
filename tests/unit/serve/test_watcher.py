"""serve/watcher.py: content changes are published in place within seconds, whole, and announced once."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from feedsvc.build.builder import Builder
from feedsvc.build.snapshot import Snapshot
from feedsvc.serve.watcher import Watcher
from support.factories import live_app, publish_atomically, write_article
from support.hub import Hub, with_hub
from support.servers import wait_until

T1 = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


def test_a_new_article_is_served_with_the_services_own_timing(content_dir: Path) -> None:
    # How soon is bench/build.py's to measure (publish-to-feed latency); here: that it is, everywhere.
    app = live_app(content_dir, SETTLE_SECONDS=0.3, WATCH_INTERVAL=0.1, RESCAN_INTERVAL=1.0)  # the service's timing
    client = app.test_client()
    try:
        publish_atomically(content_dir, "new-story", "2024-05-02T10:00:00", tags=("Transport",))
        assert wait_until(lambda: b"new-story" in client.get("/feed.atom").data)
        assert client.get("/articles/new-story").status_code == 200
        assert b"new-story" in client.get("/tags/transport/feed.json").data
    finally:
        app.extensions["feedsvc"].close()


def test_a_removed_article_leaves_and_an_edit_shows(content_dir: Path) -> None:
    app = live_app(content_dir)
    client = app.test_client()
    try:
        (content_dir / "articles" / "article-oldest-with-time-element.html").unlink()
        assert wait_until(lambda: client.get("/articles/article-oldest-with-time-element").status_code == 404)
        sidecar = content_dir / "articles" / "article-with-sidecar-overrides.toml"
        sidecar.write_text(sidecar.read_text().replace("opening hours", "opening times"), encoding="utf-8")
        assert wait_until(lambda: b"opening times" in client.get("/feed.atom").data)
    finally:
        app.extensions["feedsvc"].close()


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
    app = live_app(content_dir, CLOCK=lambda: now[0], RESCAN_INTERVAL=0.05)
    state = app.extensions["feedsvc"]
    client = app.test_client()
    try:
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
    finally:
        state.close()


def test_each_change_is_announced_to_the_hub_once(content_dir: Path) -> None:
    hub = Hub()
    with_hub(content_dir, hub.url)
    app = live_app(content_dir)
    state = app.extensions["feedsvc"]
    try:
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
    finally:
        state.close()
        hub.close()
