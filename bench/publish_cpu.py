#!/usr/bin/env python3
"""CPU seconds of each part of a publish, in one process: the publisher's build, the delta, and its trip.

    .venv/bin/python bench/publish_cpu.py CONTENT_DIR [--publishes 3]

A warm builder on CONTENT_DIR's build cache (a make_corpus.py folder; the
first run of a cold cache cleans every article), then ``--publishes`` new
articles written into place, each built from the listing the watcher would
keep, diffed against the last snapshot (:func:`feedsvc.build.delta.delta`),
pickled and loaded as the wire does, and applied as the master and each
worker do (:func:`feedsvc.build.delta.apply_delta`). Prints the CPU seconds
of each step (CPU, not wall: on a shared machine the load does not count
in it), then removes the articles it wrote (and builds that too). Run it at
two sizes and compare.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import tomllib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from feedsvc.build.builder import Builder  # noqa: E402
from feedsvc.build.delta import apply_delta, delta  # noqa: E402
from feedsvc.content.listing import refreshed, scan  # noqa: E402
from feedsvc.serve.wire import adopt_store, dump_delta, load_delta  # noqa: E402


def cpu(step: Callable[..., Any], *args: Any) -> tuple[Any, float]:
    started = time.process_time()
    found = step(*args)
    return found, time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("content", type=Path)
    parser.add_argument("--publishes", type=int, default=3)
    args = parser.parse_args()
    content: Path = args.content
    base_url = tomllib.loads((content / "site.toml").read_text(encoding="utf-8"))["base_url"]
    cache = content / ".feedsvc" / "cache"
    builder = Builder(content, {"base_url": base_url}, cache_dir=cache, workers=os.cpu_count() or 1)
    old, seconds = cpu(builder.build)
    print(f"warm build: {seconds:.2f} CPU s: {builder.stats.summary()}", flush=True)
    listing = scan(content, builder.pictures)
    written = []
    try:
        for number in range(args.publishes):
            page = content / "articles" / f"cpu-probe-{number}-{os.getpid()}.html"
            sidecar = page.with_suffix(".toml")
            written += [page, sidecar]
            published = datetime.now(UTC).replace(microsecond=0).isoformat()
            sidecar.write_text(f"published = {published}\n", encoding="utf-8")
            page.write_text(
                f"<article><h1>Probe {number}</h1><p>A probe article, number {number}, long enough to be a "
                "paragraph of an article.</p></article>",
                encoding="utf-8",
            )
            found = refreshed(listing, content, [str(page), str(sidecar)], builder.pictures)
            listing = found if found is not None else scan(content, builder.pictures)
            new, build_s = cpu(builder.build, None, listing)
            change, delta_s = cpu(delta, old, new)
            (payload, fds), dump_s = cpu(dump_delta, change)
            stores = [adopt_store(os.dup(fd)) for fd in fds]
            loaded, load_s = cpu(load_delta, payload, stores)
            _, apply_s = cpu(apply_delta, old, loaded)
            print(
                f"{len(new.catalog.articles)} articles, publish {number}: build {build_s:.3f}, delta {delta_s:.4f}, "
                f"pickle {dump_s:.4f} ({len(payload)} bytes), unpickle {load_s:.4f}, apply_delta {apply_s:.4f} "
                "(CPU seconds)",
                flush=True,
            )
            old = new
    finally:
        for path in written:
            path.unlink(missing_ok=True)
        builder.build()


if __name__ == "__main__":
    main()
