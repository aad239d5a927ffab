#!/usr/bin/env python3
"""Measure the build pipeline and live publishing at two corpus sizes, as ratios within one run.

    .venv/bin/python bench/build.py [--small 1000] [--large 10000] [--work /tmp/feedsvc-bench]
                                    [--publishes 5] [--json bench/results/build.json]
                                    [--kind pages|fragments] [--serve-only | --builds-only] [--tree DIR]

For each size: a corpus from bench/make_corpus.py (made once, kept in
--work), then

- cold build: every article read and cleaned (process pool, one per CPU), every
  feed rendered, into an empty build cache;
- warm restart: a new builder on the same cache (what a restart does);
- one edit: one article rewritten, the same builder builds again (what the
  watcher does); it must re-clean exactly one article;
- `feedsvc serve --workers 2` started on the warm cache: publish-to-feed
  latency (a new article renamed into place, and an article rewritten in
  place, until /feed.atom shows it), then peak memory (VmHWM) and PSS of each
  worker after requests for every feed and a few hundred pages, beside the
  bytes of cleaned content the snapshot holds.

Ratios are taken within the run (warm/cold, large/small), so a busy machine
shifts both sides alike. Prints a table; --json also writes the figures.

``--kind fragments`` (or ``--fragments``): corpora of small fragment
articles (make_corpus.py --kind fragments, in --work as fragments-N).
``--serve-only``: skip the builds and keep the build cache (a warm start),
measuring only serving and publishing. ``--builds-only``: the builds
alone, no server (cold build throughput: articles a second per core, the
large size's against the small's; warm restart against cold). ``--tree DIR``: serve the feedsvc of another checkout (say, the
main branch's, for a before/after run on the same corpora).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from feedsvc.build.builder import Builder  # noqa: E402

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def corpus(work: Path, count: int, kind: str = "pages", cold: bool = True) -> Path:
    """Return a content folder of ``count`` generated articles, making it the first time."""
    folder = work / f"{'fragments' if kind == 'fragments' else 'corpus'}-{count}"
    if not (folder / "site.toml").exists():
        command = [sys.executable, str(REPO / "bench" / "make_corpus.py"), str(count), str(folder), "--kind", kind]
        subprocess.run(command, check=True)
    if cold:
        shutil.rmtree(folder / ".feedsvc", ignore_errors=True)  # no cache, no ledger: a cold start
    for stray in (folder / "articles").glob("bench-*"):
        stray.unlink()
    return folder


def timed_build(builder: Builder) -> tuple[float, object]:
    started = time.perf_counter()
    snapshot = builder.build(NOW)
    return time.perf_counter() - started, snapshot


def builds(content: Path) -> dict[str, float]:
    """Cold build, warm restart and one edit on ``content``; return seconds and counts."""
    cache = content / ".feedsvc" / "cache"
    workers = os.cpu_count() or 1
    cold_builder = Builder(content, cache_dir=cache, workers=workers)
    cold, snapshot = timed_build(cold_builder)
    warm_builder = Builder(content, cache_dir=cache, workers=workers)
    warm, snapshot = timed_build(warm_builder)
    assert warm_builder.stats.cleaned == 0, warm_builder.stats.summary()
    pages = sorted((content / "articles").glob("*.html"))
    page = pages[len(pages) // 2]
    original = page.read_bytes()
    page.write_bytes(original.replace(b"<p>", b"<p>An edited sentence opens this paragraph. ", 1))
    edit, _ = timed_build(warm_builder)
    edited = warm_builder.stats.cleaned
    page.write_bytes(original)
    timed_build(warm_builder)  # back as it was (and cached again)
    catalog = snapshot.catalog  # type: ignore[attr-defined]
    cleaned_bytes = sum(len(a.content_html.encode()) for a in catalog.articles)
    return {
        "articles": len(catalog.articles),
        "cores": workers,
        "cold_s": cold,
        "cold_per_core": len(catalog.articles) / cold / workers,  # articles a second per core
        "warm_s": warm,
        "edit_s": edit,
        "edit_recleaned": edited,
        "cleaned_mb": cleaned_bytes / 1e6,
        "feeds_in_memory_mb": snapshot.held_bytes() / 1e6,  # type: ignore[attr-defined]
        "feeds_on_disk_mb": snapshot.stored_bytes() / 1e6,  # type: ignore[attr-defined]
        "raw_mb": sum(p.stat().st_size for p in (content / "articles").iterdir()) / 1e6,
    }


def listening_port(log: Path, server: subprocess.Popen[bytes], seconds: float) -> int:
    """Return the port a `feedsvc serve --port 0` printed it binds (None of another process can take it first)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and server.poll() is None:
        found = re.search(r"serving .* at http://127\.0\.0\.1:(\d+)/", log.read_text(errors="replace"))
        if found:
            return int(found.group(1))
        time.sleep(0.1)
    raise SystemExit(f"the server printed no port within {seconds:g} s; see {log}")


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


def wait_for(url: str, needle: bytes, limit: float) -> float | None:
    """Poll ``url`` until its body holds ``needle``; return the seconds it took (None: not within ``limit``)."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        try:
            if needle in fetch(url):
                return time.monotonic() - started
        except OSError:
            pass
        time.sleep(0.02)
    return None


def publish_new(content: Path, number: int) -> bytes:
    """Rename a new article into place, as importers do; return what marks it in the feed."""
    slug = f"bench-new-{number}-{os.getpid()}"
    staging = content / ".feedsvc" / "bench"
    staging.mkdir(parents=True, exist_ok=True)
    # dated now, so it is the newest entry (a future date would be held back until its time)
    published = datetime.now(UTC).replace(microsecond=0).isoformat()
    (staging / f"{slug}.toml").write_text(f"published = {published}\n", encoding="utf-8")
    (staging / f"{slug}.html").write_text(
        f"<article><h1>Bench story {number}</h1><p>A new article written by the benchmark, number {number}, "
        "long enough to be a paragraph of an article.</p></article>",
        encoding="utf-8",
    )
    for name in (f"{slug}.toml", f"{slug}.html"):
        os.replace(staging / name, content / "articles" / name)
    return slug.encode()


def edit_in_place(content: Path, number: int) -> bytes:
    """Rewrite the newest bench article in place (no rename): the slower path, found by the periodic scan."""
    page = sorted((content / "articles").glob("bench-new-*.html"))[-1]
    marker = f"Edited in place, round {number}."
    with page.open("r+", encoding="utf-8") as file:
        text = file.read().replace("</p>", f" {marker}</p>", 1)
        file.seek(0)
        file.write(text)
        file.truncate()
    return marker.encode()


def memory(pid: int) -> dict[str, float]:
    """Return VmHWM, VmRSS and PSS of a process, in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmHWM", "VmRSS"):
            fields[name] = int(value.split()[0]) / 1024
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            fields["Pss"] = int(line.split()[1]) / 1024
    return fields


def started_at(pid: str) -> int:
    """Return when a process started (clock ticks since boot)."""
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])


def serving(content: Path, publishes: int, tree: Path = REPO) -> dict[str, object]:
    """Start `feedsvc serve --workers 2`; measure publish latency, then each worker's memory."""
    log_path = content.parent / f"serve-{content.name}.log"
    log = log_path.open("wb")
    started = time.monotonic()
    # the feedsvc of this tree (the one the builds above measured), whatever is installed
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(tree), os.environ.get("PYTHONPATH")]))}
    # the site's own base_url, as the builds above had it (it is part of what a cleaned article is keyed by):
    # named explicitly, or a loopback one would follow the port, and the server would start cold
    base_url = tomllib.loads((content / "site.toml").read_text(encoding="utf-8"))["base_url"]
    server = subprocess.Popen(
        [sys.executable, "-m", "feedsvc.cli.main", "serve", "--content", str(content), "--port", "0",
         "--workers", "2", "--base-url", base_url],
        stdout=subprocess.DEVNULL, stderr=log, env=env, cwd=tree,  # -m puts the working folder first on the path
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{listening_port(log_path, server, 600)}"  # the first build comes before it
        if wait_for(f"{base}/healthz", b'"status"', 600) is None:
            raise SystemExit(f"the server did not start; see {log.name}")
        ready = time.monotonic() - started
        new = [wait_for(f"{base}/feed.atom", publish_new(content, n), 30) for n in range(publishes)]
        in_place = [wait_for(f"{base}/feed.atom", edit_in_place(content, n), 30) for n in range(publishes)]
        time.sleep(1.0)
        index = json.loads(fetch(f"{base}/healthz"))
        feeds = [f"{base}/feed.atom", f"{base}/feed.rss", f"{base}/feed.json", f"{base}/"]
        feeds += [f"{base}/archive/{year}-{month:02d}.atom" for year in range(2015, 2026) for month in (1, 6, 12)]
        pages = sorted(p.stem for p in (content / "articles").glob("*.html"))[:400]
        for url in feeds * 4 + [f"{base}/articles/{slug}" for slug in pages]:
            with contextlib.suppress(OSError):
                fetch(url)
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        # the publisher is forked before gunicorn starts any worker: the oldest child
        publisher, *workers = sorted(children, key=started_at)
        return {
            "ready_s": ready,
            "publish_new_s": new,
            "publish_in_place_s": in_place,
            "articles_served": index["articles"],
            "master": memory(server.pid),
            "publisher": memory(int(publisher)),
            "workers": [memory(int(pid)) for pid in workers],
        }
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()
        for stray in (content / "articles").glob("bench-new-*"):
            stray.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--large", type=int, default=10000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/feedsvc-bench"))
    parser.add_argument("--publishes", type=int, default=5, help="new and in-place publishes to time (each)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--kind", choices=("pages", "fragments"), default="pages", help="make_corpus.py --kind")
    parser.add_argument("--fragments", action="store_const", const="fragments", dest="kind", help="--kind fragments")
    parser.add_argument("--serve-only", action="store_true", help="no builds: serve on the warm cache")
    parser.add_argument("--builds-only", action="store_true", help="no server: the builds alone")
    parser.add_argument("--tree", type=Path, default=REPO, help="the feedsvc checkout to serve (default: this one)")
    args = parser.parse_args()
    results: dict[str, dict[str, object]] = {}
    for count in (args.small, args.large):
        content = corpus(args.work, count, args.kind, cold=not args.serve_only)
        for stray in (content / "articles").glob("bench-*"):
            stray.unlink()
        figures: dict[str, object] = {}
        if not args.serve_only:
            print(f"{count} articles: building...", flush=True)
            figures.update(builds(content))
        if not args.builds_only:
            print(f"{count} articles: serving...", flush=True)
            figures.update(serving(content, args.publishes, args.tree.resolve()))
        results[str(count)] = figures
    if args.json:  # first: the figures of a long run are kept whatever the report makes of them
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    if args.serve_only:
        report_publishing(results, args.small, args.large)
    elif args.builds_only:
        report_builds(results, args.small, args.large)
    else:
        report(results, args.small, args.large)


def report(results: dict[str, dict[str, object]], small: int, large: int) -> None:
    """Print the figures and the ratios the targets are stated in."""
    s, l = results[str(small)], results[str(large)]  # noqa: E741
    for count, r in results.items():
        workers = r["workers"]
        hwm = max(w["VmHWM"] for w in workers)  # type: ignore[index]
        print(f"\n== {count} articles ({r['raw_mb']:.0f} MB of pages, {r['cleaned_mb']:.1f} MB of cleaned articles; "
              f"feeds {r['feeds_in_memory_mb']:.1f} MB in memory, {r['feeds_on_disk_mb']:.1f} MB on disk)")  # fmt: skip
        print(f"cold build      {r['cold_s']:8.2f} s   ({r['cold_per_core']:.1f} articles/s per core)")
        share = 100 * r["warm_s"] / r["cold_s"]  # type: ignore[operator]
        print(f"warm restart    {r['warm_s']:8.2f} s   ({share:.1f} % of cold; target <= 5 %)")
        print(f"one edit        {r['edit_s']:8.2f} s   (re-cleaned {r['edit_recleaned']} article; target 1)")
        print(f"serve ready     {r['ready_s']:8.2f} s   (warm cache, 2 workers)")
        for label, key in (("new ", "publish_new_s"), ("edit", "publish_in_place_s")):
            print(f"publish, {label}  max {max(x or 99 for x in r[key]):.2f} s  {_list(r[key])}")  # type: ignore[attr-defined]
        for number, worker in enumerate(workers, 1):  # type: ignore[arg-type]
            print(f"worker {number}        VmHWM {worker['VmHWM']:6.0f} MB  RSS {worker['VmRSS']:6.0f} MB  "
                  f"PSS {worker['Pss']:6.0f} MB")  # fmt: skip
        for name in ("master", "publisher"):
            print(f"{name:<15} VmHWM {r[name]['VmHWM']:6.0f} MB  RSS {r[name]['VmRSS']:6.0f} MB")  # type: ignore[index]
        print(f"peak per worker / cleaned content  {hwm / r['cleaned_mb']:.2f}   (target <= 2)")  # type: ignore[operator]
    hwm_s = max(w["VmHWM"] for w in s["workers"])  # type: ignore[index]
    hwm_l = max(w["VmHWM"] for w in l["workers"])  # type: ignore[index]
    slowest = {key: max(x or 99 for x in l[key]) / max(x or 99 for x in s[key])  # type: ignore[attr-defined]
               for key in ("publish_new_s", "publish_in_place_s")}  # fmt: skip
    print(f"\n{large} / {small}: {_ratios(s, l)}, slowest publish new x{slowest['publish_new_s']:.2f}, "
          f"edit x{slowest['publish_in_place_s']:.2f} (target <= 1.5), "
          f"worker peak memory x{hwm_l / hwm_s:.1f}, publisher x{l['publisher']['VmHWM'] / s['publisher']['VmHWM']:.1f}, "
          f"cleaned content x{l['cleaned_mb'] / s['cleaned_mb']:.1f} (articles x{large / small:.0f})")  # fmt: skip


def report_builds(results: dict[str, dict[str, object]], small: int, large: int) -> None:
    """Print the build figures of a --builds-only run and the ratios the targets are stated in."""
    for count, r in results.items():
        share = 100 * r["warm_s"] / r["cold_s"]  # type: ignore[operator]
        print(f"\n== {count} articles ({r['raw_mb']:.0f} MB read, {r['cleaned_mb']:.1f} MB of cleaned articles)")
        print(
            f"cold build      {r['cold_s']:8.2f} s   ({r['cold_per_core']:.1f} articles/s per core, {r['cores']} cores)"
        )
        print(f"warm restart    {r['warm_s']:8.2f} s   ({share:.1f} % of cold; target <= 5 %)")
        print(f"one edit        {r['edit_s']:8.2f} s   (re-cleaned {r['edit_recleaned']} article; target 1)")
    print(f"\n{large} / {small}: {_ratios(results[str(small)], results[str(large)])}")


def _ratios(s: dict[str, object], l: dict[str, object]) -> str:  # noqa: E741
    """The large/small ratios of the build figures."""
    throughput = l["cold_per_core"] / s["cold_per_core"]  # type: ignore[operator]
    return (f"cold build x{l['cold_s'] / s['cold_s']:.1f}, throughput per core x{throughput:.2f} (target >= 0.9), "  # type: ignore[operator]
            f"warm x{l['warm_s'] / s['warm_s']:.1f}")  # fmt: skip


def report_publishing(results: dict[str, dict[str, object]], small: int, large: int) -> None:
    """Print publish latencies and process memory of a --serve-only run, with the large/small ratios."""
    for count, r in results.items():
        print(f"\n== {count} articles (served: {r['articles_served']})")
        for label, key in (("new ", "publish_new_s"), ("edit", "publish_in_place_s")):
            print(f"publish, {label}  max {max(x or 99 for x in r[key]):.2f} s  {_list(r[key])}")  # type: ignore[attr-defined]
        for name in ("master", "publisher"):
            print(f"{name:<15} VmHWM {r[name]['VmHWM']:6.0f} MB  RSS {r[name]['VmRSS']:6.0f} MB")  # type: ignore[index]
        for number, worker in enumerate(r["workers"], 1):  # type: ignore[arg-type]
            print(f"worker {number}        VmHWM {worker['VmHWM']:6.0f} MB  RSS {worker['VmRSS']:6.0f} MB")
    s, l = results[str(small)], results[str(large)]  # noqa: E741
    for label, key in (("new", "publish_new_s"), ("edit", "publish_in_place_s")):
        worst_s = max(x or 99 for x in s[key])  # type: ignore[attr-defined]
        worst_l = max(x or 99 for x in l[key])  # type: ignore[attr-defined]
        print(f"{large} / {small}: publish {label}, slowest x{worst_l / worst_s:.2f}")


def _list(values: object) -> str:
    return "[" + ", ".join("-" if v is None else f"{v:.2f}" for v in values) + "]"  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
