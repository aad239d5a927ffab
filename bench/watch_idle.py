#!/usr/bin/env python3
"""What watching the content folder costs while nothing changes, and how soon a change is published.

    .venv/bin/python bench/watch_idle.py [--count 10000] [--work /tmp/feedsvc-bench] [--seconds 30]
                                         [--publishes 5]

On a corpus of ``--count`` small fragment articles (bench/make_corpus.py
--fragments, made once in --work, built once with a warm cache), one
process runs the content watcher twice, one way after the other on the same
builder: polling (``WATCH_POLLING``: the folders' mtimes every 0.1 s, every
file statted every 1 s, as every release before watchfiles did) and told by
the system (inotify through watchfiles, a full scan every 60 s). For each:
the process's CPU time (every thread's, from /proc) over ``--seconds`` of an
idle folder, then the time from a new article renamed into place, and from
an article rewritten in place, until the watcher has published a snapshot
holding it, and from that article deleted until one without it (a removal
waits the settle time from when it is first seen gone, as a change does). Both ways run in the same invocation, so the ratio compares
like with like on a busy machine.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from feedsvc.build.builder import Builder  # noqa: E402
from feedsvc.build.snapshot import Snapshot  # noqa: E402
from feedsvc.serve.watcher import Watcher  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds() -> float:
    """This process's CPU time, every thread's (user + system), from /proc."""
    fields = Path(f"/proc/{os.getpid()}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def corpus(work: Path, count: int) -> Path:
    folder = work / f"fragments-{count}"
    if not (folder / "site.toml").exists():
        command = [sys.executable, str(REPO / "bench" / "make_corpus.py"), str(count), str(folder), "--fragments"]
        subprocess.run(command, check=True)
    for stray in (folder / "articles").glob("bench-*"):
        stray.unlink()
    return folder


def published(watcher: Watcher, builds: int, needle: str, limit: float = 30.0, gone: bool = False) -> float | None:
    """Wait until the watcher has published a snapshot whose catalog holds ``needle`` (``gone``: no longer holds
    it); return when (monotonic)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        snapshot = watcher.builder.snapshot
        if watcher.builds > builds and snapshot is not None and (needle in snapshot.catalog.by_slug) is not gone:
            return time.monotonic()
        time.sleep(0.005)
    return None


def one_way(builder: Builder, content: Path, polling: bool, seconds: float, publishes: int) -> dict[str, object]:
    sent: list[Snapshot] = []
    watcher = Watcher(builder, sent.append, lambda: datetime.now(UTC), polling=polling)
    watcher.start()
    try:
        if not polling:
            watcher.watching.wait(10)
        time.sleep(2.0)  # past the first scans
        before, started = cpu_seconds(), time.monotonic()
        time.sleep(seconds)
        idle = (cpu_seconds() - before) / (time.monotonic() - started)
        new, edit, removed, built = [], [], [], []
        for number in range(publishes):
            slug = f"bench-{'poll' if polling else 'events'}-{number}"
            staging = content / ".feedsvc" / "staging"
            staging.mkdir(parents=True, exist_ok=True)
            (staging / f"{slug}.toml").write_text(
                f"published = {datetime.now(UTC).replace(microsecond=0).isoformat()}\n"
            )
            (staging / f"{slug}.html").write_text(f"<article><h1>Story {slug}</h1><p>A new article, {slug}, "
                                                  "long enough to be an article's opening paragraph.</p></article>")  # fmt: skip
            builds, started = watcher.builds, time.monotonic()
            for name in (f"{slug}.toml", f"{slug}.html"):
                os.replace(staging / name, content / "articles" / name)
            done = published(watcher, builds, slug)
            new.append(None if done is None else done - started)
            built.append(builder.stats.seconds)
            page = content / "articles" / f"{slug}.html"
            builds, started = watcher.builds, time.monotonic()
            with page.open("r+", encoding="utf-8") as file:
                text = file.read().replace("opening paragraph.", "opening paragraph, edited.")
                file.seek(0)
                file.write(text)
                file.truncate()
            done = published(watcher, builds, slug)
            edit.append(None if done is None else done - started)
            built.append(builder.stats.seconds)
            time.sleep(0.5)
            builds, started = watcher.builds, time.monotonic()
            for name in (f"{slug}.html", f"{slug}.toml"):
                (content / "articles" / name).unlink()
            done = published(watcher, builds, slug, gone=True)
            removed.append(None if done is None else done - started)
            time.sleep(0.5)
        return {"idle_cpu": idle, "new_s": new, "edit_s": edit, "removed_s": removed, "build_s": built,
                "scans": watcher.scans, "looks": watcher.looks}  # fmt: skip
    finally:
        watcher.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/feedsvc-bench"))
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--publishes", type=int, default=5)
    args = parser.parse_args()
    content = corpus(args.work, args.count)
    builder = Builder(content, cache_dir=content / ".feedsvc" / "cache", workers=os.cpu_count() or 1, settle=0.3)
    started = time.perf_counter()
    builder.build()
    print(f"{args.count} fragment articles: built in {time.perf_counter() - started:.1f} s "
          f"({builder.stats.cleaned} cleaned)", flush=True)  # fmt: skip
    results = {}
    for polling in (True, False):
        name = "polling (as before)" if polling else "system events"
        results[name] = one_way(builder, content, polling, args.seconds, args.publishes)
        r = results[name]
        print(f"{name:<20} idle CPU {100 * r['idle_cpu']:5.1f} % of a core; publish new "  # type: ignore[operator]
              f"{_span(r['new_s'])}, edit in place {_span(r['edit_s'])}, removal {_span(r['removed_s'])}, of which "
              f"building {_span(r['build_s'])} "
              f"(full scans {r['scans']}, looks {r['looks']})")  # fmt: skip
    for stray in (content / "articles").glob("bench-*"):
        stray.unlink()


def _span(values: object) -> str:
    done = [v for v in values if v is not None]  # type: ignore[attr-defined]
    missing = len(values) - len(done)  # type: ignore[arg-type]
    text = f"{min(done):.2f}–{max(done):.2f} s" if done else "-"
    return text + (f" ({missing} not published within 30 s)" if missing else "")


if __name__ == "__main__":
    main()
