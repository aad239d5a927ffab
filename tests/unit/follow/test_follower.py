"""follow/follower.py: a source site that changes over time, followed into the content folder."""

from __future__ import annotations

import gzip
import json
import re
import threading
import tomllib
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from feedsvc.cli.follow import report_lines
from feedsvc.follow.follower import MAX_FEED_BYTES, RECHECK_PER_POLL, SourceReport, backoff_seconds
from feedsvc.follow.state import read_state, state_file
from feedsvc.importer import importing
from feedsvc.importer.importing import Importer
from feedsvc.model import Source
from support.following import ANSWER_TIMEOUT, START, Clock, follower, poll, source_table, write_sources
from support.http_fixture import SECRET, FixtureServer, Reply, redirect
from support.sites import NEWS_SITE_TOML
from support.source_site import SourceSite


@pytest.fixture
def site_toml() -> str:
    return NEWS_SITE_TOML


@pytest.fixture
def river(server: FixtureServer) -> SourceSite:
    return SourceSite(server)


@pytest.fixture
def clock() -> Clock:
    return Clock()


def sidecar(content_dir: Path, slug: str) -> dict[str, object]:
    return tomllib.loads((content_dir / "articles" / f"{slug}.toml").read_text(encoding="utf-8"))


def files(content_dir: Path) -> dict[str, tuple[bytes, int]]:
    """Every article file: its bytes and its modification time (ns)."""
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted((content_dir / "articles").iterdir())}


def page_hits(server: FixtureServer) -> int:
    return sum(count for path, count in server.hits.items() if "/articles/" in path)


@pytest.fixture
def followed(content_dir: Path, river: SourceSite) -> Path:
    for number in (1, 2, 3):
        river.add(number)
    write_sources(content_dir, source_table("river", river.feed_url, every=600))
    return content_dir


@pytest.mark.parametrize("kind", ["rss", "atom", "json", "sitemap"])
def test_the_first_poll_imports_every_item_with_its_source_named(
    content_dir: Path, server: FixtureServer, river: SourceSite, clock: Clock, kind: str
) -> None:
    river.kind = kind
    for number in (1, 2, 3):
        river.add(number)
    write_sources(content_dir, source_table("river", river.feed_url, "sitemap" if kind == "sitemap" else "feed"))
    report = poll(content_dir, clock)["river"]
    assert sorted(report.new) == [
        "story-number-1-about-the-river",
        "story-number-2-about-the-river",
        "story-number-3-about-the-river",
    ]
    data = sidecar(content_dir, "story-number-2-about-the-river")
    assert data["source"] == "river"
    assert data["source_url"] == river.page_url(river.items[1])
    assert str(data["id"]).startswith("urn:uuid:")
    # the page is stored whole: the cleaner makes the full text of it, not the feed's one sentence
    html = (content_dir / "articles" / "story-number-2-about-the-river.html").read_text()
    assert "Paragraph 7 of Story number 2" in html
    state = read_state(content_dir, "river")
    assert len(state.items) == 3 and state.last_success == START and state.last_error is None
    assert state.next_poll == START + timedelta(seconds=1800)  # the default every


def test_entry_title_date_and_author_fill_what_the_page_leaves_out(
    content_dir: Path, river: SourceSite, clock: Clock
) -> None:
    river.add(1, page_title=False, title="Ferry resumes after the storm", author="Giorgi Abashidze")
    write_sources(content_dir, source_table("river", river.feed_url))
    (slug,) = poll(content_dir, clock)["river"].new
    data = sidecar(content_dir, slug)
    assert slug == "ferry-resumes-after-the-storm"
    assert (data["title"], data["author"]) == ("Ferry resumes after the storm", ["Giorgi Abashidze"])
    assert data["published"].isoformat() == river.items[0].published.isoformat()  # type: ignore[attr-defined]


def test_a_page_that_says_its_own_title_keeps_it(followed: Path, clock: Clock) -> None:
    poll(followed, clock)
    assert "title" not in sidecar(followed, "story-number-1-about-the-river")


def test_nothing_new_costs_one_conditional_request_and_touches_nothing(
    followed: Path, server: FixtureServer, river: SourceSite, clock: Clock
) -> None:
    poll(followed, clock)
    before = files(followed)
    requests = len(server.answers)
    clock.advance(600)
    report = poll(followed, clock)["river"]
    assert (report.status, report.new, report.updated) == ("not modified", [], [])
    assert server.answers[requests:] == [("/news/feed.xml", 304)]  # robots.txt is remembered across runs
    assert files(followed) == before


def test_an_unchanged_feed_served_again_whole_fetches_no_page(
    followed: Path, server: FixtureServer, river: SourceSite, clock: Clock
) -> None:
    poll(followed, clock)
    before, pages = files(followed), page_hits(server)
    state = read_state(followed, "river")
    state.documents.clear()  # as from a server that sends no validators
    state_file(followed, "river").write_text(state.to_json())
    clock.advance(600)
    report = poll(followed, clock)["river"]
    assert (report.status, report.unchanged, page_hits(server)) == ("polled", 3, pages)
    assert files(followed) == before


def test_not_due_sources_are_not_polled(followed: Path, server: FixtureServer, clock: Clock) -> None:
    poll(followed, clock)
    requests = len(server.answers)
    clock.moment = read_state(followed, "river").next_poll - timedelta(seconds=1)  # type: ignore[operator]
    assert poll(followed, clock)["river"].status == "not due"
    assert len(server.answers) == requests


def test_new_edited_and_deleted_items(followed: Path, server: FixtureServer, river: SourceSite, clock: Clock) -> None:
    poll(followed, clock)
    before = files(followed)
    one, two, three = river.items[2], river.items[1], river.items[0]
    river.add(4)
    river.edit(two, "Story 2 begins, corrected, with the river falling back under the old stone bridge.")
    river.delete(one, page_too=True)
    clock.advance(600)
    report = poll(followed, clock)["river"]
    assert report.new == ["story-number-4-about-the-river"]
    assert report.updated == ["story-number-2-about-the-river"]
    assert report.unchanged == 1 and report.withdrawn == []
    after = files(followed)
    assert after["story-number-3-about-the-river.html"] == before["story-number-3-about-the-river.html"]
    assert b"corrected" in after["story-number-2-about-the-river.html"][0]
    # the dropped item's article stays published (removed = "keep", the default)
    assert after["story-number-1-about-the-river.html"] == before["story-number-1-about-the-river.html"]
    assert "status" not in sidecar(followed, "story-number-1-about-the-river")
    assert server.hits[river.page_path(three)] == 1  # unchanged: fetched once, at the first poll


def test_removed_withdraw_withdraws_a_dropped_item_and_a_returning_one_is_published_again(
    content_dir: Path, river: SourceSite, clock: Clock
) -> None:
    one = river.add(1)
    river.add(2)
    write_sources(content_dir, source_table("river", river.feed_url, removed="withdraw"))
    poll(content_dir, clock)
    river.delete(one)
    clock.advance(1800)
    assert poll(content_dir, clock)["river"].withdrawn == ["story-number-1-about-the-river"]
    assert sidecar(content_dir, "story-number-1-about-the-river")["status"] == "withdrawn"
    river.items.append(one)
    river._touch()
    clock.advance(1800)
    report = poll(content_dir, clock)["river"]
    assert report.updated == ["story-number-1-about-the-river"]
    assert "status" not in sidecar(content_dir, "story-number-1-about-the-river")


def test_max_new_imports_the_newest_first_and_the_rest_on_later_polls(
    content_dir: Path, server: FixtureServer, river: SourceSite, clock: Clock
) -> None:
    for number in range(1, 6):
        river.add(number)
    write_sources(content_dir, source_table("river", river.feed_url, max_new=2, every=60))
    counts = []
    for _ in range(4):
        report = poll(content_dir, clock)["river"]
        counts.append((len(report.new), report.deferred))
        clock.advance(60)
    assert counts == [(2, 3), (2, 1), (1, 0), (0, 0)]
    assert len(list((content_dir / "articles").glob("*.html"))) == 5
    assert server.answers[-1] == ("/news/feed.xml", 304)  # once all are in, the feed is asked conditionally


def test_since_ignores_older_entries(content_dir: Path, river: SourceSite, clock: Clock) -> None:
    for number in (1, 5, 30):
        river.add(number)
    since = (river.items[1].published - timedelta(minutes=1)).isoformat()
    write_sources(content_dir, f'[[source]]\nname = "river"\nfeed = "{river.feed_url}"\nsince = {since}\n')
    assert sorted(poll(content_dir, clock)["river"].new) == [
        "story-number-30-about-the-river",
        "story-number-5-about-the-river",
    ]


def test_a_paused_source_is_not_polled(
    content_dir: Path, server: FixtureServer, river: SourceSite, clock: Clock
) -> None:
    river.add(1)
    write_sources(content_dir, source_table("river", river.feed_url, status="paused"))
    assert poll(content_dir, clock)["river"].status == "paused"
    assert server.answers == []


def test_a_429_on_the_feed_waits_as_long_as_retry_after_says(
    content_dir: Path, server: FixtureServer, clock: Clock
) -> None:
    server.routes["/feed.xml"] = Reply(b"slow down", 429, "text/plain", {"Retry-After": "7200"})
    write_sources(content_dir, source_table("busy", server.url("/feed.xml"), every=600))
    report = poll(content_dir, clock)["busy"]
    assert report.status == "failed" and "HTTP 429" in str(report.error)
    state = read_state(content_dir, "busy")
    assert state.next_poll == START + timedelta(seconds=7200) and state.failures == 1


def test_server_errors_back_off_exponentially_and_a_success_resets(
    content_dir: Path, server: FixtureServer, river: SourceSite, clock: Clock
) -> None:
    river.add(1)
    broken = Reply(b"oops", 503, "text/plain")
    server.routes["/news/feed.xml"] = broken
    write_sources(content_dir, source_table("river", river.feed_url, every=60))
    waits = []
    for _ in range(3):
        poll(content_dir, clock)
        state = read_state(content_dir, "river")
        waits.append((state.next_poll - state.last_poll).total_seconds())  # type: ignore[operator]
        clock.moment = state.next_poll  # type: ignore[assignment]
    assert waits == [60.0, 120.0, 240.0]
    river.__post_init__()  # the feed answers again
    assert poll(content_dir, clock)["river"].new == ["story-number-1-about-the-river"]
    assert read_state(content_dir, "river").failures == 0


def test_backoff_is_capped_and_honours_retry_after() -> None:
    assert backoff_seconds(1800, 20) == 86400
    assert backoff_seconds(60, 1, retry_after=30) == 60
    assert backoff_seconds(60, 1, retry_after=10**9) == 7 * 86400


def test_a_429_on_an_item_page_stops_the_source_until_retry_after(
    followed: Path, server: FixtureServer, river: SourceSite, clock: Clock
) -> None:
    river.add(4)
    river.add(5)
    server.routes[river.page_path(river.items[0])] = Reply(b"", 429, "text/plain", {"Retry-After": "3600"})
    write_sources(followed, source_table("river", river.feed_url, every=600))
    report = poll(followed, clock)["river"]
    assert report.new == [] and report.deferred >= 5
    assert read_state(followed, "river").next_poll == START + timedelta(seconds=3600)
    assert page_hits(server) == 1  # nothing more asked of a server that said to wait


def test_robots_disallow_is_a_named_failure_of_the_item(
    content_dir: Path, server: FixtureServer, river: SourceSite, clock: Clock
) -> None:
    river.add(1)
    river.add(2, slug="private-2")
    server.routes["/robots.txt"] = Reply(
        b"User-agent: *\nDisallow: /news/articles/private\n", content_type="text/plain"
    )
    write_sources(content_dir, source_table("river", river.feed_url))
    report = poll(content_dir, clock)["river"]
    assert report.new == ["story-number-1-about-the-river"]
    ((url, reason),) = report.failed
    assert url.endswith("/news/articles/private-2") and "robots.txt disallows" in reason
    assert server.hits["/news/articles/private-2"] == 0


def test_robots_disallowing_the_feed_makes_the_source_unreadable(
    content_dir: Path, server: FixtureServer, river: SourceSite, clock: Clock
) -> None:
    river.add(1)
    server.routes["/robots.txt"] = Reply(b"User-agent: feedsvc\nDisallow: /\n", content_type="text/plain")
    write_sources(content_dir, source_table("river", river.feed_url))
    report = poll(content_dir, clock)["river"]
    assert report.status == "failed" and "robots.txt disallows" in str(report.error)


def test_redirects_and_canonicals_deduplicate(
    content_dir: Path, server: FixtureServer, river: SourceSite, clock: Clock
) -> None:
    target = river.add(1)
    river.add(2, link=server.url("/short/1"))  # another guid, its link redirects to the same page
    server.routes["/short/1"] = redirect(river.page_path(target))
    river.add(3, link=server.url(river.page_path(target) + "?utm_source=feed"))  # same canonical
    server.routes[river.page_path(target) + "?utm_source=feed"] = lambda: river._page(target)
    write_sources(content_dir, source_table("river", river.feed_url))
    report = poll(content_dir, clock)["river"]
    assert report.new == ["story-number-1-about-the-river"]
    assert len(list((content_dir / "articles").glob("*.html"))) == 1
    assert report.unchanged == 2


def test_items_linking_off_site_or_to_files_are_refused_by_name(
    content_dir: Path, server: FixtureServer, river: SourceSite, clock: Clock
) -> None:
    river.add(1, link="file:///etc/passwd")
    river.add(2, link=f"http://localhost:{server.base.rsplit(':', 1)[1]}/news/articles/story-2")
    river.add(3)
    write_sources(content_dir, source_table("river", river.feed_url))
    report = poll(content_dir, clock)["river"]
    assert report.new == ["story-number-3-about-the-river"]
    reasons = dict(report.failed)
    assert "is not an http(s) URL" in reasons["file:///etc/passwd"]
    assert "off the source's site" in reasons[river.items[1].link]  # type: ignore[index]
    # refused for good: not asked again until the entry changes
    clock.advance(1800)
    river._touch()
    assert poll(content_dir, clock)["river"].retrying == 0


def test_an_item_linking_with_a_password_is_refused_and_no_report_or_state_repeats_it(
    content_dir: Path, server: FixtureServer, river: SourceSite, clock: Clock
) -> None:
    river.add(1, link=server.url_with_password("/news/articles/story-1"))
    river.add(2)
    write_sources(content_dir, source_table("river", river.feed_url))
    report = poll(content_dir, clock)["river"]
    assert report.new == ["story-number-2-about-the-river"]
    ((url, reason),) = report.failed
    assert url == server.url("/news/articles/story-1") and "carries a user name or password" in reason
    assert SECRET not in "\n".join(report_lines([report]))  # what `feedsvc follow --once` prints
    last_error = read_state(content_dir, "river").last_error or ""
    assert "1 item(s) failed" in last_error and SECRET not in last_error  # what /healthz and check show
    assert server.hits["/news/articles/story-1"] == 0


def test_the_state_file_keeps_a_refused_item_without_its_password_and_still_knows_it_at_the_next_poll(
    content_dir: Path, server: FixtureServer, river: SourceSite, clock: Clock
) -> None:
    river.add(1, link=server.url_with_password("/news/articles/story-1"))
    write_sources(content_dir, source_table("river", river.feed_url))
    poll(content_dir, clock)
    assert SECRET not in state_file(content_dir, "river").read_text(encoding="utf-8")
    [item] = read_state(content_dir, "river").items.values()
    assert item.url == server.url("/news/articles/story-1") and item.error
    clock.advance(1800)
    river.add(2)  # the feed changes, so its items are read again
    again = poll(content_dir, clock)["river"]  # found again under its key without the secret: refused for good
    assert again.new == ["story-number-2-about-the-river"]
    assert again.retrying == 0 and "tried" in dict(again.failed)[server.url("/news/articles/story-1")]
    assert SECRET not in state_file(content_dir, "river").read_text(encoding="utf-8")


def test_a_state_file_written_with_passwords_in_item_urls_is_read_without_them(content_dir: Path) -> None:
    # Before session 40 a refused item was kept under its URL as the feed gave it, password included.
    old = {
        "failures": 0,
        "items": {
            f"https://editor:{SECRET}@river.example/a": {
                "url": f"https://editor:{SECRET}@river.example/a",
                "version": "v1",
                "error": "refused",
                "attempts": 3,
            },
            "https://river.example/b": {"url": "https://river.example/b", "slug": "b", "final_url": None},
        },
    }
    path = state_file(content_dir, "river")
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(old), encoding="utf-8")
    state = read_state(content_dir, "river")
    assert sorted(state.items) == ["https://river.example/a", "https://river.example/b"]
    assert state.items["https://river.example/a"].url == "https://river.example/a"
    assert state.items["https://river.example/a"].attempts == 3 and state.items["https://river.example/b"].slug == "b"
    assert SECRET not in state.to_json()


@pytest.mark.parametrize(
    "reply, message",
    [
        (Reply(b"<rss><channel><title>x</channel>", content_type="application/rss+xml"), None),
        (Reply(b"\x00\x01\x02 not xml", content_type="application/rss+xml"), "feed .* is not well-formed XML"),
        (Reply(b"<html><body>Oops</body></html>"), "is an HTML page, not a feed"),
        (Reply(b"x" * 100, status=500, content_type="text/plain"), "HTTP 500"),
        (Reply(b"", 301, None, {"Location": "/hostile.xml"}), "redirect loop"),
        (
            Reply(
                b"<rss><channel>" + b"<item>x</item>" * 100 + b"</channel></rss>",
                gzip=True,
                content_type="application/rss+xml",
            ),
            None,
        ),
        (Reply(b"\0" * (MAX_FEED_BYTES + 10), gzip=True), "over the 10,485,760-byte limit"),
        (Reply(b"<rss>" + b" " * 40_000, chunk_delay=0.1, length=False), "gave up reading|timed out"),
    ],
    ids=["bozo", "garbage", "html", "5xx", "redirect-loop", "no-links", "gzip-bomb", "slow-loris"],
)
def test_hostile_feeds_are_named_errors_of_their_source_and_others_go_on(
    content_dir: Path, server: FixtureServer, river: SourceSite, clock: Clock, reply: Reply, message: str | None
) -> None:
    server.routes["/hostile.xml"] = reply
    river.add(1)
    write_sources(
        content_dir, source_table("hostile", server.url("/hostile.xml")), source_table("river", river.feed_url)
    )
    # Only the slow answer is about the clock: it needs a timeout shorter than its 4 s body. The others keep
    # the default, or a loaded machine gzipping 10 MB for the bomb times out before the size cap is reached.
    timeout = 2.0 if reply.chunk_delay else ANSWER_TIMEOUT
    reports = poll(content_dir, clock, timeout=timeout)
    assert reports["river"].new == ["story-number-1-about-the-river"]
    hostile = reports["hostile"]
    if message is None:
        assert hostile.status == "polled" and hostile.new == []
    else:
        assert hostile.status == "failed"
        assert re.search(message, str(hostile.error)), hostile.error
        assert read_state(content_dir, "hostile").last_error == hostile.error


def test_a_feed_of_100000_items_is_a_named_error_not_a_stall(
    content_dir: Path, server: FixtureServer, clock: Clock
) -> None:
    items = b"".join(b"<item><link>/a/%d</link></item>" % n for n in range(100_000))
    server.routes["/big.xml"] = Reply(
        b"<rss><channel>" + items + b"</channel></rss>", content_type="application/rss+xml"
    )
    server.routes["/huge.xml"] = Reply(
        b"<rss><channel>" + items * 5 + b"</channel></rss>", content_type="application/rss+xml"
    )
    write_sources(
        content_dir,
        source_table("big", server.url("/big.xml"), max_new=1),
        source_table("huge", server.url("/huge.xml")),
    )
    reports = poll(content_dir, clock)
    assert "lists 100,000 entries; only the newest 1,000 were read" in str(reports["big"].warning)
    assert reports["big"].deferred == 999
    assert "over the 10,485,760-byte limit" in str(reports["huge"].error)


def test_item_pages_that_never_end_or_explode_are_named_failures(
    content_dir: Path, server: FixtureServer, river: SourceSite, clock: Clock
) -> None:
    endless = river.add(1)
    bomb = river.add(2)
    river.add(3)
    server.routes[river.page_path(endless)] = Reply(b"<p>" * 3_000_000, length=False)
    server.routes[river.page_path(bomb)] = Reply(b"\0" * 50_000_000, gzip=True)
    write_sources(content_dir, source_table("river", river.feed_url))
    report = poll(content_dir, clock, timeout=60.0)["river"]  # the size cap ends them, not the clock
    assert report.new == ["story-number-3-about-the-river"]
    assert all("over the 5,242,880-byte limit" in why for _, why in report.failed) and len(report.failed) == 2
    assert report.retrying == 2  # tried again at the next polls, up to a limit


def test_a_crash_in_the_middle_of_a_poll_loses_and_duplicates_nothing(
    followed: Path, river: SourceSite, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = Importer.import_fetched
    calls = {"n": 0}

    def killed_at_the_third(self: Importer, *args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt  # the process dies with two articles on disk, maybe not yet recorded
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Importer, "import_fetched", killed_at_the_third)
    with pytest.raises(KeyboardInterrupt):
        poll(followed, clock)
    monkeypatch.setattr(Importer, "import_fetched", real)
    assert len(list((followed / "articles").glob("*.html"))) == 2
    report = poll(followed, clock)["river"]
    assert len(report.new) == 1 and len(report.new) + len(report.updated) + report.unchanged == 3
    assert report.updated == []
    assert len(list((followed / "articles").glob("*.html"))) == 3
    assert len(read_state(followed, "river").items) == 3


def test_a_damaged_state_file_is_set_aside_and_nothing_is_imported_twice(followed: Path, clock: Clock) -> None:
    poll(followed, clock)
    state_file(followed, "river").write_text("{not json")
    clock.advance(600)
    report = poll(followed, clock)["river"]
    assert report.new == [] and report.unchanged == 3
    assert len(list((followed / "articles").glob("*.html"))) == 3
    assert list(state_file(followed, "river").parent.glob("river.json.corrupt-*"))


def test_a_sitemap_index_and_its_gzip_sitemaps(
    content_dir: Path, server: FixtureServer, river: SourceSite, clock: Clock
) -> None:
    river.kind = "sitemap"
    for number in (1, 2):
        river.add(number)
    server.routes["/sitemap_index.xml"] = Reply(
        (
            "<sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
            f"<sitemap><loc>{server.url('/news/sitemap.xml')}</loc></sitemap>"
            f"<sitemap><loc>{server.url('/more.xml.gz')}</loc></sitemap></sitemapindex>"
        ).encode(),
        content_type="application/xml",
    )
    more = river.add(3)
    river.items.remove(more)
    server.routes["/more.xml.gz"] = Reply(
        gzip.compress(
            f"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'><url><loc>{river.page_url(more)}</loc></url></urlset>".encode()
        ),
        content_type="application/gzip",
    )
    write_sources(content_dir, source_table("river", server.url("/sitemap_index.xml"), "sitemap"))
    assert len(poll(content_dir, clock)["river"].new) == 3


def test_sources_on_other_hosts_are_polled_in_parallel(content_dir: Path, river: SourceSite, clock: Clock) -> None:
    river.add(1)
    with FixtureServer() as slow:
        slow.routes["/feed.xml"] = Reply(b"<rss/>", delay=2.5)
        # "localhost" is another host than 127.0.0.1: its own group, in its own thread
        slow_url = f"http://localhost:{slow.base.rsplit(':', 1)[1]}/feed.xml"
        write_sources(content_dir, source_table("slow", slow_url), source_table("river", river.feed_url))
        reports = poll(content_dir, clock, timeout=2.0)
    assert reports["river"].new == ["story-number-1-about-the-river"]
    assert reports["slow"].status == "failed" and "timed out" in str(reports["slow"].error)


# --- revalidating item pages whose entries did not change ----------------------------------------------


@pytest.fixture
def recent(content_dir: Path, river: SourceSite) -> Path:
    """Three items published in the last days (young enough for their pages to be revalidated)."""
    for number in (1, 2, 3):
        river.add(number, published=START - timedelta(days=4 - number))
    write_sources(content_dir, source_table("river", river.feed_url, every=600))
    return content_dir


def test_a_page_edited_while_its_entry_is_not_is_found_by_revalidation(
    recent: Path, server: FixtureServer, river: SourceSite, clock: Clock
) -> None:
    poll(recent, clock)
    edited = river.items[1]  # story 2
    river.edit_page(edited, "Correction: the bridge was built in 1732, not 1723.")
    before = files(recent)
    # within `recheck` (a day) of their last fetch, no page is asked again: one 304 per poll
    clock.advance(600)
    requests = len(server.answers)
    assert poll(recent, clock)["river"].rechecked == 0
    assert server.answers[requests:] == [("/news/feed.xml", 304)]
    # a day on, the feed is still unchanged, but the pages are asked again, conditionally
    clock.advance(86400)
    requests = len(server.answers)
    report = poll(recent, clock)["river"]
    assert (report.status, report.rechecked, report.updated) == (
        "not modified",
        3,
        ["story-number-2-about-the-river"],
    )
    asked = [answer for answer in server.answers[requests:] if answer[0] != "/robots.txt"]  # a day old: asked again
    assert sorted(asked) == sorted(
        [("/news/feed.xml", 304)] + [(river.page_path(i), 200 if i is edited else 304) for i in river.items]
    )
    after = files(recent)
    assert b"built in 1732" in after["story-number-2-about-the-river.html"][0]
    unchanged = {name for name in before if not name.startswith("story-number-2")}
    assert {name: after[name] for name in unchanged} == {name: before[name] for name in unchanged}  # bytes, mtime
    # and they are not asked again for another day
    clock.advance(600)
    requests = len(server.answers)
    assert poll(recent, clock)["river"].rechecked == 0
    assert server.answers[requests:] == [("/news/feed.xml", 304)]


def test_a_page_sent_whole_with_the_same_bytes_changes_nothing(
    recent: Path, server: FixtureServer, river: SourceSite, clock: Clock
) -> None:
    for item in river.items:
        item.validators = False  # no ETag: every revalidation is answered 200 with the whole page
    poll(recent, clock)
    before = files(recent)
    checked = {key: item.checked for key, item in read_state(recent, "river").items.items()}
    clock.advance(86400 + 600)
    report = poll(recent, clock)["river"]
    assert (report.rechecked, report.updated, report.failed) == (3, [], [])
    assert files(recent) == before  # the same hash: nothing imported, nothing touched
    state = read_state(recent, "river")
    assert all(state.items[key].checked != when for key, when in checked.items())  # but checked now


def test_revalidation_asks_a_few_pages_a_poll_of_young_items_only(
    content_dir: Path, server: FixtureServer, river: SourceSite, clock: Clock
) -> None:
    for number in (1, 2):  # older than 30 days: news is edited early, these are not asked again
        river.add(number, published=START - timedelta(days=40 + number))
    for number in range(3, 11):
        river.add(number, published=START - timedelta(days=1, hours=number))
    write_sources(content_dir, source_table("river", river.feed_url, every=600))
    poll(content_dir, clock)
    clock.advance(86400 + 600)
    assert poll(content_dir, clock)["river"].rechecked == RECHECK_PER_POLL  # the oldest-checked first
    clock.advance(600)
    assert poll(content_dir, clock)["river"].rechecked == 8 - RECHECK_PER_POLL  # the rest at the next poll
    clock.advance(600)
    assert poll(content_dir, clock)["river"].rechecked == 0
    old = [river.page_path(item) for item in river.items if item.published < START - timedelta(days=30)]
    assert [server.hits[path] for path in old] == [1, 1]  # fetched when new, never since


def test_recheck_0_never_revalidates_pages(
    content_dir: Path, server: FixtureServer, river: SourceSite, clock: Clock
) -> None:
    river.add(1, published=START - timedelta(days=1))
    write_sources(content_dir, source_table("river", river.feed_url, every=600, recheck=0))
    poll(content_dir, clock)
    river.edit_page(river.items[0], "Correction: none will be seen.")
    clock.advance(3 * 86400)
    requests = len(server.answers)
    assert poll(content_dir, clock)["river"].rechecked == 0
    assert ("/news/feed.xml", 304) in server.answers[requests:] and page_hits(server) == 1  # fetched when new only


def test_a_429_while_revalidating_waits_for_retry_after_and_keeps_the_article(
    recent: Path, server: FixtureServer, river: SourceSite, clock: Clock
) -> None:
    poll(recent, clock)
    before = files(recent)
    for item in river.items:
        server.routes[river.page_path(item)] = Reply(b"", 429, "text/plain", {"Retry-After": "7200"})
    clock.advance(86400 + 600)
    report = poll(recent, clock)["river"]
    assert report.rechecked == 1 and "HTTP 429" in report.failed[0][1]  # the first 429 ends the poll
    state = read_state(recent, "river")
    assert state.last_poll is not None and state.failing_since == state.last_poll
    assert state.next_poll == state.last_poll + timedelta(seconds=7200)
    assert files(recent) == before


def test_two_followers_polling_one_source_at_once_fetch_and_store_each_item_once(
    followed: Path, server: FixtureServer, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A handover's two servers follow one folder for a moment: one finds the source due while the other is in the
    middle of polling it (about to store its first article). It leaves the source to the other. Both used to fetch
    every page and store every article, each under an id of its own, the last overwriting the first: an entry
    published under one id came back under another."""
    old_server, new_server = follower(followed, clock), follower(followed, clock)
    ids: dict[str, list[object]] = {}  # each article's id, every time one is stored
    inside, go = threading.Event(), threading.Event()
    real = importing.store_article

    def stored(articles_dir: Path, slug: str, html: bytes, sidecar: dict[str, object], *rest: object) -> bool:
        ids.setdefault(slug, []).append(sidecar["id"])
        if threading.current_thread().name == "old server" and not inside.is_set():
            inside.set()
            go.wait(30)
        return real(articles_dir, slug, html, sidecar, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(importing, "store_article", stored)
    reports = {}
    polling = threading.Thread(target=lambda: reports.update(old=old_server.poll()), name="old server")
    polling.start()
    try:
        assert inside.wait(30)
        reports["new"] = new_server.poll()
    finally:
        go.set()
        polling.join(30)
        for running in (old_server, new_server):
            running.client.fetcher.close()

    assert reports["new"][0].status == "polled elsewhere"
    assert len(reports["old"][0].new) == 3
    assert server.hits["/news/feed.xml"] == 1
    assert {path: n for path, n in server.hits.items() if "/articles/" in path} == {
        f"/news/articles/story-{number}": 1 for number in (1, 2, 3)
    }
    assert len(ids) == 3 and all(len(set(stored_ids)) == 1 for stored_ids in ids.values()), ids
    assert len(read_state(followed, "river").items) == 3


def test_a_source_another_process_polled_since_it_was_found_due_is_not_polled_again(
    followed: Path, server: FixtureServer, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found due, then held by another process until its poll was over: once the lock is free the state is read
    again, and the source is not due any more."""
    first, second = follower(followed, clock), follower(followed, clock)
    real_poll_source = second.poll_source

    def after_the_other(source: Source, due_at: datetime | None = None) -> SourceReport:
        first.poll()  # the other process polls it from start to end, in between
        return real_poll_source(source, due_at)

    monkeypatch.setattr(second, "poll_source", after_the_other)
    try:
        (report,) = second.poll()
    finally:
        for running in (first, second):
            running.client.fetcher.close()
    assert report.status == "not due"
    assert server.hits["/news/feed.xml"] == 1
