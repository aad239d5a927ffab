"""follow/running.py: serve's follower job, and the sources' status in /healthz, /metrics and check."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from feedsvc.app import create_app
from feedsvc.content.loader import load_site
from feedsvc.follow.running import ELSEWHERE_WAIT, Following, follow_once, source_status
from feedsvc.follow.state import polling, read_state
from support.following import START, Clock, options, source_table, write_sources
from support.http_fixture import SECRET, FixtureServer, Reply, redirect
from support.sites import NEWS_SITE_TOML
from support.source_site import SourceSite


@pytest.fixture
def site_toml() -> str:
    return NEWS_SITE_TOML


def test_following_polls_what_is_due_and_says_when_to_look_again(content_dir: Path, server: FixtureServer) -> None:
    river = SourceSite(server)
    river.add(1)
    write_sources(content_dir, source_table("river", river.feed_url, every=600))
    clock = Clock()
    following = Following(content_dir, options=options(clock, min_delay=0), check_interval=30)
    try:
        assert following() == 30  # the next poll is 600 s away: look again at the check interval
        assert len(list((content_dir / "articles").glob("*.html"))) == 1
        clock.moment = read_state(content_dir, "river").next_poll - timedelta(seconds=5)  # type: ignore[operator]
        assert following() == 5  # not due yet: look again when it is
        river.add(2)
        clock.advance(5)
        following()
        assert len(list((content_dir / "articles").glob("*.html"))) == 2
    finally:
        following.close()


def test_following_looks_again_after_a_while_at_a_source_another_process_is_polling(
    content_dir: Path, server: FixtureServer
) -> None:
    """Due until the other's poll ends (its state says so): looked at again at once, it would be found held again,
    each look reading site.toml, for as long as the other polls (minutes, for a source with many new pages)."""
    river = SourceSite(server)
    river.add(1)
    write_sources(content_dir, source_table("river", river.feed_url, every=600))
    following = Following(content_dir, options=options(Clock(), min_delay=0), check_interval=30)
    try:
        with polling(content_dir, "river") as held:  # another process polls it now
            assert held
            assert following() == ELSEWHERE_WAIT
        assert not list((content_dir / "articles").glob("*.html"))
    finally:
        following.close()


def test_following_without_sources_or_with_a_broken_site_toml_only_waits(content_dir: Path) -> None:
    following = Following(content_dir, check_interval=12)
    assert following() == 12
    (content_dir / "site.toml").write_text("title = ")
    assert following() == 12


def test_source_status_says_last_success_last_error_items_and_next_poll(
    content_dir: Path, server: FixtureServer
) -> None:
    river = SourceSite(server)
    river.add(1)
    river.add(2)
    server.routes["/busy.xml"] = Reply(b"", 503, "text/plain", {"Retry-After": "120"})
    write_sources(
        content_dir, source_table("river", river.feed_url), source_table("busy", server.url("/busy.xml"), every=60)
    )
    clock = Clock()
    follow_once(content_dir, options(clock, min_delay=0))
    site = load_site(content_dir)
    river_status, busy_status = source_status(content_dir, site, START)
    assert river_status["last_success"] == START.isoformat() and river_status["last_error"] is None
    assert (
        river_status["items_seen"] == 2 and river_status["next_poll"] == (START + timedelta(seconds=1800)).isoformat()
    )
    assert busy_status["last_success"] is None and "HTTP 503" in busy_status["last_error"]
    assert busy_status["failures"] == 1 and busy_status["next_poll"] == (START + timedelta(seconds=120)).isoformat()


def test_healthz_and_metrics_report_each_source(content_dir: Path, server: FixtureServer) -> None:
    river = SourceSite(server)
    river.add(1)
    server.routes["/busy.xml"] = Reply(b"", 503, "text/plain")
    write_sources(content_dir, source_table("river", river.feed_url), source_table("busy", server.url("/busy.xml")))
    follow_once(content_dir, options(Clock(), min_delay=0))
    client = create_app({"TESTING": True, "CONTENT_DIR": str(content_dir)}).test_client()
    sources = {s["name"]: s for s in client.get("/healthz").get_json()["sources"]}
    assert sources["river"]["items_seen"] == 1 and sources["river"]["last_success"] == START.isoformat()
    assert sources["busy"]["last_error"].startswith("HTTP 503") and sources["busy"]["failures"] == 1
    samples = {
        (sample.name, sample.labels.get("source")): sample.value
        for family in text_string_to_metric_families(client.get("/metrics").get_data(as_text=True))
        for sample in family.samples
    }
    assert samples["feedsvc_source_last_success_timestamp_seconds", "river"] == START.timestamp()
    assert samples["feedsvc_source_last_success_timestamp_seconds", "busy"] == 0
    assert samples["feedsvc_source_items_seen", "river"] == 1
    assert samples["feedsvc_source_failures", "busy"] == 1
    assert samples["feedsvc_source_last_error_timestamp_seconds", "busy"] == START.timestamp()
    assert samples["feedsvc_source_last_error_timestamp_seconds", "river"] == 0
    assert samples["feedsvc_source_next_poll_timestamp_seconds", "river"] == START.timestamp() + 1800


def test_healthz_lists_no_sources_for_a_site_without_any(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/healthz").get_json()["sources"] == []


def test_a_failing_source_makes_healthz_degraded_naming_it_until_it_is_read_again(
    content_dir: Path, server: FixtureServer
) -> None:
    river = SourceSite(server)
    river.add(1)
    server.routes["/busy.xml"] = Reply(b"", 503, "text/plain")
    server.routes["/gone.xml"] = Reply(b"", 503, "text/plain")
    write_sources(
        content_dir,
        source_table("river", river.feed_url),
        source_table("busy", server.url("/busy.xml"), every=60),
        source_table("gone", server.url("/gone.xml"), status="paused"),
    )
    clock = Clock()
    follow_once(content_dir, options(clock, min_delay=0))
    clock.advance(60)
    follow_once(content_dir, options(clock, min_delay=0))  # a second failure in a row: since the first
    client = create_app({"TESTING": True, "CONTENT_DIR": str(content_dir)}).test_client()
    health = client.get("/healthz")
    assert health.status_code == 200 and health.get_json()["status"] == "degraded"
    (failing,) = health.get_json()["failing_sources"]  # a paused source is not polled, so never failing
    assert failing["source"] == "busy" and failing["url"] == server.url("/busy.xml")
    assert failing["reason"].startswith("HTTP 503") and failing["since"] == START.isoformat()
    assert f"feedsvc tries again at {failing['next_poll']}" in failing["fix"]
    assert "(backing off after 2 failed poll(s) in a row)" in failing["fix"] and 'status = "paused"' in failing["fix"]

    server.routes["/busy.xml"] = server.routes[river.feed_url.removeprefix(server.base)]
    clock.advance(3600)
    follow_once(content_dir, options(clock, min_delay=0))
    health = client.get("/healthz").get_json()
    assert (health["status"], health["failing_sources"]) == ("ok", [])


def test_a_source_redirected_to_a_url_with_a_password_fails_and_healthz_does_not_show_it(
    content_dir: Path, server: FixtureServer
) -> None:
    server.routes["/moved.xml"] = redirect(server.url_with_password("/feed.xml"))
    write_sources(content_dir, source_table("moved", server.url("/moved.xml")))
    follow_once(content_dir, options(Clock(), min_delay=0))
    client = create_app({"TESTING": True, "CONTENT_DIR": str(content_dir)}).test_client()
    health = client.get("/healthz")
    (failing,) = health.get_json()["failing_sources"]
    assert failing["source"] == "moved" and "carries a user name or password" in failing["reason"]
    assert server.url("/feed.xml") in failing["reason"]
    assert SECRET not in health.get_data(as_text=True)
    assert server.hits["/feed.xml"] == 0


def test_a_source_that_asked_to_wait_is_failing_too(content_dir: Path, server: FixtureServer) -> None:
    river = SourceSite(server)
    first = river.add(1)
    server.routes[river.page_path(first)] = Reply(b"", 429, "text/plain", {"Retry-After": "600"})
    write_sources(content_dir, source_table("river", river.feed_url))
    follow_once(content_dir, options(Clock(), min_delay=0))
    (status,) = source_status(content_dir, load_site(content_dir), START)
    assert status["failures"] == 0 and status["failing_since"] == START.isoformat()  # read, but told to wait
    assert "the site asked feedsvc to wait" in status["fix"]
