#!/usr/bin/env python3
"""Follow 50 loopback sources of 20 items each: the first full poll, then a steady-state poll with nothing new.

    .venv/bin/python bench/follow.py [--sources 50] [--items 20] [--workdir DIR]

Each source is a site of its own on 127.0.0.1 (its own port: its own
host for politeness), serving a partial RSS feed with ETag and
Last-Modified and a full article page per item (tests/support/source_site.py).
Reported, all measured in this run:

- the reference: the same pages imported by ``Importer.import_url`` (what
  ``feedsvc import URL...`` does: no robots.txt, no conditional requests),
  into a folder of its own; its time is the unit of the ratios below;
- the first full poll: time, requests (by kind), pages imported;
- a steady-state poll (every source due again, nothing new): time,
  requests and their answers (all should be 304, one per source), pages
  handed to the importer (re-cleaned) and what a rebuild by the same
  builder then reads and cleans;
- a poll a day later, when item pages are due for revalidation (the
  items are published in the day before the first poll, so all are young
  enough): requests and answers (per source the feed's 304 and at most
  RECHECK_PER_POLL page 304s), pages imported.

The minimum delay between two requests to one host is 0 here (a loopback
server): what politeness costs on the open web is that delay times the
requests per host, which the request counts give.
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from collections import Counter
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from feedsvc.build.builder import Builder  # noqa: E402
from feedsvc.content.loader import load_site  # noqa: E402
from feedsvc.follow.follower import RECHECK_PER_POLL  # noqa: E402
from feedsvc.follow.running import follow_once  # noqa: E402
from feedsvc.importer.http import Fetcher  # noqa: E402
from feedsvc.importer.importing import Importer  # noqa: E402
from support.following import START, Clock, options, source_table, write_sources  # noqa: E402
from support.http_fixture import FixtureServer  # noqa: E402
from support.sites import blank_site  # noqa: E402
from support.source_site import SourceSite  # noqa: E402


def answers(servers: list[FixtureServer], since: list[int]) -> Counter[str]:
    """Count the answers the servers gave since ``since`` (per server), by kind and status."""
    counted: Counter[str] = Counter()
    for server, start in zip(servers, since, strict=True):
        for path, status in server.answers[start:]:
            kind = "robots" if path == "/robots.txt" else "feed" if path.endswith("feed.xml") else "page"
            counted[f"{kind} {status}"] += 1
    return counted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=50)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument(
        "--workdir", type=Path, default=None, help="where the content folders go (default: a temporary one)"
    )
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="feedsvc-follow-bench-"))
    print(f"Python {platform.python_version()}, {args.sources} sources x {args.items} items, folders in {workdir}")
    with ExitStack() as stack:
        servers = [stack.enter_context(FixtureServer()) for _ in range(args.sources)]
        sites = []
        for server in servers:
            site = SourceSite(server)
            for number in range(1, args.items + 1):
                site.add(number, published=START - timedelta(hours=args.items + 1 - number))
            sites.append(site)

        # the reference: the same pages, imported one by one as `feedsvc import` does
        reference_dir = blank_site(workdir / "reference")
        urls = [site.page_url(item) for site in sites for item in site.items]
        started = time.perf_counter()
        with Fetcher() as fetcher:
            importer = Importer(reference_dir, load_site(reference_dir), fetcher)
            outcomes = Counter(importer.import_url(url).status for url in urls)
        reference = time.perf_counter() - started
        print(f"reference (Importer.import_url, {len(urls)} pages): {reference:.2f} s, {dict(outcomes)}")

        content_dir = blank_site(workdir / "followed")
        write_sources(
            content_dir, *(source_table(f"s{n:02d}", site.feed_url, every=600) for n, site in enumerate(sites))
        )
        clock = Clock()

        def timed_poll() -> tuple[float, Counter[str], list[Any], Any]:
            """Poll every due source once; return the seconds, the requests answered, the reports, the follower."""
            marks = [len(server.answers) for server in servers]
            started = time.perf_counter()
            reports, follower = follow_once(content_dir, options(clock, min_delay=0, timeout=20))
            return time.perf_counter() - started, answers(servers, marks), reports, follower

        first, got, reports, follower = timed_poll()
        new = sum(len(report.new) for report in reports)
        failed = [(r.name, r.error or r.failed) for r in reports if r.error or r.failed]
        print(
            f"first poll: {first:.2f} s ({first / reference:.2f}x the reference), {sum(got.values())} requests "
            f"{dict(sorted(got.items()))}, {new} new articles, {follower.imports} pages imported, failed: {failed or 'none'}"
        )

        builder = Builder(content_dir, cache_dir=content_dir / ".feedsvc" / "cache", workers=2)
        builder.build()
        print(f"first build: {builder.stats.summary()}")

        clock.advance(600)
        steady, got, reports, follower = timed_poll()
        statuses = Counter(report.status for report in reports)
        print(
            f"steady poll: {steady:.3f} s ({steady / reference:.3f}x the reference, {steady / first:.3f}x the first poll), "
            f"{sum(got.values())} requests {dict(sorted(got.items()))}, sources {dict(statuses)}, "
            f"{follower.imports} pages imported (re-cleaned)"
        )
        builder.build()
        print(f"rebuild after it: {builder.stats.summary()}")
        per_source = sum(got.values()) / args.sources
        print(f"requests per source in the steady poll: {per_source:.2f}; all 304: {set(got) == {'feed 304'}}")

        clock.advance(86400)  # a day on: the pages are due for revalidation (robots.txt too is a day old)
        later, got, reports, follower = timed_poll()
        rechecked = sum(report.rechecked for report in reports)
        print(
            f"a day later: {later:.3f} s ({later / steady:.2f}x the steady poll), {sum(got.values())} requests "
            f"{dict(sorted(got.items()))}, {rechecked} pages revalidated (at most {RECHECK_PER_POLL} a source), "
            f"{follower.imports} pages imported"
        )


if __name__ == "__main__":
    main()
