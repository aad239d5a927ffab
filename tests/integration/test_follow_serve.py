"""`feedsvc serve` follows its sources by itself: a source site that changes is on /feed.atom soon after."""

from __future__ import annotations

import json
import threading
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from feedsvc.follow.state import read_state, write_state
from support.following import source_table, write_sources
from support.http_fixture import FixtureServer, Reply
from support.servers import feedsvc_serve, wait_until
from support.sites import blank_site
from support.source_site import SourceSite

# Look for due sources every 0.2 s, and no delay between requests to the fixture server.
ENV = {"FEEDSVC_FOLLOW_CHECK_INTERVAL": "0.2", "FEEDSVC_FOLLOW_HOST_DELAY": "0"}


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")


def due_now(content_dir: Path) -> None:
    """Make the river source due, as if its `every` had passed."""
    state = read_state(content_dir, "river")
    state.next_poll = datetime.now(UTC)
    write_state(content_dir, state)


def test_serve_follows_new_edited_and_failing_sources_on_its_own(tmp_path: Path) -> None:
    content_dir = blank_site(tmp_path / "content")
    with FixtureServer() as server:
        river = SourceSite(server)
        first = river.add(1)
        second = river.add(2)
        server.routes["/busy.xml"] = Reply(b"", 429, "text/plain", {"Retry-After": "3600"})
        write_sources(
            content_dir,
            source_table("river", river.feed_url, every=60),
            source_table("busy", server.url("/busy.xml"), every=60),
        )
        with feedsvc_serve(content_dir, tmp_path / "serve.log", env=ENV) as served:
            feed = f"{served.url}/feed.atom"
            # the first poll runs at start: both items, full text from a feed of one sentence each
            assert wait_until(lambda: all(f"Paragraph 7 of Story number {n}" in fetch(feed) for n in (1, 2))), (
                served.output()
            )

            river.add(3)
            river.edit(first, "Story 1 begins, corrected, with the river falling back under the old stone bridge.")
            due_now(content_dir)
            assert wait_until(lambda: "Story number 3 about the river" in fetch(feed)), served.output()
            assert wait_until(lambda: "corrected, with the river falling back" in fetch(feed)), served.output()

            health = json.loads(fetch(f"{served.url}/healthz"))
            sources = {s["name"]: s for s in health["sources"]}
            assert sources["river"]["items_seen"] == 3 and sources["river"]["last_error"] is None
            assert sources["busy"]["last_error"].startswith("HTTP 429") and sources["busy"]["failures"] >= 1
            assert server.hits["/busy.xml"] == 1  # Retry-After: 3600 is honoured: not asked again
            metrics = fetch(f"{served.url}/metrics")
            assert 'feedsvc_source_items_seen{source="river"} 3.0' in metrics
            assert 'feedsvc_source_failures{source="busy"} 1.0' in metrics

            # the source drops an item: its article stays published (removed = "keep")
            river.delete(second, page_too=True)
            polls = server.hits["/news/feed.xml"]
            due_now(content_dir)
            assert wait_until(lambda: server.hits["/news/feed.xml"] > polls), served.output()
            assert wait_until(lambda: read_state(content_dir, "river").next_poll > datetime.now(UTC))  # type: ignore[operator]
            assert "Paragraph 7 of Story number 2" in fetch(feed)
            # nothing new: the next poll is one conditional request, answered 304
            requests = len(server.answers)
            due_now(content_dir)
            assert wait_until(lambda: len(server.answers) > requests), served.output()
            assert server.answers[requests:] == [("/news/feed.xml", 304)]


def test_serve_names_robots_and_malformed_feeds_in_healthz_and_a_slow_source_stalls_no_other(tmp_path: Path) -> None:
    content_dir = blank_site(tmp_path / "content")
    released = threading.Event()

    def hanging() -> Reply:  # a source that does not answer until the test lets it
        released.wait(20)
        return Reply(b"<rss><channel><title>late</title></channel></rss>", content_type="application/rss+xml")

    with FixtureServer() as server, FixtureServer() as other:
        river = SourceSite(server)
        river.add(1)
        server.routes["/broken.xml"] = Reply(b"\x00\x01\x02 not xml", content_type="application/rss+xml")
        # "localhost" is another host than 127.0.0.1: its own robots.txt, and polled beside the river
        elsewhere = f"http://localhost:{other.base.rsplit(':', 1)[1]}"
        other.routes["/robots.txt"] = Reply(b"User-agent: *\nDisallow: /private/\n", content_type="text/plain")
        other.routes["/private/feed.xml"] = Reply(b"<rss/>", content_type="application/rss+xml")
        other.routes["/slow.xml"] = hanging
        write_sources(
            content_dir,
            source_table("closed", f"{elsewhere}/private/feed.xml"),
            source_table("slow", f"{elsewhere}/slow.xml"),
            source_table("broken", server.url("/broken.xml")),
            source_table("river", river.feed_url),
        )
        try:
            with feedsvc_serve(content_dir, tmp_path / "serve.log", env=ENV) as served:
                feed = f"{served.url}/feed.atom"
                # the river is followed and published while the slow source on another host has not answered
                assert wait_until(lambda: "Paragraph 7 of Story number 1" in fetch(feed)), served.output()
                assert other.hits["/slow.xml"] == 1 and read_state(content_dir, "slow").last_poll is None

                def failing() -> dict[str, dict[str, str]]:
                    return {s["source"]: s for s in json.loads(fetch(f"{served.url}/healthz"))["failing_sources"]}

                assert wait_until(lambda: {"closed", "broken"} <= failing().keys()), served.output()
                health = json.loads(fetch(f"{served.url}/healthz"))
                assert health["status"] == "degraded"
                named = failing()
                assert "robots.txt disallows" in named["closed"]["reason"]
                assert other.hits["/private/feed.xml"] == 0
                assert "is not well-formed XML" in named["broken"]["reason"]
                assert "river" not in named
                released.set()  # before serve stops: its follower is not left waiting on the slow host
        finally:
            released.set()


def test_serve_no_watch_says_at_start_that_the_sources_are_not_followed(tmp_path: Path) -> None:
    content_dir = blank_site(tmp_path / "content")
    with FixtureServer() as server:
        river = SourceSite(server)
        river.add(1)
        write_sources(
            content_dir,
            source_table("river", river.feed_url),
            source_table("later", server.url("/later.xml"), status="paused"),
        )
        with feedsvc_serve(content_dir, tmp_path / "serve.log", "--no-watch", env=ENV) as served:
            assert wait_until(lambda: "--no-watch: the sources of site.toml" in served.output()), served.output()
            line = next(line for line in served.output().splitlines() if "--no-watch: the sources" in line)
            assert "(river) are not followed" in line and "serve without --no-watch" in line  # not the paused one
            assert json.loads(fetch(f"{served.url}/healthz"))["articles"] == 0
        assert server.hits["/news/feed.xml"] == 0
