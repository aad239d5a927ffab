#!/usr/bin/env python3
"""Where a (re)started publisher's warm start goes: the build from the cache, then the whole snapshot's trip.

    .venv/bin/python bench/warm_start.py CONTENT_DIR [--profile 40]

A new builder on CONTENT_DIR's build cache builds once (what a restarted
publisher does before it publishes), then the snapshot is pickled and
loaded as the wire sends it to the master. Prints wall and CPU seconds of
each (on a shared machine, the difference is time spent waiting for a
core) and, with ``--profile N``, the build's N costliest functions by
cumulative time under cProfile (which slows Python code several times).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from feedsvc.build.builder import Builder  # noqa: E402
from feedsvc.serve.wire import dump_snapshot, load_snapshot  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("content", type=Path)
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    args = parser.parse_args()
    content: Path = args.content
    base_url = tomllib.loads((content / "site.toml").read_text(encoding="utf-8"))["base_url"]
    cache = content / ".feedsvc" / "cache"
    builder = Builder(content, {"base_url": base_url}, cache_dir=cache, workers=os.cpu_count() or 1)
    profile = cProfile.Profile() if args.profile else None
    wall, used = time.perf_counter(), time.process_time()
    if profile is not None:
        profile.enable()
    snapshot = builder.build()
    if profile is not None:
        profile.disable()
    wall, used = time.perf_counter() - wall, time.process_time() - used
    print(f"warm build: {wall:.2f} s wall, {used:.2f} s CPU: {builder.stats.summary()}", flush=True)
    wall, used = time.perf_counter(), time.process_time()
    payload, fds = dump_snapshot(snapshot)
    wall, used = time.perf_counter() - wall, time.process_time() - used
    print(f"pickled: {wall:.2f} s wall, {used:.2f} s CPU, {len(payload) / 1e6:.1f} MB", flush=True)
    wall, used = time.perf_counter(), time.process_time()
    load_snapshot(payload, [os.dup(fd) for fd in fds])
    wall, used = time.perf_counter() - wall, time.process_time() - used
    print(f"loaded: {wall:.2f} s wall, {used:.2f} s CPU", flush=True)
    if profile is not None:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(args.profile)


if __name__ == "__main__":
    main()
