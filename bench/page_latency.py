#!/usr/bin/env python3
"""Time pages and feeds answered from a snapshot loaded as the gunicorn master loads it.

    .venv/bin/python bench/page_latency.py CONTENT_DIR [--rounds 2] [--pages 400]

The app on CONTENT_DIR (its build cache warm, or a cold build first) with
its snapshot sent over the wire and loaded back (:mod:`feedsvc.serve.wire`),
so pages read bodies through the handles a worker has. Each round loads the
snapshot afresh (an empty page cache), then times with Flask's test client:
``--pages`` article pages spread over the site, rendered, then again from
the page cache; list pages ``/page/N``; ``/feed.atom`` (kept in memory) and
the feeds kept on disk (tags', authors', archive months). Prints the median
and 90th percentile of each. Compare runs made one after the other on the
same machine (``--tree``-style: run this file with another checkout's
feedsvc first on ``PYTHONPATH``), never with another machine's figures.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.append(str(REPO))  # after PYTHONPATH: another checkout's feedsvc may be measured

from flask.testing import FlaskClient  # noqa: E402

from feedsvc.app import create_app  # noqa: E402
from feedsvc.serve.state import SiteState  # noqa: E402
from feedsvc.serve.wire import dump_snapshot, load_snapshot  # noqa: E402


def timed(client: FlaskClient, paths: list[str], headers: dict[str, str]) -> list[float]:
    """Return the seconds of each GET; stop at the first answer that is not 200."""
    seconds = []
    for path in paths:
        started = time.perf_counter()
        response = client.get(path, headers=headers)
        seconds.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
        response.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("content", type=Path)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--pages", type=int, default=400)
    args = parser.parse_args()
    import feedsvc

    print(f"feedsvc from {Path(feedsvc.__file__).parent}")
    app = create_app({"TESTING": True, "CONTENT_DIR": str(args.content), "LIVE_RELOAD": False})
    state = app.extensions["feedsvc"]
    assert isinstance(state, SiteState)
    built = state.snapshot
    client = app.test_client()
    articles = built.catalog.articles
    step = max(1, len(articles) // args.pages)
    pages = [f"/articles/{articles[i].slug}" for i in range(0, len(articles), step)][: args.pages]
    per_page = built.catalog.site.articles_per_page
    lists = [f"/page/{n}" for n in range(2, min(42, len(articles) // per_page))]
    on_disk = [path for path in built.feeds if not path.startswith("/feed.")][:200]
    kinds = {
        "article page, rendered": (pages, {}),
        "article page, from the page cache": (pages, {}),
        "list page /page/N": (lists, {}),
        "/feed.atom (br, in memory)": (["/feed.atom"] * 200, {"Accept-Encoding": "br"}),
        "feeds on disk (gzip)": (on_disk, {"Accept-Encoding": "gzip"}),
        "/sitemap.xml (made once a snapshot)": (["/sitemap.xml"], {}),
    }
    found: dict[str, list[float]] = {name: [] for name in kinds}
    for _ in range(args.rounds):
        payload, fds = dump_snapshot(built)
        state.snapshot = load_snapshot(payload, [os.dup(fd) for fd in fds])
        gc.collect()
        for name, (paths, headers) in kinds.items():
            found[name] += timed(client, paths, headers)
    print(f"{len(articles)} articles, {args.rounds} rounds")
    for name, seconds in found.items():
        seconds.sort()
        median, high = statistics.median(seconds), seconds[int(len(seconds) * 0.9)]
        print(f"  {name:36s} n={len(seconds):5d}  median {median * 1e3:7.3f} ms  p90 {high * 1e3:7.3f} ms")


if __name__ == "__main__":
    main()
