#!/usr/bin/env python3
"""Time what a gunicorn master or worker spends applying a publish: apply_delta of one edited article.

    .venv/bin/python bench/apply_delta.py CONTENT_DIR [--edits 20] [--copies 1]

The snapshot of CONTENT_DIR (its build cache warm, or a cold build first)
is sent over the wire and loaded back as the master loads it (the heap
that takes is measured with ``tracemalloc``); then
``--edits`` deltas, each one article of the site with a new title, are
applied one after the other, as a worker applies the journal. Prints the
median and the slowest. ``PYTHONPATH=OTHER_CHECKOUT`` measures another
checkout's feedsvc (a before and after on the same corpus, one after the other).

``--copies N`` serves a catalog of N copies of every article (new slugs and
ids, each copy dated 400 days earlier than the one before, the same tags,
authors and texts on disk), indexed as the catalog indexes: a site N times
as large without building one (the feeds stay those of the corpus).
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import os
import statistics
import sys
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.append(str(REPO))  # after PYTHONPATH: another checkout's feedsvc may be measured

import feedsvc  # noqa: E402
from feedsvc.build.builder import Builder  # noqa: E402
from feedsvc.build.delta import Delta, apply_delta  # noqa: E402
from feedsvc.build.snapshot import Snapshot  # noqa: E402
from feedsvc.catalog.assembly import index_facets, index_sources  # noqa: E402
from feedsvc.feeds.archive import index_archives, newest_first  # noqa: E402
from feedsvc.serve.wire import dump_snapshot, load_snapshot  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("content", type=Path)
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--copies", type=int, default=1, help="serve this many copies of every article")
    args = parser.parse_args()
    content: Path = args.content
    builder = Builder(content, cache_dir=content / ".feedsvc" / "cache", workers=os.cpu_count() or 1, ledger="read")
    built = copied(builder.build(), args.copies)
    payload, fds = dump_snapshot(built)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    current = load_snapshot(payload, [os.dup(fd) for fd in fds])
    gc.collect()
    heap = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    del payload
    catalog, articles = current.catalog, built.catalog.articles
    seconds = []
    for number in range(args.edits):
        target = articles[number * 997 % len(articles)]
        edited = dataclasses.replace(target, title=f"{target.title} (edit {number})")
        change = Delta(
            current.catalog.version,
            f"edit-{number}",
            catalog.site,
            catalog.problems,
            catalog.withdrawn,
            dict(catalog.scheduled),
            (edited,),
            (),
            {},
            (),
            current.page_budget,
            0,
        )
        started = time.perf_counter()
        current = apply_delta(current, change)
        seconds.append(time.perf_counter() - started)
    print(f"feedsvc from {Path(feedsvc.__file__).parent}: {len(articles)} articles, {args.edits} edits")
    print(f"  the master's heap of the snapshot: {heap / 1e6:.1f} MB ({heap / len(articles):.0f} B/article)")
    print(
        f"  apply_delta of one edit: median {statistics.median(seconds) * 1e3:.2f} ms, slowest {max(seconds) * 1e3:.2f} ms"
    )


def copied(snapshot: Snapshot, copies: int) -> Snapshot:
    """Return ``snapshot`` with ``copies`` copies of every article, indexed again (its feeds as they are)."""
    if copies <= 1:
        return snapshot
    catalog = snapshot.catalog
    articles = [
        dataclasses.replace(
            article,
            slug=f"{article.slug}-copy-{number}",
            entry_id=f"{article.entry_id}-copy-{number}",
            published=article.published - timedelta(days=400 * number),
            updated=article.updated - timedelta(days=400 * number),
        )
        if number
        else article
        for number in range(copies)
        for article in catalog.articles
    ]
    ordered = tuple(sorted(articles, key=newest_first, reverse=True))
    withdrawn = catalog.withdrawn
    grown = dataclasses.replace(
        catalog,
        articles=ordered,
        by_slug={article.slug: article for article in ordered},
        tags=index_facets("tags", ordered, withdrawn),
        authors=index_facets("authors", ordered, withdrawn),
        sources=index_sources(catalog.site.sources, ordered, withdrawn),
    )
    archives = index_archives(ordered, catalog.site.timezone)
    return Snapshot(grown, snapshot.feeds, archives, None, snapshot.page_budget, snapshot.fresh)


if __name__ == "__main__":
    main()
