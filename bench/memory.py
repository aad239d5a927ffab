#!/usr/bin/env python3
"""Where the bytes of each article go: the snapshot as the gunicorn master holds it, and the publisher's build state.

    .venv/bin/python bench/memory.py CONTENT_DIR [CONTENT_DIR ...] [--json FILE]

Each content folder is one of bench/make_corpus.py (or any site); its build
cache is used (a cold build the first time, which takes a while), and the
revisions ledger is only read. For each folder:

- the snapshot is sent as the publisher sends it to the master
  (:func:`feedsvc.serve.wire.dump_snapshot`) and loaded back in this process
  under ``tracemalloc``: the heap a master holds, and every worker forked
  from it counts in its resident memory;
- that heap split by structure: each field of the articles, the indexes
  (by slug, tags, authors, sources, archive months), the feeds kept in
  memory and the handles on those kept on disk. A walk with
  ``sys.getsizeof`` over everything reachable, each object counted once,
  under the first structure that reaches it (a tag string shared by many
  articles is counted once, in the first);
- the publisher's build state (the builder after one build) split the same way.

Bytes per article are the figures to compare; given two folders or more,
the smallest and the largest give the cost of each article added (the
difference over the difference in articles), which leaves the fixed parts
(the site's own feeds, a facet per tag) out. ``PYTHONPATH=OTHER_CHECKOUT``
measures another checkout's feedsvc (a before and after on the same corpora).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import tracemalloc
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from types import FunctionType, ModuleType

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.append(str(REPO))  # after PYTHONPATH: another checkout's feedsvc may be measured

from feedsvc.build.blobstore import BlobStore  # noqa: E402
from feedsvc.build.builder import Builder  # noqa: E402

try:
    from feedsvc.build.records import ArticleList
except ImportError:  # a checkout from before the records (PYTHONPATH=...): its articles are objects
    ArticleList = ()  # type: ignore[assignment,misc]
from feedsvc.build.snapshot import HOT_FEED_PREFIX, Snapshot  # noqa: E402
from feedsvc.model import FACET_KINDS, Article  # noqa: E402
from feedsvc.serve.wire import dump_snapshot, load_snapshot  # noqa: E402

_OPAQUE = (type, ModuleType, FunctionType, BlobStore)  # shared by the process, not by the articles


def reach(value: object, seen: set[int]) -> int:
    """Return the bytes of ``value`` and of all it reaches that ``seen`` has not counted yet (then counted)."""
    total = 0
    stack = [value]
    while stack:
        item = stack.pop()
        if id(item) in seen or isinstance(item, _OPAQUE):
            continue
        seen.add(id(item))
        total += sys.getsizeof(item)
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            stack.extend(item)
        elif not isinstance(item, str | bytes | bytearray | int | float | complex | bool) and item is not None:
            for klass in type(item).__mro__:
                for name in getattr(klass, "__slots__", ()):
                    if name not in ("__weakref__", "__dict__") and hasattr(item, name):
                        stack.append(getattr(item, name))
            if hasattr(item, "__dict__"):
                stack.append(vars(item))
    return total


def master_heap(snapshot: Snapshot) -> tuple[int, int, dict[str, int]]:
    """Load ``snapshot`` as the master does; return its pickled size, its heap and that heap by structure."""
    payload, fds = dump_snapshot(snapshot)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        loaded = load_snapshot(payload, [os.dup(fd) for fd in fds])
        gc.collect()
        heap = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    catalog = loaded.catalog
    seen: set[int] = set()
    parts = {"site settings": reach(catalog.site, seen)}
    articles = catalog.articles
    if isinstance(articles, ArticleList):  # records on disk, arrays in the heap (feedsvc.build.records)
        parts["records on disk (not heap; page cache)"] = 0
        parts["the order: arrays (record, times)"] = reach(articles, seen)
        parts["by_slug: arrays (slug hash, record)"] = reach(catalog.by_slug, seen)
        records_on_disk = os.fstat(articles.records._fd).st_size
    else:
        parts["the articles' tuple and objects"] = sys.getsizeof(articles) + sum(sys.getsizeof(a) for a in articles)
        seen.update([id(articles), *(id(a) for a in articles)])
        for field in fields(Article):
            parts[f"Article.{field.name}"] = sum(reach(getattr(a, field.name), seen) for a in articles)
        parts["by_slug"] = reach(catalog.by_slug, seen)
        records_on_disk = 0
    for kind in FACET_KINDS:
        parts[f"facets: {kind}"] = reach(catalog.facets(kind), seen)
    parts["archive months"] = reach(loaded.archives, seen)
    parts["withdrawn, problems, scheduled"] = reach((catalog.withdrawn, catalog.gone, catalog.problems), seen)
    hot = {path: r for path, r in loaded.feeds.items() if path.startswith(HOT_FEED_PREFIX)}
    parts["the site's feeds (bytes in memory)"] = reach(hot, seen)
    parts["other feeds (handles on disk)"] = reach(loaded.feeds, seen)
    parts["the rest of the snapshot"] = reach(vars(loaded), seen)
    if records_on_disk:
        parts["records on disk (not heap; page cache)"] = records_on_disk
    return len(payload), heap, parts


def builder_state(builder: Builder) -> dict[str, int]:
    """The publisher's state after a build, by attribute (its snapshot first: what the master gets of it)."""
    seen: set[int] = set()
    parts = {"its snapshot": reach(builder.snapshot, seen)}
    parts["articles.entries (one per file)"] = reach(builder.articles.entries, seen)
    for name, value in vars(builder.articles).items():
        if name != "entries":
            parts[f"articles.{name}"] = reach(value, seen)
    for name, value in vars(builder).items():
        if name not in ("articles", "snapshot"):
            parts[name] = reach(value, seen)
    return parts


@dataclass
class Measured:
    """The figures of one content folder."""

    folder: str
    articles: int
    pickled: int  # bytes of the snapshot as sent to the master
    heap: int  # the master's heap of it
    master: dict[str, int]  # that heap by structure
    publisher: dict[str, int]  # the publisher's build state by structure


def measure(content: Path) -> Measured:
    builder = Builder(content, cache_dir=content / ".feedsvc" / "cache", workers=os.cpu_count() or 1, ledger="read")
    snapshot = builder.build()
    pickled, heap, parts = master_heap(snapshot)
    return Measured(content.name, len(snapshot.catalog.articles), pickled, heap, parts, builder_state(builder))


def table(title: str, rows: Iterable[tuple[str, int]], count: int, least: int = 0) -> None:
    print(title)
    for name, size in rows:
        if size >= least * count:
            print(f"  {name:42s} {size / 1e6:9.2f} MB {size / count:8.0f} B/article")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("content", type=Path, nargs="+", help="content folders (bench/make_corpus.py)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()
    results = [measure(folder) for folder in args.content]
    for found in results:
        count = found.articles
        print(f"\n== {found.folder}: {count} articles")
        print(f"snapshot sent to the master: {found.pickled / 1e6:.2f} MB ({found.pickled / count:.0f} B/article)")
        print(f"the master's heap of it (tracemalloc): {found.heap / 1e6:.2f} MB ({found.heap / count:.0f} B/article)")
        table("by structure (getsizeof walk):", found.master.items(), count, least=1)
        table("the publisher's build state:", sorted(found.publisher.items(), key=lambda kv: -kv[1]), count, least=1)
    small, large = min(results, key=lambda r: r.articles), max(results, key=lambda r: r.articles)
    added = large.articles - small.articles
    if added:
        print(f"\neach article added, {small.articles} -> {large.articles}:")
        print(f"  {'the master heap (tracemalloc)':42s} {(large.heap - small.heap) / added:8.0f} B")
        for name, size in large.master.items():
            grown = (size - small.master.get(name, 0)) / added
            if abs(grown) >= 1:
                print(f"  {name:42s} {grown:8.0f} B")
        grown = (sum(large.publisher.values()) - sum(small.publisher.values())) / added
        print(f"  {'the publisher build state':42s} {grown:8.0f} B")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps([asdict(found) for found in results], indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
