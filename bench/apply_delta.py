#!/usr/bin/env python3
"""Time what a gunicorn master or worker spends applying a publish: apply_delta of one edited article.

    .venv/bin/python bench/apply_delta.py CONTENT_DIR [--edits 20]

The snapshot of CONTENT_DIR (its build cache warm, or a cold build first)
is sent over the wire and loaded back as the master loads it; then
``--edits`` deltas, each one article of the site with a new title, are
applied one after the other, as a worker applies the journal. Prints the
median and the slowest. ``PYTHONPATH=OTHER_CHECKOUT`` measures another
checkout's feedsvc (a before and after on the same corpus, one after the other).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.append(str(REPO))  # after PYTHONPATH: another checkout's feedsvc may be measured

import feedsvc  # noqa: E402
from feedsvc.build.builder import Builder  # noqa: E402
from feedsvc.build.delta import Delta, apply_delta  # noqa: E402
from feedsvc.serve.wire import dump_snapshot, load_snapshot  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("content", type=Path)
    parser.add_argument("--edits", type=int, default=20)
    args = parser.parse_args()
    content: Path = args.content
    builder = Builder(content, cache_dir=content / ".feedsvc" / "cache", workers=os.cpu_count() or 1, ledger="read")
    built = builder.build()
    payload, fds = dump_snapshot(built)
    current = load_snapshot(payload, [os.dup(fd) for fd in fds])
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
    print(
        f"  apply_delta of one edit: median {statistics.median(seconds) * 1e3:.2f} ms, slowest {max(seconds) * 1e3:.2f} ms"
    )


if __name__ == "__main__":
    main()
