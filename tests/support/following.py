"""Running the follower in tests: a content folder with [[source]] tables, a clock the test moves, no waiting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from feedsvc.content.loader import load_site
from feedsvc.follow.client import PoliteClient
from feedsvc.follow.follower import Follower, SourceReport
from feedsvc.follow.running import FollowOptions, make_client
from support.sites import NEWS_SITE_TOML

START = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


class Clock:
    """The follower's time: it moves when the test says (or when the client sleeps between requests)."""

    def __init__(self, start: datetime = START) -> None:
        self.moment = start
        self.slept = 0.0

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, seconds: float) -> None:
        self.moment += timedelta(seconds=seconds)

    def now(self) -> float:
        return self.moment.timestamp()

    def sleep(self, seconds: float) -> None:
        self.slept += seconds
        self.advance(seconds)


def source_table(name: str, url: str, kind: str = "feed", **keys: object) -> str:
    """Return a ``[[source]]`` table for site.toml."""
    lines = ["[[source]]", f'name = "{name}"', f'{kind} = "{url}"']
    for key, value in keys.items():
        lines.append(f"{key} = {value!r}" if not isinstance(value, str) else f'{key} = "{value}"')
    return "\n".join(lines) + "\n"


def write_sources(content_dir: Path, *tables: str) -> None:
    """Make ``content_dir``'s site.toml the news site with these [[source]] tables."""
    (content_dir / "site.toml").write_text(NEWS_SITE_TOML + "\n" + "\n".join(tables), encoding="utf-8")


# How long a test's follower waits for the loopback fixture server by default. A test about timeouts
# passes its own (2 s, against a route that answers later); the others must not fail because a loaded
# machine (xdist on 2 cores, other jobs) answered a fixture page after a second: a timed-out page is
# retried at the next poll and its feed read whole again, so "not modified" turned into "polled".
ANSWER_TIMEOUT = 10.0


def options(clock: Clock, min_delay: float = 1.0, timeout: float = ANSWER_TIMEOUT) -> FollowOptions:
    """Fetch options for tests: bounded timeouts, and delays the clock takes instead of waiting."""
    return FollowOptions(
        min_delay=min_delay,
        connect_timeout=1.0,
        read_timeout=timeout / 2,
        total_timeout=timeout,
        now=clock.now,
        sleep=clock.sleep,
        clock=clock,
    )


def follower(content_dir: Path, clock: Clock, min_delay: float = 1.0, timeout: float = ANSWER_TIMEOUT) -> Follower:
    """A follower of ``content_dir`` as one `feedsvc follow --once` run makes it."""
    site = load_site(content_dir)
    client: PoliteClient = make_client(content_dir, site, options(clock, min_delay, timeout))
    return Follower(content_dir, site, client, clock)


def poll(content_dir: Path, clock: Clock, **kwargs: float) -> dict[str, SourceReport]:
    """Poll the due sources once; return the reports by source name."""
    running = follower(content_dir, clock, **kwargs)
    try:
        return {report.name: report for report in running.poll()}
    finally:
        running.client.fetcher.close()
