"""Running the follower: once (``feedsvc follow --once``), on a schedule (``feedsvc serve``), and its status.

An edge. :func:`follow_once` loads ``site.toml``, polls the due sources and
returns their reports. :class:`Following` is the callable ``create_app``
hands the process that builds and publishes: each call polls what is due
and returns how long to wait before the next look. :func:`source_status`
reads the state files for ``/healthz``, ``/metrics`` and ``feedsvc check``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from feedsvc.content.loader import load_site
from feedsvc.content.site import SiteConfigError
from feedsvc.follow.client import PoliteClient
from feedsvc.follow.follower import Follower, SourceReport, is_due
from feedsvc.follow.state import STATE_FOLDER, SourceState, read_state
from feedsvc.importer.http import Fetcher, FetchSettings
from feedsvc.model import Site, Source
from feedsvc.text import without_userinfo

__all__ = ["ELSEWHERE_WAIT", "FollowOptions", "Following", "follow_once", "make_client", "source_status"]

log = logging.getLogger(__name__)

# How soon to look again at a source another process was polling (``Follower.poll_source``'s "polled elsewhere").
ELSEWHERE_WAIT = 5.0


@dataclass(frozen=True)
class FollowOptions:
    """How to fetch: the delay between two requests to one host, timeouts; injected clocks for tests and benches."""

    min_delay: float = 1.0
    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    total_timeout: float = 60.0
    now: Callable[[], float] = time.time  # seconds, for the delays and the robots.txt cache
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)  # the schedule's and the state's time


def make_client(content_dir: Path, site: Site, options: FollowOptions) -> PoliteClient:
    """Return the polite client a follower of ``site`` uses (its robots.txt cache kept in the state folder)."""
    settings = FetchSettings(
        connect_timeout=options.connect_timeout,
        read_timeout=options.read_timeout,
        total_timeout=options.total_timeout,
        contact_url=site.base_url,
        role="feed follower",
    )
    return PoliteClient(
        Fetcher(settings),
        options.min_delay,
        now=options.now,
        sleep=options.sleep,
        robots_file=content_dir / STATE_FOLDER / "robots.json",
    )


def follow_once(
    content_dir: Path, options: FollowOptions | None = None, *, force: bool = False, site: Site | None = None
) -> tuple[list[SourceReport], Follower]:
    """Poll every due source of ``content_dir`` once; return the reports and the follower (its counts).

    :raise SiteConfigError: site.toml is missing or broken.
    """
    options = options or FollowOptions()
    site = site or load_site(content_dir)
    client = make_client(content_dir, site, options)
    follower = Follower(content_dir, site, client, options.clock)
    try:
        return follower.poll(force=force), follower
    finally:
        client.fetcher.close()


class Following:
    """``serve``'s follower: call it to poll what is due; it returns the seconds until it should be called again.

    Made in the process that builds (before or after a fork: the HTTP client is
    made at the first call). site.toml is read at every call, so a source added
    or paused there takes effect at the next look, at most ``check_interval``
    seconds later.
    """

    def __init__(
        self,
        content_dir: Path,
        overrides: Mapping[str, Any] | None = None,
        options: FollowOptions | None = None,
        check_interval: float = 30.0,
    ) -> None:
        self.content_dir = content_dir
        self.overrides = dict(overrides or {})
        self.options = options or FollowOptions()
        self.check_interval = check_interval
        self.rounds = 0
        self._client: PoliteClient | None = None

    def __call__(self) -> float:
        try:
            site = load_site(self.content_dir, self.overrides or None)
        except (SiteConfigError, OSError) as error:
            log.warning("not following sources: %s", error)
            return self.check_interval
        if not site.sources:
            return self.check_interval
        if self._client is None:
            self._client = make_client(self.content_dir, site, self.options)
        follower = Follower(self.content_dir, site, self._client, self.options.clock)
        reports = follower.poll()
        for report in reports:
            _log_report(report)
        self.rounds += 1
        elsewhere = {report.name for report in reports if report.status == "polled elsewhere"}
        due = follower.next_due([source for source in site.sources if source.name not in elsewhere])
        wait = self.check_interval if due is None else (due - self.options.clock()).total_seconds()
        if elsewhere:
            # still due until the other process's poll ends: looking again at once would only find it held
            wait = min(wait, ELSEWHERE_WAIT) if due is not None else ELSEWHERE_WAIT
        return max(0.0, min(wait, self.check_interval))

    def close(self) -> None:
        if self._client is not None:
            self._client.fetcher.close()


def _log_report(report: SourceReport) -> None:
    if report.status in ("paused", "not due"):
        return
    if report.status == "polled elsewhere":
        log.info("source %s: another process polls it now (a handover's other server?); left to it", report.name)
        return
    if report.error:
        log.warning("source %s: could not be read: %s", report.name, report.error)
        return
    log.info(
        "source %s: %d new, %d updated, %d unchanged, %d withdrawn, %d failed",
        report.name,
        len(report.new),
        len(report.updated),
        report.unchanged,
        len(report.withdrawn),
        len(report.failed),
    )
    for url, reason in report.failed:
        log.warning("source %s: %s: %s", report.name, url, reason)


def source_status(content_dir: Path, site: Site, now: datetime | None = None) -> list[dict[str, Any]]:
    """Return, per source of ``site``, what ``/healthz`` and ``feedsvc check`` show: its state as last written."""
    now = now or datetime.now(UTC)
    found = []
    for source in site.sources:
        state = read_state(content_dir, source.name)
        found.append(
            {
                "name": source.name,
                "url": without_userinfo(source.feed or source.sitemap or ""),  # /healthz is public
                "status": source.status,
                "last_success": _iso(state.last_success),
                "last_error": state.last_error,
                "last_error_at": _iso(state.last_error_at),
                "failures": state.failures,
                "items_seen": len(state.items),
                "next_poll": _iso(state.next_poll) if state.next_poll else _iso(now),
                "due": is_due(source, state, now),
                # failing: its last poll could not read it, or it asked us to wait (in backoff); a paused one is not
                "failing_since": _iso(state.failing_since) if source.status == "active" else None,
                "fix": _fix(source, state) if source.status == "active" and state.failing_since else None,
            }
        )
    return found


def _fix(source: Source, state: SourceState) -> str:
    """Say what happens next to a failing source, and what to do if it goes on failing."""
    when = _iso(state.next_poll) or "its next poll"
    what = "sitemap" if source.sitemap else "feed"
    if state.failures:
        return (
            f"feedsvc tries again at {when} (backing off after {state.failures} failed poll(s) in a row); "
            f"if it goes on failing, open the {what} URL of [[source]] '{source.name}' in site.toml in a browser "
            f'and correct it, or set status = "paused" there'
        )
    return (
        f"the site asked feedsvc to wait (it was busy); the items left are fetched at {when}; "
        f"nothing to do unless it goes on (then lower max_new or raise every of [[source]] '{source.name}')"
    )


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat(timespec="seconds") if moment else None
