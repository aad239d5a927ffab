"""cli/follow.py: `feedsvc follow --once` and the sources in `feedsvc check`, against a source site that changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from feedsvc.build.builder import load_snapshot
from feedsvc.cli.follow import run_follow
from feedsvc.cli.main import main
from feedsvc.follow.running import FollowOptions
from support.following import source_table, write_sources
from support.http_fixture import FixtureServer, Reply
from support.sites import NEWS_SITE_TOML
from support.source_site import SourceSite

FAST = ["--min-delay", "0", "--connect-timeout", "1", "--read-timeout", "0.5"]


@pytest.fixture
def site_toml() -> str:
    return NEWS_SITE_TOML


def follow(content_dir: Path, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["follow", "--once", "--content", str(content_dir), *FAST, *args])


def test_follow_once_imports_a_partial_feed_as_full_text_articles_and_prints_a_summary(
    content_dir: Path, server: FixtureServer
) -> None:
    river = SourceSite(server)
    for number in (1, 2, 3):
        river.add(number)
    write_sources(content_dir, source_table("river", river.feed_url, title="The River Times"))
    result = follow(content_dir)
    assert result.exit_code == 0, result.output
    assert "river: 3 new, 0 updated, 0 unchanged, 0 withdrawn, 0 failed" in result.output
    assert "new        3" in result.output and "unreadable 0 source(s)" in result.output
    assert "source   river (active, " in result.output and "3 items seen" in result.output
    articles = load_snapshot(content_dir, now=datetime.now(UTC)).catalog.articles
    assert len(articles) == 3 and {a.source for a in articles} == {"river"}
    # the feed carried one sentence; the article is the page's full text, cleaned (no nav, no footer)
    story = next(a for a in articles if a.slug == "story-number-2-about-the-river")
    assert "Paragraph 7 of Story number 2" in story.content.text()
    assert "Copyright the river times" not in story.content.text() and "Home" not in story.content.text()

    again = follow(content_dir)
    assert "river: not due" in again.output and again.exit_code == 0


def test_an_edited_item_is_republished_as_an_update(content_dir: Path, server: FixtureServer) -> None:
    river = SourceSite(server)
    item = river.add(1)
    write_sources(content_dir, source_table("river", river.feed_url))
    follow(content_dir)
    first = datetime.now(UTC).replace(microsecond=0)
    (before,) = load_snapshot(content_dir, now=first).catalog.articles
    river.edit(item, "Story 1 begins, corrected, with the river falling back under the bridge.")
    result = follow(content_dir, "--force")
    assert "river: 0 new, 1 updated" in result.output
    (after,) = load_snapshot(content_dir, now=first + timedelta(hours=1)).catalog.articles
    assert "corrected" in after.content.text()
    assert (after.entry_id, after.published) == (before.entry_id, before.published)
    assert after.updated == first + timedelta(hours=1) > before.updated  # the edit ledger moved it


def test_an_unreadable_source_is_named_and_exits_1_while_the_others_are_imported(
    content_dir: Path, server: FixtureServer
) -> None:
    river = SourceSite(server)
    river.add(1)
    server.routes["/gone.xml"] = Reply(b"gone", 410, "text/plain")
    write_sources(content_dir, source_table("gone", server.url("/gone.xml")), source_table("river", river.feed_url))
    result = follow(content_dir)
    assert result.exit_code == 1
    assert "river: 1 new" in result.output
    assert "gone: could not be read: HTTP 410 Gone from" in result.output
    assert "feedsvc follow: could not read source gone: HTTP 410" in result.stderr


def test_failed_items_are_listed_with_their_reason_and_do_not_fail_the_run(
    content_dir: Path, server: FixtureServer
) -> None:
    river = SourceSite(server)
    river.add(1)
    broken = river.add(2)
    server.routes[river.page_path(broken)] = Reply(b"", 404, "text/plain")
    write_sources(content_dir, source_table("river", river.feed_url))
    result = follow(content_dir)
    assert result.exit_code == 0
    assert f"  failed   {river.page_url(broken)}: HTTP 404 Not Found" in result.output


def test_a_site_without_sources_has_nothing_to_follow(content_dir: Path) -> None:
    result = follow(content_dir)
    assert result.exit_code == 0 and "has no [[source]] tables" in result.output


def test_check_lists_the_sources_and_their_state(content_dir: Path, server: FixtureServer) -> None:
    river = SourceSite(server)
    river.add(1)
    write_sources(
        content_dir,
        source_table("river", river.feed_url),
        source_table("later", river.feed_url.replace("feed.xml", "feed.atom"), status="paused"),
    )
    follow(content_dir)
    result = CliRunner().invoke(main, ["check", "--content", str(content_dir), "--no-cache"])
    assert f"source   river (active, {river.feed_url}): last success 20" in result.output
    assert "1 items seen" in result.output and "last error: -" in result.output
    assert "source   later (paused, " in result.output and "last success never" in result.output


def test_a_sources_rules_file_cleans_its_articles_whatever_their_host(content_dir: Path, server: FixtureServer) -> None:
    river = SourceSite(server)
    river.add(1)
    (content_dir / "rules").mkdir()
    (content_dir / "rules" / "river.example.org.toml").write_text("strip_text = ['^Paragraph 3 of']\n")
    write_sources(content_dir, source_table("river", river.feed_url, rules="rules/river.example.org.toml"))
    follow(content_dir)
    (article,) = load_snapshot(content_dir, now=datetime.now(UTC)).catalog.articles
    text = article.content.text()
    assert "Paragraph 4 of Story number 1" in text and "Paragraph 3 of" not in text  # pages on 127.0.0.1
    write_sources(content_dir, source_table("river", river.feed_url))
    (article,) = load_snapshot(content_dir, now=datetime.now(UTC)).catalog.articles
    assert "Paragraph 3 of" in article.content.text()  # without it, the host's rules (none) clean them


def test_follow_without_once_keeps_following_until_interrupted(content_dir: Path, server: FixtureServer) -> None:
    river = SourceSite(server)
    river.add(1)
    write_sources(content_dir, source_table("river", river.feed_url))
    waits: list[float] = []

    def sleep(seconds: float) -> None:  # the waits (between rounds, and between requests): the third is Ctrl-C
        waits.append(seconds)
        if len(waits) >= 3:
            raise KeyboardInterrupt

    assert run_follow(content_dir, False, False, FollowOptions(min_delay=0, sleep=sleep)) == 0
    assert len(list((content_dir / "articles").glob("*.html"))) == 1
    assert waits[-2:] == [30.0, 30.0]  # due again in 30 minutes: it looks again at the check interval


def test_check_names_a_failing_source_but_exits_on_the_folder_alone(content_dir: Path, server: FixtureServer) -> None:
    server.routes["/busy.xml"] = Reply(b"", 503, "text/plain")
    write_sources(content_dir, source_table("busy", server.url("/busy.xml")))
    assert follow(content_dir).exit_code == 1  # follow --once: the source could not be read
    result = CliRunner().invoke(main, ["check", "--content", str(content_dir), "--no-cache"])
    line = next(line for line in result.output.splitlines() if line.startswith("source   busy"))
    assert "last error: HTTP 503" in line and "; failing since 20" in line and "feedsvc tries again at" in line
    assert result.exit_code == 0  # the folder publishes as it is; the state is serve's or follow's (docs)
