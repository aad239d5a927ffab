#!/usr/bin/env python3
"""When the publisher process's memory peaks, and in which step: its life, step by step, in one process.

    .venv/bin/python bench/publisher_memory.py CONTENT_DIR [--publishes 2] [--trace 12] [--json FILE] [--tree DIR]

Runs what a started publisher runs (:mod:`feedsvc.serve.publisher`), on
CONTENT_DIR's build cache (warm: build it first, e.g. with bench/build.py),
one step after the other in this process:

- the builder as ``feedsvc serve`` makes it, and its first build (a warm start);
- the whole snapshot packed and pickled as it is sent to the master
  (:func:`feedsvc.serve.wire.dump_snapshot`), then let go of;
- the watcher's first look (a full scan of the folder);
- ``--publishes`` new articles, each built as the watcher builds it (the
  folder refreshed by the paths the system would report), and the delta the
  master is sent.

A thread reads this process's resident memory (``/proc/self/status``) every
few milliseconds; each time it reaches a new high, it notes the step and the
innermost feedsvc functions on the main thread's stack. Printed: for each
step, the resident memory after it, the high-water mark (VmHWM) after it and
where the high was reached. ``--trace N``: the same under ``tracemalloc``
(slower), with the N largest allocation sites alive at the end of each step.
``--tree DIR`` runs the feedsvc of another checkout (an export of an
earlier commit) on the same build cache, whose key it must share.
The revisions ledger is written as serving writes it (new articles are
recorded); the articles are removed at the end (a later run publishes them
again, under new names).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import threading
import time
import tomllib
import traceback
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# --tree DIR: the feedsvc of another checkout (a before and after on the same build cache; its key must match)
TREE = Path(sys.argv[sys.argv.index("--tree") + 1]).resolve() if "--tree" in sys.argv[:-1] else REPO
sys.path.insert(0, str(TREE))

from feedsvc.build.builder import Builder  # noqa: E402
from feedsvc.build.delta import delta  # noqa: E402
from feedsvc.content.listing import refreshed, scan  # noqa: E402
from feedsvc.serve.wire import dump_delta, dump_snapshot  # noqa: E402


def status() -> dict[str, int]:
    """VmRSS and VmHWM of this process, in kB."""
    found = {}
    with open("/proc/self/status", "rb") as file:
        for line in file:
            if line.startswith((b"VmRSS:", b"VmHWM:")):
                name, value = line.split(b":")
                found[name.decode()] = int(value.split()[0])
    return found


class Sampler:
    """Resident memory read every ``period`` seconds from a thread; the step and stack at each new high."""

    def __init__(self, period: float = 0.003) -> None:
        self.period = period
        self.step = "start"
        self.high = 0
        self.where: dict[str, tuple[int, str]] = {}  # step -> (its highest resident kB, the stack then)
        self._main = threading.main_thread().ident
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> Sampler:
        self._thread.start()
        return self

    def close(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.period):
            rss = status()["VmRSS"]
            step = self.step
            if rss > self.where.get(step, (0, ""))[0]:
                frame = sys._current_frames().get(self._main)
                self.where[step] = (rss, _stack(frame))
                del frame  # a frame held keeps its locals alive (a listing's DirEntry list, a pickle's chunks)


def _stack(frame: object) -> str:
    """The innermost feedsvc functions of a stack, innermost last."""
    if frame is None:
        return ""
    names = [
        f"{Path(f.filename).stem}.{f.name}"
        for f in traceback.extract_stack(frame)  # type: ignore[arg-type]
        if "/feedsvc/" in f.filename or "sqlite" in f.filename
    ]
    return " > ".join(names[-4:])


def _sites(snapshot: tracemalloc.Snapshot, count: int) -> list[tuple[float, str]]:
    """The ``count`` largest allocation sites alive, each named by the innermost feedsvc line on its stack."""
    sizes: dict[str, int] = {}
    for stat in snapshot.statistics("traceback"):
        ours = [f for f in stat.traceback if "/feedsvc/" in f.filename] or list(stat.traceback)
        frame = ours[-1]  # tracemalloc lists the innermost frame last
        site = f"{Path(frame.filename).parent.name}/{Path(frame.filename).stem}:{frame.lineno}"
        sizes[site] = sizes.get(site, 0) + stat.size
    top = sorted(sizes.items(), key=lambda kv: -kv[1])[:count]
    return [(size / 1e6, f"{site}  {_line(site)}") for site, size in top]


def _line(site: str) -> str:
    """The source line of a site ``package/module:line`` of feedsvc, stripped."""
    name, _, number = site.rpartition(":")
    path = TREE / "feedsvc" / f"{name}.py"
    if not path.exists():
        path = TREE / "feedsvc" / f"{name.split('/')[-1]}.py"
    if not path.exists() or not number.isdigit():
        return ""
    lines = path.read_text(encoding="utf-8").splitlines()
    return lines[int(number) - 1].strip()[:90] if int(number) <= len(lines) else ""


def publish_new(content: Path, number: int) -> list[str]:
    """Rename a new article into place (as bench/build.py does); return its files' paths."""
    slug = f"pubmem-{number}-{os.getpid()}"
    staging = content / ".feedsvc" / "bench"
    staging.mkdir(parents=True, exist_ok=True)
    published = datetime.now(UTC).replace(microsecond=0).isoformat()
    (staging / f"{slug}.toml").write_text(f"published = {published}\n", encoding="utf-8")
    (staging / f"{slug}.html").write_text(
        f"<article><h1>Probe story {number}</h1><p>A new article written by the memory probe, number {number}, "
        "long enough to be a paragraph of an article.</p></article>",
        encoding="utf-8",
    )
    paths = []
    for name in (f"{slug}.toml", f"{slug}.html"):
        os.replace(staging / name, content / "articles" / name)
        paths.append(str((content / "articles" / name).resolve()))
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("content", type=Path)
    parser.add_argument("--publishes", type=int, default=2)
    parser.add_argument("--trace", type=int, default=0, metavar="N", help="tracemalloc: the N largest sites a step")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--tree", type=Path, default=REPO, help="the feedsvc checkout to run (default: this one)")
    args = parser.parse_args()
    content: Path = args.content
    base_url = tomllib.loads((content / "site.toml").read_text(encoding="utf-8"))["base_url"]
    if args.trace:
        tracemalloc.start(10)
    sampler = Sampler().start()
    rows: list[dict[str, object]] = []
    started = time.perf_counter()

    def step(name: str) -> None:
        """End the step under way (recording it) and start ``name``."""
        gc.collect()
        now = status()
        high, stack = sampler.where.get(sampler.step, (0, ""))
        row: dict[str, object] = {
            "step": sampler.step,
            "rss_mb": now["VmRSS"] / 1024,
            "hwm_mb": now["VmHWM"] / 1024,
            "high_mb": high / 1024,
            "where": stack,
            "seconds": time.perf_counter() - started,
        }
        if args.trace:
            current, peak = tracemalloc.get_traced_memory()
            row["traced_mb"], row["traced_peak_mb"] = current / 1e6, peak / 1e6
            row["sites"] = _sites(tracemalloc.take_snapshot(), args.trace)
            tracemalloc.reset_peak()
        rows.append(row)
        print(f"{row['step']:28s} RSS {row['rss_mb']:7.1f} MB  HWM {row['hwm_mb']:7.1f} MB  high {row['high_mb']:7.1f} MB"
              + (f"  traced {row['traced_mb']:6.1f} (peak {row['traced_peak_mb']:6.1f}) MB" if args.trace else "")
              + f"  at {row['where']}", flush=True)  # fmt: skip
        for size, site in row.get("sites", []):  # type: ignore[attr-defined]
            print(f"      {size:7.2f} MB  {site}")
        sampler.step = name

    import feedsvc

    print(f"feedsvc from {Path(feedsvc.__file__).parent}", flush=True)
    step("builder made")
    builder = Builder(content, {"base_url": base_url}, cache_dir=content / ".feedsvc" / "cache",
                      workers=os.cpu_count() or 1, settle=0.3)  # fmt: skip
    step("first build (warm start)")
    snapshot = builder.build()
    print(f"  {builder.stats.summary()}")
    step("whole snapshot pickled")
    payload, _ = dump_snapshot(snapshot)  # (the descriptors are the blob stores' own)
    print(f"  {len(payload) / 1e6:.1f} MB")
    step("payload let go")
    del payload
    step("the watcher's full scan")
    listing = scan(content, builder.pictures)
    builder.outdated(listing)
    made: list[str] = []
    sent = snapshot
    for number in range(args.publishes):
        step(f"publish {number + 1}: build")
        paths = publish_new(content, number)
        made += paths
        time.sleep(0.35)  # settled (SETTLE_SECONDS)
        listing = refreshed(listing, content.resolve(), paths, builder.pictures)
        new = builder.build(listing=listing)
        print(f"  {builder.stats.summary()}")
        step(f"publish {number + 1}: delta")
        dumped, _ = dump_delta(delta(sent, new))
        del dumped
        sent = new
    step("end")
    sampler.close()
    for path in made:
        Path(path).unlink()
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
