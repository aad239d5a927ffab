"""serve/websub.py: hub notifications from a background thread, checked with a hub on 127.0.0.1."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from feedsvc.app import create_app
from feedsvc.build.builder import load_snapshot
from feedsvc.serve.websub import HubNotifier, changed_topics
from support.factories import stopped_at_the_end, write_article
from support.hub import Hub, with_hub
from support.servers import wait_until

T1 = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def hub() -> Iterator[Hub]:
    with Hub() as server:
        yield server


def notifier(hub_url: str, state: Path | None = None, **options: object) -> HubNotifier:
    return HubNotifier(hub_url, state, **{"attempts": 4, "first_delay": 0.01, "timeout": 2.0, **options})


def test_changed_topics_are_new_or_changed_etags() -> None:
    before = {"a": "1", "b": "2", "gone": "3"}
    assert changed_topics(before, {"a": "1", "b": "9", "new": "4"}) == ["b", "new"]


def test_publish_posts_the_websub_form_for_each_feed(hub: Hub) -> None:
    sender = notifier(hub.url)
    try:
        sender.publish([("https://news.example.org/feed.atom", "e1"), ("https://news.example.org/feed.json", "e2")])
        assert wait_until(lambda: sender.delivered == 2)
        assert hub.received == [
            {"hub.mode": ["publish"], "hub.url": ["https://news.example.org/feed.atom"]},
            {"hub.mode": ["publish"], "hub.url": ["https://news.example.org/feed.json"]},
        ]
    finally:
        sender.close()


def test_failures_are_retried_with_backoff_then_succeed(hub: Hub) -> None:
    hub.statuses = [503, 500]
    sender = notifier(hub.url)
    try:
        started = time.monotonic()
        sender.publish([("https://news.example.org/feed.atom", "e1")])
        assert wait_until(lambda: sender.delivered == 1)
        assert len(hub.received) == 3
        assert time.monotonic() - started >= 0.03  # waited 0.01 then 0.02
    finally:
        sender.close()


def test_a_hub_that_keeps_failing_is_given_up_after_the_last_attempt(hub: Hub) -> None:
    hub.statuses = [500] * 10
    sender = notifier(hub.url, attempts=3)
    try:
        sender.publish([("https://news.example.org/feed.atom", "e1")])
        assert wait_until(lambda: sender.failed == 1)
        assert len(hub.received) == 3 and sender.delivered == 0
    finally:
        sender.close()


def test_an_unreachable_hub_costs_retries_not_exceptions() -> None:
    with Hub() as closed:
        url = closed.url
    # nothing listens there any more
    sender = notifier(url, attempts=2)
    try:
        sender.publish([("https://news.example.org/feed.atom", "e1")])
        assert wait_until(lambda: sender.failed == 1)
    finally:
        sender.close()


def test_a_closed_notifier_drops_what_is_published_and_starts_no_thread(hub: Hub) -> None:
    sender = notifier(hub.url)
    sender.publish([("https://news.example.org/feed.atom", "e1")])
    assert wait_until(lambda: sender.delivered == 1)
    thread = sender._thread
    sender.close()
    assert thread is not None and not thread.is_alive()
    # a watcher still finishing a build after its bounded join publishes after the close
    sender.publish([("https://news.example.org/feed.rss", "e2")])
    assert sender._thread is thread and sender.idle() and len(hub.received) == 1


def test_what_was_announced_is_remembered_across_restarts(hub: Hub, tmp_path: Path) -> None:
    state = tmp_path / ".feedsvc" / "websub.json"
    feeds = {"https://news.example.org/feed.atom": "e1", "https://news.example.org/feed.rss": "e2"}
    first = notifier(hub.url, state)
    try:
        assert first.announce(feeds) == sorted(feeds)
        assert wait_until(lambda: first.delivered == 2 and state.exists())
    finally:
        first.close()
    second = notifier(hub.url, state)
    try:
        assert second.announce(feeds) == []
        assert second.announce({**feeds, "https://news.example.org/feed.rss": "e3"}) == [
            "https://news.example.org/feed.rss"
        ]
        assert wait_until(lambda: second.delivered == 1)
    finally:
        second.close()


@contextmanager
def make_app(content_dir: Path, now: datetime = T1) -> Iterator[Any]:
    """The app on ``content_dir`` at ``now``; its WebSub thread is stopped when the block ends."""
    settings = {"TESTING": True, "CONTENT_DIR": str(content_dir), "CLOCK": lambda: now, "WEBSUB_FIRST_DELAY": 0.01,
                "WEBSUB_ATTEMPTS": 3}  # fmt: skip
    with stopped_at_the_end(create_app(settings)) as app:
        yield app


def test_first_start_announces_every_feed_and_a_restart_only_the_changed_ones(hub: Hub, content_dir: Path) -> None:
    with_hub(content_dir, hub.url)
    with make_app(content_dir) as app:
        state = app.extensions["feedsvc"]
        topics = state.snapshot.topics()
        assert wait_until(lambda: state.notifier.delivered == len(topics))
        assert sorted(hub.urls()) == sorted(topics)
    hub.received.clear()
    write_article(content_dir, "new-story", "2024-05-02T10:00:00", tags=("Transport",))
    with make_app(content_dir, T1 + timedelta(hours=1)) as again:
        expected = {"https://news.example.org/feed.atom", "https://news.example.org/tags/transport/feed.atom"}
        notifier = again.extensions["feedsvc"].notifier
        assert wait_until(lambda: expected <= set(hub.urls()) and notifier.idle())
        changed = set(hub.urls())
        assert "https://news.example.org/tags/culture/feed.atom" not in changed  # not touched by the new story


def test_replacing_the_snapshot_announces_exactly_the_changed_feeds(hub: Hub, content_dir: Path) -> None:
    with_hub(content_dir, hub.url)
    with make_app(content_dir) as app:
        state = app.extensions["feedsvc"]
        assert wait_until(lambda: state.notifier.delivered == len(state.snapshot.topics()))
        hub.received.clear()
        write_article(content_dir, "new-story", "2024-05-02T10:00:00", tags=("Culture",), authors=("Ada Lovelace",))
        changed = state.replace(load_snapshot(content_dir, now=T1 + timedelta(hours=1)))
        assert "https://news.example.org/tags/culture/feed.json" in changed
        assert "https://news.example.org/tags/transport/feed.atom" not in changed
        assert wait_until(lambda: sorted(hub.urls()) == changed)
        # the new snapshot is what requests now see
        assert b"new-story" in app.test_client().get("/feed.atom").data


def test_a_slow_hub_never_delays_start_up_or_requests(content_dir: Path) -> None:
    with Hub(held=True) as slow:  # answers nothing until released: as slow as a hub can be
        with_hub(content_dir, slow.url)
        with make_app(content_dir) as app:
            client = app.test_client()
            assert client.get("/feed.atom").status_code == 200
            assert wait_until(lambda: bool(slow.received))
            # started and answered while the hub still holds its first ping (however loaded the machine)
            assert not app.extensions["feedsvc"].notifier.idle()
            slow.released.set()


def test_no_hub_no_thread(content_dir: Path) -> None:
    with make_app(content_dir) as app:
        assert app.extensions["feedsvc"].notifier is None
        assert "Link" not in app.test_client().get("/feed.atom").headers


def test_start_up_pings_can_wait_until_the_server_is_listening(hub: Hub, content_dir: Path) -> None:
    with_hub(content_dir, hub.url)
    settings = {"TESTING": True, "CONTENT_DIR": str(content_dir), "WEBSUB_ANNOUNCE_AT_START": False,
                "WEBSUB_FIRST_DELAY": 0.01}  # fmt: skip
    with stopped_at_the_end(create_app(settings)) as app:
        state = app.extensions["feedsvc"]
        # nothing queued, so nothing can reach the hub, however long the test waits
        assert state.notifier.idle() and state.notifier.delivered == 0
        assert hub.received == []  # e.g. `serve --check-config`, or before gunicorn has bound its port
        urls = state.announce_startup()
        assert wait_until(lambda: sorted(hub.urls()) == urls)
